"""A technician signs in on a phone, lands on the Chinese home page, switches to English."""

import re

import pytest
from playwright.sync_api import expect

from portal.roles import Role
from tests.factories import StaffFactory


@pytest.fixture
def technician(two_regions):
    return StaffFactory(
        employee_no="J9001", name="李强", outlet=two_regions["sh"], roles=[Role.TECHNICIAN]
    )


def test_technician_logs_in_sees_chinese_home_and_switches_to_english(
    live_server, page, technician
):
    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.locator("h1")).to_have_text("登录")

    page.get_by_label("工号").fill("J9001")
    page.get_by_label("密码").fill("wrong-password")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("alert")).to_contain_text("工号或密码错误")

    page.get_by_label("密码").fill("pw-for-tests")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1.greeting")).to_have_text("您好，李强")
    expect(page.locator("[data-section=certifications] h2")).to_have_text("我的认证")
    expect(page.locator("[data-section=case_search] h2")).to_have_text("搜索维修案例")
    # Nothing overflows the 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_test_id("language-select").select_option("en")
    expect(page.locator("h1.greeting")).to_have_text("Hello, 李强")
    expect(page.locator("[data-section=certifications] h2")).to_have_text("My certifications")
    expect(page.locator("html")).to_have_attribute("lang", "en")
