"""Webhooks: ledger and licence events, signed and delivered to subscribers by Celery.

How an event travels:

1. Something happens: a ``CertificationEvent`` row is written (issue, renewal, suspension,
   reinstatement, revocation, expiry; every writer of the ledger goes through that model), or
   a nightly job finds a licence that expired or whose review is overdue.
2. When the surrounding transaction commits, :func:`webhook_event_publish` records the event
   once (a deterministic ``key`` makes publishing twice a no-op) and one ``WebhookDelivery``
   per active subscription that wants its type. Nothing is sent inside the ledger's
   transaction, and nothing is recorded when nobody subscribes.
3. Each delivery is its own Celery task (``certification.deliver_webhook``, queue
   ``certification``): one POST with short timeouts; a 2xx answer delivers it, anything else
   schedules the next attempt with exponential backoff and jitter until
   ``WEBHOOK_MAX_ATTEMPTS``, then it is failed. A beat task re-sends deliveries whose message
   was lost (broker down, worker killed), so a delivery is never forgotten.

Signature (see README, "Webhooks"): ``X-Portal-Signature: sha256=<hex>`` where hex is
HMAC-SHA256 with the subscription's secret over ``"<X-Portal-Timestamp>." + raw body``."""

import datetime as dt
import hashlib
import hmac
import json
import logging
import random
import time
import uuid
from functools import partial

import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import (
    Certification,
    CertificationEvent,
    Licence,
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEvent,
    WebhookEventType,
    WebhookSubscription,
)

logger = logging.getLogger(__name__)

# Which ledger events are published, and as what. ``superseded`` is not: the ``renewed`` event
# of the new record says which one it supersedes.
EVENT_TYPE_FOR_KIND = {
    CertificationEvent.Kind.ISSUED: WebhookEventType.CERTIFICATION_ISSUED,
    CertificationEvent.Kind.RENEWED: WebhookEventType.CERTIFICATION_RENEWED,
    CertificationEvent.Kind.SUSPENDED: WebhookEventType.CERTIFICATION_SUSPENDED,
    CertificationEvent.Kind.REINSTATED: WebhookEventType.CERTIFICATION_REINSTATED,
    CertificationEvent.Kind.REVOKED: WebhookEventType.CERTIFICATION_REVOKED,
    CertificationEvent.Kind.EXPIRED: WebhookEventType.CERTIFICATION_EXPIRED,
}

USER_AGENT = "ServiceAcademy-Webhooks/1.0"
RESPONSE_EXCERPT_BYTES = 2000


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- Signing ---------------------------------------------------------------------------------


def webhook_body(payload: dict) -> bytes:
    """The exact bytes sent: compact UTF-8 JSON with sorted keys (Chinese stays readable)."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def webhook_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 over ``"<timestamp>." + body``. The timestamp is signed
    too, so a captured request cannot be replayed later with a fresh timestamp."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def webhook_signature_verify(
    *,
    secret: str,
    body: bytes,
    timestamp: str | int,
    signature: str,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> bool:
    """What a receiver does: recompute the signature over the raw body and compare in constant
    time, and refuse timestamps further than ``tolerance_seconds`` from its clock."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - stamp) > tolerance_seconds:
        return False
    expected = webhook_sign(secret=secret, timestamp=stamp, body=body)
    return hmac.compare_digest(expected, signature or "")


# --- Publishing ------------------------------------------------------------------------------


def _subscriptions_for(event_type: str) -> list[WebhookSubscription]:
    return [s for s in WebhookSubscription.objects.filter(active=True) if s.wants(event_type)]


def webhook_event_publish(
    *,
    event_type: str,
    key: str,
    data: dict,
    occurred_at: dt.datetime | None = None,
) -> WebhookEvent | None:
    """Publishes one event to every active subscription that wants ``event_type``; returns the
    recorded event, or ``None`` when nothing was published (nobody subscribes, or an event
    with this ``key`` was published before).

    ``key`` identifies the happening, deterministically (e.g. ``licence.expired:licence:42:
    2026-06-01``): publishing the same key again sends nothing twice. ``data`` is the JSON
    object receivers get under ``"data"``. Safe inside a transaction: the deliveries are
    queued only once it commits, and a rollback publishes nothing."""
    if event_type not in WebhookEventType.values:
        raise ValueError(f"unknown webhook event type: {event_type}")
    subscriptions = _subscriptions_for(event_type)
    if not subscriptions:
        return None
    occurred_at = occurred_at or timezone.now()
    event_uuid = uuid.uuid4()
    payload = {
        "id": str(event_uuid),
        "type": str(event_type),
        "occurred_at": _iso(occurred_at),
        "data": data,
    }
    now = timezone.now()
    try:
        with transaction.atomic():
            event = WebhookEvent.objects.create(
                uuid=event_uuid,
                key=key,
                event_type=event_type,
                occurred_at=occurred_at,
                payload=payload,
            )
            deliveries = WebhookDelivery.objects.bulk_create(
                WebhookDelivery(
                    uuid=uuid.uuid4(),
                    subscription=subscription,
                    event=event,
                    event_type=event_type,
                    status=WebhookDeliveryStatus.PENDING,
                    next_attempt_at=now,
                )
                for subscription in subscriptions
            )
    except IntegrityError:
        return None  # published before under this key
    # bulk_create sets pks on PostgreSQL and SQLite; re-read to be safe on other databases.
    ids = (
        [d.pk for d in deliveries]
        if all(d.pk for d in deliveries)
        else list(event.deliveries.values_list("pk", flat=True))
    )
    transaction.on_commit(partial(_enqueue_deliveries, ids), robust=True)
    logger.info("webhook %s published to %d subscription(s)", event_type, len(ids))
    return event


