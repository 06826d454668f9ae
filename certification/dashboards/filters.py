"""Filters of the dashboards, read from the query string (so a filtered view is a link a
manager can bookmark or send) or from an export job's saved parameters.

Outlets and regions are looked up within the user's scope: one outside it raises Http404, the
same answer as one that does not exist. Unknown skills, product lines or statuses are reported
back as errors in the user's language and ignored."""

import datetime as dt
from collections.abc import Mapping

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import ProductLine

from ..models import Skill
from .coverage import CoverageFilters
from .matrix import STATUS_FILTERS, MatrixFilters
from .scope import outlet_in_scope_get, region_in_scope_get


def _value(params: Mapping, name: str) -> str:
    value = params.get(name, "")
    return str(value).strip() if value is not None else ""


def _skill(params, errors) -> Skill | None:
    code = _value(params, "skill")
    if not code:
        return None
    skill = Skill.objects.filter(code=code).first()
    if skill is None:
        errors.append(_("No skill has the code %(code)s.") % {"code": code})
    return skill


def _product_line(params, errors) -> ProductLine | None:
    code = _value(params, "product_line")
    if not code:
        return None
    line = ProductLine.objects.filter(code=code).first()
    if line is None:
        errors.append(_("No product line has the code %(code)s.") % {"code": code})
    return line


def matrix_filters_parse(*, user: User, params: Mapping) -> tuple[MatrixFilters, list[str]]:
    errors: list[str] = []
    filters = MatrixFilters()
    if _value(params, "outlet"):
        filters.outlet = outlet_in_scope_get(user=user, outlet_id=_value(params, "outlet"))
    filters.skill = _skill(params, errors)
    filters.product_line = _product_line(params, errors)
    status = _value(params, "status")
    if status and status not in STATUS_FILTERS:
        errors.append(_("Unknown status filter: %(status)s.") % {"status": status})
    elif status:
        filters.status = status
    return filters, errors


def coverage_filters_parse(*, user: User, params: Mapping) -> tuple[CoverageFilters, list[str]]:
    errors: list[str] = []
    filters = CoverageFilters()
    if _value(params, "region"):
        filters.region = region_in_scope_get(user=user, region_id=_value(params, "region"))
    if _value(params, "outlet"):
        filters.outlet = outlet_in_scope_get(user=user, outlet_id=_value(params, "outlet"))
    filters.skill = _skill(params, errors)
    filters.product_line = _product_line(params, errors)
    group_by = _value(params, "group_by") or "outlet"
    if group_by not in ("outlet", "region"):
        errors.append(_("Group by outlet or by region."))
        group_by = "outlet"
    filters.group_by = group_by
    return filters, errors


def days_parse(params: Mapping, *, name: str = "days", default: int = 90, maximum: int = 366):
    """A whole number of days between 1 and ``maximum``; anything else gives the default and an
    error."""
    raw = _value(params, name)
    if not raw:
        return default, []
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if not 1 <= days <= maximum:
        return default, [_("Give a number of days between 1 and %(max)s.") % {"max": maximum}]
    return days, []


def month_parse(params: Mapping, *, name: str = "month") -> tuple[dt.date, list[str]]:
    """A month as ``YYYY-MM``; defaults to the last full month."""
    raw = _value(params, name)
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    if not raw:
        return last_month, []
    try:
        month = dt.datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return last_month, [_("Give the month as YYYY-MM, e.g. 2026-11.")]
    return month, []
