"""Closed tickets become redacted, deduplicated cases; junk never does."""

import json

import pytest
from django.db import transaction

from knowledge.models import Case, CaseOccurrence, Ticket
from knowledge.records import TicketRecordForm, normalise_ticket
from knowledge.services import case_refresh_from_occurrences, ticket_process, ticket_receive
from portal.services import api_key_create

E6 = {
    "ticket_no": "GD202608010001",
    "closed_at": "2026-08-01T15:20:00+08:00",
    "service_type": "维修",
    "product_line": "AC",
    "product_model": "KFR-35GW/BpNhAa1",
    "error_code": "E6",
    "customer_name": "王建华",
    "customer_phone": "13812345678",
    "customer_address": "上海市浦东新区张杨路1200弄5号502室",
    "reported_symptom": "空调开机一会就显示E6，不制冷，王先生说电话138 1234 5678随时联系",
    "diagnosis": "内外机连接线接头氧化松动，通信信号不稳定",
    "root_cause": "室外机接线端子连接线氧化松动导致内外机通信中断",
    "resolution": "剪除氧化线头重新压接，紧固端子；开机试运行30分钟无E6，制冷正常",
    "parts_replaced": ["接线端子"],
    "warranty": "保内",
    "technician_employee_no": "J3001",
    "satisfaction": 5,
    "notes": "用户住张杨路1200弄5号502室，停车沪A·12345",
}


def receive(record, django_capture_on_commit_callbacks):
    form = TicketRecordForm(data=normalise_ticket(record))
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):
        return ticket_receive(data=form.cleaned_data)


def variant(n, **changes):
    return {**E6, "ticket_no": f"GD2026080{n:05d}", **changes}


@pytest.fixture
def first(db, django_capture_on_commit_callbacks):
    ticket, action = receive(E6, django_capture_on_commit_callbacks)
    assert action == "queued"
    ticket.refresh_from_db()
    return ticket


def test_a_good_ticket_becomes_a_case_without_customer_data(first):
    assert first.status == Ticket.Status.CASE_CREATED
    case = first.case
    text = json.dumps(
        [case.title, case.symptom, case.cause, case.resolution, case.parts], ensure_ascii=False
    )
    for secret in ("王建华", "王先生", "13812345678", "138 1234 5678", "张杨路", "沪A"):
        assert secret not in text
    assert case.error_codes == ["E6"] and case.product_models == ["KFR-35GW/BpNhAa1"]
    assert case.title.startswith("家用空调 E6")
    assert case.kcs_status == Case.KcsStatus.NOT_VALIDATED and case.live
    assert "王建华" in first.customer_name  # the raw ticket keeps it for managers


def test_reposting_the_same_ticket_changes_nothing(first, django_capture_on_commit_callbacks):
    _ticket, action = receive(E6, django_capture_on_commit_callbacks)
    assert action == "unchanged"
    assert Ticket.objects.count() == 1 and Case.objects.count() == 1
    assert Case.objects.get().occurrences == 1


def test_reposting_with_changes_reprocesses_without_a_second_case(
    first, django_capture_on_commit_callbacks
):
    _ticket, action = receive(
        {**E6, "resolution": E6["resolution"] + "；加装防水胶布"},
        django_capture_on_commit_callbacks,
    )
    assert action == "updated"
    assert Ticket.objects.count() == 1 and Case.objects.count() == 1
    assert CaseOccurrence.objects.count() == 1
    assert Ticket.objects.get().status == Ticket.Status.CASE_CREATED


def test_the_same_fault_in_other_words_folds_into_the_case(
    first, django_capture_on_commit_callbacks
):
    other, _ = receive(
        variant(
            2,
            product_model="KFR-26GW/BpNhAa1",
            reported_symptom="开机后内机显示E6，过几分钟停机",
            diagnosis="检查发现室外机接线端子处连接线氧化，接触不良",
            root_cause="连接线氧化松动，内外机通信失败",
            resolution="处理氧化线头并重新紧固接线端子，试机正常",
        ),
        django_capture_on_commit_callbacks,
    )
    other.refresh_from_db()
    assert other.status == Ticket.Status.MERGED and other.case_id == first.case_id
    case = Case.objects.get()
    assert case.occurrences == 2
    assert case.product_models == ["KFR-35GW/BpNhAa1", "KFR-26GW/BpNhAa1"]


def test_deleting_a_folded_ticket_recounts_its_case(first, django_capture_on_commit_callbacks):
    other, _ = receive(
        variant(2, closed_at="2026-08-20T10:00:00+08:00", product_model="KFR-26GW/BpNhAa1"),
        django_capture_on_commit_callbacks,
    )
    assert Case.objects.get().occurrences == 2

    with django_capture_on_commit_callbacks(execute=True):
        Ticket.objects.filter(pk=other.pk).delete()

    case = Case.objects.get()
    assert case.occurrences == 1
    assert case.last_seen == case.first_seen == CaseOccurrence.objects.get().seen_at


