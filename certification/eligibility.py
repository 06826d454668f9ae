"""Dispatch eligibility: may this technician do this skill at this level for the whole job window?

Every answer is yes or no with machine-readable reasons. There is no fallback: when nobody
qualifies, nobody is returned. Checks load what they need in a fixed number of queries, whether
one check or a thousand, one technician in the database or ten thousand."""

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.models import ServiceOutlet, StaffProfile

from .models import Certification, CertificationStatus, Licence, Skill

ERROR = "error"
WARNING = "warning"

# condition → (code, message, severity). Codes are the API contract integrators code against;
# a condition that lapses inside the job window shares the code of the lapse itself
# (CERT_EXPIRED, LICENCE_EXPIRED, LICENCE_REVIEW_OVERDUE) with its own message. Messages take
# the parameters named in them.
REASONS = {
    "unknown_technician": (
        "UNKNOWN_TECHNICIAN",
        _("No technician has this employee number."),
        ERROR,
    ),
    "unknown_skill": ("UNKNOWN_SKILL", _("No skill has this code."), ERROR),
    "inactive_staff": ("TECHNICIAN_INACTIVE", _("The technician is no longer active."), ERROR),
    "outlet_suspended": ("OUTLET_SUSPENDED", _("The technician's outlet is suspended."), ERROR),
    "outlet_not_authorised_for_product_line": (
        "OUTLET_NOT_AUTHORISED",
        _("The technician's outlet is not authorised for %(product_line)s."),
        ERROR,
    ),
    "not_certified": (
        "NO_CERTIFICATION",
        _("The technician holds no valid certification for this skill."),
        ERROR,
    ),
    "level_too_low": (
        "LEVEL_TOO_LOW",
        _("The technician is certified at level %(held)s; level %(level)s is needed."),
        ERROR,
    ),
    "certification_suspended": ("CERT_SUSPENDED", _("The certification is suspended."), ERROR),
    "certification_revoked": ("CERT_REVOKED", _("The certification has been revoked."), ERROR),
    "certification_expired": ("CERT_EXPIRED", _("The certification expired on %(date)s."), ERROR),
    "expires_during_window": (
        "CERT_EXPIRED",
        _("The certification expires on %(date)s, before the job ends."),
        ERROR,
    ),
    "in_grace_period": (
        "CERT_IN_GRACE_PERIOD",
        _("The certification expires on %(date)s; its grace period covers the job."),
        WARNING,
    ),
    "licence_missing": ("LICENCE_MISSING", _("No %(licence)s licence is on record."), ERROR),
    "licence_unverified": (
        "LICENCE_UNVERIFIED",
        _("The %(licence)s licence has not been verified yet."),
        ERROR,
    ),
    "licence_expired": (
        "LICENCE_EXPIRED",
        _("The %(licence)s licence expired on %(date)s."),
        ERROR,
    ),
    "licence_review_overdue": (
        "LICENCE_REVIEW_OVERDUE",
        _("The %(licence)s licence missed its review due %(date)s and is void."),
        ERROR,
    ),
    "licence_expires_during_window": (
        "LICENCE_EXPIRED",
        _("The %(licence)s licence expires on %(date)s, before the job ends."),
        ERROR,
    ),
    "licence_review_due_during_window": (
        "LICENCE_REVIEW_OVERDUE",
        _("The %(licence)s licence is due for review on %(date)s, before the job ends."),
        ERROR,
    ),
}


@dataclass(frozen=True)
class Reason:
    code: str
    message: str
    severity: str

    @classmethod
    def of(cls, condition: str, language: str | None, **params) -> "Reason":
        """The reason for ``condition`` in ``language``. Reasons are immutable and a batch
        gives the same few thousand times: each is translated and formatted once per language
        (which a batch reads once: reading the active language is slow)."""
        return _reason(condition, tuple(sorted(params.items())), language)


@functools.lru_cache(maxsize=4096)
def _reason(condition: str, params: tuple, language: str | None) -> Reason:
    code, template, severity = REASONS[condition]
    message = str(template) % dict(params) if params else str(template)
    return Reason(code, message, severity)


@dataclass(frozen=True)
class EligibilityCheck:
    """One question: may ``employee_no`` do ``skill_code`` at ``level`` during [start, end]?"""

    employee_no: str
    skill_code: str
    level: int
    start: dt.datetime
    end: dt.datetime


# --- What a check reads -----------------------------------------------------------------------
# Plain rows, never model instances: a 500-check batch reads a few thousand rows, and making
# model instances of them cost more than reading and judging them together.


