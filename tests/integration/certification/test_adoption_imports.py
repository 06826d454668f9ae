"""Adopting the portal: skills, earlier certifications and outside licences from CSV/XLSX,
through the one import pipeline (preview → apply, every bad row reported, idempotent)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from certification.eligibility import eligibility_check
from certification.models import (
    Certification,
    CertificationEvent,
    CertificationStatus,
    Licence,
    Skill,
)
from portal.imports import import_apply, import_preview
from portal.models import ImportBatch
from portal.selectors import staff_in_scope
from tests.factories import make_certification, make_programme, make_skill

SKILLS_CSV = """code,name,product_line,max_level,required_licences
AC-SPLIT-INSTALL,分体式空调安装,AC,3,"height,refrigeration"
GAS-WH-REPAIR,燃气热水器维修,热水器,2,gas
WM-DRUM-REPAIR,滚筒洗衣机维修,WM,,
"""


def _apply(kind, text, filename="file.csv", **kwargs):
    content = text.encode() if isinstance(text, str) else text
    return import_apply(kind=kind, content=content, filename=filename, **kwargs)


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _row_errors(report) -> dict[int, dict]:
    return {r.row: r.errors for r in report.error_rows}


def _days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


@pytest.fixture
def skills(db):
    report = _apply("skills", SKILLS_CSV)
    assert report.ok, report.as_dict()
    return report


# --- Skills ---------------------------------------------------------------------------------


def test_skill_import_creates_skills_with_product_line_level_and_required_licences(skills):
    install = Skill.objects.get(code="AC-SPLIT-INSTALL")
    assert install.product_line.code == "AC" and install.max_level == 3
    assert sorted(install.required_licence_types.values_list("code", flat=True)) == [
        "height",
        "refrigeration",
    ]
    gas = Skill.objects.get(code="GAS-WH-REPAIR")
    assert gas.product_line.code == "WH"  # given by its Chinese name
    assert list(gas.required_licence_types.values_list("code", flat=True)) == ["gas"]
    drum = Skill.objects.get(code="WM-DRUM-REPAIR")
    assert drum.max_level == 1 and not drum.required_licence_types.exists()


def test_reimporting_skills_changes_nothing_and_an_edit_updates_in_place(skills):
    assert _apply("skills", SKILLS_CSV).counts == {"unchanged": 3}
    edited = _apply("skills", SKILLS_CSV.replace('"height,refrigeration"', "height"))
    assert edited.counts == {"unchanged": 2, "updated": 1}
    install = Skill.objects.get(code="AC-SPLIT-INSTALL")
    assert list(install.required_licence_types.values_list("code", flat=True)) == ["height"]
    assert Skill.objects.count() == 3


def test_every_bad_skill_row_is_reported_in_chinese_and_good_rows_are_kept(db):
    text = (
        "技能编码,技能名称,产品线,最高等级,所需证件\n"
        "AC-OK,好技能,AC,2,height\n"
        "BAD CODE,空格编码,AC,1,\n"
        "AC-X,未知证件,AC,1,forklift\n"
        "AC-Y,未知品类,TV,1,\n"
        "AC-Z,等级错误,AC,5,\n"
    )
    report = _apply("skills", text)
    errors = _row_errors(report)
    assert sorted(errors) == [3, 4, 5, 6]
    assert "编码" in errors[3]["code"][0]
    assert "forklift" in errors[4]["required_licences"][0]
    assert "refrigeration" in errors[4]["required_licences"][0]  # names what is known
    assert "TV" in errors[5]["product_line"][0]
    assert "等级" in errors[6]["max_level"][0]
    assert list(Skill.objects.values_list("code", flat=True)) == ["AC-OK"]


def test_strict_skill_import_writes_nothing_when_any_row_is_bad(db):
    report = _apply("skills", SKILLS_CSV + "BAD,坏,NOPE,1,\n", strict=True)
    assert not report.applied and len(report.error_rows) == 1
    assert not Skill.objects.exists()


# --- Certifications -------------------------------------------------------------------------


@pytest.fixture
def adopted(two_regions, skills):
    """Skills imported; J-SH and J-HZ exist (East), J-GZ (South)."""
    return two_regions


def _certs_csv(*rows: str) -> str:
    return "employee_no,skill,level,issued_on,expires_on,note\n" + "".join(r + "\n" for r in rows)


def test_imported_certification_enters_the_ledger_with_an_issued_event_and_counts(adopted):
    text = _certs_csv(f"J-SH,AC-SPLIT-INSTALL,2,2025-03-18,{_days(300)},原厂纸质证书 AZ-0318")
    report = _apply("certifications", text)
    assert report.counts == {"created": 1}, report.as_dict()
    cert = Certification.objects.get(user=adopted["sh_tech"].user)
    assert (cert.skill.code, cert.level, cert.status) == ("AC-SPLIT-INSTALL", 2, "active")
    assert timezone.localdate(cert.issued_at) == dt.date(2025, 3, 18)
    # Valid through the whole expiry day.
    assert timezone.localdate(cert.expires_at - dt.timedelta(seconds=1)).isoformat() == _days(300)
    assert cert.evidence["imported"]["issued_on"] == "2025-03-18"
    event = cert.events.get()
    assert event.kind == CertificationEvent.Kind.ISSUED and "AZ-0318" in event.reason_text
    # The ledger answers dispatch: certified, so only the licences are missing.
    result = eligibility_check(employee_no="J-SH", skill_code="AC-SPLIT-INSTALL", level=2)
    codes = {r.code for r in result.reasons}
    assert "NO_CERTIFICATION" not in codes and "LICENCE_MISSING" in codes


def test_reimporting_certifications_records_nothing_new(adopted):
    text = _certs_csv(
        f"J-SH,AC-SPLIT-INSTALL,1,2025-03-18,{_days(300)},",
        f"J-HZ,GAS-WH-REPAIR,2,2025/1/5,{_days(30)},",
    )
    assert _apply("certifications", text).counts == {"created": 2}
    preview, _valid = import_preview(kind="certifications", content=text.encode(), filename="c.csv")
    assert preview.counts == {"unchanged": 2}
    again = _apply("certifications", text.replace("2025/1/5", "2025-01-05"))
    assert again.counts == {"unchanged": 2}
    assert Certification.objects.count() == 2
    assert CertificationEvent.objects.count() == 2


def test_expired_certification_is_recorded_expired_with_its_event(adopted):
    text = _certs_csv("J-SH,AC-SPLIT-INSTALL,3,2022-06-12,2024-06-11,已过期待复训")
    assert _apply("certifications", text).counts == {"created": 1}
    cert = Certification.objects.get()
    assert cert.status == CertificationStatus.EXPIRED
    assert [e.kind for e in cert.events.all()] == ["issued", "expired"]
    result = eligibility_check(employee_no="J-SH", skill_code="AC-SPLIT-INSTALL")
    assert "CERT_EXPIRED" in {r.code for r in result.reasons}


def test_a_renewal_history_leaves_only_the_latest_issue_active(adopted):
    text = _certs_csv(
        f"J-SH,AC-SPLIT-INSTALL,1,2025-09-01,{_days(400)},续证",
        f"J-SH,AC-SPLIT-INSTALL,1,2024-09-01,{_days(20)},首次发证",
    )
    assert _apply("certifications", text).counts == {"created": 2}
    newer, older = Certification.objects.order_by("-issued_at")
    assert newer.status == CertificationStatus.ACTIVE
    assert older.status == CertificationStatus.SUPERSEDED and older.superseded_by == newer


def test_every_bad_certification_row_is_reported_and_good_rows_are_kept(adopted):
    text = _certs_csv(
        f"J-SH,AC-SPLIT-INSTALL,1,2025-03-18,{_days(300)},好的",
        f"NOBODY,AC-SPLIT-INSTALL,1,2025-03-18,{_days(300)},",
        f"J-HZ,NO-SUCH-SKILL,1,2025-03-18,{_days(300)},",
        f"J-HZ,GAS-WH-REPAIR,3,2025-03-18,{_days(300)},",
        f"J-HZ,AC-SPLIT-INSTALL,高级,2025-13-01,{_days(300)},",
        "J-HZ,AC-SPLIT-INSTALL,1,2025-03-18,2025-03-01,",
        f"J-GZ,AC-SPLIT-INSTALL,1,{_days(5)},,",
    )
    report = _apply("certifications", text)
    errors = _row_errors(report)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8]
    assert "NOBODY" in errors[3]["employee_no"][0]
    assert "NO-SUCH-SKILL" in errors[4]["skill"][0]
    assert "2" in errors[5]["level"][0]  # GAS-WH-REPAIR goes up to level 2
    assert "issued_on" in errors[6]
    assert "必须在发证日期之后" in errors[7]["expires_on"][0]
    assert "issued_on" in errors[8]
    assert Certification.objects.count() == 1


def test_an_import_never_overrides_a_suspension_nor_rewrites_the_ledger(adopted):
    skill = Skill.objects.get(code="AC-SPLIT-INSTALL")
    suspended = make_certification(
        adopted["hz_tech"].user,
        make_programme(skill, level=1),
        issued_at=timezone.now() - dt.timedelta(days=100),
        status=CertificationStatus.SUSPENDED,
    )
    first = _certs_csv(f"J-SH,AC-SPLIT-INSTALL,1,2025-03-18,{_days(300)},")
    assert _apply("certifications", first).counts == {"created": 1}
    text = _certs_csv(
        f"J-HZ,AC-SPLIT-INSTALL,1,2025-03-18,{_days(300)},",
        f"J-SH,AC-SPLIT-INSTALL,1,2025-03-18,{_days(301)},",
    )
    errors = _row_errors(_apply("certifications", text))
    assert "已被暂停或撤销" in errors[2]["__all__"][0]
    assert _days(300) in errors[3]["__all__"][0]
    suspended.refresh_from_db()
    assert suspended.status == CertificationStatus.SUSPENDED
    assert Certification.objects.count() == 2


def test_managers_import_certifications_only_for_their_own_staff(adopted):
    report, _valid = import_preview(
        kind="certifications",
        content=_certs_csv(f"J-GZ,AC-SPLIT-INSTALL,1,2025-03-18,{_days(300)},").encode(),
        filename="c.csv",
        form_kwargs={"allowed_staff": staff_in_scope(user=adopted["east_manager"].user)},
    )
    assert "J-GZ" in report.error_rows[0].errors["employee_no"][0]
    assert "范围" in report.error_rows[0].errors["employee_no"][0]


def test_certifications_from_xlsx_with_chinese_headers_and_date_cells(adopted):
    content = _xlsx(
        [
            ["工号", "技能编码", "等级", "发证日期", "有效期至", "备注"],
            ["J-SH", "AC-SPLIT-INSTALL", 2, dt.datetime(2025, 3, 18), dt.datetime(2099, 1, 1), ""],
        ]
    )
    report = _apply("certifications", content, filename="历史证书.xlsx")
    assert report.counts == {"created": 1}, report.as_dict()
    assert Certification.objects.get().level == 2


# --- Licences -------------------------------------------------------------------------------


def _licences_csv(*rows: str) -> str:
    header = (
        "employee_no,licence_type,number,authority,issued_on,expires_on,next_review_on,verified"
    )
    return header + "\n" + "".join(r + "\n" for r in rows)


def test_licence_import_records_licences_and_verification_by_the_importing_user(
    adopted, admin_user
):
    text = _licences_csv(
        f"J-SH,height,T31011519900101,上海市应急管理局,2024-04-15,{_days(2000)},{_days(500)},true",
        f"J-SH,制冷与空调作业,T31011519900102,上海市应急管理局,2024-04-15,{_days(2000)},,否",
    )
    report = _apply("licences", text, form_kwargs={"actor": admin_user})
    assert report.counts == {"created": 2}, report.as_dict()
    height = Licence.objects.get(number="T31011519900101")
    assert height.licence_type.code == "height" and height.issuing_authority == "上海市应急管理局"
    assert height.is_verified and height.verified_by == admin_user
    refrigeration = Licence.objects.get(number="T31011519900102")
    assert refrigeration.licence_type.code == "refrigeration" and not refrigeration.is_verified
    assert refrigeration.next_review_on is None


def test_reimporting_licences_is_idempotent_and_changed_dates_void_an_old_verification(
    adopted, admin_user
):
    row = f"J-SH,height,T1,上海市应急管理局,2024-04-15,{_days(2000)},{_days(500)},true"
    _apply("licences", _licences_csv(row), form_kwargs={"actor": admin_user})
    first = Licence.objects.get()
    assert _apply("licences", _licences_csv(row)).counts == {"unchanged": 1}
    # The file no longer vouches, but nothing changed: the manager's verification stays.
    unvouched = row.removesuffix("true") + "false"
    assert _apply("licences", _licences_csv(unvouched)).counts == {"unchanged": 1}
    assert Licence.objects.get().verified_at == first.verified_at
    # New dates the file does not vouch for: the old verification no longer holds.
    moved = unvouched.replace(_days(500), _days(600))
    assert _apply("licences", _licences_csv(moved)).counts == {"updated": 1}
    licence = Licence.objects.get()
    assert licence.next_review_on.isoformat() == _days(600) and not licence.is_verified
    assert Licence.objects.count() == 1


def test_every_bad_licence_row_is_reported_and_good_rows_are_kept(adopted, admin_user):
    Licence.objects.create(
        user=adopted["gz_tech"].user,
        licence_type=_type("height"),
        number="TAKEN",
        issued_on=dt.date(2024, 1, 1),
        expires_on=dt.date(2030, 1, 1),
    )
    text = _licences_csv(
        f"J-SH,height,OK1,上海市应急管理局,2024-04-15,{_days(2000)},,true",
        f"J-SH,forklift,F1,,2024-04-15,{_days(2000)},,true",
        f"J-SH,height,BADDATE,,2024-02-30,{_days(2000)},,true",
        "J-SH,height,BACKWARDS,,2024-04-15,2024-01-01,,true",
        f"J-SH,height,TAKEN,,2024-04-15,{_days(2000)},,true",
        f"J-SH,height,VERIFY,,2024-04-15,{_days(2000)},,maybe",
        f"J-SH,height,,,2024-04-15,{_days(2000)},,true",
        f"J-SH,height,DUP,,2024-04-15,{_days(2000)},,true",
        f"J-SH,height,DUP,,2024-04-15,{_days(2000)},,true",
    )
    report = _apply("licences", text, form_kwargs={"actor": admin_user})
    errors = _row_errors(report)
    assert sorted(errors) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "forklift" in errors[3]["licence_type"][0] and "gas" in errors[3]["licence_type"][0]
    assert "issued_on" in errors[4]
    assert "expires_on" in errors[5]
    assert "其他人名下" in errors[6]["number"][0]
    assert "verified" in errors[7]
    assert "number" in errors[8]
    assert "不止一次" in errors[9]["employee_no"][0] and 10 in errors
    assert sorted(Licence.objects.values_list("number", flat=True)) == ["OK1", "TAKEN"]


def _type(code):
    from certification.models import LicenceType

    return LicenceType.objects.get(code=code)


def test_a_manager_verifies_only_licences_of_their_own_staff(adopted):
    manager = adopted["east_manager"].user
    text = _licences_csv(
        f"J-SH,height,E1,,2024-04-15,{_days(2000)},,true",
        f"J-GZ,height,S1,,2024-04-15,{_days(2000)},,true",
    )
    report = _apply("licences", text, form_kwargs={"actor": manager})
    errors = _row_errors(report)
    assert list(errors) == [3] and "verified" in errors[3]
    assert Licence.objects.get().verified_by == manager


def test_licence_types_named_in_the_contract_exist(db):
    from certification.models import LicenceType

    codes = set(LicenceType.objects.values_list("code", flat=True))
    assert {"refrigeration", "height", "electrician", "brazing", "gas"} <= codes


# --- Commands and the admin ----------------------------------------------------------------


def test_import_commands_apply_the_shipped_samples_idempotently(db, capsys):
    call_command("import_outlets", "portal/samples/outlets.csv")
    call_command("import_staff", "portal/samples/staff.csv")
    call_command("import_skills", "certification/samples/skills.csv")
    call_command("import_certifications", "certification/samples/certifications.csv")
    call_command("import_licences", "certification/samples/licences.csv", "--verified-by", "M5004")
    out = capsys.readouterr().out
    assert "skills: created=6" in out and "certifications: created=5" in out
    assert "licences: created=6" in out
    verified = Licence.objects.filter(verified_at__isnull=False)
    assert verified.count() == 5
    assert {lic.verified_by.staff_profile.employee_no for lic in verified} == {"M5004"}
    for kind in ("skills", "certifications", "licences"):
        call_command(f"import_{kind}", f"certification/samples/{kind}.csv")
    out = capsys.readouterr().out
    assert "skills: unchanged=6" in out and "certifications: unchanged=5" in out
    assert "licences: unchanged=6" in out
    assert Certification.objects.count() == 5


def test_import_command_without_verifier_verifies_as_the_system_and_fails_on_bad_rows(
    adopted, tmp_path, capsys
):
    path = tmp_path / "licences.csv"
    path.write_text(
        _licences_csv(
            f"J-SH,height,SYS1,,2024-04-15,{_days(2000)},,true",
            f"J-SH,nope,SYS2,,2024-04-15,{_days(2000)},,true",
        ),
        encoding="gb18030",
    )
    with pytest.raises(CommandError):
        call_command("import_licences", str(path), "--strict")
    assert not Licence.objects.exists()
    with pytest.raises(CommandError):
        call_command("import_licences", str(path))
    assert "nope" in capsys.readouterr().err
    licence = Licence.objects.get()
    assert licence.is_verified and licence.verified_by is None
    with pytest.raises(CommandError, match="NOBODY"):
        call_command("import_licences", str(path), "--verified-by", "NOBODY")


def _upload(client, text, kind, filename="file.csv"):
    data = {"kind": kind, "file": SimpleUploadedFile(filename, text.encode())}
    return client.post(reverse("organisation-import:upload") + f"?kind={kind}", data)


def test_admin_upload_previews_then_applies_a_licence_file_in_the_managers_name(client, adopted):
    client.force_login(adopted["east_manager"].user)
    page = client.get(reverse("organisation-import:upload") + "?kind=licences")
    assert page.status_code == 200 and "next_review_on" in page.content.decode()
    text = _licences_csv(
        f"J-SH,height,W1,,2024-04-15,{_days(2000)},,true",
        f"J-GZ,height,W2,,2024-04-15,{_days(2000)},,true",
    )
    response = _upload(client, text, "licences")
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and batch.kind == "licences"
    assert not Licence.objects.exists()
    preview = client.get(reverse("organisation-import:preview", args=[batch.pk])).content.decode()
    assert "不在您的管理范围内" in preview
    client.post(reverse("organisation-import:preview", args=[batch.pk]))
    licence = Licence.objects.get()
    assert licence.number == "W1" and licence.verified_by == adopted["east_manager"].user


def test_managers_cannot_import_skills_or_certifications(client, adopted):
    client.force_login(adopted["east_manager"].user)
    for kind in ("skills", "certifications"):
        response = client.get(reverse("organisation-import:upload") + f"?kind={kind}")
        assert response.status_code in (302, 403)  # Wagtail turns a refusal into a redirect
        refused = _upload(client, SKILLS_CSV, kind)
        assert refused.status_code in (302, 403)
    assert not ImportBatch.objects.exists()


def test_trainers_import_skills_from_the_admin_menu(client, db):
    from portal.roles import Role
    from tests.factories import StaffFactory

    trainer = StaffFactory(employee_no="T1", name="培训师", outlet=None, roles=[Role.TRAINER])
    client.force_login(trainer.user)
    menu = client.get("/admin/").content.decode()
    assert "?kind=skills" in menu
    _upload(client, SKILLS_CSV, "skills")
    batch = ImportBatch.objects.get()
    client.post(reverse("organisation-import:preview", args=[batch.pk]))
    assert Skill.objects.count() == 3
    refused = client.get(reverse("organisation-import:upload") + "?kind=staff")
    assert refused.status_code in (302, 403) and "?kind=staff" not in menu


def test_admin_sees_all_import_kinds(client, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("organisation-import:upload")).content.decode()
    for kind in ("outlets", "staff", "skills", "certifications", "licences"):
        assert f"?kind={kind}" in page


def test_certification_for_a_skill_without_programme_gets_one_that_certifies_nobody(adopted):
    make_skill("RF-ONLY", product_line="RF")
    text = _certs_csv(f"J-SH,RF-ONLY,1,2025-03-18,{_days(30)},")
    assert _apply("certifications", text).counts == {"created": 1}
    # A programme without requirements was created for it: it certifies nobody automatically.
    programme = Certification.objects.get().programme
    assert not programme.quizzes.exists() and not programme.required_courses.exists()
