"""Practical sign-off: who may assess whom, what a pass needs, the sign-off as evidence that
triggers evaluation, and the assessor's admin form with photos."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from certification.exceptions import CertificationPermissionDenied, SignoffRefused
from certification.models import Certification, PracticalSignoff
from certification.services import programme_evaluate, programme_evidence
from certification.signoffs import signoff_record, technicians_assessable_by
from portal.roles import Role
from tests.factories import StaffFactory, make_graded_attempt, make_programme, make_quiz

from .conftest import NOW

CHECKLIST = ["真空度检测", "保压测试", "扩口质量", "电气接线"]
FORM = "/admin/practical-signoffs/"


@pytest.fixture
def practical(skill):
    return make_programme(
        skill,
        level=2,
        requires_signoff=True,
        signoff_checklist="\n".join(CHECKLIST) + "\n  \n",
        signoff_within_months=6,
    )


@pytest.fixture
def trainer(two_regions):
    return StaffFactory(employee_no="T-01", name="培训师", outlet=None, roles=[Role.TRAINER]).user


def _photo(name="flare.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _grant_assessor(staff):
    staff.user.user_permissions.add(Permission.objects.get(codename="add_practicalsignoff"))
    staff.user.__dict__.pop("_perm_cache", None)
    staff.user.__dict__.pop("_user_perm_cache", None)


def test_the_checklist_is_the_programme_lines_without_blanks(practical):
    assert practical.checklist_items == CHECKLIST


def test_a_passing_signoff_is_evidence_and_issues_the_certification(
    two_regions, practical, trainer, django_capture_on_commit_callbacks
):
    tech = two_regions["sh_tech"].user
    assert programme_evidence(user=tech, programme=practical, now=NOW) is None
    with django_capture_on_commit_callbacks(execute=True):
        signoff = signoff_record(
            assessor=trainer,
            technician=tech,
            programme=practical,
            checked_items=CHECKLIST,
            result=PracticalSignoff.Result.PASSED,
            notes="扩口均匀，保压24小时无泄漏",
            photos=[_photo()],
        )
    cert = Certification.objects.get(user=tech)
    assert cert.level == 2
    assert cert.evidence["signoff"]["id"] == signoff.pk
    assert cert.evidence["signoff"]["assessor"] == trainer.pk
    assert signoff.photos.count() == 1
    assert [c["passed"] for c in signoff.checklist] == [True] * 4


def test_signoff_and_quiz_are_both_required_when_the_programme_has_both(
    two_regions, skill, trainer
):
    quiz = make_quiz("中级安装理论考试")
    programme = make_programme(
        skill, level=2, quizzes=[(quiz, 80)], requires_signoff=True, signoff_checklist="保压测试"
    )
    tech = two_regions["sh_tech"].user
    make_graded_attempt(tech, quiz, score=90, at=NOW - dt.timedelta(days=3))
    assert programme_evaluate(user=tech, programme=programme, now=NOW) is None
    signoff_record(
        assessor=trainer,
        technician=tech,
        programme=programme,
        checked_items=["保压测试"],
        result="passed",
        now=NOW - dt.timedelta(days=1),
    )
    cert = programme_evaluate(user=tech, programme=programme, now=NOW)
    assert cert is not None
    assert cert.evidence["attempts"] and cert.evidence["signoff"]


def test_a_failed_or_stale_signoff_is_no_evidence(two_regions, practical, trainer):
    tech = two_regions["sh_tech"].user
    signoff_record(
        assessor=trainer,
        technician=tech,
        programme=practical,
        checked_items=CHECKLIST[:2],
        result="failed",
        notes="扩口有裂纹",
        now=NOW - dt.timedelta(days=1),
    )
    assert programme_evidence(user=tech, programme=practical, now=NOW) is None
    signoff_record(
        assessor=trainer,
        technician=tech,
        programme=practical,
        checked_items=CHECKLIST,
        result="passed",
        now=NOW - dt.timedelta(days=200),  # the programme counts sign-offs for 6 months
    )
    assert programme_evidence(user=tech, programme=practical, now=NOW) is None


@pytest.mark.parametrize(
    "checked, result, notes, message",
    [
        (CHECKLIST[:3], "passed", "", "电气接线"),
        (["焊接质量"], "failed", "x", "焊接质量"),
        (CHECKLIST, "failed", "", "备注"),
        (CHECKLIST, "maybe", "", "合格"),
    ],
    ids=["pass_needs_every_item", "unknown_item", "fail_needs_notes", "unknown_result"],
)
def test_bad_signoffs_are_refused_with_a_chinese_reason(
    two_regions, practical, trainer, checked, result, notes, message
):
    with pytest.raises(SignoffRefused) as refused:
        signoff_record(
            assessor=trainer,
            technician=two_regions["sh_tech"].user,
            programme=practical,
            checked_items=checked,
            result=result,
            notes=notes,
        )
    assert message in refused.value.message
    assert not PracticalSignoff.objects.exists()


def test_a_programme_without_practical_part_takes_no_signoff(two_regions, programme, trainer):
    with pytest.raises(SignoffRefused):
        signoff_record(
            assessor=trainer,
            technician=two_regions["sh_tech"].user,
            programme=programme,
            checked_items=[],
            result="passed",
        )


def test_assessors_are_trainers_or_granted_and_stay_in_their_scope(two_regions, practical, trainer):
    everyone = set(technicians_assessable_by(user=trainer).values_list("employee_no", flat=True))
    assert {"J-SH", "J-HZ", "J-GZ"} <= everyone
    south = two_regions["south_manager"]
    assert not technicians_assessable_by(user=south.user).exists()  # not an assessor
    _grant_assessor(south)
    assert set(
        technicians_assessable_by(user=south.user).values_list("employee_no", flat=True)
    ) == {"J-GZ"}
    with pytest.raises(CertificationPermissionDenied):
        signoff_record(
            assessor=south.user,
            technician=two_regions["sh_tech"].user,
            programme=practical,
            checked_items=CHECKLIST,
            result="passed",
        )


def test_nobody_signs_themselves_off(two_regions, practical):
    tech = two_regions["sh_tech"]
    _grant_assessor(tech)
    assert not technicians_assessable_by(user=tech.user).filter(pk=tech.pk).exists()


def test_the_assessor_records_a_signoff_with_photos_in_the_admin(
    client, two_regions, practical, trainer, django_capture_on_commit_callbacks
):
    client.force_login(trainer)
    index = client.get(FORM)
    assert index.status_code == 200
    assert "真空度检测" in index.content.decode()
    form = client.get(f"{FORM}{practical.pk}/new/")
    assert "扩口质量" in form.content.decode()
    tech = two_regions["hz_tech"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{FORM}{practical.pk}/new/",
            {
                "technician": tech.pk,
                "checked_items": CHECKLIST,
                "result": "passed",
                "notes": "现场实操合格",
                "photos": [_photo("a.png"), _photo("b.png")],
            },
        )
    assert response.status_code == 302
    signoff = PracticalSignoff.objects.get(user=tech.user)
    assert signoff.photos.count() == 2
    assert Certification.objects.filter(user=tech.user, level=2).exists()
    assert "现场实操合格" in client.get(FORM).content.decode()


def test_the_admin_form_shows_the_refusal_and_keeps_what_was_typed(
    client, two_regions, practical, trainer
):
    client.force_login(trainer)
    response = client.post(
        f"{FORM}{practical.pk}/new/",
        {
            "technician": two_regions["sh_tech"].pk,
            "checked_items": CHECKLIST[:1],
            "result": "passed",
        },
    )
    assert response.status_code == 200
    assert "每一项" in response.content.decode()
    assert not PracticalSignoff.objects.exists()


def test_people_without_the_assessor_permission_get_no_form(client, two_regions, practical):
    client.force_login(two_regions["east_manager"].user)
    assert client.get(FORM).status_code in (302, 403)
    assert client.get(f"{FORM}{practical.pk}/new/").status_code in (302, 403)


def test_a_granted_manager_sees_only_their_technicians_in_the_form(client, two_regions, practical):
    south = two_regions["south_manager"]
    _grant_assessor(south)
    client.force_login(south.user)
    page = client.get(f"{FORM}{practical.pk}/new/").content.decode()
    assert "J-GZ" in page and "J-SH" not in page
    response = client.post(
        f"{FORM}{practical.pk}/new/",
        {"technician": two_regions["sh_tech"].pk, "checked_items": CHECKLIST, "result": "passed"},
    )
    assert response.status_code == 200
    assert not PracticalSignoff.objects.exists()


def test_trainers_set_the_checklist_and_paths_on_the_programme_form(client, practical, trainer):
    client.force_login(trainer)
    page = client.get(f"/admin/snippets/certification/programme/edit/{practical.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    for label in ("实操考核项目", "默认整改学习路径", "续证学习路径", "扩口质量"):
        assert label in text
