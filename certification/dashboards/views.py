"""The dashboard pages: thin adapters over the dashboard selectors and services.

Every view requires a manager or an administrator (anyone else gets 404) and reads through the
user's scope; an outlet, region, technician or export job outside it answers 404."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.models import ProductLine

from ..exceptions import CertificationPermissionDenied
from ..models import Skill
from . import charts
from .coverage import HORIZONS, coverage_for, expiry_timeline, lapses_count, lapses_for
from .exports import (
    CONTENT_TYPES,
    EXPORT_KINDS,
    export_filename,
    export_render,
    export_runs_in_background,
)
from .filters import coverage_filters_parse, days_parse, matrix_filters_parse, month_parse
from .knowledge_health import knowledge_health
from .matrix import STATUS_FILTER_CHOICES, CellStatus, certification_matrix
from .models import ExportJob
from .profile import technician_profile
from .render import matrix_rows_html
from .scope import (
    dashboard_access_check,
    outlet_in_scope_get,
    outlets_in_scope,
    regions_in_scope,
    technician_in_scope_get,
    technicians_in_scope,
)
from .services import (
    export_job_create,
    export_job_of_owner,
    lapse_reminder_send,
)
from .training import quiz_health, training_by_outlet, training_hours

# The lapses page lists this many, soonest first; the export holds them all.
LAPSES_SHOWN = 500


def manager_view(view):
    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        dashboard_access_check(user=request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _query(params: dict, **extra) -> str:
    merged = {k: v for k, v in {**params, **extra}.items() if v not in (None, "")}
    return urlencode(merged)


def _filter_choices(user) -> dict:
    return {
        "outlets": outlets_in_scope(user=user).select_related("region").order_by("code"),
        "skills": Skill.objects.select_related("product_line").order_by("code"),
        "product_lines": ProductLine.objects.all(),
    }


@manager_view
def index(request):
    user = request.user
    timeline = expiry_timeline(user=user)
    context = {
        "title": _("Dashboards"),
        "technicians": technicians_in_scope(user=user).count(),
        "outlets": outlets_in_scope(user=user).count(),
        "lapsing_30": lapses_count(user=user, days=30),
        "expiry_chart": charts.bar_chart(
            [(f"{month:%Y-%m}", count) for month, count in timeline],
            title=_("Certifications expiring per month"),
        ),
        "timeline": timeline,
    }
    return TemplateResponse(request, "certification/dashboards/index.html", context)


@manager_view
def matrix(request):
    filters, errors = matrix_filters_parse(user=request.user, params=request.GET)
    result = certification_matrix(
        user=request.user, filters=filters, page_number=request.GET.get("page") or 1
    )
    params = filters.as_params()
    context = {
        "title": _("Certification matrix"),
        "matrix": result,
        "matrix_rows_html": matrix_rows_html(result),
        "filters": filters,
        "errors": errors,
        "statuses": STATUS_FILTER_CHOICES,
        "legend": [(key, CellStatus.labels[key]) for key in CellStatus.labels],
        "query": _query(params),
        "export_query": _query(params),
        **_filter_choices(request.user),
    }
    return TemplateResponse(request, "certification/dashboards/matrix.html", context)


@manager_view
def technician(request, employee_no: str):
    staff = technician_in_scope_get(user=request.user, employee_no=employee_no)
    profile = technician_profile(staff=staff)
    context = {"title": staff.name, "profile": profile, "staff": staff}
    return TemplateResponse(request, "certification/dashboards/technician.html", context)


@manager_view
def coverage(request):
    filters, errors = coverage_filters_parse(user=request.user, params=request.GET)
    result = coverage_for(user=request.user, filters=filters)
    horizon_labels = [
        _("Today") if d == 0 else _("In %(days)s days") % {"days": d} for d in HORIZONS
    ]
    chart = None
    if result.rows:
        chart = charts.grouped_bar_chart(
            [s.name for s in result.skills if s.pk in result.totals and any(result.totals[s.pk])],
            [
                (label, [result.totals[s.pk][h] for s in result.skills if any(result.totals[s.pk])])
                for h, label in enumerate(horizon_labels)
            ],
            title=_("Technicians who may work, per skill"),
        )
    outlook = None
    if result.rows:
        outlook = charts.line_chart(
            horizon_labels,
            [
                (
                    _("Skill × technician pairs"),
                    [sum(t[h] for t in result.totals.values()) for h in range(len(HORIZONS))],
                )
            ],
            title=_("Coverage over the next 90 days"),
        )
    params = filters.as_params()
    context = {
        "title": _("Coverage"),
        "coverage": result,
        "filters": filters,
        "errors": errors,
        "horizon_labels": horizon_labels,
        "chart": chart,
        "outlook": outlook,
        "regions": regions_in_scope(user=request.user).order_by("code"),
        "export_query": _query(params),
        **_filter_choices(request.user),
    }
    return TemplateResponse(request, "certification/dashboards/coverage.html", context)


@manager_view
def lapses(request):
    days, errors = days_parse(request.GET)
    outlet = None
    if request.GET.get("outlet"):
        outlet = outlet_in_scope_get(user=request.user, outlet_id=request.GET["outlet"])
    items = lapses_for(user=request.user, days=days, outlet=outlet)
    params = {"days": days, "outlet": outlet.pk if outlet else ""}
    context = {
        "title": _("Lapsing soon"),
        "items": items[:LAPSES_SHOWN],
        "total": len(items),
        "shown": min(len(items), LAPSES_SHOWN),
        "days": days,
        "outlet": outlet,
        "errors": errors,
        "outlets": outlets_in_scope(user=request.user).order_by("code"),
        "query": _query(params),
        "export_query": _query(params),
    }
    return TemplateResponse(request, "certification/dashboards/lapses.html", context)


@manager_view
@require_POST
def lapse_remind(request):
    kind = request.POST.get("kind", "")
    try:
        item_id = int(request.POST.get("item", ""))
    except ValueError:
        raise Http404 from None
    try:
        sent = lapse_reminder_send(user=request.user, kind=kind, item_id=item_id)
    except CertificationPermissionDenied:
        raise Http404 from None
    if sent:
        messages.success(request, _("Reminder sent."))
    else:
        messages.info(request, _("Already reminded today; one reminder a day is enough."))
    back = request.POST.get("next", "")
    if not back.startswith(reverse("dashboards:lapses")):
        back = reverse("dashboards:lapses")
    return redirect(back)


@manager_view
def training(request):
    user = request.user
    outlet = None
    if request.GET.get("outlet"):
        outlet = outlet_in_scope_get(user=user, outlet_id=request.GET["outlet"])
    outlets = training_by_outlet(user=user, outlet=outlet)
    health = quiz_health(user=user, outlet=outlet)
    months, hours = training_hours(user=user, outlet=outlet)
    pass_chart = charts.line_chart(
        [f"{m:%m}" for m, _a, _p in health.monthly],
        [
            (
                _("Pass rate"),
                [round(100 * p / a, 1) if a else None for _m, a, p in health.monthly],
            )
        ],
        title=_("Quiz pass rate per month"),
        max_value=100,
        suffix="%",
    )
    onboarding_chart = charts.bar_chart(
        [
            (row.outlet.name, round(100 * row.onboarding_rate, 1))
            for row in outlets
            if row.onboarding_rate is not None
        ],
        title=_("Onboarding completion per outlet"),
        max_value=100,
        suffix="%",
    )
    params = {"outlet": outlet.pk if outlet else ""}
    context = {
        "title": _("Training health"),
        "outlet": outlet,
        "outlet_rows": outlets,
        "health": health,
        "months": months,
        "hours": hours,
        "pass_chart": pass_chart,
        "onboarding_chart": onboarding_chart,
        "outlets": outlets_in_scope(user=user).order_by("code"),
        "export_query": _query(params),
    }
    return TemplateResponse(request, "certification/dashboards/training.html", context)


@manager_view
def knowledge(request):
    health = knowledge_health(user=request.user)
    context = {"title": _("Knowledge health"), "health": health}
    return TemplateResponse(request, "certification/dashboards/knowledge.html", context)


@manager_view
def export(request, kind: str, file_format: str):
    """Downloads the table directly when it is small; otherwise queues a job and shows it."""
    spec = EXPORT_KINDS.get(kind)
    if spec is None or file_format not in spec.formats:
        raise Http404
    params = {k: v for k, v in request.GET.items() if k != "page"}
    if export_runs_in_background(user=request.user, kind=kind):
        job = export_job_create(
            user=request.user,
            kind=kind,
            file_format=file_format,
            params=params,
            language=get_language(),
        )
        return redirect("dashboards:export_job", job_id=job.pk)
    content = export_render(user=request.user, kind=kind, file_format=file_format, params=params)
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    name = export_filename(kind=kind, file_format=file_format, params=params)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@manager_view
def monthly_report(request):
    outlets = outlets_in_scope(user=request.user).select_related("region").order_by("code")
    month, errors = month_parse(request.POST if request.method == "POST" else request.GET)
    if request.method == "POST" and not errors:
        outlet = outlet_in_scope_get(user=request.user, outlet_id=request.POST.get("outlet"))
        job = export_job_create(
            user=request.user,
            kind="monthly_report",
            file_format="xlsx",
            params={"outlet": outlet.pk, "month": f"{month:%Y-%m}"},
            language=get_language(),
        )
        return redirect("dashboards:export_job", job_id=job.pk)
    context = {
        "title": _("Monthly outlet report"),
        "outlets": outlets,
        "month": f"{month:%Y-%m}",
        "errors": errors,
    }
    return TemplateResponse(request, "certification/dashboards/monthly_report.html", context)


@manager_view
def export_jobs(request):
    jobs = ExportJob.objects.filter(owner=request.user)[:50]
    context = {"title": _("My exports"), "jobs": jobs, "kinds": EXPORT_KINDS}
    return TemplateResponse(request, "certification/dashboards/export_jobs.html", context)


@manager_view
def export_job(request, job_id: int):
    job = export_job_of_owner(user=request.user, job_id=job_id)
    context = {
        "title": _("Export"),
        "job": job,
        "kind_label": EXPORT_KINDS[job.kind].label if job.kind in EXPORT_KINDS else job.kind,
        "running": job.status in (ExportJob.Status.PENDING, ExportJob.Status.RUNNING),
    }
    return TemplateResponse(request, "certification/dashboards/export_job.html", context)


@manager_view
def export_job_status(request, job_id: int):
    """The job's state as JSON, for pages that poll with JavaScript."""
    from django.http import JsonResponse

    job = export_job_of_owner(user=request.user, job_id=job_id)
    return JsonResponse(
        {
            "status": job.status,
            "progress": job.progress,
            "error": job.error,
            "download": reverse("dashboards:export_download", args=[job.pk])
            if job.status == ExportJob.Status.DONE
            else None,
        }
    )


@manager_view
def export_download(request, job_id: int):
    job = export_job_of_owner(user=request.user, job_id=job_id)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    name = export_filename(kind=job.kind, file_format=job.file_format, params=job.params)
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=CONTENT_TYPES[job.file_format],
    )
