"""Dispatch eligibility: may this technician do this skill at this level for the whole job window?

Every answer is yes or no with machine-readable reasons. There is no fallback: when nobody
qualifies, nobody is returned. Checks load what they need in a fixed number of queries, whether
one check or a thousand, one technician in the database or ten thousand."""

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.models import ProductLine, ServiceOutlet, StaffProfile

from .models import Certification, CertificationStatus, Licence, LicenceType, Skill

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
    def of(cls, condition: str, **params) -> "Reason":
        # Reasons are immutable and a batch gives the same few thousand times: each is
        # translated and formatted once per language.
        return _reason(condition, tuple(sorted(params.items())), get_language())


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


@dataclass
class EligibilityResult:
    check: EligibilityCheck
    reasons: list[Reason] = field(default_factory=list)
    staff: StaffProfile | None = None
    certification: Certification | None = None
    licences: list[Licence] = field(default_factory=list)
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
    return timezone.localdate(moment)


def _certification_reasons(cert: Certification, start, end) -> list[Reason]:
    if cert.status == CertificationStatus.REVOKED:
        return [Reason.of("certification_revoked")]
    if cert.status == CertificationStatus.SUSPENDED:
        return [Reason.of("certification_suspended")]
    expires = _local_date(cert.expires_at)
    if cert.status == CertificationStatus.EXPIRED or cert.grace_ends_at <= start:
        return [Reason.of("certification_expired", date=expires)]
    if cert.valid_from > start:
        return [Reason.of("not_certified")]
    if cert.expires_at <= end:
        if cert.grace_ends_at > end:
            return [Reason.of("in_grace_period", date=expires)]
        return [Reason.of("expires_during_window", date=expires)]
    return []


def _blocking(reasons: list[Reason]) -> bool:
    return any(r.severity == ERROR for r in reasons)


def _choose_certification(certs: list[Certification], level: int, start, end):
    """The certification that best answers the check, with what is wrong with it."""
    if not certs:
        return None, [Reason.of("not_certified")]
    at_level = [c for c in certs if c.level >= level]
    if not at_level:
        best = max(certs, key=lambda c: (c.level, c.expires_at))
        return best, [Reason.of("level_too_low", held=best.level, level=level)]
    judged = [(c, _certification_reasons(c, start, end)) for c in at_level]
    good = [(c, r) for c, r in judged if not _blocking(r)]
    if good:
        return max(good, key=lambda cr: cr[0].expires_at)
    return max(judged, key=lambda cr: cr[0].issued_at)


def _licence_reasons(licence: Licence, start, end) -> list[Reason]:
    name = licence.licence_type.name
    expiry_end = _day_end(licence.expires_on)
    if expiry_end <= start:
        return [Reason.of("licence_expired", licence=name, date=licence.expires_on)]
    review_end = _day_end(licence.next_review_on) if licence.next_review_on else None
    if review_end is not None and review_end <= start:
        return [Reason.of("licence_review_overdue", licence=name, date=licence.next_review_on)]
    reasons = []
    if expiry_end <= end:
        reasons.append(
            Reason.of("licence_expires_during_window", licence=name, date=licence.expires_on)
        )
    if review_end is not None and review_end <= end:
        reasons.append(
            Reason.of("licence_review_due_during_window", licence=name, date=licence.next_review_on)
        )
    return reasons


def _licence_valid_until(licence: Licence) -> dt.datetime:
    ends = [_day_end(licence.expires_on)]
    if licence.next_review_on:
        ends.append(_day_end(licence.next_review_on))
    return min(ends)


def _prefetched(instance, relation: str) -> list:
    """A prefetched many-to-many relation as a list, kept on the instance: a batch asks it of
    the same outlet or skill thousands of times, and each ``.all()`` builds a new manager."""
    cache = instance.__dict__.setdefault("_eligibility_related", {})
    if relation not in cache:
        cache[relation] = list(getattr(instance, relation).all())
    return cache[relation]


def _prefetched_ids(instance, relation: str) -> frozenset:
    cache = instance.__dict__.setdefault("_eligibility_related_ids", {})
    if relation not in cache:
        cache[relation] = frozenset(o.pk for o in _prefetched(instance, relation))
    return cache[relation]


