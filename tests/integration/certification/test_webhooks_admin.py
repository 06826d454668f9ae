"""The webhooks admin: administrators manage subscriptions (the secret is write-only) and read
the delivery log with filters and replay; nobody else gets in."""

import pytest

from certification.models import WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription
from certification.webhooks import webhook_delivery_attempt, webhook_event_publish
from tests.webhook_receiver import Receiver

SUBSCRIPTIONS = "/admin/snippets/certification/webhooksubscription/"
DELIVERIES = "/admin/snippets/certification/webhookdelivery/"


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


def form(**overrides):
    data = {
        "name": "派单系统",
        "url": "https://dispatch.example.com/hooks/academy",
        "event_types": ["certification.suspended", "certification.revoked"],
        "new_secret": "",
        "active": "on",
        "owner": "调度中心 IT",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_an_administrator_adds_a_subscription_and_sees_its_generated_secret_only_once(
    client, admin_user
):
    client.force_login(admin_user)
    response = client.post(f"{SUBSCRIPTIONS}add/", form(), follow=True)
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.event_types == ["certification.suspended", "certification.revoked"]
    assert subscription.secret.startswith("whsec_") and len(subscription.secret) > 40
    assert subscription.secret in response.content.decode()

    edit = client.get(f"{SUBSCRIPTIONS}edit/{subscription.pk}/").content.decode()
    listing = client.get(SUBSCRIPTIONS).content.decode()
    for page in (edit, listing):
        assert subscription.secret not in page
        assert subscription.secret[-4:] in page  # the hint


def test_saving_with_a_blank_secret_keeps_it_and_a_new_one_replaces_it(client, admin_user):
    subscription = WebhookSubscription.objects.create(
        name="派单系统", url="https://dispatch.example.com/h", secret="whsec_original-secret-1234"
    )
    client.force_login(admin_user)
    url = f"{SUBSCRIPTIONS}edit/{subscription.pk}/"
    assert client.post(url, form(name="派单系统（新）")).status_code == 302
    subscription.refresh_from_db()
    assert (subscription.name, subscription.secret) == (
        "派单系统（新）",
        "whsec_original-secret-1234",
    )

    too_short = client.post(url, form(new_secret="short"))
    assert too_short.status_code == 200
    assert "16" in too_short.content.decode()
    assert client.post(url, form(new_secret="a-brand-new-shared-secret")).status_code == 302
    subscription.refresh_from_db()
    assert subscription.secret == "a-brand-new-shared-secret"


def test_a_subscription_needs_an_http_address_and_at_least_one_event(client, admin_user):
    client.force_login(admin_user)
    response = client.post(f"{SUBSCRIPTIONS}add/", form(url="ftp://x.example.com/", event_types=[]))
    assert response.status_code == 200
    assert not WebhookSubscription.objects.exists()
    errors = response.context["form"].errors
    assert "url" in errors and "event_types" in errors


def test_managers_and_trainers_cannot_reach_webhooks(client, certified):
    subscription = WebhookSubscription.objects.create(name="x", url="https://x.example.com/")
    client.force_login(certified["east_manager"].user)
    for url in (
        SUBSCRIPTIONS,
        f"{SUBSCRIPTIONS}edit/{subscription.pk}/",
        DELIVERIES,
    ):
        assert client.get(url).status_code in (302, 403), url


def test_the_delivery_log_filters_and_a_failed_delivery_is_replayed_from_the_admin(
    client, certified, admin_user, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.respond("/down", status=500)
    WebhookSubscription.objects.create(
        name="坏掉的系统", url=receiver.url("/down"), event_types=["licence.expired"]
    )
    WebhookSubscription.objects.create(
        name="正常的系统", url=receiver.url("/up"), event_types=["licence.expired"]
    )
    event = webhook_event_publish(event_type="licence.expired", key="admin-test", data={})
    for delivery in event.deliveries.all():
        webhook_delivery_attempt(delivery_id=delivery.pk)
    failed = WebhookDelivery.objects.get(status=WebhookDeliveryStatus.FAILED)
    delivered = WebhookDelivery.objects.get(status=WebhookDeliveryStatus.DELIVERED)

    client.force_login(admin_user)
    listing = client.get(DELIVERIES, {"status": "failed"})
    assert listing.status_code == 200
    rows = list(listing.context["object_list"])
    assert rows == [failed]
    by_subscription = client.get(DELIVERIES, {"subscription": delivered.subscription_id})
    assert list(by_subscription.context["object_list"]) == [delivered]
    by_type = client.get(DELIVERIES, {"event_type": "certification.issued"})
    assert list(by_type.context["object_list"]) == []

    inspect = client.get(f"{DELIVERIES}inspect/{failed.pk}/").content.decode()
    assert "HTTP 500" in inspect and "licence.expired" in inspect
    assert f"{DELIVERIES}replay/{failed.pk}/" in inspect
    assert client.get(f"{DELIVERIES}edit/{failed.pk}/").status_code in (302, 403)
    assert client.get(f"{DELIVERIES}replay/{failed.pk}/").status_code == 405

    receiver.respond("/down", status=200)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{DELIVERIES}replay/{failed.pk}/")
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == WebhookDeliveryStatus.DELIVERED
    assert failed.replays == 1
    assert len(receiver.received("/down")) == 2


def test_a_manager_cannot_replay_a_delivery(client, certified, receiver):
    WebhookSubscription.objects.create(
        name="系统", url=receiver.url(), event_types=["licence.expired"]
    )
    event = webhook_event_publish(event_type="licence.expired", key="k", data={})
    delivery = event.deliveries.get()
    client.force_login(certified["east_manager"].user)
    assert client.post(f"{DELIVERIES}replay/{delivery.pk}/").status_code in (302, 403)
    delivery.refresh_from_db()
    assert delivery.replays == 0


def test_an_administrator_replays_every_failure_of_a_recovered_subscriber_at_once(
    client, certified, admin_user, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.respond("/hook", status=503)
    WebhookSubscription.objects.create(
        name="派单系统", url=receiver.url(), event_types=["licence.expired"]
    )
    for n in range(3):
        event = webhook_event_publish(event_type="licence.expired", key=f"bulk-{n}", data={})
        webhook_delivery_attempt(delivery_id=event.deliveries.get().pk)
    failed = list(WebhookDelivery.objects.filter(status=WebhookDeliveryStatus.FAILED))
    assert len(failed) == 3

    receiver.respond("/hook", status=200)
    url = "/admin/bulk/certification/webhookdelivery/replay_webhook_deliveries/"
    query = "?" + "&".join(f"id={d.pk}" for d in failed[:2])
    client.force_login(certified["east_manager"].user)
    assert client.post(url + query).status_code in (302, 403)
    assert not WebhookDelivery.objects.filter(replays__gt=0).exists()

    client.force_login(admin_user)
    listing = client.get(DELIVERIES).content.decode()
    assert "replay_webhook_deliveries" in listing  # offered in the bulk actions bar
    confirm = client.get(url + query)
    assert confirm.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url + query).status_code == 302
    statuses = dict(WebhookDelivery.objects.values_list("pk", "status"))
    assert [statuses[d.pk] for d in failed] == ["delivered", "delivered", "failed"]
    assert len(receiver.received()) == 5