def test_a_different_error_code_never_folds(first, django_capture_on_commit_callbacks):
    other, _ = receive(variant(3, error_code="F4"), django_capture_on_commit_callbacks)
    other.refresh_from_db()
    assert other.status == Ticket.Status.CASE_CREATED and other.case_id != first.case_id


def test_three_of_the_same_model_within_30_days_is_flagged_batch(
    first, django_capture_on_commit_callbacks
):
    for n, day in ((4, "08-10"), (5, "08-20")):
        receive(
            variant(n, closed_at=f"2026-{day}T10:00:00+08:00"), django_capture_on_commit_callbacks
        )
    case = Case.objects.get()
    assert case.occurrences == 3
    assert case.is_batch and case.is_recurring and case.flagged_at is not None


FIGURES = Case.FIGURE_FIELDS


def recounted(case_id):
    """The figures a full recount of the case's occurrences gives, left unsaved."""
    with transaction.atomic():
        case = case_refresh_from_occurrences(case=Case.objects.get(pk=case_id))
        figures = {name: getattr(case, name) for name in FIGURES}
        transaction.set_rollback(True)
    return figures


def test_case_figures_kept_per_ticket_equal_a_full_recount_whatever_order_tickets_come_in(
    first, django_capture_on_commit_callbacks
):
    """Merges update the figures from the new occurrence alone; re-posts recount. Either way
    they equal a recount of every occurrence, after every ticket: out-of-order closing times,
    windows met exactly (from either end), flags raised late, moved, junked, re-sent tickets."""
    a, b = E6["product_model"], "KFR-26GW/BpNhAa1"

    def at(day):
        return f"2026-{day}T15:20:00+08:00"

    steps = [
        variant(2, closed_at=at("07-01"), product_model=b),  # earlier than the case's first
        variant(3, closed_at=at("11-05")),  # three, but over 90 days apart
        variant(4, closed_at=at("05-03"), product_model=b),  # 05-03..08-01: exactly 90 days
        variant(5, closed_at=at("06-02"), product_model=b),  # b: three, but over 30 days
        variant(6, closed_at=at("07-02"), product_model=b),  # b: 06-02..07-02 (30 days), 批量
        variant(6, closed_at=at("09-20"), product_model=b),  # re-post moves it: no batch now
        variant(4, resolution="用户不在家，已改约"),  # re-post turns junk: leaves the case
        variant(6, closed_at=at("09-20"), product_model=b),  # re-sent unchanged
        variant(7, closed_at=at("10-01")),
        variant(8, closed_at=at("10-25"), product_model=""),  # no model
        variant(9, closed_at=at("10-20")),
        variant(10, closed_at=at("10-25")),  # a: 10-20..11-05, 批量 again
    ]
    seen = []
    for record in steps:
        ticket, _action = receive(record, django_capture_on_commit_callbacks)
        case = Case.objects.get(pk=first.case_id)
        figures = {name: getattr(case, name) for name in FIGURES}
        assert figures == recounted(case.pk), record["ticket_no"]
        seen.append((case.is_recurring, case.is_batch))
    assert seen[2:6] == [(True, False), (True, False), (True, True), (True, False)]
    assert seen[-1] == (True, True)
    assert case.occurrences == CaseOccurrence.objects.filter(case=case).count() == 9
    assert case.product_models == [a, b] and case.error_codes == ["E6"]
    assert case.first_seen.date().isoformat() == "2026-06-02"  # 05-03 left with its ticket

    # A redelivered task for a processed ticket changes nothing either.
    ticket_process(ticket_id=ticket.pk)
    assert {name: getattr(Case.objects.get(pk=case.pk), name) for name in FIGURES} == figures


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"resolution": ""}, "no_resolution"),
        ({"resolution": "用户不在家，已改约明天上门"}, "no_fix_done"),
        ({"resolution": "待配件，下次上门更换"}, "no_fix_done"),
        (
            {
                "reported_symptom": "坏了",
                "diagnosis": "",
                "root_cause": "",
                "resolution": "已处理",
                "notes": "",
            },
            "too_little_text",
        ),
        (
            {
                "service_type": "安装",
                "error_code": "",
                "root_cause": "",
                "resolution": "新机安装完成，抽真空15分钟，试机正常",
            },
            "no_fault",
        ),
    ],
)
def test_junk_tickets_never_become_cases(db, django_capture_on_commit_callbacks, changes, reason):
    ticket, _ = receive(variant(9, **changes), django_capture_on_commit_callbacks)
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.SKIPPED and ticket.status_reason == reason
    assert not Case.objects.exists()


