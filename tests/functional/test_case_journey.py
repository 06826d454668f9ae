"""A technician opens a case on a phone, sees no customer data and flags it; a trainer then
submits it to the "案例审核" workflow and a reviewer approves it, which validates it."""

import re

import pytest
from playwright.sync_api import expect

from knowledge.models import Case, CaseFlag
from knowledge.records import TicketRecordForm, normalise_ticket
from knowledge.services import ticket_receive
from portal.roles import Role
from tests.factories import StaffFactory

TICKET = {
    "ticket_no": "GD202609010077",
    "closed_at": "2026-09-01T10:00:00+08:00",
    "product_line": "WM",
    "product_model": "XQG100-B14866",
    "error_code": "E4",
    "customer_name": "赵丽娟",
    "customer_phone": "13911112222",
    "customer_address": "杭州市西湖区文三路478号2幢301室",
    "reported_symptom": "赵女士说洗衣机洗到一半不排水，显示E4，电话139 1111 2222",
    "diagnosis": "排水泵进口被硬币卡住，叶轮转不动",
    "root_cause": "排水泵过滤器内有异物卡住叶轮",
    "resolution": "拆下过滤器取出硬币。清理排水泵。试机排水正常。",
}


@pytest.fixture
def case(two_regions, django_capture_on_commit_callbacks):
    form = TicketRecordForm(data=normalise_ticket(TICKET))
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):
        ticket, _ = ticket_receive(data=form.cleaned_data)
    ticket.refresh_from_db()
    return ticket.case


def sign_in(page, base, employee_no):
    page.goto(base + "/login/")
    page.get_by_label("工号").fill(employee_no)
    page.get_by_label("密码").fill("pw-for-tests")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1.greeting")).to_be_visible()


def test_technician_reads_a_case_without_customer_data_and_flags_it(
    live_server, page, case, two_regions
):
    sign_in(page, live_server.url, "J-SH")
    page.goto(live_server.url + case.get_absolute_url())
    expect(page.locator("h1")).to_contain_text("E4")
    expect(page.get_by_test_id("kcs")).to_have_text("未审核")
    body = page.locator("main").inner_text()
    for secret in ("赵丽娟", "赵女士", "13911112222", "139 1111 2222", "文三路"):
        assert secret not in body
    assert "取出硬币" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_test_id("flag").locator("summary").click()
    page.get_by_label("按此处理无效").check()
    page.get_by_label("补充说明").fill("过滤器里没有异物，换排水泵才好")
    page.get_by_role("button", name="提交给审核人").click()
    expect(page.get_by_text("感谢反馈")).to_be_visible()
    assert CaseFlag.objects.get(case=case).comment == "过滤器里没有异物，换排水泵才好"


def test_trainer_submits_a_case_for_review_and_a_reviewer_validates_it(
    live_server, desktop_page, case, two_regions
):
    StaffFactory(employee_no="T-QA", name="质量工程师", outlet=None, roles=[Role.TRAINER])
    StaffFactory(employee_no="T-REV", name="技质部主管", outlet=None, roles=[Role.TRAINER])
    page = desktop_page
    edit_url = f"{live_server.url}/admin/snippets/knowledge/case/edit/{case.pk}/"

    # 已审核 cannot be picked: it is what the reviewers' approval gives.
    sign_in(page, live_server.url, "T-QA")
    page.goto(edit_url)
    page.locator("#id_title").fill("洗衣机 E4 不排水（排水泵卡硬币）")
    page.locator("footer [data-w-dropdown-target=toggle]").last.click()
    page.get_by_role("button", name=re.compile("提交给案例审核")).first.click()
    expect(page.locator(".messages")).to_contain_text(case.title[:6])
    case.refresh_from_db()
    assert case.workflow_in_progress
    assert case.live and case.kcs_status == Case.KcsStatus.NOT_VALIDATED
    page.context.clear_cookies()

    sign_in(page, live_server.url, "T-REV")
    page.goto(edit_url)
    page.locator("footer [data-w-dropdown-target=toggle]").last.click()
    page.get_by_role("button", name=re.compile("批准")).first.click()
    expect(page.locator(".messages")).to_be_visible()
    case.refresh_from_db()
    assert case.kcs_status == Case.KcsStatus.VALIDATED and case.live
    assert case.title == "洗衣机 E4 不排水（排水泵卡硬币）"
    assert not case.workflow_in_progress

    page.goto(live_server.url + case.get_absolute_url())
    expect(page.get_by_test_id("kcs")).to_have_text("已审核")
