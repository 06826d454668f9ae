from celery import shared_task

from .reminders import due_reminders_send


@shared_task(name="courses.send_due_reminders", acks_late=True)
def send_due_reminders() -> int:
    """Daily (Celery beat). Idempotent: notifications are keyed per event."""
    return due_reminders_send()