@pytest.fixture
def ticket_key(db):
    return api_key_create(name="工单系统", scopes=["tickets:write"])[1]


def post(client, key, body):
    return client.post(
        "/api/v1/tickets",
        json.dumps(body, ensure_ascii=False),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )


def test_the_api_accepts_a_batch_and_rejects_bad_tickets_individually(
    client, ticket_key, django_capture_on_commit_callbacks
):
    body = {
        "tickets": [
            E6,
            {**E6, "ticket_no": ""},
            {**E6, "ticket_no": "GD-X1", "closed_at": "yesterday"},
            {**E6, "ticket_no": "GD-X2", "service_type": "拆机"},
            {**E6, "ticket_no": "GD-X3", "satisfaction": 9},
            {**E6, "ticket_no": "GD-X4", "notes": "x" * 30000},
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, ticket_key, body)
    assert response.status_code == 202
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["queued", "rejected", "rejected", "rejected", "rejected", "rejected"]
    errors = [r["errors"] for r in response.json()["results"]]
    assert "ticket_no" in errors[1] and "closed_at" in errors[2] and "service_type" in errors[3]
    assert "satisfaction" in errors[4] and "notes" in errors[5]
    assert Ticket.objects.count() == 1

    status = client.get(
        f"/api/v1/tickets/{E6['ticket_no']}", HTTP_AUTHORIZATION=f"Bearer {ticket_key}"
    ).json()
    assert status["status"] == "case_created" and status["case_id"] == Case.objects.get().pk
    assert (
        client.get("/api/v1/tickets/NOPE", HTTP_AUTHORIZATION=f"Bearer {ticket_key}").json()["code"]
        == "not_found"
    )


def test_the_case_api_returns_the_contract_and_no_customer_data(client, first, two_regions):
    client.force_login(two_regions["sh_tech"].user)
    payload = client.get(f"/api/v1/knowledge/cases/{first.case_id}").json()
    assert set(payload) >= {
        "case_id",
        "title",
        "symptom",
        "environment",
        "cause",
        "resolution",
        "parts",
        "status",
        "occurrences",
        "first_seen",
        "last_seen",
        "flags",
        "source_tickets",
        "url",
    }
    assert payload["environment"]["error_codes"] == ["E6"]
    assert payload["source_tickets"] == [E6["ticket_no"]]
    assert "王" not in json.dumps(payload, ensure_ascii=False)


def test_technicians_see_the_case_page_escaped_and_can_flag_it(client, first, two_regions):
    from knowledge.models import CaseFlag

    case = first.case
    case.symptom = "<script>alert(1)</script>E6"
    case.save()
    client.force_login(two_regions["sh_tech"].user)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "未审核" in page
    client.post(case.get_absolute_url(), {"kind": "did_not_work", "comment": "换了端子还是E6"})
    assert CaseFlag.objects.get().comment == "换了端子还是E6"


def test_ten_megabytes_of_notes_are_refused_with_a_json_error_and_nothing_stored(
    client, ticket_key
):
    response = post(client, ticket_key, {**E6, "notes": "备注" * 5_000_000})
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large" and response.json()["message"]
    assert not Ticket.objects.exists()


def test_wrongly_typed_tickets_are_rejected_one_by_one_in_the_users_language(
    client, ticket_key, django_capture_on_commit_callbacks
):
    body = {
        "tickets": [
            "GD-NOT-AN-OBJECT",
            {**E6, "ticket_no": "GD-T1", "parts_replaced": [{"name": "电容"}]},
            {**E6, "ticket_no": "GD-T2", "parts_replaced": ["电容"] * 51},
            {**E6, "ticket_no": "GD-T3", "parts_replaced": ["电" * 101]},
            {**E6, "ticket_no": "GD-T4", "satisfaction": "五星"},
            {**E6, "ticket_no": "GD-T5", "closed_at": {"date": "2026-08-01"}},
            {**E6, "ticket_no": "GD-T6", "product_line": "微波炉"},
            {**E6, "ticket_no": ["GD-T7"]},
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, ticket_key, body)
    assert response.status_code == 202
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * 8
    fields = [set(r["errors"]) for r in results]
    assert fields == [
        {"__all__"},
        {"parts_replaced"},
        {"parts_replaced"},
        {"parts_replaced"},
        {"satisfaction"},
        {"closed_at"},
        {"product_line"},
        {"ticket_no"},
    ]
    assert "微波炉" in results[6]["errors"]["product_line"][0]
    assert not Ticket.objects.exists()
