"""Celery tasks of the shared kernel."""

import logging

from celery import shared_task
from django.core.exceptions import ObjectDoesNotExist
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@shared_task(name="portal.run_django_task", acks_late=True)
def run_django_task(*, module_path: str, args: list, kwargs: dict) -> None:
    """Runs one django_tasks task (Wagtail's index updates) inside a Celery worker."""
    task = import_string(module_path)
    try:
        task.call(*args, **kwargs)
    except ObjectDoesNotExist:
        # Deleted between save and this task: there is nothing left to index.
        logger.info("skipped %s%s: object no longer exists", module_path, tuple(args))


@shared_task(name="portal.publish_scheduled", acks_late=True)
def publish_scheduled() -> None:
    """Publishes and unpublishes content whose scheduled time has come (Celery beat, every
    minute). Wagtail's command is idempotent: nothing is published twice."""
    from django.core.management import call_command

    call_command("publish_scheduled", verbosity=0)
