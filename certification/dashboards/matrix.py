"""The certification matrix: technicians of the scope × skills, one cell per pair with the
status and level of the certification that answers for it.

A page costs a fixed number of queries however many technicians and skills there are: the
technicians of the page, the skills, and the certifications of those technicians for those
skills in one query each. A status filter is answered by the database first (technicians
holding a certification that could match), then decided exactly in Python over those
technicians' certifications, still in a fixed number of queries."""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.models import ProductLine, ServiceOutlet, StaffProfile

from ..models import Certification, CertificationStatus, Skill
from .scope import technicians_in_scope

PAGE_SIZE = 50
EXPIRING_BANDS = (30, 60, 90)


class CellStatus:
    """What a matrix cell says. ``EXPIRING_*`` are exclusive bands: 0–30, 31–60, 61–90 days."""

    ACTIVE = "active"
    EXPIRING_30 = "expiring_30"
    EXPIRING_60 = "expiring_60"
    EXPIRING_90 = "expiring_90"
    GRACE = "grace"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    REVOKED = "revoked"
    NONE = "none"

    labels = {
        ACTIVE: pgettext_lazy("certification", "Active"),
        EXPIRING_30: _("Expires within 30 days"),
        EXPIRING_60: _("Expires within 60 days"),
        EXPIRING_90: _("Expires within 90 days"),
        GRACE: _("In grace period"),
        SUSPENDED: _("Suspended"),
        EXPIRED: _("Expired"),
        REVOKED: _("Revoked"),
        NONE: _("Not certified"),
    }
    # Short forms for the cells of a phone-sized matrix and for exports.
    short = {
        ACTIVE: _("Valid"),
        EXPIRING_30: _("≤30d"),
        EXPIRING_60: _("≤60d"),
        EXPIRING_90: _("≤90d"),
        GRACE: _("Grace"),
        SUSPENDED: _("Susp."),
        EXPIRED: _("Expired"),
        REVOKED: _("Revoked"),
        NONE: "—",
    }


# Filters a manager can pick: the cell statuses, plus "expiring" bands counted cumulatively
# ("within 60 days" includes those within 30).
STATUS_FILTERS = {
    "active": (_("Active (more than 90 days left)"), {CellStatus.ACTIVE}),
    "expiring": (
        _("Expiring within 90 days"),
        {CellStatus.EXPIRING_30, CellStatus.EXPIRING_60, CellStatus.EXPIRING_90},
    ),
    "expiring_30": (_("Expiring within 30 days"), {CellStatus.EXPIRING_30}),
    "expiring_60": (
        _("Expiring within 60 days"),
        {CellStatus.EXPIRING_30, CellStatus.EXPIRING_60},
    ),
    "expiring_90": (
        _("Expiring within 90 days"),
        {CellStatus.EXPIRING_30, CellStatus.EXPIRING_60, CellStatus.EXPIRING_90},
    ),
    "grace": (_("In grace period"), {CellStatus.GRACE}),
    "suspended": (_("Suspended"), {CellStatus.SUSPENDED}),
    "expired": (_("Expired"), {CellStatus.EXPIRED}),
    "revoked": (_("Revoked"), {CellStatus.REVOKED}),
    "none": (_("Not certified"), {CellStatus.NONE}),
}
STATUS_FILTER_CHOICES = [
    (key, label) for key, (label, _statuses) in STATUS_FILTERS.items() if key != "expiring_90"
]

# The fields of a certification the matrix reads; values only, no model instances.
_CERT_FIELDS = ("user_id", "skill_id", "level", "status", "expires_at", "grace_days", "pk")


@dataclass(frozen=True)
class MatrixCell:
    status: str
    level: int | None = None
    expires_at: dt.datetime | None = None
    days_left: int | None = None
    certification_id: int | None = None

    @property
    def label(self) -> str:
        return str(CellStatus.labels[self.status])

    @property
    def short_label(self) -> str:
        return str(CellStatus.short[self.status])


NO_CELL = MatrixCell(CellStatus.NONE)


