"""A manager suspends a technician's certification on a phone, with a reason and a corrective
path; the technician completes the path; the manager approves reinstatement. Dispatch
eligibility says CERT_SUSPENDED in between and eligible after."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.eligibility import eligibility_check
from certification.models import CertificationStatus, Suspension
from courses.selectors import course_lessons
from courses.services import lesson_complete
from portal.roles import Role
from tests.factories import (
    StaffFactory,
    make_certification,
    make_course,
    make_licence,
    make_path,
    make_programme,
    make_skill,
)


@pytest.fixture
def world(two_regions):
    now = timezone.now()
    today = timezone.localdate()
    skill = make_skill("AC-SPLIT-INSTALL", licences=["height"])
    programme = make_programme(skill, level=1)
    tech = StaffFactory(employee_no="J5001", name="周师傅", outlet=two_regions["sh"])
    cert = make_certification(tech.user, programme, issued_at=now - dt.timedelta(days=100))
    make_licence(
        tech.user,
        "height",
        issued_on=today - dt.timedelta(days=100),
        expires_on=today + dt.timedelta(days=2000),
    )
    course = make_course("空调安装规范整改", lessons=2)
    path = make_path("安装投诉整改路径", [course])
    manager = StaffFactory(
        employee_no="M5001", name="吴经理", outlet=two_regions["sh"], roles=[Role.MANAGER]
    )
    return {"tech": tech, "cert": cert, "path": path, "course": course, "manager": manager}


def _eligibility(employee_no="J5001"):
    result = eligibility_check(employee_no=employee_no, skill_code="AC-SPLIT-INSTALL")
    return result.eligible, [r.code for r in result.reasons]


def test_manager_suspends_with_corrective_path_and_approves_reinstatement(live_server, page, world):
    assert _eligibility() == (True, [])
    page.goto(live_server.url + "/login/")
    page.get_by_label("工号").fill("M5001")
    page.get_by_label("密码").fill("pw-for-tests")
    page.get_by_role("button", name="登录").click()

    page.locator("details.menu summary").click()
    page.get_by_role("link", name="暂停管理").click()
    expect(page.locator("h1")).to_have_text("暂停与整改培训")
    row = page.locator("tr[data-technician=J5001]")
    expect(row).to_contain_text("周师傅")
    row.get_by_test_id("suspend").click()

    expect(page.locator("h1")).to_have_text("暂停认证")
    page.get_by_label("暂停范围").select_option(label="分体式空调安装（AC-SPLIT-INSTALL） · 初级")
    page.get_by_label("原因").select_option(label="客户投诉")
    page.get_by_label("详情").fill("客户投诉室内机漏水，复查发现排水管坡度不足")
    page.get_by_label("整改学习路径").select_option(label="安装投诉整改路径")
    page.get_by_test_id("confirm-suspend").click()

    expect(page.get_by_text("已暂停 周师傅 的认证。")).to_be_visible()
    suspension_card = page.locator("[data-technician=J5001][data-suspension]")
    expect(suspension_card.get_by_test_id("suspension-status")).to_have_text("整改培训中")
    expect(suspension_card).to_contain_text("安装投诉整改路径")
    expect(suspension_card.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "0")
    expect(suspension_card.get_by_test_id("approve")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert _eligibility() == (False, ["CERT_SUSPENDED"])

    # The technician works through the corrective path (lesson pages have their own tests).
    tech = world["tech"].user
    for lesson in course_lessons(course=world["course"]):
        lesson_complete(user=tech, lesson=lesson)
    assert Suspension.objects.get().status == Suspension.Status.AWAITING_APPROVAL
    assert _eligibility() == (False, ["CERT_SUSPENDED"])

    page.reload()
    expect(suspension_card.get_by_test_id("suspension-status")).to_have_text("待审批恢复")
    expect(suspension_card.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("unread")).to_be_visible()  # the manager was notified
    suspension_card.get_by_test_id("approve").click()

    expect(page.get_by_text("已批准恢复。")).to_be_visible()
    expect(page.get_by_test_id("open-suspensions")).to_contain_text("没有处理中的暂停")
    world["cert"].refresh_from_db()
    assert world["cert"].status == CertificationStatus.ACTIVE
    assert _eligibility() == (True, [])
