"""An administrator connects the dispatch system by webhook, sees a delivery fail while it is
down, and replays it from the admin once it is back."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.models import WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription
from certification.services import certification_suspend
from tests.factories import make_certification, make_programme, make_skill
from tests.webhook_receiver import Receiver

PASSWORD = "pw-for-tests"


@pytest.fixture
def certified(two_regions):
    programme = make_programme(make_skill("AC-SPLIT-INSTALL"), level=1, validity_months=24)
    tech = two_regions["sh_tech"]
    cert = make_certification(
        tech.user, programme, issued_at=timezone.now() - dt.timedelta(days=30)
    )
    return {"cert": cert, **two_regions}


@pytest.fixture
def receiver():
    with Receiver() as server:
        yield server


def test_administrator_adds_a_subscription_and_replays_a_failed_delivery(
    live_server, desktop_page, certified, admin_user, receiver, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.respond("/dispatch", status=503)
    page = desktop_page
    page.goto(live_server.url + "/login/")
    page.get_by_label("工号").fill("ADMIN")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    page.goto(live_server.url + "/admin/snippets/certification/webhooksubscription/add/")
    page.locator("input[name=name]").fill("派单系统")
    page.locator("input[name=url]").fill(receiver.url("/dispatch"))
    page.get_by_label("认证已暂停").check()
    page.get_by_label("认证已撤销").check()
    page.locator("input[name=owner]").fill("调度中心 IT")
    page.get_by_role("button", name="保存").first.click()

    subscription = WebhookSubscription.objects.get()
    message = page.locator(".messages")
    expect(message).to_contain_text("签名密钥如下，仅此一次显示")
    expect(message).to_contain_text(subscription.secret)
    assert subscription.event_types == ["certification.suspended", "certification.revoked"]

    # A manager suspends a technician while the dispatch system is down.
    certification_suspend(
        certification=certified["cert"],
        user=certified["east_manager"].user,
        reason_code="complaint",
    )
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.FAILED

    page.goto(live_server.url + "/admin/snippets/certification/webhookdelivery/?status=failed")
    rows = page.locator("table.listing tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("派单系统")
    rows.first.locator("a").first.click()
    expect(page.locator("main")).to_contain_text("HTTP 503")

    receiver.respond("/dispatch", status=200)
    page.get_by_role("button", name="重新投递").click()
    expect(page.locator(".messages")).to_contain_text("已重新排队投递")
    expect(page.locator("main")).to_contain_text("已送达")
    assert WebhookDelivery.objects.get().status == WebhookDeliveryStatus.DELIVERED
    assert [r["headers"]["X-Portal-Event"] for r in receiver.received()] == [
        "certification.suspended",
        "certification.suspended",
    ]
