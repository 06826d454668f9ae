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


# --- Webhooks (certification/webhooks.py) ----------------------------------------------------


@shared_task(
    name="certification.deliver_webhook", acks_late=True, soft_time_limit=60, time_limit=90
)
def deliver_webhook(delivery_id: int) -> str | None:
    """One attempt at one webhook delivery; when it must be retried, queues itself for the time
    the backoff chose. Idempotent: a delivery that is not due (delivered, failed, in flight,
    waiting) is left alone, so duplicate messages and the sweep never send twice at once."""
    from .models import WebhookDeliveryStatus
    from .webhooks import webhook_delivery_attempt

    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    if delivery is None:
        return None
    if delivery.status == WebhookDeliveryStatus.RETRYING:
        deliver_webhook.apply_async((delivery_id,), eta=delivery.next_attempt_at)
    return delivery.status


@shared_task(name="certification.sweep_webhooks", acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_webhooks() -> int:
    """Every minute (Celery beat): re-queues deliveries whose attempt is overdue because their
    message was lost (broker down when it was published, worker killed mid-attempt)."""
    from .webhooks import webhook_deliveries_due

    due = webhook_deliveries_due()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return len(due)


@shared_task(
    name="certification.publish_licence_webhooks",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
)
def publish_licence_webhooks() -> int:
    """Nightly (Celery beat): ``licence.expired`` and ``licence.review_due`` for licences that
    lapsed since the last nights. Idempotent: each lapse is published once."""
    from .webhooks import licences_webhook_scan

    return licences_webhook_scan()


@shared_task(
    name="certification.generate_certificate",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
    soft_time_limit=50,
    time_limit=60,
)
def generate_certificate(certification_id: int) -> int | None:
    """Renders and stores the PDF certificate of a newly issued certification; returns the
    document id. Idempotent: a certificate that has its PDF keeps it unchanged. Storage errors
    (a shared media volume or object store briefly away) are retried with backoff."""
    from .certificates import certificate_document_ensure

    document = certificate_document_ensure(certification_id=certification_id)
    return document.pk if document is not None else None


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


# The dashboards' export job lives with the dashboards; imported so the worker registers it.
from .dashboards.tasks import export_run  # noqa: E402, F401
