"""Coverage and lapses: how many technicians may work on each skill today and in 30/60/90 days
(asked of the eligibility service, never re-derived here), and what lapses soon.

Coverage asks the eligibility service once, in one batch, for every (holder, skill, moment):
only people holding a certification for a skill can be eligible for it, so nobody else is
asked. The batch costs a fixed number of queries."""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import Notification, ProductLine, Region, ServiceOutlet, StaffProfile

from ..eligibility import EligibilityCheck, eligibility_check_many
from ..models import Certification, CertificationStatus, Licence, Skill
from .scope import staff_in_scope, technicians_in_scope

HORIZONS = (0, 30, 60, 90)
# Above this many technicians the coverage page asks for a region or an outlet first.
COVERAGE_MAX_TECHNICIANS = 3000


@dataclass
class CoverageFilters:
    region: Region | None = None
    outlet: ServiceOutlet | None = None
    product_line: ProductLine | None = None
    skill: Skill | None = None
    group_by: str = "outlet"  # or "region"

    def as_params(self) -> dict:
        params = {"group_by": self.group_by}
        if self.region:
            params["region"] = self.region.pk
        if self.outlet:
            params["outlet"] = self.outlet.pk
        if self.product_line:
            params["product_line"] = self.product_line.code
        if self.skill:
            params["skill"] = self.skill.code
        return params


@dataclass
class CoverageRow:
    group: object  # a ServiceOutlet or a Region
    skill: Skill
    holders: int
    eligible: list[int]  # per horizon

    @property
    def lapsing(self) -> int:
        return self.eligible[0] - self.eligible[-1]


@dataclass
class Coverage:
    horizons: tuple[int, ...]
    rows: list[CoverageRow]
    skills: list[Skill]
    totals: dict[int, list[int]] = field(default_factory=dict)  # skill id → per horizon
    too_large: bool = False
    technicians: int = 0


def coverage_technicians(*, user: User, filters: CoverageFilters):
    technicians = technicians_in_scope(user=user)
    if filters.region is not None:
        technicians = technicians.filter(outlet__region=filters.region)
    if filters.outlet is not None:
        technicians = technicians.filter(outlet=filters.outlet)
    return technicians


def coverage_skills(*, filters: CoverageFilters) -> list[Skill]:
    skills = Skill.objects.select_related("product_line").order_by(
        "product_line__sort_order", "code"
    )
    if filters.product_line is not None:
        skills = skills.filter(product_line=filters.product_line)
    if filters.skill is not None:
        skills = skills.filter(pk=filters.skill.pk)
    return list(skills)


def coverage_for(
    *, user: User, filters: CoverageFilters, now: dt.datetime | None = None, limit: bool = True
) -> Coverage:
    """Per group (outlet or region) and skill: holders of a certification and how many may be
    dispatched at level 1 or above at each horizon. ``limit`` refuses scopes larger than
    ``COVERAGE_MAX_TECHNICIANS`` (the page asks for a region first; exports run them all)."""
    now = now or timezone.now()
    skills = coverage_skills(filters=filters)
    technicians = coverage_technicians(user=user, filters=filters)
    if limit:
        count = technicians.count()
        if count > COVERAGE_MAX_TECHNICIANS:
            return Coverage(HORIZONS, [], skills, too_large=True, technicians=count)
    staff = {
        s.user_id: s
        for s in technicians.select_related("outlet__region").only(
            "user_id",
            "employee_no",
            "outlet__id",
            "outlet__name",
            "outlet__code",
            "outlet__region__id",
            "outlet__region__name",
            "outlet__region__code",
        )
    }
    skill_by_id = {s.pk: s for s in skills}
    holders = set(
        Certification.objects.filter(user_id__in=technicians.values("user_id"), skill__in=skills)
        .exclude(status=CertificationStatus.SUPERSEDED)
        .values_list("user_id", "skill_id")
        .distinct()
    )
    holders = {(u, s) for u, s in holders if u in staff}
    eligible_at = _eligible_over_horizons(
        pairs=sorted(holders), staff=staff, skill_by_id=skill_by_id, now=now
    )

    def group_of(profile: StaffProfile):
        return profile.outlet.region if filters.group_by == "region" else profile.outlet

    held = Counter()
    eligible = defaultdict(lambda: [0] * len(HORIZONS))
    groups = {}
    for index, (u, s) in enumerate(sorted(holders)):
        group = group_of(staff[u])
        groups[group.pk] = group
        held[(group.pk, s)] += 1
        for h, yes in enumerate(eligible_at[index]):
            if yes:
                eligible[(group.pk, s)][h] += 1
    rows = [
        CoverageRow(groups[g], skill_by_id[s], held[(g, s)], eligible[(g, s)])
        for (g, s) in sorted(held, key=lambda k: (groups[k[0]].code, skill_by_id[k[1]].code))
    ]
    totals = {s.pk: [0] * len(HORIZONS) for s in skills}
    for row in rows:
        for h, n in enumerate(row.eligible):
            totals[row.skill.pk][h] += n
    return Coverage(HORIZONS, rows, skills, totals, technicians=len(staff))