def _enqueue_deliveries(delivery_ids: list[int]) -> None:
    """Queues one task per delivery. With the broker down this gives up within about a second
    instead of holding up the request that changed the ledger; the beat sweep sends later."""
    from portal.celery import app

    from .tasks import deliver_webhook

    try:
        with app.connection_for_write(
            connect_timeout=1,
            transport_options={"max_retries": 1, "interval_start": 0, "interval_step": 0.2},
        ) as connection:
            for delivery_id in delivery_ids:
                deliver_webhook.apply_async((delivery_id,), connection=connection, retry=False)
    except Exception:
        logger.warning("webhook deliveries %s not queued; the sweep retries", delivery_ids)


# --- What events say -------------------------------------------------------------------------


def _employee_no(user: User) -> str | None:
    profile = getattr(user, "staff_profile", None)
    return profile.employee_no if profile is not None else None


def _iso(value) -> str | None:
    """ISO 8601; moments in local time with their offset, as the eligibility API gives them."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    return value.isoformat()


def certification_webhook_data(certification: Certification) -> dict:
    """A certification as receivers see it. Nothing about customers; no free-text reasons."""
    return {
        "id": certification.pk,
        "employee_no": _employee_no(certification.user),
        "skill": {"code": certification.skill.code, "name": certification.skill.name},
        "level": certification.level,
        "status": certification.status,
        "issued_at": _iso(certification.issued_at),
        "valid_from": _iso(certification.valid_from),
        "expires_at": _iso(certification.expires_at),
        "grace_ends_at": _iso(certification.grace_ends_at),
        "programme_version": certification.programme_version,
        "verification_code": certification.verification_code or None,
    }


def licence_webhook_data(licence: Licence) -> dict:
    return {
        "id": licence.pk,
        "employee_no": _employee_no(licence.user),
        "licence_type": {"code": licence.licence_type.code, "name": licence.licence_type.name},
        "number": licence.number,
        "issuing_authority": licence.issuing_authority,
        "issued_on": _iso(licence.issued_on),
        "expires_on": _iso(licence.expires_on),
        "next_review_on": _iso(licence.next_review_on),
        "verified": licence.is_verified,
    }


def certification_event_webhook_publish(*, event_id: int) -> WebhookEvent | None:
    """Publishes a ledger event (by ``CertificationEvent`` id) as its webhook event type; the
    key is the ledger event, so each ledger event is published at most once."""
    kind = CertificationEvent.objects.filter(pk=event_id).values_list("kind", flat=True).first()
    event_type = EVENT_TYPE_FOR_KIND.get(kind)
    if event_type is None or not _subscriptions_for(event_type):
        return None
    event = CertificationEvent.objects.select_related(
        "certification__skill", "certification__user__staff_profile", "actor__staff_profile"
    ).get(pk=event_id)
    certification = event.certification
    data = {"certification": certification_webhook_data(certification)}
    if event.reason_code:
        data["reason"] = {"code": event.reason_code}
    if event.actor_id:
        data["actor"] = {"employee_no": _employee_no(event.actor)}
    if event.kind == CertificationEvent.Kind.RENEWED:
        previous = certification.supersedes.order_by("-expires_at").first()
        data["supersedes"] = (
            {
                "id": previous.pk,
                "expires_at": _iso(previous.expires_at),
                "verification_code": previous.verification_code,
            }
            if previous is not None
            else None
        )
    return webhook_event_publish(
        event_type=event_type,
        key=f"certification-event:{event.pk}",
        data=data,
        occurred_at=event.at,
    )


def publish_after_certification_event(sender, instance, created, raw=False, **kwargs):
    """``post_save`` receiver for ``CertificationEvent``: publishes once the ledger's
    transaction commits (``robust``: a webhook problem never fails the ledger write)."""
    if created and not raw and instance.kind in EVENT_TYPE_FOR_KIND:
        transaction.on_commit(
            partial(certification_event_webhook_publish, event_id=instance.pk), robust=True
        )


def _day_end(day: dt.date) -> dt.datetime:
    # A licence dated ``day`` holds through that whole day (as in eligibility.py).
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def licence_webhook_emit(*, licence: Licence, event_type: str) -> WebhookEvent | None:
    """Publishes ``licence.expired`` or ``licence.review_due`` for ``licence``. The key is the
    licence, the event type and the date concerned (expiry or review date), so any caller, on
    any night, publishes each lapse once; a new expiry or review date is a new event."""
    if event_type == WebhookEventType.LICENCE_EXPIRED:
        day = licence.expires_on
    elif event_type == WebhookEventType.LICENCE_REVIEW_DUE:
        day = licence.next_review_on
    else:
        raise ValueError(f"not a licence event type: {event_type}")
    if day is None:
        return None
    return webhook_event_publish(
        event_type=event_type,
        key=f"{event_type}:licence:{licence.pk}:{day.isoformat()}",
        data={"licence": licence_webhook_data(licence)},
        occurred_at=_day_end(day),
    )


def licences_webhook_scan(*, today: dt.date | None = None) -> int:
    """Nightly: publishes ``licence.expired`` for licences that expired (past their expiry
    date) and ``licence.review_due`` for those now past their review date, looking back
    ``WEBHOOK_LICENCE_LOOKBACK_DAYS`` days so a missed night is caught up. Returns how many
    events were published; running it again publishes nothing twice."""
    today = today or timezone.localdate()
    lookback = dt.timedelta(days=_setting("WEBHOOK_LICENCE_LOOKBACK_DAYS", 7))
    since = today - lookback
    published = 0
    wants_expired = bool(_subscriptions_for(WebhookEventType.LICENCE_EXPIRED))
    wants_review = bool(_subscriptions_for(WebhookEventType.LICENCE_REVIEW_DUE))
    related = ("licence_type", "user__staff_profile")
    if wants_expired:
        for licence in Licence.objects.filter(
            expires_on__gte=since, expires_on__lt=today
        ).select_related(*related):
            if licence_webhook_emit(licence=licence, event_type=WebhookEventType.LICENCE_EXPIRED):
                published += 1
    if wants_review:
        # A review date on or after the expiry is moot: the licence expires first.
        overdue = (
            Licence.objects.filter(next_review_on__gte=since, next_review_on__lt=today)
            .filter(next_review_on__lt=F("expires_on"))
            .select_related(*related)
        )
        for licence in overdue:
            if licence_webhook_emit(
                licence=licence, event_type=WebhookEventType.LICENCE_REVIEW_DUE
            ):
                published += 1
    return published


# --- Delivering ------------------------------------------------------------------------------


def webhook_backoff_seconds(*, attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based): exponential from
    ``WEBHOOK_BACKOFF_BASE_SECONDS``, capped at ``WEBHOOK_BACKOFF_MAX_SECONDS``, with "equal
    jitter" (between half and all of it) so subscribers coming back are not hit in waves."""
    base = _setting("WEBHOOK_BACKOFF_BASE_SECONDS", 30)
    cap = _setting("WEBHOOK_BACKOFF_MAX_SECONDS", 3600)
    delay = min(cap, base * 2 ** max(attempt - 1, 0))
    return delay / 2 + (rng or random).uniform(0, delay / 2)  # noqa: S311 - jitter, not crypto


