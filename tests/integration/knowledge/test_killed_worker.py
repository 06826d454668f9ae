"""A worker killed in the middle of a ticket loses nothing and duplicates nothing: the task is
acknowledged late, redelivered, and the pipeline is idempotent."""

import json

import pytest

from knowledge.models import Case, CaseOccurrence, Ticket
from portal.services import api_key_create
from tests.integration.conftest import wait_for

TICKETS = [
    {
        "ticket_no": f"GD20260901{n:04d}",
        "closed_at": f"2026-09-{n % 28 + 1:02d}T10:00:00+08:00",
        "product_line": "WM",
        "product_model": "XQG100-B14866",
        "error_code": "E4",
        "reported_symptom": "洗衣机洗到一半不排水，显示E4",
        "diagnosis": "排水泵进口被硬币卡住，叶轮转不动",
        "root_cause": "排水泵过滤器内有异物卡住叶轮",
        "resolution": "拆下过滤器取出硬币，清理排水泵，试机排水正常",
        "customer_name": f"测试{n}",
    }
    for n in range(1, 101)
]


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_batch_loses_and_duplicates_nothing(
    client, real_broker, celery_worker
):
    key = api_key_create(name="工单系统", scopes=["tickets:write"])[1]
    response = client.post(
        "/api/v1/tickets",
        json.dumps({"tickets": TICKETS}, ensure_ascii=False),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 202
    # Let the worker start on the batch, then kill it without warning.
    wait_for(lambda: Ticket.objects.exclude(status="received").exists(), timeout=20)
    celery_worker.kill()
    assert Ticket.objects.filter(status="received").exists(), "the worker finished too soon"
    celery_worker.start()
    done = wait_for(
        lambda: not Ticket.objects.filter(status__in=["received", "processing"]).exists(),
        timeout=90,
    )
    assert done, list(Ticket.objects.values_list("ticket_no", "status"))
    assert Ticket.objects.count() == len(TICKETS)
    assert Case.objects.count() == 1
    statuses = sorted(Ticket.objects.values_list("status", "status_reason"))
    assert CaseOccurrence.objects.count() == len(TICKETS), statuses
    assert Case.objects.get().occurrences == len(TICKETS)
    # The coalesced index pass runs too, whatever the kill interrupted.
    assert wait_for(lambda: not Case.objects.filter(search_stale=True).exists(), timeout=60)