def _eligible_over_horizons(*, pairs, staff, skill_by_id, now) -> list[list[bool]]:
    """For each (user id, skill id) pair, whether the eligibility service lets the holder work
    at level 1 at each horizon.

    The service is asked once per pair, now; an eligible answer carries ``valid_until``, the
    moment the answer stops holding, which decides the later horizons. Time alone cannot make
    an ineligible holder eligible except a certification not valid yet (``NO_CERTIFICATION`` for
    a holder): only those are asked again at the later moments."""
    moments = [now + dt.timedelta(days=d) for d in HORIZONS]
    checks = [
        EligibilityCheck(staff[u].employee_no, skill_by_id[s].code, 1, now, now) for u, s in pairs
    ]
    results = eligibility_check_many(checks=checks)
    answers = []
    later = []
    for index, result in enumerate(results):
        if result.eligible:
            answers.append([result.valid_until is None or m < result.valid_until for m in moments])
            continue
        answers.append([False] * len(moments))
        if any(r.code == "NO_CERTIFICATION" for r in result.reasons):
            later.extend(
                (
                    index,
                    h,
                    EligibilityCheck(checks[index].employee_no, checks[index].skill_code, 1, m, m),
                )
                for h, m in enumerate(moments[1:], start=1)
            )
    if later:
        again = eligibility_check_many(checks=[check for _i, _h, check in later])
        for (index, h, _check), result in zip(later, again, strict=True):
            answers[index][h] = result.eligible
    return answers


# --- Lapses ----------------------------------------------------------------------------------


@dataclass
class LapseItem:
    """Something of a technician that lapses soon: a certification (expiry or end of grace)
    or a licence (expiry or review)."""

    kind: str  # "certification" | "licence"
    item_id: int
    staff: StaffProfile
    what: str
    level: int | None
    date: dt.date
    days_left: int
    note: str
    reminded_today: bool = False

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.item_id}"


def lapse_reminder_key(*, kind: str, item_id: int, day: dt.date) -> str:
    """The notification key of a reminder: one per item per day."""
    return f"lapse-reminder:{kind}:{item_id}:{day.isoformat()}"