class TechnicianRow(NamedTuple):
    """A technician with their login and outlet, as one row."""

    user_id: int
    employee_no: str
    name: str
    active: bool
    login_active: bool
    outlet_id: int | None
    outlet_code: str | None
    outlet_status: str | None


class SkillRow(NamedTuple):
    id: int
    code: str
    product_line_id: int
    product_line_name: str


class LicenceTypeRow(NamedTuple):
    id: int
    code: str
    name: str


class CertificationRow(NamedTuple):
    id: int
    user_id: int
    skill_id: int
    level: int
    status: str
    programme_version: int
    issued_at: dt.datetime
    valid_from: dt.datetime
    expires_at: dt.datetime
    grace_days: int

    @property
    def grace_ends_at(self) -> dt.datetime:
        return self.expires_at + dt.timedelta(days=self.grace_days)


class LicenceRow(NamedTuple):
    licence_type: LicenceTypeRow
    user_id: int
    number: str
    expires_on: dt.date
    next_review_on: dt.date | None
    is_verified: bool
    # The moments its dates end (``_day_end``), worked out once per row rather than per check.
    expiry_end: dt.datetime
    review_end: dt.datetime | None

    @property
    def valid_until(self) -> dt.datetime:
        if self.review_end is None:
            return self.expiry_end
        return min(self.expiry_end, self.review_end)


@dataclass(slots=True)
class EligibilityResult:
    """The answer to one check, with the rows it was judged on (plain rows, not model
    instances): the technician, the certification that best answers the check and the licence
    chosen per required type."""

    check: EligibilityCheck
    reasons: list[Reason] = field(default_factory=list)
    staff: TechnicianRow | None = None
    certification: CertificationRow | None = None
    licences: list[LicenceRow] = field(default_factory=list)
    valid_until: dt.datetime | None = None

    @property
    def eligible(self) -> bool:
        return not any(r.severity == ERROR for r in self.reasons)


def _day_end(day: dt.date) -> dt.datetime:
    """A licence dated ``day`` holds through that whole day (local time: the portal works in
    ``settings.TIME_ZONE`` and never activates another)."""
    return _day_end_in(day, settings.TIME_ZONE)


@functools.lru_cache(maxsize=8192)
def _day_end_in(day: dt.date, zone: str) -> dt.datetime:
    # Every check judges the same few thousand dates; making them aware is the costly part.
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=ZoneInfo(zone))


def _local_date(moment: dt.datetime) -> dt.date:
    # As ``_day_end``; ``timezone.localdate`` would look the active time zone up every time.
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def _certification_reasons(cert: CertificationRow, start, end, language) -> list[Reason]:
    if cert.status == CertificationStatus.REVOKED:
        return [Reason.of("certification_revoked", language)]
    if cert.status == CertificationStatus.SUSPENDED:
        return [Reason.of("certification_suspended", language)]
    expires = _local_date(cert.expires_at)
    grace_ends_at = cert.grace_ends_at
    if cert.status == CertificationStatus.EXPIRED or grace_ends_at <= start:
        return [Reason.of("certification_expired", language, date=expires)]
    if cert.valid_from > start:
        return [Reason.of("not_certified", language)]
    if cert.expires_at <= end:
        if grace_ends_at > end:
            return [Reason.of("in_grace_period", language, date=expires)]
        return [Reason.of("expires_during_window", language, date=expires)]
    return []


def _blocking(reasons: list[Reason]) -> bool:
    return any(r.severity == ERROR for r in reasons)


def _choose_certification(certs: list[CertificationRow], level: int, start, end, language):
    """The certification that best answers the check, with what is wrong with it."""
    if not certs:
        return None, [Reason.of("not_certified", language)]
    at_level = [c for c in certs if c.level >= level]
    if not at_level:
        best = max(certs, key=lambda c: (c.level, c.expires_at))
        return best, [Reason.of("level_too_low", language, held=best.level, level=level)]
    judged = [(c, _certification_reasons(c, start, end, language)) for c in at_level]
    good = [(c, r) for c, r in judged if not _blocking(r)]
    if good:
        return max(good, key=lambda cr: cr[0].expires_at)
    return max(judged, key=lambda cr: cr[0].issued_at)