def _claim(*, delivery_id: int, now: dt.datetime) -> bool:
    """Takes the delivery for one attempt: only when it is due, and pushes its next attempt
    past the lease, so a duplicate task message (or the sweep) does nothing meanwhile, and a
    worker that dies mid-attempt is covered once the lease runs out."""
    lease = dt.timedelta(seconds=_setting("WEBHOOK_LEASE_SECONDS", 60))
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id,
            status__in=[WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.RETRYING],
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            next_attempt_at=now + lease,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            updated_at=now,
        )
    )


def _post(*, delivery: WebhookDelivery, now: dt.datetime) -> tuple[int | None, str, str]:
    """One POST; returns (status code or None, response excerpt, error or "")."""
    body = webhook_body(delivery.event.payload)
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Portal-Event": delivery.event_type,
        "X-Portal-Event-Id": str(delivery.event.uuid),
        "X-Portal-Delivery": str(delivery.uuid),
        "X-Portal-Timestamp": str(timestamp),
        "X-Portal-Signature": webhook_sign(
            secret=delivery.subscription.secret, timestamp=timestamp, body=body
        ),
    }
    timeout = (
        _setting("WEBHOOK_CONNECT_TIMEOUT_SECONDS", 3),
        _setting("WEBHOOK_READ_TIMEOUT_SECONDS", 10),
    )
    try:
        with requests.post(
            delivery.subscription.url,
            data=body,
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        ) as response:
            chunk = next(response.iter_content(RESPONSE_EXCERPT_BYTES), b"")
            excerpt = chunk.decode(response.encoding or "utf-8", errors="replace")
            code = response.status_code
    except requests.RequestException as exc:
        return None, "", f"{type(exc).__name__}: {exc}"[:1000]
    return code, excerpt, "" if 200 <= code < 300 else f"HTTP {code}"


