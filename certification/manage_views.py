"""The manager's suspension pages in the portal: suspend a technician's certification (one
skill or all) with a reason and a corrective path, follow the corrective training, approve
reinstatement or revoke. Thin adapters over ``certification.corrective``; everything outside
the manager's scope answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.exceptions import PortalError
from portal.roles import Role
from portal.selectors import staff_in_scope, user_roles

from .corrective import (
    suspension_approve_reinstatement,
    suspension_open,
    suspension_revoke,
    suspension_rows_for,
    suspensions_in_scope,
    technicians_with_certifications_for,
)
from .manage_forms import ALL_SKILLS, RevokeForm, SuspendForm
from .models import Certification, CertificationStatus, Suspension


def _require_manager(request) -> None:
    if not user_roles(user=request.user) & {Role.MANAGER, Role.ADMIN}:
        raise PermissionDenied


@login_required
def suspensions(request):
    _require_manager(request)
    query = request.GET.get("q", "").strip()[:50]
    closed = [
        row
        for row in suspension_rows_for(user=request.user, open_only=False, limit=40)
        if not row.suspension.is_open
    ][:20]
    return TemplateResponse(
        request,
        "certification/manage/suspensions.html",
        {
            "title": _("Suspensions and corrective training"),
            "open_rows": suspension_rows_for(user=request.user),
            "closed_rows": closed,
            "technicians": technicians_with_certifications_for(user=request.user, query=query),
            "query": query,
            "Status": Suspension.Status,
        },
    )


@login_required
def suspend(request, staff_id: int):
    _require_manager(request)
    staff = get_object_or_404(
        staff_in_scope(user=request.user).select_related("user", "outlet"), pk=staff_id
    )
    certifications = list(
        Certification.objects.filter(user=staff.user, status=CertificationStatus.ACTIVE)
        .select_related("skill")
        .order_by("skill__code", "-level")
    )
    form = SuspendForm(request.POST or None, certifications=certifications)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        skill = None
        if data["skill"] != ALL_SKILLS:
            skill = next(c.skill for c in certifications if str(c.skill_id) == data["skill"])
        try:
            suspension_open(
                person=staff.user,
                user=request.user,
                skill=skill,
                reason_code=data["reason_code"],
                reason_text=data["reason_text"],
                corrective_path=data["corrective_path"],
            )
        except PortalError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("%(name)s's certification is suspended.") % {"name": staff.name}
            )
            return redirect("certification-manage:suspensions")
    return TemplateResponse(
        request,
        "certification/manage/suspend.html",
        {
            "title": _("Suspend a certification"),
            "staff": staff,
            "certifications": certifications,
            "form": form,
        },
    )


def _suspension_in_scope(request, suspension_id: int) -> Suspension:
    return get_object_or_404(suspensions_in_scope(user=request.user), pk=suspension_id)


@login_required
@require_POST
def approve(request, suspension_id: int):
    _require_manager(request)
    suspension = _suspension_in_scope(request, suspension_id)
    try:
        suspension_approve_reinstatement(
            suspension=suspension, user=request.user, note=request.POST.get("note", "")[:2000]
        )
    except PortalError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Reinstatement approved."))
    return redirect("certification-manage:suspensions")


@login_required
def revoke(request, suspension_id: int):
    _require_manager(request)
    suspension = _suspension_in_scope(request, suspension_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            suspension_revoke(
                suspension=suspension,
                user=request.user,
                reason_code=form.cleaned_data["reason_code"],
                reason_text=form.cleaned_data["reason_text"],
            )
        except PortalError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The certification is revoked."))
            return redirect("certification-manage:suspensions")
    return TemplateResponse(
        request,
        "certification/manage/revoke.html",
        {"title": _("Revoke for good"), "suspension": suspension, "form": form},
    )
