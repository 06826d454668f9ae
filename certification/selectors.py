"""Reads of certification for people: the public verification page (what a technician may do
today) and the technician's own view of their certifications, renewals and licences."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.utils import timezone

from portal.models import StaffProfile

from .eligibility import EligibilityCheck, eligibility_check_many
from .models import (
    Certification,
    CertificationStatus,
    Licence,
    Programme,
    Skill,
    VerificationCard,
)
from .services import RequirementStatus, programme_requirements

# Licences whose expiry or review falls within this many days are flagged on the technician's
# view, in time to book the review.
LICENCE_WARNING_DAYS = 90


@dataclass(frozen=True)
class SkillToday:
    skill: Skill
    level: int
    valid_until: dt.datetime | None

    @property
    def level_display(self) -> str:
        return str(dict(Certification._meta.get_field("level").choices)[self.level])


@dataclass
class TechnicianCard:
    """What the public may know about a technician: never phone, ID, address or email."""

    name: str
    outlet_name: str
    photo_url: str
    active: bool
    skills: list[SkillToday] = field(default_factory=list)


def verification_card_find(*, code: str) -> VerificationCard | None:
    return VerificationCard.objects.select_related("user").filter(code=code).first()


def certification_find_by_code(*, code: str) -> Certification | None:
    return (
        Certification.objects.select_related("skill", "user").filter(verification_code=code).first()
    )


def skills_today_for(*, user: User, now: dt.datetime | None = None) -> list[SkillToday]:
    """The skills the person may do now, each at the highest level the eligibility service
    allows: suspended, revoked or expired certifications, missing or void licences, an inactive
    person or a suspended outlet all drop skills. One eligibility batch, whatever the count."""
    now = now or timezone.now()
    profile = StaffProfile.objects.filter(user=user).only("employee_no").first()
    if profile is None:
        return []
    held = (
        Certification.objects.filter(user=user)
        .exclude(status=CertificationStatus.SUPERSEDED)
        .values_list("skill__code", "level")
        .distinct()
    )
    checks = [
        EligibilityCheck(profile.employee_no, code, level, now, now)
        for code, level in sorted(set(held))
    ]
    levels: dict[str, int] = {}
    valid_until: dict[str, dt.datetime | None] = {}
    for result in eligibility_check_many(checks=checks):
        if result.eligible:
            code = result.check.skill_code
            if result.check.level > levels.get(code, 0):
                levels[code] = result.check.level
                valid_until[code] = result.valid_until
    skills = Skill.objects.in_bulk(list(levels), field_name="code") if levels else {}
    best = [SkillToday(skills[code], level, valid_until[code]) for code, level in levels.items()]
    return sorted(best, key=lambda s: s.skill.code)


def technician_card_for(*, user: User, now: dt.datetime | None = None) -> TechnicianCard:
    profile = StaffProfile.objects.select_related("outlet").filter(user=user).first()
    card = VerificationCard.objects.filter(user=user).first()
    return TechnicianCard(
        # Never the login name: it is the employee number.
        name=profile.name if profile else user.get_full_name(),
        outlet_name=profile.outlet.name if profile and profile.outlet_id else "",
        photo_url=card.photo.url if card and card.photo else "",
        active=bool(profile and profile.active and user.is_active),
        skills=skills_today_for(user=user, now=now),
    )


# --- A certificate's own state -----------------------------------------------------------


def certification_state(*, certification: Certification, now: dt.datetime | None = None) -> str:
    """``valid``, ``grace`` (expired, inside the grace period), ``not_yet_valid``,
    ``suspended``, ``revoked``, ``expired`` or ``superseded`` (replaced by a renewal or a higher
    level). Derived from the ledger and the clock, so a lapse shows before the nightly job."""
    now = now or timezone.now()
    status = certification.status
    if status in (
        CertificationStatus.SUSPENDED,
        CertificationStatus.REVOKED,
        CertificationStatus.SUPERSEDED,
        CertificationStatus.EXPIRED,
    ):
        return str(status)
    if certification.grace_ends_at <= now:
        return "expired"
    if certification.expires_at <= now:
        return "grace"
    if certification.valid_from > now:
        return "not_yet_valid"
    return "valid"


# --- The technician's own view ---------------------------------------------------------------


@dataclass
class RenewalInfo:
    """What renewing a certification takes: the programme that renews it, its window and each
    requirement with whether it is already met (on evidence gathered since the window opened)."""

    programme: Programme | None
    opens_at: dt.datetime
    closes_at: dt.datetime
    is_open: bool
    requirements: list[RequirementStatus]

    @property
    def met_count(self) -> int:
        return sum(1 for r in self.requirements if r.met)

    @property
    def automatic(self) -> bool:
        """Renews by itself once every requirement is met, a practical sign-off included (as
        ``programme_evidence`` decides: never for a programme without requirements)."""
        return self.programme is not None and bool(self.requirements)


@dataclass
class MyCertification:
    certification: Certification
    state: str
    expiring_soon: bool
    renewal: RenewalInfo | None
    pdf_ready: bool


@dataclass
class MyLicence:
    licence: Licence
    state: str  # unverified, expired, review_overdue, expiring, review_due, valid


@dataclass
class MyCertifications:
    current: list[MyCertification]
    history: list[MyCertification]
    licences: list[MyLicence]
    card: VerificationCard | None


def _renewing_programme(certification: Certification) -> Programme | None:
    """The programme a renewal is judged on: the newest active version for the skill and
    level, as automatic evaluation would use."""
    return (
        Programme.objects.filter(
            skill_id=certification.skill_id, level=certification.level, active=True
        )
        .prefetch_related("required_courses")
        .order_by("-version")
        .first()
    )


def certification_renewal_for(
    *, certification: Certification, now: dt.datetime | None = None
) -> RenewalInfo:
    """The renewal window of an active certification and what the renewal needs, judged by the
    same requirement check that issues certifications (``programme_requirements``)."""
    now = now or timezone.now()
    opens_at = certification.expires_at - dt.timedelta(
        days=certification.programme.renewal_window_days
    )
    programme = _renewing_programme(certification)
    # Before the window opens nothing counts yet: evidence must be gathered inside it.
    requirements = (
        programme_requirements(
            user=certification.user, programme=programme, now=now, since=opens_at
        )
        if programme is not None
        else []
    )
    return RenewalInfo(
        programme=programme,
        opens_at=opens_at,
        closes_at=certification.grace_ends_at,
        is_open=opens_at <= now < certification.grace_ends_at,
        requirements=requirements,
    )


def licence_state(*, licence: Licence, today: dt.date) -> str:
    if not licence.is_verified:
        return "unverified"
    if licence.expires_on < today:
        return "expired"
    if licence.next_review_on and licence.next_review_on < today:
        return "review_overdue"
    soon = today + dt.timedelta(days=LICENCE_WARNING_DAYS)
    if licence.expires_on <= soon:
        return "expiring"
    if licence.next_review_on and licence.next_review_on <= soon:
        return "review_due"
    return "valid"


def my_certifications_for(*, user: User, now: dt.datetime | None = None) -> MyCertifications:
    """Everything a technician sees about their own certifications: current ones (with their
    state, expiring-soon flag and renewal), the history (superseded, expired, revoked) and
    their outside licences."""
    now = now or timezone.now()
    certifications = (
        Certification.objects.filter(user=user)
        .select_related("skill", "programme", "document", "user")
        .order_by("skill__code", "-level", "-issued_at")
    )
    current, history = [], []
    for certification in certifications:
        state = certification_state(certification=certification, now=now)
        renewal = None
        if state in ("valid", "grace"):
            renewal = certification_renewal_for(certification=certification, now=now)
        item = MyCertification(
            certification=certification,
            state=state,
            expiring_soon=bool(renewal and renewal.is_open),
            renewal=renewal,
            pdf_ready=hasattr(certification, "document"),
        )
        if state in ("valid", "grace", "suspended", "not_yet_valid"):
            current.append(item)
        else:
            history.append(item)
    today = timezone.localdate(now)
    licences = [
        MyLicence(licence, licence_state(licence=licence, today=today))
        for licence in Licence.objects.filter(user=user).select_related("licence_type")
    ]
    return MyCertifications(
        current=current,
        history=history,
        licences=licences,
        card=VerificationCard.objects.filter(user=user).first(),
    )


def certifications_home_items(user: User) -> list[MyCertification]:
    """The home page's "my certifications" section: current certifications, soonest to lapse
    first."""
    items = my_certifications_for(user=user).current
    return sorted(items, key=lambda i: i.certification.expires_at)