def _licence_reasons(licence: LicenceRow, start, end, language) -> list[Reason]:
    name = licence.licence_type.name
    expiry_end, review_end = licence.expiry_end, licence.review_end
    if expiry_end <= start:
        return [Reason.of("licence_expired", language, licence=name, date=licence.expires_on)]
    if review_end is not None and review_end <= start:
        return [
            Reason.of("licence_review_overdue", language, licence=name, date=licence.next_review_on)
        ]
    reasons = []
    if expiry_end <= end:
        reasons.append(
            Reason.of(
                "licence_expires_during_window", language, licence=name, date=licence.expires_on
            )
        )
    if review_end is not None and review_end <= end:
        reasons.append(
            Reason.of(
                "licence_review_due_during_window",
                language,
                licence=name,
                date=licence.next_review_on,
            )
        )
    return reasons


def _judge(
    check: EligibilityCheck,
    staff: TechnicianRow | None,
    skill: SkillRow | None,
    certs: list[CertificationRow],
    licences: dict[tuple[int, int], list[LicenceRow]],
    outlet_lines: frozenset[int],
    required_types: list[LicenceTypeRow],
    language: str | None,
) -> EligibilityResult:
    """``licences`` are by (user id, licence type id), ``outlet_lines`` the product line ids
    of the staff's outlet (none without an outlet), ``required_types`` the skill's licence
    types; reasons are in ``language``."""
    result = EligibilityResult(check=check, staff=staff)
    if skill is None:
        result.reasons.append(Reason.of("unknown_skill", language))
        return result
    if staff is None:
        result.reasons.append(Reason.of("unknown_technician", language))
        return result
    reasons = result.reasons
    if not staff.active or not staff.login_active:
        reasons.append(Reason.of("inactive_staff", language))
    if staff.outlet_id is not None and staff.outlet_status != ServiceOutlet.Status.ACTIVE:
        reasons.append(Reason.of("outlet_suspended", language))
    if skill.product_line_id not in outlet_lines:
        reasons.append(
            Reason.of(
                "outlet_not_authorised_for_product_line",
                language,
                product_line=skill.product_line_name,
            )
        )
    cert, cert_reasons = _choose_certification(certs, check.level, check.start, check.end, language)
    result.certification = cert
    reasons.extend(cert_reasons)
    ends = [cert.grace_ends_at] if cert is not None and not _blocking(cert_reasons) else []
    for licence_type in required_types:
        held = licences.get((staff.user_id, licence_type.id))
        if not held:
            reasons.append(Reason.of("licence_missing", language, licence=licence_type.name))
            continue
        verified = [lic for lic in held if lic.is_verified]
        if not verified:
            reasons.append(Reason.of("licence_unverified", language, licence=licence_type.name))
            result.licences.append(max(held, key=lambda lic: lic.expires_on))
            continue
        judged = [
            (lic, _licence_reasons(lic, check.start, check.end, language)) for lic in verified
        ]
        licence, licence_reasons = min(
            judged, key=lambda lr: (len(lr[1]), -lr[0].valid_until.timestamp())
        )
        result.licences.append(licence)
        reasons.extend(licence_reasons)
        ends.append(licence.valid_until)
    if result.eligible and ends:
        result.valid_until = min(ends)
    return result


# --- Reading rows -----------------------------------------------------------------------------
# Building and compiling a query through the ORM costs more than running it once its ``IN``
# lists hold hundreds of values, and their lengths change with every batch. So each table's
# SELECT (columns, joins, converters) is compiled by the ORM once per connection, and a check
# adds its own WHERE clause with one placeholder per value. Nothing but SQL text is kept: every
# answer reads the current rows.


def _technicians() -> QuerySet:
    """Rows of ``TechnicianRow``: staff, login and outlet in one join."""
    return StaffProfile.objects.order_by().values_list(
        "user_id",
        "employee_no",
        "name",
        "active",
        "user__is_active",
        "outlet_id",
        "outlet__code",
        "outlet__status",
    )


# Unfiltered, unordered ``values_list`` querysets, by name; a check's WHERE clause names their
# columns with ``_column``.
_SELECTS = {
    "technicians": _technicians,
    "skills": lambda: Skill.objects.order_by().values_list(
        "id", "code", "product_line_id", "product_line__name"
    ),
    "licence_types": lambda: Skill.required_licence_types.through.objects.order_by().values_list(
        "skill_id", "licencetype_id", "licencetype__code", "licencetype__name"
    ),
    "certifications": lambda: Certification.objects.order_by().values_list(
        *CertificationRow._fields
    ),
    "licences": lambda: (
        Licence.objects.order_by()
        .annotate(is_verified=ExpressionWrapper(Q(verified_at__isnull=False), BooleanField()))
        .values_list(
            "licence_type_id", "user_id", "number", "expires_on", "next_review_on", "is_verified"
        )
    ),
    "outlet_lines": lambda: ServiceOutlet.product_lines.through.objects.order_by().values_list(
        "serviceoutlet_id", "productline_id"
    ),
}


