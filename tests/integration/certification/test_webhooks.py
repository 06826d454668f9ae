"""Webhooks: ledger and licence events reach subscribers signed, once, after commit; a subscriber
that is down is retried with backoff and never disturbs the ledger or other subscribers; failed
deliveries can be replayed. The subscriber is a real HTTP server in a thread."""

import datetime as dt
import hashlib
import hmac
import json
import random
import time

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from certification.models import (
    CertificationEvent,
    CertificationStatus,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
    WebhookSubscription,
)
from certification.services import (
    certification_expire_due,
    certification_reinstate,
    certification_revoke,
    certification_suspend,
    programme_evaluate,
)
from certification.tasks import deliver_webhook, sweep_webhooks
from certification.webhooks import (
    certification_event_webhook_publish,
    licences_webhook_scan,
    webhook_backoff_seconds,
    webhook_deliveries_due,
    webhook_delivery_attempt,
    webhook_delivery_replay,
    webhook_event_publish,
    webhook_signature_verify,
)
from tests.factories import (
    make_certification,
    make_graded_attempt,
    make_licence,
    make_programme,
    make_question,
    make_quiz,
)
from tests.webhook_receiver import Receiver, closed_port_url

from .conftest import NOW, TODAY

DAY = dt.timedelta(days=1)
ALL_EVENTS = [
    "certification.issued",
    "certification.renewed",
    "certification.suspended",
    "certification.reinstated",
    "certification.revoked",
    "certification.expired",
    "licence.expired",
    "licence.review_due",
]
SECRET = "whsec_test-secret-for-the-dispatch-system"


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


def subscribe(url, *, events=ALL_EVENTS, secret=SECRET, name="调度系统", active=True):
    return WebhookSubscription.objects.create(
        name=name, url=url, secret=secret, event_types=list(events), active=active
    )


def receiver_accepts(request, *, secret=SECRET, tolerance=300):
    """How a receiver checks a delivery, written from the README and not from our code."""
    timestamp = request["headers"]["X-Portal-Timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    signed = timestamp.encode() + b"." + request["body"]
    expected = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request["headers"]["X-Portal-Signature"])


@pytest.fixture
def exam(db):
    question = make_question("R32冷媒属于哪一类？", choices=[("不可燃", False), ("A2L", True)])
    return make_quiz("家用空调安装上岗考试", questions=[question], pass_mark=60)


# --- Signature -------------------------------------------------------------------------------


def test_a_receiver_verifies_the_signature_of_a_suspension_with_the_shared_secret(
    certified, admin_user, receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url())
    cert = certified["cert"]
    with django_capture_on_commit_callbacks(execute=True):
        certification_suspend(
            certification=cert,
            user=admin_user,
            reason_code="complaint",
            reason_text="客户王先生投诉漏水，电话13800001111",
        )
    (request,) = receiver.received()
    headers = request["headers"]
    assert headers["X-Portal-Event"] == "certification.suspended"
    assert headers["Content-Type"].startswith("application/json")
    assert receiver_accepts(request)
    # The same check through the helper we ship, and what it refuses.
    stamp, signature = headers["X-Portal-Timestamp"], headers["X-Portal-Signature"]
    body = request["body"]
    assert webhook_signature_verify(secret=SECRET, body=body, timestamp=stamp, signature=signature)
    tampered = body.replace(b'"suspended"', b'"active"')
    assert not receiver_accepts({**request, "body": tampered})
    assert not receiver_accepts(request, secret="whsec_someone-else")
    # A captured request replayed later is refused: the timestamp is part of what is signed.
    assert not webhook_signature_verify(
        secret=SECRET, body=body, timestamp=stamp, signature=signature, now=int(stamp) + 3600
    )
    assert not webhook_signature_verify(
        secret=SECRET,
        body=body,
        timestamp=int(stamp) + 3600,
        signature=signature,
        now=int(stamp) + 3600,
    )

    payload = json.loads(body)
    event = WebhookEvent.objects.get()
    assert payload["id"] == str(event.uuid) == headers["X-Portal-Event-Id"]
    assert headers["X-Portal-Delivery"] == str(WebhookDelivery.objects.get().uuid)
    assert payload["type"] == "certification.suspended"
    data = payload["data"]
    assert data["certification"] == {
        "id": cert.pk,
        "employee_no": "J-SH",
        "skill": {"code": "AC-SPLIT-INSTALL", "name": "分体式空调安装"},
        "level": 1,
        "status": "suspended",
        "issued_at": cert.issued_at.isoformat(),
        "valid_from": cert.valid_from.isoformat(),
        "expires_at": cert.expires_at.isoformat(),
        "grace_ends_at": cert.grace_ends_at.isoformat(),
        "programme_version": 1,
        "verification_code": cert.verification_code,
    }
    assert data["reason"] == {"code": "complaint"}
    assert data["actor"] == {"employee_no": "ADMIN"}
    # The free-text reason (which may name a customer) never leaves the portal.
    assert "王先生" not in body.decode() and "13800001111" not in body.decode()
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.DELIVERED


