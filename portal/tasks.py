"""Celery tasks of the shared kernel."""

from celery import shared_task
from django.utils.module_loading import import_string


@shared_task(name="portal.run_django_task", acks_late=True)
def run_django_task(*, module_path: str, args: list, kwargs: dict) -> None:
    """Runs one django_tasks task (Wagtail's index updates) inside a Celery worker."""
    task = import_string(module_path)
    task.call(*args, **kwargs)


@shared_task(name="portal.publish_scheduled", acks_late=True)
def publish_scheduled() -> None:
    """Publishes and unpublishes content whose scheduled time has come (Celery beat, every
    minute). Wagtail's command is idempotent: nothing is published twice."""
    from django.core.management import call_command

    call_command("publish_scheduled", verbosity=0)
