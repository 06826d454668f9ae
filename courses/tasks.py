from celery import shared_task

from .reminders import due_reminders_send


@shared_task(name="courses.send_due_reminders", acks_late=True)
def send_due_reminders() -> int:
    """Daily (Celery beat). Idempotent: notifications are keyed per event."""
    return due_reminders_send()


@shared_task(
    name="courses.expire_overdue_attempts", acks_late=True, soft_time_limit=50, time_limit=60
)
def expire_overdue_attempts() -> int:
    """Every minute (Celery beat): closes and grades quiz attempts past their time limit.
    Idempotent: an attempt is graded once, whoever gets there first."""
    from .quiz.services import attempt_expire_overdue

    return attempt_expire_overdue()
