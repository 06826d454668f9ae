"""Demo skills, programmes, licences and a little ledger history; safe to run repeatedly.

Dates are relative to today so the demo always shows a mix: eligible technicians, one whose
licence expired, one whose licence missed its review, one unverified, a suspension, an expiry
and a renewal."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from courses.demo import AC_DIAG, AC_INSTALL, GAS_WH
from courses.demo_quiz import EXAM_TITLE
from courses.models import CoursePage, Quiz
from portal.models import ProductLine

from .models import (
    Certification,
    CertificationStatus,
    Licence,
    LicenceType,
    Programme,
    ProgrammeQuiz,
    Skill,
)
from .services import (
    certification_expire_due,
    certification_record,
    certification_supersede,
    programme_evaluate,
)

# code, name, product line, max level, required licence type codes
SKILLS = [
    ("AC-SPLIT-INSTALL", "分体式空调安装", "AC", 3, ["height", "refrigeration"]),
    ("AC-INVERTER-DIAG", "变频空调故障诊断", "AC", 3, ["electrician"]),
    ("GAS-WH-REPAIR", "燃气热水器维修", "WH", 2, ["gas"]),
    ("VRF-COMMISSION", "多联机调试", "CAC", 3, ["refrigeration", "electrician"]),
]

# skill, level, course slug or None, use the installation exam, needs a practical sign-off
PROGRAMMES = [
    ("AC-SPLIT-INSTALL", 1, AC_INSTALL, True, False),
    ("AC-INVERTER-DIAG", 1, AC_DIAG, False, False),
    ("GAS-WH-REPAIR", 1, GAS_WH, False, False),
    ("VRF-COMMISSION", 2, None, False, True),
]

# employee_no, licence type, years since issue, overrides (expired / review overdue / unverified)
LICENCES = [
    ("J3001", "height", 1, {}),
    ("J3001", "refrigeration", 2, {}),
    ("J3002", "height", 7, {"expired": True}),
    ("J3002", "refrigeration", 1, {}),
    ("J3003", "height", 4, {"review_overdue": True}),
    ("J3003", "refrigeration", 1, {}),
    ("J3005", "electrician", 1, {}),
    ("J3006", "electrician", 1, {"unverified": True}),
    ("J3008", "electrician", 2, {}),
    ("J3010", "gas", 1, {}),
]


def _user(employee_no: str) -> User | None:
    return User.objects.filter(username=employee_no).first()


def _ensure_catalogue() -> dict[str, Programme]:
    for code, name, line, max_level, licences in SKILLS:
        skill, _created = Skill.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "product_line": ProductLine.objects.get(code=line),
                "max_level": max_level,
            },
        )
        skill.required_licence_types.set(LicenceType.objects.filter(code__in=licences))
    exam = Quiz.objects.filter(title=EXAM_TITLE).first()
    programmes = {}
    for code, level, course_slug, with_exam, signoff in PROGRAMMES:
        programme, _created = Programme.objects.get_or_create(
            skill=Skill.objects.get(code=code),
            level=level,
            version=1,
            defaults={"requires_signoff": signoff, "validity_months": 24, "grace_days": 15},
        )
        course = CoursePage.objects.filter(slug=course_slug).first() if course_slug else None
        if course is not None:
            programme.required_courses.add(course)
        if with_exam and exam is not None:
            ProgrammeQuiz.objects.get_or_create(
                programme=programme, quiz=exam, defaults={"min_score": 80, "within_months": 12}
            )
        if signoff and not programme.signoff_checklist:
            Programme.objects.filter(pk=programme.pk).update(signoff_checklist=VRF_CHECKLIST)
        programmes[code] = programme
    return programmes


def _ensure_licences(today: dt.date) -> None:
    for employee_no, type_code, years_ago, flags in LICENCES:
        user = _user(employee_no)
        if user is None:
            continue
        licence_type = LicenceType.objects.get(code=type_code)
        issued_on = today - relativedelta(years=years_ago, days=30)
        expires_on = issued_on + relativedelta(years=licence_type.validity_years)
        review_on = issued_on + relativedelta(years=licence_type.review_every_years)
        if review_on < today and not flags.get("review_overdue"):
            review_on = review_on + relativedelta(years=licence_type.review_every_years)
        Licence.objects.get_or_create(
            licence_type=licence_type,
            number=f"T{employee_no}{type_code[:3].upper()}",
            defaults={
                "user": user,
                "issuing_authority": "应急管理局",
                "issued_on": issued_on,
                "expires_on": expires_on,
                "next_review_on": review_on,
                "verified_at": None if flags.get("unverified") else timezone.now(),
            },
        )


def _record(employee_no, programme, *, issued_at, tag) -> Certification | None:
    user = _user(employee_no)
    if user is None:
        return None
    return certification_record(
        user=user,
        programme=programme,
        issued_at=issued_at,
        evidence={"demo": tag},
        reason_text="演示数据：历史发证记录",
    )


def _ensure_history(programmes: dict[str, Programme], now: dt.datetime) -> None:
    install = programmes["AC-SPLIT-INSTALL"]
    diag = programmes["AC-INVERTER-DIAG"]
    _ensure_corrective_path(diag)
    gas = programmes["GAS-WH-REPAIR"]
    # J3001: certified since three years ago, renewed a year ago.
    first = _record("J3001", install, issued_at=now - relativedelta(years=3), tag="J3001-1")
    renewal = _record("J3001", install, issued_at=now - relativedelta(years=1), tag="J3001-2")
    if first and renewal:
        certification_supersede(old=first, new=renewal, now=renewal.issued_at)
    _record("J3002", install, issued_at=now - relativedelta(months=8), tag="J3002-1")
    _record("J3003", install, issued_at=now - relativedelta(months=5), tag="J3003-1")
    _record("J3005", diag, issued_at=now - relativedelta(months=23), tag="J3005-1")  # expiring
    _record("J3008", diag, issued_at=now - relativedelta(months=30), tag="J3008-1")  # lapsed
    _record("J3010", gas, issued_at=now - relativedelta(months=3), tag="J3010-1")
    suspended = _record("J3006", diag, issued_at=now - relativedelta(months=6), tag="J3006-1")
    never_suspended = suspended and not suspended.events.filter(kind="suspended").exists()
    if never_suspended and suspended.status == CertificationStatus.ACTIVE:
        _suspend_with_corrective_path(suspended, diag)
    certification_expire_due(now=now)


# A complaint-driven corrective path and the practical checklist of the commissioning programme.
CORRECTIVE_PATH = "投诉整改培训（变频空调）"
CORRECTIVE_COURSES = ("customer-communication", "inverter-ac-diagnostics")
VRF_CHECKLIST = "真空度检测\n保压测试\n扩口质量\n冷媒追加量核对\n通讯线与电源线接线"


def _ensure_corrective_path(programme: Programme):
    from courses.models import LearningPath, LearningPathItem

    courses = [CoursePage.objects.filter(slug=slug).first() for slug in CORRECTIVE_COURSES]
    if not all(courses):
        return None  # the learning demo is not loaded
    path = LearningPath.objects.filter(title=CORRECTIVE_PATH).first()
    if path is None:
        path = LearningPath(
            title=CORRECTIVE_PATH,
            description="因客户投诉被暂停认证的工程师须完成：沟通规范复训与变频故障诊断复训。",
        )
        path.items = [LearningPathItem(course=c, sort_order=i) for i, c in enumerate(courses)]
        path.save()
    if programme.corrective_path_id is None:
        Programme.objects.filter(pk=programme.pk).update(corrective_path=path)
        programme.corrective_path = path
    return path


def _suspend_with_corrective_path(certification: Certification, programme: Programme) -> None:
    from portal.exceptions import PortalError

    from .actions.suspension import OpenSuspensionAction

    reason = "演示数据：客户投诉外机噪音，待整改培训"
    path = _ensure_corrective_path(programme)
    try:
        OpenSuspensionAction(
            certification.user,
            user=_user("M2002"),
            skill=certification.skill,
            reason_code="complaint",
            reason_text=reason,
            corrective_path=path,
        ).execute(skip_permission_checks=True)
    except PortalError:  # the technician already took the path: suspend without one
        OpenSuspensionAction(
            certification.user,
            user=_user("M2002"),
            skill=certification.skill,
            reason_code="complaint",
            reason_text=reason,
        ).execute(skip_permission_checks=True)


@transaction.atomic
def load() -> None:
    """Creates what is missing of the demo certification data."""
    now = timezone.now()
    programmes = _ensure_catalogue()
    _ensure_licences(timezone.localdate(now))
    _ensure_history(programmes, now)
    # Anyone whose demo learning already meets a programme is certified the normal way.
    for programme in programmes.values():
        for user in User.objects.filter(staff_profile__isnull=False):
            programme_evaluate(user=user, programme=programme, now=now)