def _judge(
    check: EligibilityCheck,
    staff: StaffProfile | None,
    skill: Skill | None,
    certs: list[Certification],
    licences: list[Licence],
    *,
    outlet_lines: frozenset[int] | None = None,
    required_types: list | None = None,
) -> EligibilityResult:
    """``outlet_lines`` (the product line ids of the staff's outlet) and ``required_types``
    (the skill's licence types) may be given precomputed, as batches do."""
    result = EligibilityResult(check=check, staff=staff)
    if skill is None:
        result.reasons.append(Reason.of("unknown_skill"))
        return result
    if staff is None:
        result.reasons.append(Reason.of("unknown_technician"))
        return result
    reasons = result.reasons
    if not staff.active or not staff.user.is_active:
        reasons.append(Reason.of("inactive_staff"))
    outlet = staff.outlet
    if outlet is not None and not outlet.is_active:
        reasons.append(Reason.of("outlet_suspended"))
    if outlet is not None and outlet_lines is None:
        outlet_lines = _prefetched_ids(outlet, "product_lines")
    if outlet is None or skill.product_line_id not in outlet_lines:
        reasons.append(
            Reason.of(
                "outlet_not_authorised_for_product_line", product_line=str(skill.product_line)
            )
        )
    cert, cert_reasons = _choose_certification(certs, check.level, check.start, check.end)
    result.certification = cert
    reasons.extend(cert_reasons)
    ends = [cert.grace_ends_at] if cert is not None and not _blocking(cert_reasons) else []
    by_type = defaultdict(list)
    for licence in licences:
        by_type[licence.licence_type_id].append(licence)
    if required_types is None:
        required_types = _prefetched(skill, "required_licence_types")
    for licence_type in required_types:
        held = by_type.get(licence_type.pk, [])
        if not held:
            reasons.append(Reason.of("licence_missing", licence=licence_type.name))
            continue
        verified = [lic for lic in held if lic.is_verified]
        if not verified:
            reasons.append(Reason.of("licence_unverified", licence=licence_type.name))
            result.licences.append(max(held, key=lambda lic: lic.expires_on))
            continue
        judged = [(lic, _licence_reasons(lic, check.start, check.end)) for lic in verified]
        licence, licence_reasons = min(
            judged, key=lambda lr: (len(lr[1]), -_licence_valid_until(lr[0]).timestamp())
        )
        result.licences.append(licence)
        reasons.extend(licence_reasons)
        ends.append(_licence_valid_until(licence))
    if result.eligible and ends:
        result.valid_until = min(ends)
    return result


# --- Reading rows -----------------------------------------------------------------------------
# A single check spends more time having the ORM build and compile its six queries than running
# them. The queries' SQL depends only on how many values each ``IN`` list holds, so it is
# compiled once per connection and shape and reused with fresh parameters; rows become model
# instances through ``Model.from_db``, as the ORM itself builds them. Nothing but SQL text is
# kept: every answer reads the current rows.

_SHAPES_PER_CONNECTION = 512
_MAX_CACHED_PARAMS = 64


def _rows(key: tuple, params: list, build) -> list[tuple]:
    """The rows of ``build()``, a ``values_list`` queryset whose SQL parameters are exactly
    ``params`` in order. Its SQL is compiled once per connection for ``key`` (the shape of the
    parameters); were the compiled parameters ever not ``params``, the SQL is used as compiled
    and not kept."""
    connection = connections[DEFAULT_DB_ALIAS]
    compiled = connection.__dict__.setdefault("_eligibility_sql", {})
    entry = compiled.get(key)
    if entry is None:
        compiler = build().query.get_compiler(using=connection.alias)
        sql, compiled_params = compiler.as_sql()
        converters = compiler.get_converters([col for col, _sql, _alias in compiler.select])
        entry = (sql, compiler, converters)
        if list(compiled_params) != list(params):
            params = list(compiled_params)
        elif len(params) <= _MAX_CACHED_PARAMS and len(compiled) < _SHAPES_PER_CONNECTION:
            compiled[key] = entry
    sql, compiler, converters = entry
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if converters:
        rows = list(compiler.apply_converters(rows, converters))
    return rows


def _columns(model, *, skip: tuple = ()) -> tuple:
    return tuple(f for f in model._meta.concrete_fields if f.name not in skip)


User = get_user_model()
# Timestamps, the password hash and file fields are never judged: parsing them was a third of a
# batch.
_STAFF_FIELDS = _columns(StaffProfile, skip=("created_at", "updated_at"))
_USER_FIELDS = _columns(User, skip=("password", "last_login", "date_joined"))
_OUTLET_FIELDS = _columns(ServiceOutlet, skip=("created_at", "updated_at"))
_SKILL_FIELDS = _columns(Skill)
_LINE_FIELDS = _columns(ProductLine)
_TYPE_FIELDS = _columns(LicenceType)
_CERT_FIELDS = _columns(Certification, skip=("evidence",))
_LICENCE_FIELDS = _columns(Licence, skip=("scan",))


