"""Dispatch eligibility API (contract: integrators code against it).

``GET /api/v1/eligibility``, ``POST /api/v1/eligibility/batch`` and
``GET /api/v1/eligibility/who``; scope ``eligibility:read``. ``POST /api/v1/licences`` (scope
``licences:write``) upserts outside licences. Errors use the portal's format
(``portal.api``); an unknown technician is an answer (not eligible, ``UNKNOWN_TECHNICIAN``), an
unknown skill, a malformed date or an empty window is a 400."""

import datetime as dt
import functools
import logging

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from ninja import Router

from portal.api import ApiError, ApiKeyAuth, batch_from_body, read_json_body, records_apply
from portal.models import Region, ServiceOutlet
from portal.records import normalise_record

from .eligibility import (
    EligibilityCheck,
    EligibilityResult,
    eligibility_check_many,
    eligible_technicians,
)
from .models import Skill
from .records import LicenceRecordForm
from .services import licence_upsert

logger = logging.getLogger(__name__)

BATCH_LIMIT = 1000

eligibility_router = Router(tags=["eligibility"])


def _invalid(field: str, message) -> ApiError:
    return ApiError(
        400, "validation_error", _("Some fields are invalid."), errors={field: [str(message)]}
    )


def _parse_moment(value, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    moment = _parsed_moment(value) if isinstance(value, str) else None
    if moment is None:
        raise _invalid(field, _("Give an ISO 8601 date or date and time."))
    return moment


@functools.lru_cache(maxsize=1024)
def _parsed_moment(value: str) -> dt.datetime | None:
    """The aware moment an ISO 8601 string names, or None. A batch repeats the same window
    hundreds of times: parsing and making it aware once is a tenth of a batch's API time."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        moment = None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _parse_window(start, end, prefix: str = "") -> tuple[dt.datetime, dt.datetime]:
    start_at = _parse_moment(start, f"{prefix}start") or timezone.now()
    end_at = _parse_moment(end, f"{prefix}end") or start_at
    if end_at < start_at:
        raise _invalid(f"{prefix}end", _("The end lies before the start."))
    return start_at, end_at


def _parse_level(value, field: str = "level") -> int:
    if value in (None, ""):
        return 1
    try:
        level = int(value)
    except (TypeError, ValueError):
        level = 0
    if isinstance(value, bool) or level not in (1, 2, 3):
        raise _invalid(field, _("The level is 1, 2 or 3."))
    return level


def _skill(code) -> Skill:
    skill = Skill.objects.filter(code=str(code or "")).first()
    if skill is None:
        raise ApiError(
            400, "unknown_skill", _("No skill has this code."), errors={"skill": [str(code)]}
        )
    return skill


def _iso(moment: dt.datetime | None) -> str | None:
    return _local_iso(moment) if moment else None


@functools.lru_cache(maxsize=8192)
def _local_iso(moment: dt.datetime) -> str:
    # The portal works in ``settings.TIME_ZONE`` and never activates another, so a moment's
    # text never changes; a batch writes the same window and expiry dates thousands of times.
    return timezone.localtime(moment).isoformat()


def result_json(result: EligibilityResult) -> dict:
    check = result.check
    cert = result.certification
    staff = result.staff
    return {
        "employee_no": check.employee_no,
        "skill": check.skill_code,
        "level": check.level,
        "eligible": result.eligible,
        "window": {"start": _iso(check.start), "end": _iso(check.end)},
        "reasons": [
            {"code": r.code, "message": r.message, "severity": r.severity} for r in result.reasons
        ],
        "valid_until": _iso(result.valid_until),
        "technician": (
            {
                "name": staff.name,
                "outlet": staff.outlet_code,
            }
            if staff
            else None
        ),
        "certification": (
            {
                "id": cert.id,
                "level": cert.level,
                "status": cert.status,
                "programme_version": cert.programme_version,
                "issued_at": _iso(cert.issued_at),
                "valid_from": _iso(cert.valid_from),
                "expires_at": _iso(cert.expires_at),
                "grace_ends_at": _iso(cert.grace_ends_at),
            }
            if cert
            else None
        ),
        "licences": [
            {
                "type": lic.licence_type.code,
                "number": lic.number,
                "expires_on": lic.expires_on.isoformat(),
                "next_review_on": lic.next_review_on.isoformat() if lic.next_review_on else None,
                "verified": lic.is_verified,
            }
            for lic in result.licences
        ],
    }


@eligibility_router.get("", auth=ApiKeyAuth("eligibility:read"), summary="May T do skill S?")
def eligibility_single(
    request,
    employee_no: str,
    skill: str,
    level: str | None = None,
    start: str | None = None,
    end: str | None = None,
):
    """Eligible means every requirement holds for the whole window [start, end] (ISO 8601;
    ``start`` defaults to now, ``end`` to ``start``)."""
    start_at, end_at = _parse_window(start, end)
    check = EligibilityCheck(employee_no, skill, _parse_level(level), start_at, end_at)
    result = eligibility_check_many(checks=[check])[0]
    if any(r.code == "UNKNOWN_SKILL" for r in result.reasons):
        # The check itself looked the skill up; asking the database twice costs a query.
        raise ApiError(
            400, "unknown_skill", _("No skill has this code."), errors={"skill": [str(skill)]}
        )
    return result_json(result)


@eligibility_router.post(
    "/batch", auth=ApiKeyAuth("eligibility:read"), summary="Many checks at once (up to 1,000)"
)
def eligibility_batch(request):
    """``{"checks": [{"employee_no", "skill", "level", "start", "end"}, ...]}`` → ``{"results":
    [...]}`` in the same order. A check naming an unknown skill answers ``UNKNOWN_SKILL``; a
    malformed check fails the whole request with the field named (``checks[3].start``)."""
    body = read_json_body(request)
    checks_in = body.get("checks") if isinstance(body, dict) else None
    if not isinstance(checks_in, list):
        raise _invalid("checks", _("Must be a list."))
    if len(checks_in) > BATCH_LIMIT:
        raise ApiError(
            413,
            "batch_too_large",
            _("At most %(limit)s records per request; got %(count)s.")
            % {"limit": BATCH_LIMIT, "count": len(checks_in)},
        )
    checks = []
    for i, item in enumerate(checks_in):
        prefix = f"checks[{i}]."
        if not isinstance(item, dict):
            raise _invalid(f"checks[{i}]", _("Each record must be a JSON object."))
        for name in ("employee_no", "skill"):
            if not isinstance(item.get(name), str) or not item.get(name):
                raise _invalid(prefix + name, _("This field is required."))
        start_at, end_at = _parse_window(item.get("start"), item.get("end"), prefix)
        level = _parse_level(item.get("level"), prefix + "level")
        checks.append(EligibilityCheck(item["employee_no"], item["skill"], level, start_at, end_at))
    return {"results": [result_json(r) for r in eligibility_check_many(checks=checks)]}


@eligibility_router.get(
    "/who", auth=ApiKeyAuth("eligibility:read"), summary="Who may do skill S in the window?"
)
def eligibility_who(
    request,
    skill: str,
    level: str | None = None,
    start: str | None = None,
    end: str | None = None,
    region: str | None = None,
    outlet: str | None = None,
    include_excluded: bool = False,
):
    """The technicians eligible for the whole window, optionally in one region or outlet (by
    code). Never falls back to unqualified technicians: nobody qualifying is an empty list."""
    skill_obj = _skill(skill)
    start_at, end_at = _parse_window(start, end)
    level_value = _parse_level(level)
    region_obj = outlet_obj = None
    if region:
        region_obj = Region.objects.filter(code=region).first()
        if region_obj is None:
            raise ApiError(400, "unknown_region", _("No region has this code."))
    if outlet:
        outlet_obj = ServiceOutlet.objects.filter(code=outlet).first()
        if outlet_obj is None:
            raise ApiError(400, "unknown_outlet", _("No outlet has this code."))
    results = eligible_technicians(
        skill=skill_obj,
        level=level_value,
        start=start_at,
        end=end_at,
        region=region_obj,
        outlet=outlet_obj,
        include_excluded=include_excluded,
    )
    eligible = [r for r in results if r.eligible]
    payload = {
        "skill": skill_obj.code,
        "level": level_value,
        "window": {"start": _iso(start_at), "end": _iso(end_at)},
        "technicians": [
            {
                "employee_no": r.check.employee_no,
                "name": r.staff.name,
                "outlet": r.staff.outlet_code,
                "valid_until": _iso(r.valid_until),
                "reasons": [
                    {"code": x.code, "message": x.message, "severity": x.severity}
                    for x in r.reasons
                ],
            }
            for r in eligible
        ],
    }
    if include_excluded:
        payload["excluded"] = [
            {
                "employee_no": r.check.employee_no,
                "name": r.staff.name,
                "reasons": [
                    {"code": x.code, "message": x.message, "severity": x.severity}
                    for x in r.reasons
                ],
            }
            for r in results
            if not r.eligible
        ]
    return payload


skills_router = Router(tags=["eligibility"])


@skills_router.get(
    "/{code}/eligible-technicians",
    auth=ApiKeyAuth("eligibility:read"),
    summary="Who may do skill S in the window? (same answer as /eligibility/who)",
)
def skill_eligible_technicians(
    request,
    code: str,
    level: str | None = None,
    start: str | None = None,
    end: str | None = None,
    region: str | None = None,
    outlet: str | None = None,
    include_excluded: bool = False,
):
    return eligibility_who(
        request,
        skill=code,
        level=level,
        start=start,
        end=end,
        region=region,
        outlet=outlet,
        include_excluded=include_excluded,
    )


# --- Outside licences (adoption and HR/licence-system sync) ---------------------------------

licences_router = Router(tags=["licences"])


@licences_router.post(
    "",
    auth=ApiKeyAuth("licences:write"),
    summary="Create or update outside licences (one object, or {'licences': [...]} up to 500)",
)
def licence_upsert_endpoint(request):
    """Upserts by ``employee_no`` + ``licence_type`` + ``number`` (a person may hold several
    licences of one type over the years; a number is unique per type). Fields as in the
    import files: ``authority``, ``issued_on``, ``expires_on``, ``next_review_on`` (ISO dates)
    and ``verified`` (true/false; verified by the system in the name of the API key). Each
    record is validated and saved on its own: good records are kept, bad ones come back
    ``rejected`` with field errors. A single rejected object answers 400 ``validation_error``."""
    records, is_batch = batch_from_body(
        read_json_body(request), list_key="licences", limit=settings.API_MAX_BATCH
    )
    results, counts = records_apply(
        records,
        key="employee_no",
        form_for=lambda record: LicenceRecordForm(data=normalise_record(record), actor=None),
        apply=lambda data: licence_upsert(data=data).action,
    )
    for result, record in zip(results, records, strict=True):
        for name in ("licence_type", "number"):
            result[name] = str(record.get(name) or "") if isinstance(record, dict) else ""
    verified = sum(
        1
        for result, record in zip(results, records, strict=True)
        if result["status"] != "rejected" and isinstance(record, dict) and record.get("verified")
    )
    if verified:
        logger.info("licences: %s verified by API key %s", verified, request.api_key.name)
    if not is_batch and results[0]["status"] == "rejected":
        raise ApiError(
            400, "validation_error", _("Some fields are invalid."), errors=results[0]["errors"]
        )
    return {"counts": counts, "results": results}
