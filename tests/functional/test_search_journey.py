"""A technician searches a colloquial symptom on a phone and opens the right case."""

from playwright.sync_api import expect

from knowledge.models import Case
from portal.models import ProductLine


def test_technician_searches_a_colloquial_symptom_and_opens_the_right_case(
    live_server, page, two_regions
):
    line = ProductLine.objects.get(code="AC")
    right = Case.objects.create(
        title="家用空调 室内机漏水：排水管坡度不对",
        symptom="室内机往下漏水",
        cause="排水管倒坡",
        resolution="重新调整排水管坡度\n疏通排水管",
        product_line=line,
        live=True,
    )
    Case.objects.create(
        title="家用空调 E6 通信故障",
        symptom="显示E6停机",
        resolution="重新压接连接线",
        product_line=line,
        error_codes=["E6"],
        error_code="E6",
        live=True,
    )
    page.goto(live_server.url + "/login/")
    page.get_by_label("工号").fill("J-SH")
    page.get_by_label("密码").fill("pw-for-tests")
    page.get_by_role("button", name="登录").click()

    box = page.locator("[data-section=case_search] input[type=search]")
    box.fill("空调滴水")
    box.press("Enter")
    expect(page.get_by_test_id("count")).to_contain_text("找到")
    first = page.locator(".result-title").first
    expect(first).to_have_text(right.title)
    expect(page.locator(".snippet mark").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    first.click()
    expect(page.locator("h1")).to_have_text(right.title)
    expect(page.locator(".steps li").first).to_have_text("重新调整排水管坡度")