@functools.cache
def _attnames(fields: tuple) -> list[str]:
    return [f.attname for f in fields]


def _instance(model, fields: tuple, values) -> object:
    return model.from_db(DEFAULT_DB_ALIAS, _attnames(fields), values)


def _paths(fields: tuple, prefix: str = "") -> list[str]:
    return [prefix + f.name for f in fields]


def _staff_by_no(employee_nos: list[str]) -> dict[str, StaffProfile]:
    """Staff with their user and outlet, by employee number, in one query."""
    paths = (
        _paths(_STAFF_FIELDS) + _paths(_USER_FIELDS, "user__") + _paths(_OUTLET_FIELDS, "outlet__")
    )
    rows = _rows(
        ("staff", len(employee_nos)),
        employee_nos,
        lambda: (
            StaffProfile.objects.filter(employee_no__in=employee_nos).order_by().values_list(*paths)
        ),
    )
    a = len(_STAFF_FIELDS)
    b = a + len(_USER_FIELDS)
    staff_by_no, outlets = {}, {}  # a batch's 500 technicians work in a few dozen outlets
    for row in rows:
        staff = _instance(StaffProfile, _STAFF_FIELDS, row[:a])
        staff.user = _instance(User, _USER_FIELDS, row[a:b])
        if staff.outlet_id:
            outlet = outlets.get(staff.outlet_id)
            if outlet is None:
                outlet = outlets[staff.outlet_id] = _instance(
                    ServiceOutlet, _OUTLET_FIELDS, row[b:]
                )
            staff.outlet = outlet
        else:
            staff.outlet = None
        staff_by_no[staff.employee_no] = staff
    return staff_by_no


def _skills_by_code(codes: list[str]) -> dict[str, Skill]:
    paths = _paths(_SKILL_FIELDS) + _paths(_LINE_FIELDS, "product_line__")
    rows = _rows(
        ("skills", len(codes)),
        codes,
        lambda: Skill.objects.filter(code__in=codes).order_by().values_list(*paths),
    )
    a = len(_SKILL_FIELDS)
    skills = {}
    for row in rows:
        skill = _instance(Skill, _SKILL_FIELDS, row[:a])
        skill.product_line = _instance(ProductLine, _LINE_FIELDS, row[a:])
        skills[skill.code] = skill
    return skills


def _staff_queryset() -> QuerySet[StaffProfile]:
    # No ORDER BY anywhere on the hot path: results are keyed in Python, and the models'
    # default orderings cost a join, a sort and query compilation time on every check.
    # Timestamps and the password hash are never judged: parsing them was a third of a batch.
    return (
        StaffProfile.objects.select_related("user", "outlet")
        .defer(
            "created_at",
            "updated_at",
            "user__password",
            "user__last_login",
            "user__date_joined",
            "outlet__created_at",
            "outlet__updated_at",
        )
        .order_by()
    )


def _outlet_lines(staff_by_no: dict) -> dict[int, frozenset[int]]:
    """Product line ids per outlet of the staff given, in one query of id pairs."""
    outlet_ids = {s.outlet_id for s in staff_by_no.values() if s.outlet_id}
    lines: dict[int, set[int]] = defaultdict(set)
    if outlet_ids:
        through = ServiceOutlet.product_lines.through
        ids = sorted(outlet_ids)
        for outlet_id, line_id in _rows(
            ("outlet_lines", len(ids)),
            ids,
            lambda: (
                through.objects.filter(serviceoutlet_id__in=ids)
                .order_by()
                .values_list("serviceoutlet_id", "productline_id")
            ),
        ):
            lines[outlet_id].add(line_id)
    return {outlet_id: frozenset(lines[outlet_id]) for outlet_id in outlet_ids}