def lapses_for(
    *,
    user: User,
    days: int = 90,
    outlet: ServiceOutlet | None = None,
    now: dt.datetime | None = None,
) -> list[LapseItem]:
    """Active certifications expiring (or in grace) within ``days`` and verified licences
    expiring or due for review within ``days``, of the technicians in scope, soonest first."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = now + dt.timedelta(days=days)
    technicians = technicians_in_scope(user=user)
    if outlet is not None:
        technicians = technicians.filter(outlet=outlet)
    staff = {s.user_id: s for s in technicians.select_related("outlet")}
    items: list[LapseItem] = []
    certs = (
        Certification.objects.filter(
            user_id__in=technicians.values("user_id"),
            status=CertificationStatus.ACTIVE,
            expires_at__lte=horizon,
        )
        .select_related("skill")
        .order_by("expires_at")
    )
    for cert in certs:
        if cert.grace_ends_at <= now or cert.user_id not in staff:
            continue
        expires = timezone.localdate(cert.expires_at)
        in_grace = cert.expires_at <= now
        items.append(
            LapseItem(
                "certification",
                cert.pk,
                staff[cert.user_id],
                str(cert.skill),
                cert.level,
                timezone.localdate(cert.grace_ends_at) if in_grace else expires,
                ((cert.grace_ends_at if in_grace else cert.expires_at) - now).days,
                _("Grace period ends") if in_grace else _("Expires"),
            )
        )
    end = today + dt.timedelta(days=days)
    licences = (
        Licence.objects.filter(
            user_id__in=technicians.values("user_id"),
            verified_at__isnull=False,
            expires_on__gte=today,
        )
        .filter(Q(expires_on__lte=end) | Q(next_review_on__gte=today, next_review_on__lte=end))
        .select_related("licence_type")
    )
    for licence in licences:
        if licence.user_id not in staff:
            continue
        review = licence.next_review_on
        if review is not None and today <= review <= end and review < licence.expires_on:
            date, note = review, _("Review due")
        else:
            date, note = licence.expires_on, _("Expires")
        items.append(
            LapseItem(
                "licence",
                licence.pk,
                staff[licence.user_id],
                f"{licence.licence_type.name} · {licence.number}",
                None,
                date,
                (date - today).days,
                note,
            )
        )
    items.sort(key=lambda i: (i.date, i.staff.employee_no, i.what))
    keys = {lapse_reminder_key(kind=i.kind, item_id=i.item_id, day=today): i for i in items}
    sent_today = Notification.objects.filter(
        key__startswith="lapse-reminder:", key__endswith=f":{today.isoformat()}"
    ).values_list("key", flat=True)
    for key in sent_today:
        if key in keys:
            keys[key].reminded_today = True
    return items


def lapses_count(*, user: User, days: int = 30, now: dt.datetime | None = None) -> int:
    """How many active certifications of the scope expire within the next ``days``: the
    overview's headline figure, counted without loading the list."""
    now = now or timezone.now()
    return Certification.objects.filter(
        user_id__in=technicians_in_scope(user=user).values("user_id"),
        status=CertificationStatus.ACTIVE,
        expires_at__gt=now,
        expires_at__lte=now + dt.timedelta(days=days),
    ).count()


def lapse_item_in_scope_get(*, user: User, kind: str, item_id: int):
    """The certification or licence a reminder is about, if its holder is in the user's scope;
    otherwise None (the view answers 404)."""
    model = {"certification": Certification, "licence": Licence}.get(kind)
    if model is None:
        return None
    return (
        model.objects.select_related(
            "user", *(["skill"] if model is Certification else ["licence_type"])
        )
        .filter(pk=item_id, user__in=staff_in_scope(user=user).values("user_id"))
        .first()
    )


def expiry_timeline(*, user: User, months: int = 12, now: dt.datetime | None = None):
    """How many active certifications of the scope expire in each of the next ``months``
    months: [(first day of month, count)]."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today.replace(day=1)
    starts = []
    for n in range(months + 1):
        y, m = divmod(first.month - 1 + n, 12)
        starts.append(dt.date(first.year + y, m + 1, 1))
    counts = Counter()
    for expires_at in Certification.objects.filter(
        user_id__in=technicians_in_scope(user=user).values("user_id"),
        status=CertificationStatus.ACTIVE,
        expires_at__gte=now,
        expires_at__lt=timezone.make_aware(dt.datetime.combine(starts[-1], dt.time.min)),
    ).values_list("expires_at", flat=True):
        local = timezone.localdate(expires_at)
        counts[local.replace(day=1)] += 1
    return [(start, counts[start]) for start in starts[:-1]]