def _rows(select: str, where: str, params: list) -> list[tuple]:
    """The rows of the named SELECT (``_SELECTS``) that meet ``where``, an SQL condition with
    ``%s`` placeholders for ``params``; values come converted as the ORM converts them."""
    connection = connections[DEFAULT_DB_ALIAS]
    compiled = connection.__dict__.setdefault("_eligibility_selects", {})
    entry = compiled.get(select)
    if entry is None:
        compiler = _SELECTS[select]().query.get_compiler(using=connection.alias)
        sql, select_params = compiler.as_sql()
        if select_params:
            raise ValueError(f"The {select} SELECT takes no parameters.")
        converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
        entry = compiled[select] = (sql, compiler, converters)
    sql, compiler, converters = entry
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} WHERE {where}", params)
        rows = cursor.fetchall()
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return rows


def _column(model, name: str) -> str:
    """A field's column as the compiled SELECTs name it (joined tables keep their names)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(model._meta.get_field(name).column)}"


def _in(model, name: str, values: list) -> str:
    return f"{_column(model, name)} IN ({', '.join(['%s'] * len(values))})"


def _staff_by_no(employee_nos: list[str]) -> dict[str, TechnicianRow]:
    """Technicians by employee number, in one query."""
    rows = _rows("technicians", _in(StaffProfile, "employee_no", employee_nos), employee_nos)
    return {row[1]: TechnicianRow._make(row) for row in rows}


def _skills_by_code(codes: list[str]) -> dict[str, SkillRow]:
    rows = _rows("skills", _in(Skill, "code", codes), codes)
    return {row[1]: SkillRow._make(row) for row in rows}


def _licence_types_of(skill_ids: list[int]) -> dict[int, list[LicenceTypeRow]]:
    """The licence types each skill needs, by code, in one query of the link table."""
    link = Skill.required_licence_types.through
    types_of: dict[int, list[LicenceTypeRow]] = defaultdict(list)
    types: dict[int, LicenceTypeRow] = {}
    for skill_id, *values in _rows("licence_types", _in(link, "skill", skill_ids), skill_ids):
        licence_type = types.get(values[0])
        if licence_type is None:
            licence_type = types[values[0]] = LicenceTypeRow._make(values)
        types_of[skill_id].append(licence_type)
    for skill_types in types_of.values():
        skill_types.sort(key=lambda t: t.code)
    return types_of


def _certifications(users_by_skill: dict[int, set[int]]) -> dict[tuple, list[CertificationRow]]:
    """The certifications (but superseded ones) of the (technician, skill) pairs asked about,
    by (user id, skill id): a 500-check batch reads the rows of those pairs, not every
    certification of 500 people in 40 skills."""
    pairs, params = [], []
    for skill_id, user_ids in users_by_skill.items():
        ordered = sorted(user_ids)
        pairs.append(
            f"({_column(Certification, 'skill')} = %s AND {_in(Certification, 'user', ordered)})"
        )
        params += [skill_id, *ordered]
    where = f"({' OR '.join(pairs)}) AND {_column(Certification, 'status')} <> %s"
    params.append(CertificationStatus.SUPERSEDED.value)
    certs = defaultdict(list)
    for row in _rows("certifications", where, params):
        cert = CertificationRow._make(row)
        certs[(cert.user_id, cert.skill_id)].append(cert)
    return certs


def _licences(
    users_by_types: dict[frozenset[int], set[int]], types: dict[int, LicenceTypeRow]
) -> dict[tuple[int, int], list[LicenceRow]]:
    """For each set of required licence types, the licences of those types held by the people
    asked about a skill needing them; by (user id, licence type id)."""
    wanted, params = [], []
    for type_ids, user_ids in users_by_types.items():
        ordered_users, ordered_types = sorted(user_ids), sorted(type_ids)
        wanted.append(
            f"({_in(Licence, 'user', ordered_users)}"
            f" AND {_in(Licence, 'licence_type', ordered_types)})"
        )
        params += [*ordered_users, *ordered_types]
    licences = defaultdict(list)
    for type_id, user_id, number, expires_on, next_review_on, is_verified in _rows(
        "licences", " OR ".join(wanted), params
    ):
        licences[(user_id, type_id)].append(
            LicenceRow(
                types[type_id],
                user_id,
                number,
                expires_on,
                next_review_on,
                is_verified,
                _day_end(expires_on),
                _day_end(next_review_on) if next_review_on else None,
            )
        )
    return licences


def _outlet_lines(staff_by_no: dict[str, TechnicianRow]) -> dict[int, frozenset[int]]:
    """Product line ids per outlet of the staff given, in one query of id pairs."""
    outlet_ids = sorted({s.outlet_id for s in staff_by_no.values() if s.outlet_id})
    lines: dict[int, set[int]] = defaultdict(set)
    if outlet_ids:
        through = ServiceOutlet.product_lines.through
        for outlet_id, line_id in _rows(
            "outlet_lines", _in(through, "serviceoutlet", outlet_ids), outlet_ids
        ):
            lines[outlet_id].add(line_id)
    return {outlet_id: frozenset(lines[outlet_id]) for outlet_id in outlet_ids}


def _evaluate(
    checks: list[EligibilityCheck], staff_by_no: dict[str, TechnicianRow]
) -> list[EligibilityResult]:
    """Answers ``checks`` for the staff given, in a constant number of queries."""
    skills = _skills_by_code(sorted({c.skill_code for c in checks}))
    types_of = _licence_types_of(sorted(s.id for s in skills.values())) if skills else {}
    users_by_skill: dict[int, set[int]] = defaultdict(set)
    for check in checks:
        staff, skill = staff_by_no.get(check.employee_no), skills.get(check.skill_code)
        if staff is not None and skill is not None:
            users_by_skill[skill.id].add(staff.user_id)
    certs = _certifications(users_by_skill) if users_by_skill else {}
    users_by_types: dict[frozenset[int], set[int]] = defaultdict(set)
    for skill_id, user_ids in users_by_skill.items():
        type_ids = frozenset(t.id for t in types_of.get(skill_id, ()))
        if type_ids:
            users_by_types[type_ids] |= user_ids
    types = {t.id: t for skill_types in types_of.values() for t in skill_types}
    licences = _licences(users_by_types, types) if users_by_types else {}
    outlet_lines = _outlet_lines(staff_by_no)
    no_lines: frozenset[int] = frozenset()
    language = get_language()
    results = []
    for check in checks:
        staff = staff_by_no.get(check.employee_no)
        skill = skills.get(check.skill_code)
        both = staff is not None and skill is not None
        results.append(
            _judge(
                check,
                staff,
                skill,
                certs.get((staff.user_id, skill.id), []) if both else [],
                licences,
                outlet_lines.get(staff.outlet_id, no_lines) if staff else no_lines,
                types_of.get(skill.id, []) if skill else [],
                language,
            )
        )
    return results


def eligibility_check_many(*, checks: list[EligibilityCheck]) -> list[EligibilityResult]:
    """Answers each check, in order. The number of queries does not depend on how many checks
    are asked nor on how many technicians exist."""
    if not checks:
        return []
    staff_by_no = _staff_by_no(sorted({c.employee_no for c in checks}))
    return _evaluate(checks, staff_by_no)


def eligibility_check(
    *,
    employee_no: str,
    skill_code: str,
    level: int = 1,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> EligibilityResult:
    """May the technician do the skill at the level for the whole window [start, end]?
    ``start`` defaults to now and ``end`` to ``start``."""
    start = start or timezone.now()
    end = end or start
    check = EligibilityCheck(employee_no, skill_code, level, start, end)
    return eligibility_check_many(checks=[check])[0]


def eligible_technicians(
    *,
    skill: Skill,
    level: int = 1,
    start: dt.datetime,
    end: dt.datetime,
    region=None,
    outlet=None,
    include_excluded: bool = False,
) -> list[EligibilityResult]:
    """Technicians who may do the skill at the level for the whole window, optionally within a
    region or an outlet; with ``include_excluded``, the others holding a certification for the
    skill too, with their reasons. Only holders of a certification for the skill are candidates:
    nobody else can be eligible."""
    holders = Certification.objects.filter(skill=skill).exclude(
        status=CertificationStatus.SUPERSEDED
    )
    staff = _technicians().filter(user__in=holders.values("user_id"))
    if region is not None:
        staff = staff.filter(outlet__region=region)
    if outlet is not None:
        staff = staff.filter(outlet=outlet)
    staff_by_no = {row[1]: TechnicianRow._make(row) for row in staff}
    checks = [EligibilityCheck(no, skill.code, level, start, end) for no in sorted(staff_by_no)]
    results = _evaluate(checks, staff_by_no) if checks else []
    return results if include_excluded else [r for r in results if r.eligible]
