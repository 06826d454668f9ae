"""A regional manager brings their technicians' special-operation certificates into the portal
from a spreadsheet: preview, the out-of-scope row refused, the rest verified in their name."""

import pytest
from playwright.sync_api import expect

from certification.models import Licence

PASSWORD = "pw-for-tests"


@pytest.fixture
def licence_file(tmp_path):
    path = tmp_path / "特种作业操作证.csv"
    path.write_text(
        "工号,证件类型,证号,发证机关,发证日期,有效期至,复审日期,已核验\n"
        "J-SH,height,T310115199001011234,上海市应急管理局,2024-04-15,2030-04-14,2027-04-14,是\n"
        "J-GZ,refrigeration,T440106198801012345,广州市应急管理局,2023-06-01,2029-05-31,,是\n",
        encoding="utf-8",
    )
    return path


def test_manager_imports_licences_sees_the_refused_row_and_verifies_the_rest(
    live_server, desktop_page, two_regions, licence_file
):
    page = desktop_page
    page.goto(live_server.url + "/login/")
    page.get_by_label("工号").fill("M-EAST")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("[data-section=manager_dashboard]")).to_contain_text("上海一号网点")

    page.goto(live_server.url + "/admin/")
    page.get_by_role("link", name="导入技能、认证和证书").click()
    expect(page.get_by_role("heading", name="导入证书")).to_be_visible()
    page.locator("input[type=file]").set_input_files(str(licence_file))
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_test_id("import-counts")).to_contain_text("将新建: 1")
    expect(page.locator("tr.error-row")).to_contain_text("J-GZ 不在您的管理范围内")
    assert not Licence.objects.exists()

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("import-counts")).to_contain_text("已新建: 1")
    licence = Licence.objects.get()
    assert licence.number == "T310115199001011234"
    assert licence.verified_by == two_regions["east_manager"].user