def webhook_delivery_attempt(
    *, delivery_id: int, now: dt.datetime | None = None
) -> WebhookDelivery | None:
    """Makes one attempt at a delivery if it is due; returns it afterwards, or ``None`` when
    it was not due (delivered, failed, in flight elsewhere, or waiting for its next attempt).

    2xx delivers; anything else (refused connection, timeout, 5xx, 4xx, a redirect) schedules
    the next attempt after :func:`webhook_backoff_seconds`, or fails the delivery once it has
    had ``WEBHOOK_MAX_ATTEMPTS``. Other deliveries and the ledger are never touched."""
    now = now or timezone.now()
    if not _claim(delivery_id=delivery_id, now=now):
        return None
    delivery = WebhookDelivery.objects.select_related("subscription", "event").get(pk=delivery_id)
    fields = {}
    if not delivery.subscription.active:
        fields = {
            "status": WebhookDeliveryStatus.FAILED,
            "next_attempt_at": None,
            "last_error": "subscription inactive",
        }
    else:
        started = time.monotonic()
        code, excerpt, error = _post(delivery=delivery, now=now)
        finished = now + dt.timedelta(seconds=time.monotonic() - started)
        fields = {"last_response_code": code, "last_response_body": excerpt, "last_error": error}
        if not error:
            fields |= {
                "status": WebhookDeliveryStatus.DELIVERED,
                "delivered_at": finished,
                "next_attempt_at": None,
            }
        elif delivery.attempts >= _setting("WEBHOOK_MAX_ATTEMPTS", 8):
            fields |= {"status": WebhookDeliveryStatus.FAILED, "next_attempt_at": None}
        else:
            delay = webhook_backoff_seconds(attempt=delivery.attempts)
            fields |= {
                "status": WebhookDeliveryStatus.RETRYING,
                "next_attempt_at": finished + dt.timedelta(seconds=delay),
            }
        logger.info(
            "webhook delivery %s attempt %d: %s",
            delivery.pk,
            delivery.attempts,
            error or f"HTTP {code}",
        )
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields, updated_at=timezone.now())
    delivery.refresh_from_db()
    return delivery


def webhook_deliveries_due(*, now: dt.datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of deliveries whose attempt is overdue by more than ``WEBHOOK_SWEEP_GRACE_SECONDS``
    (their message was lost, or their worker died mid-attempt): the beat sweep re-queues them."""
    now = now or timezone.now()
    grace = dt.timedelta(seconds=_setting("WEBHOOK_SWEEP_GRACE_SECONDS", 60))
    return list(
        WebhookDelivery.objects.filter(
            status__in=[WebhookDeliveryStatus.PENDING, WebhookDeliveryStatus.RETRYING],
            next_attempt_at__lte=now - grace,
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )


def webhook_deliveries_replay(
    *, deliveries, user: User | None, now: dt.datetime | None = None
) -> int:
    """Queues a fresh round of attempts (``WEBHOOK_MAX_ATTEMPTS`` again) for each delivery,
    typically failed ones once the subscriber is fixed; returns how many. The event and its id
    stay the same, so receivers that already processed it recognise it; timestamp and signature
    are new. ``user`` needs the ``replay_webhookdelivery`` permission (``None`` is the system)."""
    if user is not None and not user.has_perm("certification.replay_webhookdelivery"):
        raise PermissionDenied
    now = now or timezone.now()
    ids = [d.pk for d in deliveries]
    replayed = WebhookDelivery.objects.filter(pk__in=ids).update(
        status=WebhookDeliveryStatus.PENDING,
        attempts=0,
        replays=F("replays") + 1,
        next_attempt_at=now,
        updated_at=now,
    )
    transaction.on_commit(partial(_enqueue_deliveries, ids), robust=True)
    logger.info("webhook deliveries %s replayed by %s", ids, user.pk if user else "system")
    return replayed


def webhook_delivery_replay(
    *, delivery: WebhookDelivery, user: User | None, now: dt.datetime | None = None
) -> WebhookDelivery:
    """Replays one delivery (see :func:`webhook_deliveries_replay`); returns it refreshed."""
    webhook_deliveries_replay(deliveries=[delivery], user=user, now=now)
    delivery.refresh_from_db()
    return delivery