# --- Every ledger change, from the real services ----------------------------------------------


def test_each_ledger_change_is_published_as_its_event_type(
    two_regions, skill, exam, admin_user, receiver, django_capture_on_commit_callbacks
):
    programme = make_programme(skill, level=1, quizzes=[(exam, 80, 12)], validity_months=24)
    subscribe(receiver.url())
    user = two_regions["sh_tech"].user

    def step(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    make_graded_attempt(user, exam, score="90", at=NOW - DAY)
    first = step(lambda: programme_evaluate(user=user, programme=programme, now=NOW))
    window_opens = first.expires_at - dt.timedelta(days=60)
    make_graded_attempt(user, exam, score="95", at=window_opens + DAY)
    renewed = step(
        lambda: programme_evaluate(user=user, programme=programme, now=window_opens + 2 * DAY)
    )
    step(lambda: certification_suspend(certification=renewed, user=admin_user, reason_code="audit"))
    step(
        lambda: certification_reinstate(
            certification=renewed, user=admin_user, reason_code="corrective_training_passed"
        )
    )
    step(lambda: certification_expire_due(now=renewed.grace_ends_at + DAY))
    other = step(
        lambda: make_certification(two_regions["gz_tech"].user, programme, issued_at=NOW - 30 * DAY)
    )
    step(
        lambda: certification_revoke(
            certification=other, user=admin_user, reason_code="safety_incident"
        )
    )

    payloads = receiver.payloads()
    assert [p["type"] for p in payloads] == [
        "certification.issued",
        "certification.renewed",
        "certification.suspended",
        "certification.reinstated",
        "certification.expired",
        "certification.issued",
        "certification.revoked",
    ]
    assert all(receiver_accepts(r) for r in receiver.received())
    issued, renewal, suspended, reinstated, expired, _, revoked = payloads
    assert issued["data"]["certification"]["id"] == first.pk
    assert issued["occurred_at"] == NOW.isoformat()
    # The renewal says which record it supersedes; "superseded" itself is not an event.
    assert renewal["data"]["certification"]["id"] == renewed.pk
    assert renewal["data"]["supersedes"]["id"] == first.pk
    assert suspended["data"]["certification"]["status"] == "suspended"
    assert reinstated["data"]["reason"] == {"code": "corrective_training_passed"}
    assert reinstated["data"]["certification"]["status"] == "active"
    assert expired["data"]["certification"]["status"] == "expired"
    assert "actor" not in expired["data"]  # the nightly job, not a person
    assert revoked["data"]["certification"]["employee_no"] == "J-GZ"
    assert len({p["id"] for p in payloads}) == 7
    assert WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.DELIVERED).count() == 7


def test_a_rolled_back_ledger_change_publishes_nothing(
    certified, admin_user, receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url())
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        certification_suspend(
            certification=certified["cert"], user=admin_user, reason_code="complaint"
        )
        raise RuntimeError("the request failed after the suspension")
    assert receiver.received() == []
    assert not WebhookEvent.objects.exists()


