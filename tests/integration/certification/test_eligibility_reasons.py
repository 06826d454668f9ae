"""Every reason code of the eligibility service, and the edges of the job window."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from certification.eligibility import (
    REASONS,
    EligibilityCheck,
    eligibility_check,
    eligibility_check_many,
)
from certification.models import CertificationStatus
from portal.models import ServiceOutlet
from tests.factories import StaffFactory, make_certification, make_licence

from .conftest import NOW, TODAY

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def _set(obj, **fields):
    type(obj).objects.filter(pk=obj.pk).update(**fields)


def _cert(**fields):
    return lambda w: _set(w["cert"], **fields)


def _licence(code, **fields):
    return lambda w: _set(w["licences"][code], **fields)


def _forget(certification):
    certification.events.all().delete()
    certification.delete()


# (id, change to the certified technician, check overrides, expected codes, eligible)
CASES = [
    ("all_requirements_hold", None, {}, [], True),
    ("UNKNOWN_TECHNICIAN", None, {"employee_no": "NOBODY"}, ["UNKNOWN_TECHNICIAN"], False),
    (
        "TECHNICIAN_INACTIVE",
        lambda w: _set(w["tech"], active=False),
        {},
        ["TECHNICIAN_INACTIVE"],
        False,
    ),
    (
        "inactive_login",
        lambda w: _set(w["tech"].user, is_active=False),
        {},
        ["TECHNICIAN_INACTIVE"],
        False,
    ),
    (
        "OUTLET_SUSPENDED",
        lambda w: _set(w["sh"], status=ServiceOutlet.Status.SUSPENDED),
        {},
        ["OUTLET_SUSPENDED"],
        False,
    ),
    (
        "OUTLET_NOT_AUTHORISED",
        lambda w: w["sh"].product_lines.clear(),
        {},
        ["OUTLET_NOT_AUTHORISED"],
        False,
    ),
    ("NO_CERTIFICATION", lambda w: _forget(w["cert"]), {}, ["NO_CERTIFICATION"], False),
    ("not_yet_valid", _cert(valid_from=NOW + DAY), {}, ["NO_CERTIFICATION"], False),
    ("LEVEL_TOO_LOW", None, {"level": 2}, ["LEVEL_TOO_LOW"], False),
    (
        "CERT_SUSPENDED",
        _cert(status=CertificationStatus.SUSPENDED),
        {},
        ["CERT_SUSPENDED"],
        False,
    ),
    (
        "CERT_REVOKED",
        _cert(status=CertificationStatus.REVOKED),
        {},
        ["CERT_REVOKED"],
        False,
    ),
    (
        "certification_expired_status",
        _cert(status=CertificationStatus.EXPIRED),
        {},
        ["CERT_EXPIRED"],
        False,
    ),
    (
        "certification_lapsed_before_nightly_job",
        _cert(expires_at=NOW - HOUR),
        {},
        ["CERT_EXPIRED"],
        False,
    ),
    (
        "CERT_EXPIRED",
        _cert(expires_at=NOW + 2 * HOUR),
        {"end": NOW + 4 * HOUR},
        ["CERT_EXPIRED"],
        False,
    ),
    (
        "expires_exactly_at_window_end",
        _cert(expires_at=NOW + 4 * HOUR),
        {"end": NOW + 4 * HOUR},
        ["CERT_EXPIRED"],
        False,
    ),
    (
        "expires_just_after_window_end",
        _cert(expires_at=NOW + 4 * HOUR + dt.timedelta(seconds=1)),
        {"end": NOW + 4 * HOUR},
        [],
        True,
    ),
    (
        "in_grace_period_covers_the_window",
        _cert(expires_at=NOW - DAY, grace_days=7),
        {"end": NOW + 4 * HOUR},
        ["CERT_IN_GRACE_PERIOD"],
        True,
    ),
    (
        "grace_ends_inside_window",
        _cert(expires_at=NOW - DAY, grace_days=2),
        {"end": NOW + 3 * DAY},
        ["CERT_EXPIRED"],
        False,
    ),
    (
        "LICENCE_MISSING",
        lambda w: w["licences"]["height"].delete(),
        {},
        ["LICENCE_MISSING"],
        False,
    ),
    (
        "LICENCE_UNVERIFIED",
        _licence("refrigeration", verified_at=None),
        {},
        ["LICENCE_UNVERIFIED"],
        False,
    ),
    (
        "LICENCE_EXPIRED",
        _licence("height", expires_on=TODAY - DAY),
        {},
        ["LICENCE_EXPIRED"],
        False,
    ),
    (
        "licence_valid_through_its_expiry_day",
        _licence("height", expires_on=TODAY),
        {"end": NOW + 4 * HOUR},
        [],
        True,
    ),
    (
        "LICENCE_REVIEW_OVERDUE",
        _licence("height", next_review_on=TODAY - DAY),
        {},
        ["LICENCE_REVIEW_OVERDUE"],
        False,
    ),
    (
        "LICENCE_EXPIRED",
        _licence("height", expires_on=TODAY + DAY),
        {"end": NOW + 3 * DAY},
        ["LICENCE_EXPIRED"],
        False,
    ),
    (
        "licence_review_due_mid_window",
        _licence("refrigeration", next_review_on=TODAY + DAY),
        {"end": NOW + 3 * DAY},
        ["LICENCE_REVIEW_OVERDUE"],
        False,
    ),
    (
        "licence_review_on_last_day_of_window",
        _licence("refrigeration", next_review_on=TODAY + 3 * DAY),
        {"end": NOW + 3 * DAY},
        [],
        True,
    ),
]


@pytest.mark.parametrize(
    "change, overrides, codes, eligible", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_reason_code_and_window_edge(certified, change, overrides, codes, eligible):
    if change:
        change(certified)
    check = {
        "employee_no": "J-SH",
        "skill_code": "AC-SPLIT-INSTALL",
        "level": 1,
        "start": NOW,
        "end": NOW + HOUR,
        **overrides,
    }
    result = eligibility_check(**check)
    assert [r.code for r in result.reasons] == codes
    assert result.eligible is eligible
    assert all(r.message for r in result.reasons)


def test_the_table_walks_every_reason_code_but_unknown_skill():
    walked = {code for case in CASES for code in case[3]}
    assert walked == {code for code, _message, _severity in REASONS.values()} - {"UNKNOWN_SKILL"}


def test_an_unknown_skill_is_a_reason_in_batches(certified):
    result = eligibility_check(employee_no="J-SH", skill_code="NO-SUCH", start=NOW)
    assert [r.code for r in result.reasons] == ["UNKNOWN_SKILL"]
    assert not result.eligible


def test_reasons_are_in_chinese_by_default(certified):
    _set(certified["licences"]["height"], expires_on=TODAY - DAY)
    result = eligibility_check(employee_no="J-SH", skill_code="AC-SPLIT-INSTALL", start=NOW)
    assert "高处作业" in result.reasons[0].message
    assert "过期" in result.reasons[0].message or "到期" in result.reasons[0].message


def test_valid_until_is_the_earliest_of_certification_and_licences(certified):
    _set(certified["licences"]["height"], next_review_on=TODAY + 10 * DAY)
    result = eligibility_check(employee_no="J-SH", skill_code="AC-SPLIT-INSTALL", start=NOW)
    assert result.eligible
    assert result.valid_until.date() == TODAY + 11 * DAY


def test_the_best_of_several_licences_counts(certified):
    tech = certified["tech"]
    _set(certified["licences"]["height"], expires_on=TODAY - DAY)
    make_licence(
        tech.user,
        "height",
        number="RENEWED-1",
        issued_on=TODAY - DAY,
        expires_on=TODAY + 2000 * DAY,
        next_review_on=TODAY + 1000 * DAY,
    )
    result = eligibility_check(employee_no="J-SH", skill_code="AC-SPLIT-INSTALL", start=NOW)
    assert result.eligible, result.reasons


def _count_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_query_count_per_check_does_not_grow_with_technicians(certified, programme):
    def single():
        eligibility_check(employee_no="J-SH", skill_code="AC-SPLIT-INSTALL", start=NOW)

    with_one = _count_queries(single)
    for n in range(49):
        tech = StaffFactory(employee_no=f"J-BULK-{n:02d}", outlet=certified["sh"])
        make_certification(tech.user, programme, issued_at=NOW - DAY)
        for code in ("height", "refrigeration"):
            make_licence(tech.user, code, issued_on=TODAY - DAY, expires_on=TODAY + 900 * DAY)
    assert _count_queries(single) == with_one <= 7

    checks = [
        EligibilityCheck(f"J-BULK-{n:02d}", "AC-SPLIT-INSTALL", 1, NOW, NOW + HOUR)
        for n in range(49)
    ]
    with CaptureQueriesContext(connection) as ctx:
        results = eligibility_check_many(checks=checks)
    assert len(ctx.captured_queries) == with_one
    assert all(r.eligible for r in results)


def test_fifty_checks_stay_within_the_single_check_budget(certified, django_assert_max_num_queries):
    checks = [EligibilityCheck("J-SH", "AC-SPLIT-INSTALL", 1, NOW, NOW + HOUR)] * 50
    with django_assert_max_num_queries(7):
        eligibility_check_many(checks=checks)


# --- Lifecycles: renewal, grace, nightly void, suspension → corrective path → reinstatement ----
#
# Each scenario is a list of steps on the certified technician: (what happens, check window
# overrides, expected codes, eligible). The answer is checked after every step, so the table
# shows how eligibility moves through each lifecycle.


def _pass_renewal_exam(w):
    from certification.models import ProgrammeQuiz
    from certification.services import programme_evaluate
    from tests.factories import make_graded_attempt, make_quiz

    quiz = make_quiz("分体空调安装复训考试")
    ProgrammeQuiz.objects.create(programme=w["programme"], quiz=quiz, min_score=80)
    make_graded_attempt(w["tech"].user, quiz, score=92, at=NOW - HOUR)
    renewed = programme_evaluate(user=w["tech"].user, programme=w["programme"], now=NOW)
    assert renewed is not None and renewed.evidence["attempts"]


def _nightly(at):
    def run(w):
        from certification.nightly import certification_nightly_run

        certification_nightly_run(now=at)

    return run


def _suspend_with_path(w):
    from certification.corrective import suspension_open
    from tests.factories import make_course, make_path

    course = make_course("漏水投诉整改课", lessons=1)
    w["path"] = make_path("漏水投诉整改路径", [course])
    w["suspension"] = suspension_open(
        person=w["tech"].user,
        user=w["east_manager"].user,
        skill=w["cert"].skill,
        reason_code="complaint",
        reason_text="客户投诉内机漏水",
        corrective_path=w["path"],
    )


def _complete_path(w):
    from courses.selectors import course_lessons
    from courses.services import lesson_complete

    # What runs on commit (course_completed → corrective check task) runs here too.
    with w["on_commit"](execute=True):
        for item in w["path"].items.all():
            for lesson in course_lessons(course=item.course):
                lesson_complete(user=w["tech"].user, lesson=lesson)
    w["suspension"].refresh_from_db()
    assert w["suspension"].status == "awaiting_approval"


def _approve(w):
    from certification.corrective import suspension_approve_reinstatement

    suspension_approve_reinstatement(suspension=w["suspension"], user=w["east_manager"].user)


def _revoke(w):
    from certification.corrective import suspension_revoke

    suspension_revoke(
        suspension=w["suspension"],
        user=w["east_manager"].user,
        reason_code="complaint",
        reason_text="整改后再次被投诉",
    )


AROUND_OLD_EXPIRY = {"start": NOW + 25 * DAY, "end": NOW + 35 * DAY}

LIFECYCLES = [
    (
        "renewal_in_window_covers_the_old_expiry",
        [
            (_cert(expires_at=NOW + 30 * DAY), AROUND_OLD_EXPIRY, ["CERT_EXPIRED"], False),
            (_pass_renewal_exam, AROUND_OLD_EXPIRY, [], True),
            (None, {"start": NOW + 400 * DAY, "end": NOW + 401 * DAY}, [], True),
        ],
    ),
    (
        "grace_then_expiry_then_nightly",
        [
            (_cert(expires_at=NOW - DAY, grace_days=7), {}, ["CERT_IN_GRACE_PERIOD"], True),
            (None, {"start": NOW + 6 * DAY + HOUR}, ["CERT_EXPIRED"], False),
            (_nightly(NOW + 6 * DAY + HOUR), {}, ["CERT_EXPIRED"], False),
        ],
    ),
    (
        "licence_review_due_mid_window_then_missed",
        [
            (
                _licence("height", next_review_on=TODAY + DAY),
                {"end": NOW + 3 * DAY},
                ["LICENCE_REVIEW_OVERDUE"],
                False,
            ),
            (
                _nightly(NOW + 2 * DAY),
                {"start": NOW + 2 * DAY, "end": NOW + 2 * DAY + HOUR},
                ["LICENCE_REVIEW_OVERDUE"],
                False,
            ),
            (
                _licence("height", next_review_on=TODAY + 3 * 365 * DAY),
                {"start": NOW + 2 * DAY},
                [],
                True,
            ),
        ],
    ),
    (
        "suspension_corrective_path_reinstatement",
        [
            (_suspend_with_path, {}, ["CERT_SUSPENDED"], False),
            (_complete_path, {}, ["CERT_SUSPENDED"], False),
            (_approve, {}, [], True),
        ],
    ),
    (
        "suspension_then_revocation_is_final",
        [
            (_suspend_with_path, {}, ["CERT_SUSPENDED"], False),
            (_revoke, {}, ["CERT_REVOKED"], False),
        ],
    ),
]


@pytest.mark.parametrize("steps", [s[1] for s in LIFECYCLES], ids=[s[0] for s in LIFECYCLES])
def test_eligibility_through_each_lifecycle(
    certified, programme, steps, django_capture_on_commit_callbacks
):
    world = {**certified, "programme": programme, "on_commit": django_capture_on_commit_callbacks}
    for n, (change, overrides, codes, eligible) in enumerate(steps, start=1):
        if change:
            change(world)
        window = {"start": NOW, "end": NOW + HOUR, **overrides}
        if "end" not in overrides and "start" in overrides:
            window["end"] = window["start"] + HOUR
        result = eligibility_check(
            employee_no="J-SH", skill_code="AC-SPLIT-INSTALL", level=1, **window
        )
        assert ([r.code for r in result.reasons], result.eligible) == (codes, eligible), n