def cell_status(
    *, status: str, expires_at: dt.datetime, grace_days: int, now: dt.datetime
) -> tuple[str, int]:
    """The cell status of one certification at ``now`` and the whole days left before it
    expires (negative once expired). A certification whose grace ran out counts as expired
    even before the nightly job records it."""
    days_left = math.floor((expires_at - now).total_seconds() / 86400)
    if status == CertificationStatus.REVOKED:
        return CellStatus.REVOKED, days_left
    if status == CertificationStatus.SUSPENDED:
        return CellStatus.SUSPENDED, days_left
    grace_ends = expires_at + dt.timedelta(days=grace_days)
    if status == CertificationStatus.EXPIRED or grace_ends <= now:
        return CellStatus.EXPIRED, days_left
    if expires_at <= now:
        return CellStatus.GRACE, days_left
    for band in EXPIRING_BANDS:
        if days_left < band:
            return f"expiring_{band}", days_left
    return CellStatus.ACTIVE, days_left


# Which certification answers for a (technician, skill) pair: a usable one first (highest
# level, then latest expiry), then a suspended one, an expired one, a revoked one.
_PREFERENCE = {
    CellStatus.ACTIVE: 0,
    CellStatus.EXPIRING_90: 0,
    CellStatus.EXPIRING_60: 0,
    CellStatus.EXPIRING_30: 0,
    CellStatus.GRACE: 0,
    CellStatus.SUSPENDED: 1,
    CellStatus.EXPIRED: 2,
    CellStatus.REVOKED: 3,
}


def cells_from_rows(rows, *, now: dt.datetime) -> dict[tuple[int, int], MatrixCell]:
    """Cells keyed by (user id, skill id) from certification value rows (``_CERT_FIELDS``)."""
    best: dict[tuple[int, int], tuple] = {}
    for user_id, skill_id, level, status, expires_at, grace_days, pk in rows:
        state, days_left = cell_status(
            status=status, expires_at=expires_at, grace_days=grace_days, now=now
        )
        rank = (_PREFERENCE[state], -level, -expires_at.timestamp())
        key = (user_id, skill_id)
        current = best.get(key)
        if current is None or rank < current[0]:
            best[key] = (rank, MatrixCell(state, level, expires_at, days_left, pk))
    return {key: value[1] for key, value in best.items()}


def certification_rows(*, users, skills) -> QuerySet:
    """Value rows of the certifications (not superseded) of ``users`` (ids or a queryset of
    user ids) for ``skills``, for :func:`cells_from_rows`."""
    return (
        Certification.objects.filter(user_id__in=users, skill__in=skills)
        .exclude(status=CertificationStatus.SUPERSEDED)
        .values_list(*_CERT_FIELDS)
    )


@dataclass
class MatrixFilters:
    outlet: ServiceOutlet | None = None
    skill: Skill | None = None
    product_line: ProductLine | None = None
    status: str = ""

    def as_params(self) -> dict:
        params = {}
        if self.outlet:
            params["outlet"] = self.outlet.pk
        if self.skill:
            params["skill"] = self.skill.code
        if self.product_line:
            params["product_line"] = self.product_line.code
        if self.status:
            params["status"] = self.status
        return params


@dataclass
class MatrixRow:
    technician: StaffProfile
    cells: list[MatrixCell] = field(default_factory=list)


@dataclass
class Matrix:
    skills: list[Skill]
    rows: list[MatrixRow]
    page: Page
    filters: MatrixFilters
    now: dt.datetime


def matrix_skills(*, filters: MatrixFilters) -> list[Skill]:
    skills = Skill.objects.select_related("product_line").order_by(
        "product_line__sort_order", "code"
    )
    if filters.skill is not None:
        skills = skills.filter(pk=filters.skill.pk)
    if filters.product_line is not None:
        skills = skills.filter(product_line=filters.product_line)
    return list(skills)


def matrix_technicians(*, user: User, filters: MatrixFilters) -> QuerySet[StaffProfile]:
    technicians = technicians_in_scope(user=user)
    if filters.outlet is not None:
        technicians = technicians.filter(outlet=filters.outlet)
    return technicians.order_by("outlet__code", "employee_no")


def _coarse_status_q(status: str, now: dt.datetime) -> Q:
    """Certifications that could make a cell show one of the statuses of filter ``status``: a
    superset, decided exactly afterwards."""
    statuses = STATUS_FILTERS[status][1]
    active = Q(status=CertificationStatus.ACTIVE)
    q = Q(pk__in=[])
    if CellStatus.ACTIVE in statuses:
        q |= active & Q(expires_at__gt=now + dt.timedelta(days=EXPIRING_BANDS[-1] - 1))
    bands = [b for b in EXPIRING_BANDS if f"expiring_{b}" in statuses]
    if bands:
        q |= active & Q(expires_at__gt=now, expires_at__lte=now + dt.timedelta(days=max(bands)))
    if CellStatus.GRACE in statuses:
        q |= active & Q(expires_at__lte=now)
    if CellStatus.SUSPENDED in statuses:
        q |= Q(status=CertificationStatus.SUSPENDED)
    if CellStatus.EXPIRED in statuses:
        q |= Q(status=CertificationStatus.EXPIRED) | (active & Q(expires_at__lte=now))
    if CellStatus.REVOKED in statuses:
        q |= Q(status=CertificationStatus.REVOKED)
    return q


