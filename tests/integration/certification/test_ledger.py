"""The certification ledger: automatic issue, idempotent evaluation, renewal, grace and expiry,
suspension and reinstatement, final revocation, licence verification."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta

from certification.eligibility import eligibility_check
from certification.exceptions import (
    CertificationActionRefused,
    CertificationPermissionDenied,
    ReasonRequired,
)
from certification.models import Certification, CertificationEvent, CertificationStatus
from certification.services import (
    certification_expire_due,
    certification_reinstate,
    certification_revoke,
    certification_suspend,
    licence_verify,
    programme_evaluate,
)
from certification.tasks import expire_due
from courses.quiz.services import attempt_start, attempt_submit
from tests.factories import (
    make_certification,
    make_course,
    make_graded_attempt,
    make_licence,
    make_programme,
    make_question,
    make_quiz,
)

from .conftest import NOW, TODAY

DAY = dt.timedelta(days=1)


@pytest.fixture
def exam(db):
    question = make_question(
        "R32冷媒属于哪一类？", choices=[("不可燃", False), ("弱可燃（A2L）", True)]
    )
    return make_quiz("家用空调安装上岗考试", questions=[question], pass_mark=60)


@pytest.fixture
def exam_programme(skill, exam):
    return make_programme(skill, level=1, quizzes=[(exam, 80, 12)], validity_months=24)


def kinds(certification):
    return list(certification.events.values_list("kind", flat=True))


def test_passing_the_exam_issues_a_certification_through_the_signal(
    two_regions, exam, exam_programme, django_capture_on_commit_callbacks
):
    user = two_regions["sh_tech"].user
    attempt = attempt_start(user=user, quiz=exam)
    (entry,) = attempt.snapshot
    attempt.answers = {entry["key"]: attempt.answer_key[entry["key"]]["correct"][0]}
    attempt.save(update_fields=["answers"])
    with django_capture_on_commit_callbacks(execute=True):
        graded, _ = attempt_submit(attempt_id=attempt.pk, user=user)
    assert graded.score == 100
    certification = Certification.objects.get(user=user)
    assert certification.status == CertificationStatus.ACTIVE
    assert certification.programme_version == exam_programme.version
    assert certification.evidence["attempts"] == [
        {"id": graded.pk, "quiz": exam.pk, "score": "100.00"}
    ]
    assert len(certification.verification_code) >= 20
    assert kinds(certification) == ["issued"]


def test_a_score_below_the_programme_minimum_issues_nothing(two_regions, exam, exam_programme):
    user = two_regions["sh_tech"].user
    make_graded_attempt(user, exam, score="75", at=NOW - DAY)  # passes the quiz, not the programme
    assert programme_evaluate(user=user, programme=exam_programme, now=NOW) is None


def test_an_attempt_older_than_the_programme_allows_does_not_count(
    two_regions, exam, exam_programme
):
    user = two_regions["sh_tech"].user
    make_graded_attempt(user, exam, score="95", at=NOW - relativedelta(months=13))
    assert programme_evaluate(user=user, programme=exam_programme, now=NOW) is None


def test_evaluating_again_on_the_same_evidence_issues_nothing(two_regions, exam, exam_programme):
    user = two_regions["sh_tech"].user
    make_graded_attempt(user, exam, score="90", at=NOW - DAY)
    first = programme_evaluate(user=user, programme=exam_programme, now=NOW)
    assert first is not None
    assert programme_evaluate(user=user, programme=exam_programme, now=NOW + DAY) is None
    # Even after it lapsed, the same evidence never issues a second record.
    later = first.expires_at + DAY
    assert programme_evaluate(user=user, programme=exam_programme, now=later) is None
    assert Certification.objects.filter(user=user).count() == 1
    assert CertificationEvent.objects.filter(kind="issued").count() == 1


def test_required_courses_must_be_completed(two_regions, skill):
    from courses.models import Enrolment

    user = two_regions["sh_tech"].user
    course = make_course("分体式空调安装", lessons=1)
    programme = make_programme(skill, level=1, courses=[course])
    assert programme_evaluate(user=user, programme=programme, now=NOW) is None
    Enrolment.objects.create(
        user=user, course=course, completed_at=NOW - DAY, completed_revision=course.live_revision
    )
    certification = programme_evaluate(user=user, programme=programme, now=NOW)
    assert certification.evidence["courses"] == [
        {"id": course.pk, "revision": course.live_revision_id}
    ]


def test_a_programme_needing_a_signoff_is_never_issued_automatically(two_regions, skill, exam):
    user = two_regions["sh_tech"].user
    programme = make_programme(skill, quizzes=[(exam, 60)], requires_signoff=True)
    make_graded_attempt(user, exam, score="99", at=NOW - DAY)
    assert programme_evaluate(user=user, programme=programme, now=NOW) is None


def test_renewal_inside_the_window_issues_a_new_record_and_supersedes_the_old(
    two_regions, exam, exam_programme
):
    user = two_regions["sh_tech"].user
    make_graded_attempt(user, exam, score="90", at=NOW - DAY)
    old = programme_evaluate(user=user, programme=exam_programme, now=NOW)
    window_opens = old.expires_at - dt.timedelta(days=60)

    # Before the window opens, passing again renews nothing.
    make_graded_attempt(user, exam, score="92", at=window_opens - 5 * DAY)
    assert programme_evaluate(user=user, programme=exam_programme, now=window_opens - DAY) is None
    # Inside the window, evidence from before it opened does not renew either.
    assert programme_evaluate(user=user, programme=exam_programme, now=window_opens + DAY) is None

    retake = make_graded_attempt(user, exam, score="88", at=window_opens + 2 * DAY)
    new = programme_evaluate(user=user, programme=exam_programme, now=window_opens + 3 * DAY)

    old.refresh_from_db()
    assert new is not None and new.pk != old.pk
    assert old.status == CertificationStatus.SUPERSEDED
    assert old.superseded_by == new
    assert new.evidence["attempts"][0]["id"] == retake.pk
    # Renewing early loses nothing: the new validity runs from the old expiry.
    assert new.expires_at == old.expires_at + relativedelta(months=24)
    assert kinds(new) == ["renewed"]
    assert kinds(old) == ["issued", "superseded"]
    result = eligibility_check(
        employee_no="J-SH", skill_code="AC-SPLIT-INSTALL", start=old.expires_at + DAY
    )
    assert result.certification.id == new.pk
    assert "CERT_EXPIRED" not in [r.code for r in result.reasons]


def test_a_higher_level_supersedes_the_lower_one(two_regions, skill, exam, exam_programme):
    user = two_regions["sh_tech"].user
    make_graded_attempt(user, exam, score="90", at=NOW - DAY)
    basic = programme_evaluate(user=user, programme=exam_programme, now=NOW)
    advanced_exam = make_quiz("高级安装考试")
    intermediate = make_programme(skill, level=2, quizzes=[(advanced_exam, 80)])
    make_graded_attempt(user, advanced_exam, score="85", at=NOW + DAY)
    higher = programme_evaluate(user=user, programme=intermediate, now=NOW + 2 * DAY)
    basic.refresh_from_db()
    assert higher.level == 2
    assert basic.status == CertificationStatus.SUPERSEDED


def test_expiry_waits_for_the_grace_period_and_runs_once(two_regions, programme):
    user = two_regions["sh_tech"].user
    certification = make_certification(
        user, programme, issued_at=NOW - 700 * DAY, expires_at=NOW, grace_days=5
    )
    assert certification_expire_due(now=NOW + DAY) == 0
    assert certification_expire_due(now=NOW + 6 * DAY) == 1
    assert certification_expire_due(now=NOW + 7 * DAY) == 0
    certification.refresh_from_db()
    assert certification.status == CertificationStatus.EXPIRED
    assert kinds(certification) == ["issued", "expired"]


def test_the_nightly_task_expires_lapsed_certifications(two_regions, programme):
    user = two_regions["sh_tech"].user
    make_certification(user, programme, issued_at=NOW - 800 * DAY, expires_at=NOW - 60 * DAY)
    assert expire_due.delay().get() == 1
    assert expire_due.delay().get() == 0


def test_a_manager_suspends_and_reinstates_within_their_scope(certified):
    cert = certified["cert"]
    manager = certified["east_manager"].user

    def eligible():
        return eligibility_check(employee_no="J-SH", skill_code="AC-SPLIT-INSTALL", start=NOW)

    event = certification_suspend(
        certification=cert, user=manager, reason_code="complaint", reason_text="客户投诉漏水"
    )
    assert event.actor == manager and event.reason_code == "complaint"
    assert [r.code for r in eligible().reasons] == ["CERT_SUSPENDED"]

    certification_reinstate(
        certification=cert, user=manager, reason_code="corrective_training_passed"
    )
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.ACTIVE
    assert eligible().eligible
    assert kinds(cert) == ["issued", "suspended", "reinstated"]


def test_a_manager_outside_the_scope_cannot_suspend(certified):
    with pytest.raises(CertificationPermissionDenied):
        certification_suspend(
            certification=certified["cert"],
            user=certified["south_manager"].user,
            reason_code="audit",
        )
    certified["cert"].refresh_from_db()
    assert certified["cert"].status == CertificationStatus.ACTIVE


@pytest.mark.parametrize("reason_code, reason_text", [("", ""), ("made-up", "x"), ("other", " ")])
def test_a_suspension_needs_a_known_reason(certified, reason_code, reason_text):
    with pytest.raises(ReasonRequired):
        certification_suspend(
            certification=certified["cert"],
            user=None,
            reason_code=reason_code,
            reason_text=reason_text,
        )


def test_revocation_is_final(certified, exam, skill):
    cert = certified["cert"]
    user = certified["tech"].user
    certification_revoke(
        certification=cert, user=None, reason_code="safety_incident", reason_text="高空坠物"
    )
    for change in (certification_reinstate, certification_suspend, certification_revoke):
        with pytest.raises(CertificationActionRefused):
            change(certification=cert, user=None, reason_code="audit")
    # Passing an exam again does not quietly bring the skill back either.
    programme = make_programme(skill, level=1, version=2, quizzes=[(exam, 60)])
    make_graded_attempt(user, exam, score="100", at=NOW)
    assert programme_evaluate(user=user, programme=programme, now=NOW + DAY) is None
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.REVOKED


def test_reinstating_after_the_certification_lapsed_leaves_it_expired(certified):
    cert = certified["cert"]
    certification_suspend(certification=cert, user=None, reason_code="repeat_repair")
    Certification.objects.filter(pk=cert.pk).update(expires_at=NOW - DAY)
    cert.refresh_from_db()
    certification_reinstate(certification=cert, user=None, reason_code="audit")
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.EXPIRED


def test_licences_count_only_once_verified_by_a_manager_in_scope(certified):
    licence = make_licence(
        certified["gz_tech"].user,
        "height",
        issued_on=TODAY,
        expires_on=TODAY + 2000 * DAY,
        verified=False,
    )
    with pytest.raises(CertificationPermissionDenied):
        licence_verify(licence=licence, user=certified["east_manager"].user)
    verified = licence_verify(licence=licence, user=certified["south_manager"].user)
    assert verified.is_verified and verified.verified_by == certified["south_manager"].user
