"""A regional manager onboards new staff from a spreadsheet through the admin."""

import pytest
from playwright.sync_api import expect

from portal.models import StaffProfile

PASSWORD = "pw-for-tests"


@pytest.fixture
def staff_file(tmp_path):
    path = tmp_path / "新员工.csv"
    path.write_text(
        "工号,姓名,手机,网点编码,角色,入职日期\n"
        "N7001,孙悟净,13800007001,SH-01,new_staff,2026-11-20\n"
        "N7002,错网点,13800007002,GZ-01,new_staff,2026-11-20\n",
        encoding="utf-8",
    )
    return path


def test_manager_uploads_staff_sees_row_errors_and_applies_the_good_rows(
    live_server, desktop_page, two_regions, staff_file
):
    page = desktop_page
    page.goto(live_server.url + "/login/")
    page.get_by_label("工号").fill("M-EAST")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("[data-section=manager_dashboard]")).to_contain_text("上海一号网点")

    page.goto(live_server.url + "/admin/organisation-import/")
    page.locator("input[type=file]").set_input_files(str(staff_file))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_test_id("import-counts")).to_contain_text("将新建: 1")
    expect(page.locator("tr.error-row")).to_contain_text("GZ-01 不在您的管理范围内")
    assert not StaffProfile.objects.filter(employee_no="N7001").exists()

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("import-counts")).to_contain_text("已新建: 1")
    assert StaffProfile.objects.get(employee_no="N7001").outlet.code == "SH-01"
    assert not StaffProfile.objects.filter(employee_no="N7002").exists()
