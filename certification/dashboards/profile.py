"""A technician seen by their manager: learning, quizzes, certifications with their events,
licences, suspensions, and what dispatch may send them on today (the eligibility service)."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from courses.models import AttemptStatus, Enrolment, QuizAttempt
from courses.selectors import PathStatus, path_statuses_for
from portal.models import StaffProfile

from ..eligibility import EligibilityCheck, EligibilityResult, eligibility_check_many
from ..models import Certification, CertificationEvent, CertificationStatus, Licence
from .matrix import cell_status


@dataclass
class CertificationLine:
    certification: Certification
    state: str
    days_left: int
    events: list[CertificationEvent]


@dataclass
class LicenceLine:
    licence: Licence
    valid: bool
    days_left: int


@dataclass
class TechnicianProfile:
    staff: StaffProfile
    paths: list[PathStatus]
    enrolments: list[Enrolment]
    attempts: list[QuizAttempt]
    certifications: list[CertificationLine]
    licences: list[LicenceLine]
    suspensions: list[CertificationEvent]
    dispatch_today: list[EligibilityResult] = field(default_factory=list)

    @property
    def eligible_today(self) -> list[EligibilityResult]:
        return [r for r in self.dispatch_today if r.eligible]


def technician_dispatch_today(
    *, staff: StaffProfile, now: dt.datetime | None = None
) -> list[EligibilityResult]:
    """For every skill the person holds a certification for, whether dispatch may send them
    now, at the highest level they hold, with the eligibility service's reasons."""
    now = now or timezone.now()
    held: dict[str, int] = {}
    for code, level in (
        Certification.objects.filter(user_id=staff.user_id)
        .exclude(status=CertificationStatus.SUPERSEDED)
        .values_list("skill__code", "level")
    ):
        held[code] = max(level, held.get(code, 0))
    checks = [
        EligibilityCheck(staff.employee_no, code, held[code], now, now) for code in sorted(held)
    ]
    return eligibility_check_many(checks=checks)


def technician_profile(*, staff: StaffProfile, now: dt.datetime | None = None) -> TechnicianProfile:
    """Everything a manager reads about one technician of their scope (the caller checks the
    scope: see ``scope.technician_in_scope_get``)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    user = staff.user
    certifications = (
        Certification.objects.filter(user=user)
        .select_related("skill")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=CertificationEvent.objects.select_related("actor__staff_profile"),
            )
        )
        .order_by("skill__code", "-issued_at")
    )
    lines = []
    suspensions = []
    for cert in certifications:
        state, days_left = cell_status(
            status=cert.status, expires_at=cert.expires_at, grace_days=cert.grace_days, now=now
        )
        if cert.status == CertificationStatus.SUPERSEDED:
            state = "superseded"
        events = list(cert.events.all())
        suspensions.extend(e for e in events if e.kind == CertificationEvent.Kind.SUSPENDED)
        lines.append(CertificationLine(cert, state, days_left, events))
    suspensions.sort(key=lambda e: e.at, reverse=True)
    licences = [
        LicenceLine(
            lic,
            valid=lic.is_verified
            and lic.expires_on >= today
            and (lic.next_review_on is None or lic.next_review_on >= today),
            days_left=(lic.expires_on - today).days,
        )
        for lic in Licence.objects.filter(user=user).select_related("licence_type")
    ]
    return TechnicianProfile(
        staff=staff,
        paths=path_statuses_for(user=user),
        enrolments=list(
            Enrolment.objects.filter(user=user)
            .select_related("course")
            .order_by("-last_activity_at", "-enrolled_at")
        ),
        attempts=list(
            QuizAttempt.objects.filter(user=user)
            .exclude(status=AttemptStatus.IN_PROGRESS)
            .select_related("quiz")
            .order_by("-started_at")[:100]
        ),
        certifications=lines,
        licences=licences,
        suspensions=suspensions,
        dispatch_today=technician_dispatch_today(staff=staff, now=now),
    )
