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


@shared_task(
    name="certification.evaluate_programme", acks_late=True, soft_time_limit=100, time_limit=120
)
def evaluate_programme(user_id: int, programme_id: int) -> int | None:
    """Evaluates one programme for one person (after a passing practical sign-off); returns
    the id of the certification issued, if any. Idempotent: evidence issues once."""
    from django.contrib.auth.models import User

    from .models import Programme
    from .services import programme_evaluate

    user = User.objects.filter(pk=user_id).first()
    programme = Programme.objects.filter(pk=programme_id).first()
    if user is None or programme is None:
        return None
    certification = programme_evaluate(user=user, programme=programme)
    return certification.pk if certification else None


@shared_task(
    name="certification.corrective_training_check",
    acks_late=True,
    soft_time_limit=100,
    time_limit=120,
)
def corrective_training_check(user_id: int) -> list[int]:
    """After a course completion: moves the person's suspensions whose corrective path is now
    complete to "awaiting reinstatement approval" and notifies their managers; returns their
    ids. Idempotent: a suspension moves, and is notified, once."""
    from django.contrib.auth.models import User

    from .corrective import suspensions_training_check

    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return []
    return [s.pk for s in suspensions_training_check(user=user)]


@shared_task(
    name="certification.run_nightly", acks_late=True, soft_time_limit=1500, time_limit=1800
)
def run_nightly() -> dict:
    """Nightly (Celery beat, 01:30): expires lapsed certifications, voids licences whose review
    is overdue, sends expiry reminders at 90/60/30/7 days and opens renewal paths. Idempotent:
    running it twice changes and sends nothing twice."""
    from .nightly import certification_nightly_run

    return certification_nightly_run().as_dict()
