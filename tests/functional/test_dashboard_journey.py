"""A regional manager opens the certification matrix on a phone, filters to expiring
certifications, exports them to XLSX, and opens a technician's profile; the manager of another
region cannot open that profile."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.factories import make_certification, make_programme, make_skill

PASSWORD = "pw-for-tests"
DAY = dt.timedelta(days=1)


@pytest.fixture
def certified_network(two_regions):
    install = make_skill("AC-SPLIT-INSTALL", name="分体式空调安装")
    programme = make_programme(install, level=1)
    now = timezone.now()
    for key, days in (("sh_tech", 20), ("hz_tech", 400), ("gz_tech", 15)):
        make_certification(
            two_regions[key].user,
            programme,
            issued_at=now - 300 * DAY,
            expires_at=now + days * DAY,
        )
    return two_regions


def sign_in(page, live_server, employee_no):
    page.goto(live_server.url + "/login/")
    page.get_by_label("工号").fill(employee_no)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_manager_filters_the_matrix_exports_it_and_opens_a_technician(
    live_server, page, certified_network, tmp_path
):
    sign_in(page, live_server, "M-EAST")
    home = page.locator("[data-section=manager_dashboard]")
    home.get_by_role("link", name="打开管理看板").click()
    page.get_by_role("link", name="认证矩阵").first.click()

    matrix = page.get_by_test_id("matrix")
    expect(matrix).to_contain_text("上海技师")
    expect(matrix).to_contain_text("杭州技师")
    expect(matrix).not_to_contain_text("广州技师")

    page.get_by_label("状态").select_option("expiring")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"status=expiring"))
    expect(matrix).to_contain_text("上海技师")
    expect(matrix).not_to_contain_text("杭州技师")
    expect(matrix.locator("td[data-status=expiring_30]")).to_have_count(1)

    with page.expect_download() as download_info:
        page.get_by_test_id("export-matrix").get_by_role("link", name="XLSX").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("工号", "姓名")
    assert [r[0] for r in rows[1:]] == ["J-SH"]
    assert "30天内到期" in rows[1][-1]

    matrix.get_by_role("link", name="上海技师").click()
    expect(page.locator("h1")).to_have_text("上海技师")
    expect(page.get_by_test_id("dispatch-today")).to_contain_text("AC-SPLIT-INSTALL")
    expect(page.get_by_test_id("certifications")).to_contain_text("分体式空调安装")
    profile_url = page.url
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.context.clear_cookies()
    sign_in(page, live_server, "M-SOUTH")
    response = page.goto(profile_url)
    assert response.status == 404
