"""A new staff member signs in on a phone, finds the onboarding path, completes lessons and
watches the progress bar move."""

import pytest
from playwright.sync_api import expect

from courses.services import onboarding_assign
from portal.roles import Role
from tests.factories import StaffFactory, make_course, make_path


@pytest.fixture
def newcomer(two_regions):
    person = StaffFactory(
        employee_no="N8001", name="马小龙", outlet=two_regions["sh"], roles=[Role.NEW_STAFF]
    )
    culture = make_course("企业文化与服务理念", lessons=2, layer="onboarding")
    make_path("新员工入职培训", [culture], is_onboarding=True, onboarding_due_days=30)
    onboarding_assign(user=person.user)
    return person


def test_new_staff_follow_onboarding_and_see_progress_move(live_server, page, newcomer):
    page.goto(live_server.url + "/login/")
    page.get_by_label("工号").fill("N8001")
    page.get_by_label("密码").fill("pw-for-tests")
    page.get_by_role("button", name="登录").click()

    onboarding = page.locator("[data-section=onboarding]")
    expect(onboarding).to_contain_text("新员工入职培训")
    expect(onboarding.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "0")

    onboarding.get_by_role("link", name="企业文化与服务理念").click()
    expect(page.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "0")
    page.get_by_test_id("continue").click()
    expect(page.locator("h1")).to_have_text("企业文化与服务理念 第1课")
    page.get_by_test_id("complete-lesson").click()

    expect(page.locator("h1")).to_have_text("企业文化与服务理念 第2课")
    expect(page.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "50")
    page.get_by_test_id("complete-lesson").click()

    expect(page.get_by_text("课程已完成：企业文化与服务理念")).to_be_visible()
    expect(page.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "100")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(live_server.url + "/")
    expect(onboarding.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "100")
    expect(onboarding).to_contain_text("已完成")