def matrix_matching_user_ids(
    *, technicians: QuerySet[StaffProfile], skills: list[Skill], status: str, now: dt.datetime
) -> tuple[set[int], dict[tuple[int, int], MatrixCell]]:
    """The users among ``technicians`` with at least one cell of filter ``status`` among
    ``skills``, and the cells computed on the way (all cells of those users)."""
    wanted = STATUS_FILTERS[status][1]
    if status == "none":
        ids = (
            technicians.annotate(
                held=Count(
                    "user__certifications__skill",
                    distinct=True,
                    filter=Q(user__certifications__skill__in=skills)
                    & ~Q(user__certifications__status=CertificationStatus.SUPERSEDED),
                )
            )
            .filter(held__lt=len(skills))
            .values_list("user_id", flat=True)
        )
        return set(ids), {}
    candidates = (
        Certification.objects.filter(skill__in=skills, user_id__in=technicians.values("user_id"))
        .filter(_coarse_status_q(status, now))
        .values("user_id")
    )
    cells = cells_from_rows(certification_rows(users=candidates, skills=skills), now=now)
    return {user_id for (user_id, _s), cell in cells.items() if cell.status in wanted}, cells


def certification_matrix(
    *, user: User, filters: MatrixFilters, page_number=1, page_size: int = PAGE_SIZE, now=None
) -> Matrix:
    """One page of the matrix for the user's scope."""
    now = now or timezone.now()
    skills = matrix_skills(filters=filters)
    technicians = matrix_technicians(user=user, filters=filters)
    cells: dict = {}
    if filters.status and skills:
        matching, _cells = matrix_matching_user_ids(
            technicians=technicians, skills=skills, status=filters.status, now=now
        )
        ordered = [
            pk for pk, user_id in technicians.values_list("pk", "user_id") if user_id in matching
        ]
        paginator = Paginator(ordered, page_size)
        page = paginator.get_page(page_number)
        by_pk = technicians.select_related("outlet").in_bulk(list(page.object_list))
        page_technicians = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    elif filters.status:  # no skill to hold a status for
        paginator = Paginator([], page_size)
        page = paginator.get_page(page_number)
        page_technicians = []
    else:
        paginator = Paginator(technicians.select_related("outlet"), page_size)
        page = paginator.get_page(page_number)
        page_technicians = list(page.object_list)
    if page_technicians and skills:
        # The page's own cells, whatever the filter looked at to choose the technicians.
        users = [t.user_id for t in page_technicians]
        cells = cells_from_rows(certification_rows(users=users, skills=skills), now=now)
    rows = [
        MatrixRow(t, [cells.get((t.user_id, s.pk), NO_CELL) for s in skills])
        for t in page_technicians
    ]
    return Matrix(skills=skills, rows=rows, page=page, filters=filters, now=now)


def matrix_all_rows(
    *, user: User, filters: MatrixFilters, now=None, chunk: int = 2000, progress=None
):
    """Every row of the matrix (for exports), in chunks of technicians so memory stays flat.
    Yields (skills, rows) once per chunk; ``progress(done, total)`` is called after each."""
    now = now or timezone.now()
    skills = matrix_skills(filters=filters)
    technicians = matrix_technicians(user=user, filters=filters).select_related("outlet__region")
    matching = None
    if filters.status and skills:
        matching, _cells = matrix_matching_user_ids(
            technicians=technicians, skills=skills, status=filters.status, now=now
        )
    elif filters.status:
        matching = set()
    everyone = list(technicians)
    if matching is not None:
        everyone = [t for t in everyone if t.user_id in matching]
    total = len(everyone)
    for start in range(0, total, chunk):
        part = everyone[start : start + chunk]
        cells = defaultdict(lambda: NO_CELL)
        if skills:
            cells.update(
                cells_from_rows(
                    certification_rows(users=[t.user_id for t in part], skills=skills), now=now
                )
            )
        yield skills, [MatrixRow(t, [cells[(t.user_id, s.pk)] for s in skills]) for t in part]
        if progress:
            progress(min(start + chunk, total), total)
    if total == 0:
        yield skills, []