def _evaluate(checks: list[EligibilityCheck], staff_by_no: dict) -> list[EligibilityResult]:
    """Answers ``checks`` for the staff given, in a constant number of queries."""
    skills = _skills_by_code(sorted({c.skill_code for c in checks}))
    # The skills' licence types as rows of the link table with the type joined: the same one
    # query a prefetch makes, without the prefetch machinery's per-object cost.
    types_of: dict[int, list[LicenceType]] = defaultdict(list)
    if skills:
        link = Skill.required_licence_types.through
        skill_ids = sorted(s.pk for s in skills.values())
        type_paths = _paths(_TYPE_FIELDS, "licencetype__")
        types_by_id: dict[int, LicenceType] = {}
        for skill_id, *values in _rows(
            ("licence_types", len(skill_ids)),
            skill_ids,
            lambda: (
                link.objects.filter(skill_id__in=skill_ids)
                .order_by("licencetype__code")
                .values_list("skill_id", *type_paths)
            ),
        ):
            licence_type = types_by_id.get(values[0])
            if licence_type is None:
                licence_type = _instance(LicenceType, _TYPE_FIELDS, values)
                types_by_id[licence_type.pk] = licence_type
            types_of[skill_id].append(licence_type)
    # Only the (technician, skill) pairs asked about are read: a 500-check batch reads the
    # rows of those pairs, not every certification of 500 people in 40 skills.
    users_by_skill: dict[Skill, set[int]] = defaultdict(set)
    for check in checks:
        staff, skill = staff_by_no.get(check.employee_no), skills.get(check.skill_code)
        if staff is not None and skill is not None:
            users_by_skill[skill].add(staff.user_id)
    certs = defaultdict(list)
    if users_by_skill:
        pairs = Q()
        shape, params = [], []
        for skill, user_ids in users_by_skill.items():
            ordered = sorted(user_ids)
            pairs |= Q(skill_id=skill.pk, user_id__in=ordered)
            shape.append(len(ordered))
            params += [skill.pk, *ordered]
        params.append(CertificationStatus.SUPERSEDED.value)
        cert_paths = _paths(_CERT_FIELDS)
        for row in _rows(
            ("certifications", *shape),
            params,
            lambda: (
                Certification.objects.filter(pairs)
                .exclude(status=CertificationStatus.SUPERSEDED)
                .order_by()
                .values_list(*cert_paths)
            ),
        ):
            cert = _instance(Certification, _CERT_FIELDS, row)
            certs[(cert.user_id, cert.skill_id)].append(cert)
    # Licences: for each set of required types, the people asked about a skill needing them.
    users_by_types: dict[frozenset[int], set[int]] = defaultdict(set)
    for skill, user_ids in users_by_skill.items():
        type_ids = frozenset(t.pk for t in types_of[skill.pk])
        if type_ids:
            users_by_types[type_ids] |= user_ids
    licences = defaultdict(list)
    if users_by_types:
        wanted = Q()
        shape, params = [], []
        for type_ids, user_ids in users_by_types.items():
            ordered_users, ordered_types = sorted(user_ids), sorted(type_ids)
            wanted |= Q(user_id__in=ordered_users, licence_type_id__in=ordered_types)
            shape.append((len(ordered_types), len(ordered_users)))
            params += [*ordered_types, *ordered_users]  # Q() orders its conditions by name
        types = {t.pk: t for skill_types in types_of.values() for t in skill_types}
        licence_paths = _paths(_LICENCE_FIELDS)
        for row in _rows(
            ("licences", *shape),
            params,
            lambda: Licence.objects.filter(wanted).order_by().values_list(*licence_paths),
        ):
            licence = _instance(Licence, _LICENCE_FIELDS, row)
            licence.licence_type = types[licence.licence_type_id]  # loaded with the skills
            licences[licence.user_id].append(licence)
    outlet_lines = _outlet_lines(staff_by_no)
    results = []
    for check in checks:
        staff = staff_by_no.get(check.employee_no)
        skill = skills.get(check.skill_code)
        key = (staff.user_id, skill.pk) if staff and skill else None
        results.append(
            _judge(
                check,
                staff,
                skill,
                certs.get(key, []) if key else [],
                licences.get(staff.user_id, []) if staff else [],
                outlet_lines=outlet_lines.get(staff.outlet_id, frozenset()) if staff else None,
                required_types=types_of[skill.pk] if skill else None,
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
    staff = _staff_queryset().filter(user__in=holders.values("user_id"))
    if region is not None:
        staff = staff.filter(outlet__region=region)
    if outlet is not None:
        staff = staff.filter(outlet=outlet)
    staff_by_no = {s.employee_no: s for s in staff}
    checks = [EligibilityCheck(no, skill.code, level, start, end) for no in sorted(staff_by_no)]
    results = _evaluate(checks, staff_by_no) if checks else []
    return results if include_excluded else [r for r in results if r.eligible]
