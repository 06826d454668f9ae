from celery import shared_task


@shared_task(name="certification.expire_due", acks_late=True, soft_time_limit=240, time_limit=300)
def expire_due() -> int:
    """Nightly (Celery beat): expires certifications whose validity and grace ran out.
    Idempotent: a certification expires once, with one event."""
    from .services import certification_expire_due

    return certification_expire_due()


@shared_task(
    name="certification.evaluate_programmes", acks_late=True, soft_time_limit=100, time_limit=120
)
def evaluate_programmes(
    user_id: int, quiz_id: int | None = None, course_id: int | None = None
) -> list[int]:
    """Evaluates the programmes involving a quiz or course for one person after a learning
    event; returns the ids of certifications issued. Idempotent: evidence issues once."""
    from django.contrib.auth.models import User

    from .services import programmes_evaluate_for

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return []
    issued = programmes_evaluate_for(user=user, quiz_id=quiz_id, course_id=course_id)
    return [c.pk for c in issued]


# The dashboards' export job lives with the dashboards; imported so the worker registers it.
from .dashboards.tasks import export_run  # noqa: E402, F401