def test_subscriptions_get_only_the_event_types_they_chose_and_only_while_active(
    certified, admin_user, receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url("/revocations"), events=["certification.revoked"])
    subscribe(receiver.url("/paused"), active=False)
    subscribe(receiver.url("/all"))
    with django_capture_on_commit_callbacks(execute=True):
        certification_suspend(
            certification=certified["cert"], user=admin_user, reason_code="complaint"
        )
    assert [r["path"] for r in receiver.received()] == ["/all"]


def test_nothing_is_recorded_while_nobody_subscribes(
    certified, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certification_suspend(
            certification=certified["cert"], user=admin_user, reason_code="complaint"
        )
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()


# --- Subscribers that are down ----------------------------------------------------------------


def test_subscribers_that_are_down_leave_the_ledger_and_other_subscribers_untouched(
    certified, admin_user, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_READ_TIMEOUT_SECONDS = 1
    receiver.respond("/broken", status=500)
    receiver.respond("/slow", status=200, delay=2.5)
    refused = subscribe(closed_port_url(), name="已下线的系统")
    broken = subscribe(receiver.url("/broken"), name="报错的系统")
    slow = subscribe(receiver.url("/slow"), name="超时的系统")
    healthy = subscribe(receiver.url("/ok"), name="正常的系统")
    cert = certified["cert"]

    with django_capture_on_commit_callbacks(execute=True):
        event = certification_suspend(
            certification=cert, user=admin_user, reason_code="repeat_repair"
        )

    cert.refresh_from_db()
    assert cert.status == CertificationStatus.SUSPENDED
    assert CertificationEvent.objects.filter(pk=event.pk, kind="suspended").exists()
    assert len(receiver.received("/ok")) == 1
    deliveries = {d.subscription_id: d for d in WebhookDelivery.objects.all()}
    assert deliveries[healthy.pk].status == WebhookDeliveryStatus.DELIVERED
    assert deliveries[healthy.pk].last_response_code == 200
    for down in (refused, broken, slow):
        delivery = deliveries[down.pk]
        assert delivery.status == WebhookDeliveryStatus.RETRYING
        assert delivery.attempts == 1
        assert delivery.next_attempt_at > delivery.last_attempt_at
    assert "ConnectionError" in deliveries[refused.pk].last_error
    assert deliveries[broken.pk].last_response_code == 500
    assert deliveries[broken.pk].last_error == "HTTP 500"
    assert "upstream exploded" in deliveries[broken.pk].last_response_body
    assert "Timeout" in deliveries[slow.pk].last_error


def test_failed_attempts_back_off_exponentially_then_the_delivery_fails(
    certified, receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 5
    settings.WEBHOOK_BACKOFF_BASE_SECONDS = 30
    settings.WEBHOOK_BACKOFF_MAX_SECONDS = 3600
    receiver.respond("/hook", status=503)
    subscribe(receiver.url())
    event = webhook_event_publish(
        event_type="certification.issued", key="test:backoff", data={"n": 1}, occurred_at=NOW
    )
    (delivery,) = event.deliveries.all()

    at = delivery.next_attempt_at
    waits = []
    for attempt in range(1, 6):
        # Not yet due: nothing is sent.
        assert (
            webhook_delivery_attempt(delivery_id=delivery.pk, now=at - dt.timedelta(seconds=1))
            is None
        )
        assert len(receiver.received()) == attempt - 1
        delivery = webhook_delivery_attempt(delivery_id=delivery.pk, now=at)
        assert delivery.attempts == attempt
        assert len(receiver.received()) == attempt
        if attempt < 5:
            assert delivery.status == WebhookDeliveryStatus.RETRYING
            wait = (delivery.next_attempt_at - at).total_seconds()
            full = 30 * 2 ** (attempt - 1)
            assert full / 2 <= wait <= full + 2, (attempt, wait)
            waits.append(wait)
            at = delivery.next_attempt_at
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    assert waits == sorted(waits)  # each wait at least as long as the one before
    # A failed delivery is never attempted again by itself.
    assert webhook_delivery_attempt(delivery_id=delivery.pk, now=at + 30 * DAY) is None
    assert len(receiver.received()) == 5


def test_the_backoff_doubles_within_its_jitter_and_stops_at_the_cap(settings):
    settings.WEBHOOK_BACKOFF_BASE_SECONDS = 10
    settings.WEBHOOK_BACKOFF_MAX_SECONDS = 300
    rng = random.Random(7)
    for attempt, full in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 160), (6, 300), (12, 300)]:
        samples = [webhook_backoff_seconds(attempt=attempt, rng=rng) for _ in range(50)]
        assert all(full / 2 <= s <= full for s in samples), (attempt, min(samples), max(samples))
        assert len(set(samples)) > 40  # jittered, not a fixed schedule


def test_a_2xx_answer_delivers_and_later_messages_for_it_send_nothing(
    certified, receiver, django_capture_on_commit_callbacks
):
    receiver.respond("/hook", status=204)
    subscribe(receiver.url())
    event = webhook_event_publish(event_type="licence.expired", key="test:dup", data={})
    (delivery,) = event.deliveries.all()
    assert deliver_webhook(delivery.pk) == "delivered"
    assert deliver_webhook(delivery.pk) is None  # a duplicate message
    assert sweep_webhooks() == 0
    assert len(receiver.received()) == 1


# --- Idempotency ------------------------------------------------------------------------------


def test_a_ledger_event_is_published_once_however_often_it_is_asked(
    certified, admin_user, receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        event = certification_suspend(
            certification=certified["cert"], user=admin_user, reason_code="audit"
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert certification_event_webhook_publish(event_id=event.pk) is None
        assert (
            webhook_event_publish(
                event_type="certification.suspended",
                key=f"certification-event:{event.pk}",
                data={},
            )
            is None
        )
    assert WebhookEvent.objects.count() == 1
    assert len(receiver.received()) == 1


def test_the_nightly_licence_scan_publishes_each_lapse_once(
    two_regions, receiver, django_capture_on_commit_callbacks
):
    subscribe(receiver.url())
    tech = two_regions["sh_tech"].user
    expired = make_licence(
        tech, "height", issued_on=TODAY - 6 * 365 * DAY, expires_on=TODAY - DAY, number="GY-1"
    )
    make_licence(  # lapsed long ago: reported on its night, not again
        tech,
        "electrician",
        issued_on=TODAY - 7 * 365 * DAY,
        expires_on=TODAY - 40 * DAY,
        number="DG-1",
    )
    lapses_tonight = make_licence(  # valid through today: a licence holds through its expiry date
        tech, "brazing", issued_on=TODAY - 365 * DAY, expires_on=TODAY, number="HJ-1"
    )
    review = make_licence(
        two_regions["hz_tech"].user,
        "refrigeration",
        issued_on=TODAY - 3 * 365 * DAY,
        expires_on=TODAY + 3 * 365 * DAY,
        next_review_on=TODAY - 2 * DAY,
        number="ZL-1",
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert licences_webhook_scan(today=TODAY) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert licences_webhook_scan(today=TODAY) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert licences_webhook_scan(today=TODAY + DAY) == 1  # the one that lapsed overnight
        assert licences_webhook_scan(today=TODAY + DAY) == 0

    assert len(receiver.received()) == 3
    *first_night, next_night = receiver.payloads()
    assert next_night["type"] == "licence.expired"
    assert next_night["data"]["licence"]["id"] == lapses_tonight.pk
    payloads = {p["type"]: p for p in first_night}
    licence = payloads["licence.expired"]["data"]["licence"]
    assert licence["id"] == expired.pk
    assert licence["licence_type"] == {"code": "height", "name": "高处作业"}
    assert licence["expires_on"] == (TODAY - DAY).isoformat()
    assert licence["employee_no"] == "J-SH"
    assert payloads["licence.review_due"]["data"]["licence"]["id"] == review.pk
    assert payloads["licence.review_due"]["data"]["licence"]["verified"] is True

    # A renewed licence (new expiry) that lapses again is a new event.
    expired.expires_on = TODAY + 10 * DAY
    expired.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert licences_webhook_scan(today=TODAY + 12 * DAY) == 1


# --- Replay and the sweep ---------------------------------------------------------------------


def test_a_failed_delivery_replayed_after_the_subscriber_recovers_is_delivered(
    certified, admin_user, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.respond("/hook", status=502)
    subscribe(receiver.url())
    with django_capture_on_commit_callbacks(execute=True):
        certification_revoke(
            certification=certified["cert"], user=admin_user, reason_code="safety_incident"
        )
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDeliveryStatus.FAILED

    receiver.respond("/hook", status=200)
    manager = certified["east_manager"].user
    with pytest.raises(PermissionDenied):
        webhook_delivery_replay(delivery=delivery, user=manager)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_replay(delivery=delivery, user=admin_user)

    delivery.refresh_from_db()
    assert delivery.status == WebhookDeliveryStatus.DELIVERED
    assert (delivery.attempts, delivery.replays) == (1, 1)
    first, again = receiver.received()
    assert first["headers"]["X-Portal-Event-Id"] == again["headers"]["X-Portal-Event-Id"]
    assert first["headers"]["X-Portal-Delivery"] == again["headers"]["X-Portal-Delivery"]
    assert receiver_accepts(again)


def test_the_sweep_resends_deliveries_whose_message_was_lost_but_not_those_in_flight(
    certified, receiver
):
    subscribe(receiver.url("/a"), name="A")
    subscribe(receiver.url("/b"), name="B")
    # Published outside a commit (the test transaction never commits): no message was sent.
    event = webhook_event_publish(event_type="certification.issued", key="test:lost", data={})
    lost, in_flight = event.deliveries.order_by("subscription__name")
    WebhookDelivery.objects.update(next_attempt_at=NOW - 10 * DAY)
    # B is being attempted by a worker right now: its lease hides it from the sweep.
    WebhookDelivery.objects.filter(pk=in_flight.pk).update(
        next_attempt_at=dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=60)
    )
    assert webhook_deliveries_due() == [lost.pk]
    assert sweep_webhooks() == 1
    assert [r["path"] for r in receiver.received()] == ["/a"]
    lost.refresh_from_db()
    assert lost.status == WebhookDeliveryStatus.DELIVERED


def test_publishing_refuses_an_unknown_event_type(db):
    with pytest.raises(ValueError):
        webhook_event_publish(event_type="certification.teleported", key="x", data={})


@pytest.fixture
def broker_down():
    """Celery publishing for real, to a broker address where nothing listens."""
    from kombu import pools

    from portal.celery import app

    def reset():
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    previous = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    reset()
    app.conf.update(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)
    yield
    reset()
    app.conf.update(**previous)


def test_a_broker_outage_neither_blocks_nor_loses_a_ledger_change(
    certified, admin_user, receiver, broker_down, django_capture_on_commit_callbacks
):
    subscribe(receiver.url())
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        certification_suspend(
            certification=certified["cert"], user=admin_user, reason_code="complaint"
        )
    assert time.monotonic() - started < 5
    certified["cert"].refresh_from_db()
    assert certified["cert"].status == CertificationStatus.SUSPENDED
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDeliveryStatus.PENDING
    assert receiver.received() == []
    # Once the broker is back, the sweep sends what could not be queued.
    later = delivery.next_attempt_at + dt.timedelta(minutes=2)
    assert webhook_deliveries_due(now=later) == [delivery.pk]
    assert webhook_delivery_attempt(delivery_id=delivery.pk, now=later).status == "delivered"
    assert len(receiver.received()) == 1


def test_a_redirect_is_not_followed_and_a_paused_subscription_stops_its_retries(
    certified, receiver
):
    receiver.respond("/moved", status=302)
    subscription = subscribe(receiver.url("/moved"))
    event = webhook_event_publish(event_type="licence.review_due", key="test:redirect", data={})
    delivery = webhook_delivery_attempt(delivery_id=event.deliveries.get().pk)
    assert (delivery.status, delivery.last_error) == ("retrying", "HTTP 302")

    WebhookSubscription.objects.filter(pk=subscription.pk).update(active=False)
    delivery = webhook_delivery_attempt(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    assert delivery.status == WebhookDeliveryStatus.FAILED
    assert delivery.last_error == "subscription inactive"
    assert len(receiver.received()) == 1
