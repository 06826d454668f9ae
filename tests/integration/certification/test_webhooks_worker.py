"""Webhooks on the real stack: PostgreSQL, Redis and a separate Celery worker process deliver a
ledger change to a subscriber over HTTP, while a broken subscriber waits for its retry."""

import pytest

from certification.models import WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription
from certification.services import certification_suspend
from certification.webhooks import webhook_signature_verify
from tests.integration.conftest import wait_for
from tests.webhook_receiver import Receiver

SECRET = "whsec_worker-test-shared-secret"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_a_suspension_and_retries_a_broken_subscriber_alone(
    real_broker, certified, admin_user
):
    with Receiver() as receiver:
        receiver.respond("/broken", status=500)
        healthy = WebhookSubscription.objects.create(
            name="派单系统",
            url=receiver.url("/ok"),
            secret=SECRET,
            event_types=["certification.suspended"],
        )
        broken = WebhookSubscription.objects.create(
            name="坏掉的系统",
            url=receiver.url("/broken"),
            secret=SECRET,
            event_types=["certification.suspended"],
        )
        certification_suspend(
            certification=certified["cert"], user=admin_user, reason_code="complaint"
        )
        assert wait_for(lambda: receiver.received("/ok"), timeout=30), "nothing delivered"
        assert wait_for(
            lambda: WebhookDelivery.objects.filter(
                subscription=broken, status=WebhookDeliveryStatus.RETRYING
            ).exists(),
            timeout=30,
        )
        assert wait_for(
            lambda: WebhookDelivery.objects.filter(
                subscription=healthy, status=WebhookDeliveryStatus.DELIVERED
            ).exists(),
            timeout=10,
        )
    (request,) = receiver.received("/ok")
    assert request["headers"]["X-Portal-Event"] == "certification.suspended"
    headers = request["headers"]
    assert webhook_signature_verify(
        secret=SECRET,
        body=request["body"],
        timestamp=headers["X-Portal-Timestamp"],
        signature=headers["X-Portal-Signature"],
    )
    retrying = WebhookDelivery.objects.get(subscription=broken)
    assert retrying.attempts == 1 and retrying.last_response_code == 500
