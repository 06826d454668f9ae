"""Bulk onboarding: outlets and staff from CSV/XLSX, idempotent, every bad row reported."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from portal.imports import import_apply, import_preview
from portal.models import Region, ServiceOutlet, StaffProfile
from portal.roles import Role

OUTLETS_CSV = """code,name,region,address,phone,product_lines,active
SH-PD-01,上海浦东恒信家电服务部,华东大区,上海市浦东新区张杨路1200号,021-58881234,"AC,CAC",1
GZ-TH-01,广州天河顺通家电维修站,华南大区,广州市天河区天河北路233号,020-38765432,家用空调、洗衣机,是
"""

STAFF_CSV = """employee_no,name,phone,email,outlet_code,roles,hire_date,active
J3001,李强,138 0000 0011,j3001@example.com,SH-PD-01,technician,2019-04-08,1
N4001,马小龙,13800000031,,GZ-TH-01,new_staff,2026/11/2,
T1001,刘芳,,,,"trainer",2017-07-10,1
"""


def _xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _apply(kind, text, filename="file.csv", **kwargs):
    content = text.encode() if isinstance(text, str) else text
    return import_apply(kind=kind, content=content, filename=filename, **kwargs)


@pytest.fixture
def outlets(db):
    report = _apply("outlets", OUTLETS_CSV)
    assert report.ok, report.as_dict()
    return report


def test_outlet_import_creates_outlets_regions_and_product_lines(outlets):
    sh = ServiceOutlet.objects.get(code="SH-PD-01")
    assert sh.region.name == "华东大区"
    assert sorted(sh.product_lines.values_list("code", flat=True)) == ["AC", "CAC"]
    gz = ServiceOutlet.objects.get(code="GZ-TH-01")
    assert sorted(gz.product_lines.values_list("code", flat=True)) == ["AC", "WM"]
    assert Region.objects.count() == 2


def test_reimporting_the_same_outlets_updates_and_never_duplicates(outlets):
    again = _apply("outlets", OUTLETS_CSV)
    assert again.counts == {"unchanged": 2}
    changed = _apply(
        "outlets", OUTLETS_CSV.replace("021-58881234", "021-11112222").replace(",1\n", ",0\n", 1)
    )
    assert changed.counts == {"updated": 1, "unchanged": 1}
    sh = ServiceOutlet.objects.get(code="SH-PD-01")
    assert sh.phone == "021-11112222"
    assert sh.status == ServiceOutlet.Status.SUSPENDED
    assert ServiceOutlet.objects.count() == 2


def test_staff_import_creates_logins_with_roles_and_is_idempotent(outlets):
    report = _apply("staff", STAFF_CSV)
    assert report.counts == {"created": 3}, report.as_dict()
    tech = StaffProfile.objects.get(employee_no="J3001")
    assert tech.user.username == "J3001"
    assert tech.outlet.code == "SH-PD-01"
    assert tech.roles == [Role.TECHNICIAN]
    assert not tech.user.has_usable_password()
    assert StaffProfile.objects.get(employee_no="N4001").hire_date.isoformat() == "2026-11-02"
    assert StaffProfile.objects.get(employee_no="T1001").outlet is None

    again = _apply("staff", STAFF_CSV)
    assert again.counts == {"unchanged": 3}
    assert StaffProfile.objects.count() == 3


def test_deactivating_staff_by_import_blocks_their_login(outlets):
    _apply("staff", STAFF_CSV)
    report = _apply("staff", STAFF_CSV.replace("2019-04-08,1", "2019-04-08,0"))
    assert report.counts["updated"] == 1
    tech = StaffProfile.objects.get(employee_no="J3001")
    assert tech.active is False and tech.user.is_active is False


def test_every_bad_row_is_reported_in_chinese_and_good_rows_are_kept(outlets):
    text = (
        "employee_no,name,phone,email,outlet_code,roles,hire_date,active\n"
        "J1,好员工,13800000000,,SH-PD-01,technician,2020-01-01,1\n"
        "J2,未知网点,13800000000,,NOPE-99,technician,2020-01-01,1\n"
        "J3,坏角色,13800000000,,SH-PD-01,wizard,2020-01-01,1\n"
        "J4,坏日期,13800000000,,SH-PD-01,technician,2020-13-45,1\n"
        "J5,坏邮箱,13800000000,not-an-email,SH-PD-01,technician,,1\n"
        ",没工号,13800000000,,SH-PD-01,technician,,1\n"
    )
    report = _apply("staff", text)
    errors = {r.row: r.errors for r in report.error_rows}
    assert set(errors) == {3, 4, 5, 6, 7}
    assert "NOPE-99" in errors[3]["outlet_code"][0] and "网点" in errors[3]["outlet_code"][0]
    assert "wizard" in errors[4]["roles"][0]
    assert "hire_date" in errors[5]
    assert "email" in errors[6]
    assert "employee_no" in errors[7]
    assert list(StaffProfile.objects.values_list("employee_no", flat=True)) == ["J1"]


def test_strict_import_writes_nothing_when_any_row_is_bad(outlets):
    text = STAFF_CSV + "J9,坏,x,,SH-PD-01,technician,,1\n"
    report = _apply("staff", text, strict=True)
    assert not report.applied
    assert report.error_rows[0].row == 5
    assert StaffProfile.objects.count() == 0


def test_duplicate_employee_numbers_in_one_file_are_all_refused(outlets):
    text = STAFF_CSV + "J3001,另一个李强,,,SH-PD-01,technician,,1\n"
    report = _apply("staff", text)
    dup_rows = [r.row for r in report.error_rows]
    assert dup_rows == [2, 5]
    assert "J3001" in report.error_rows[0].errors["employee_no"][0]
    assert not StaffProfile.objects.filter(employee_no="J3001").exists()
    assert StaffProfile.objects.count() == 2


def test_xlsx_with_chinese_headers_and_numeric_cells_imports(outlets):
    content = _xlsx(
        [
            ["工号", "姓名", "手机", "网点编码", "角色", "入职日期", "在职"],
            [30001, "黄晓东", 13800000015, "SH-PD-01", "technician,manager", "2017-10-09", "是"],
        ]
    )
    report = _apply("staff", content, filename="花名册.xlsx")
    assert report.counts == {"created": 1}, report.as_dict()
    profile = StaffProfile.objects.get(employee_no="30001")
    assert profile.phone == "13800000015"
    assert profile.roles == [Role.TECHNICIAN, Role.MANAGER]


def test_gbk_encoded_csv_from_excel_is_read(db):
    report = _apply("outlets", OUTLETS_CSV.encode("gb18030"))
    assert report.counts == {"created": 2}


@pytest.mark.parametrize(
    ("content", "filename", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png", ".csv"),
        (b"PK\x03\x04 broken zip", "broken.xlsx", ".xlsx"),
        (b"", "empty.csv", "空"),
        (b"code,name\nX,Y\n", "short.csv", "region"),
        (b"code,name,region\n", "header-only.csv", "没有数据行"),
    ],
)
def test_malformed_files_get_a_clear_file_error_and_write_nothing(db, content, filename, expected):
    report, valid = import_preview(kind="outlets", content=content, filename=filename)
    assert report.file_errors and expected in report.file_errors[0]
    assert valid == []
    assert not _apply("outlets", content, filename=filename).applied
    assert ServiceOutlet.objects.count() == 0


def test_managers_may_only_import_staff_into_their_own_outlets(two_regions):
    from portal.admin_forms import grantable_roles
    from portal.selectors import outlets_in_scope

    manager = two_regions["east_manager"].user
    text = (
        "employee_no,name,outlet_code,roles\n"
        "X1,本区技师,HZ-01,technician\n"
        "X2,外区技师,GZ-01,technician\n"
        "X3,想当管理员,HZ-01,admin\n"
    )
    report = _apply(
        "staff",
        text,
        form_kwargs={
            "allowed_roles": grantable_roles(manager),
            "allowed_outlets": outlets_in_scope(user=manager),
        },
    )
    errors = {r.key: r.errors for r in report.error_rows}
    assert set(errors) == {"X2", "X3"}
    assert "管理范围" in errors["X2"]["outlet_code"][0]
    assert "无权" in errors["X3"]["roles"][0]
    assert StaffProfile.objects.filter(employee_no="X1").exists()


def test_import_commands_apply_the_shipped_samples_and_fail_loudly_on_errors(db, tmp_path, capsys):
    call_command("import_outlets", "portal/samples/outlets.csv")
    call_command("import_staff", "portal/samples/staff.xlsx")
    assert ServiceOutlet.objects.count() >= 4
    assert StaffProfile.objects.count() >= 5
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "employee_no,name,outlet_code,roles\nZ1,某人,NOPE,technician\n", encoding="utf-8"
    )
    with pytest.raises(CommandError):
        call_command("import_staff", str(bad))
    assert "NOPE" in capsys.readouterr().err
