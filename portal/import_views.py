"""Admin views for organisation imports: upload → preview → apply. Thin adapters over
``portal.imports``."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .admin_forms import grantable_roles
from .forms import ImportUploadForm
from .imports import SPECS, import_apply, import_preview
from .models import ImportBatch
from .selectors import outlets_in_scope

ACTION_LABELS = {
    "create": gettext_lazy("will be created"),
    "update": gettext_lazy("will be updated"),
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "unchanged": gettext_lazy("unchanged"),
    "error": gettext_lazy("error"),
}


def allowed_kinds(user) -> list[str]:
    """The kinds of import ``user`` may run, in registration order (outlets, staff, then the
    kinds other apps register)."""
    return [
        kind for kind, spec in SPECS.items() if spec.permission and user.has_perm(spec.permission)
    ]


def _default_kind(kinds: list[str]) -> str:
    return ImportBatch.Kind.STAFF if ImportBatch.Kind.STAFF in kinds else kinds[0]


def _form_kwargs(batch: ImportBatch, user) -> dict:
    if batch.kind == ImportBatch.Kind.STAFF:
        return {
            "allowed_roles": grantable_roles(user),
            "allowed_outlets": outlets_in_scope(user=user),
        }
    spec = SPECS[batch.kind]
    if spec.form_kwargs_for is not None:
        return spec.form_kwargs_for(user)
    return {}


def upload(request):
    kinds = allowed_kinds(request.user)
    if not kinds:
        raise PermissionDenied
    kind = request.GET.get("kind") or request.POST.get("kind") or _default_kind(kinds)
    if kind not in kinds:
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        batch = ImportBatch(kind=kind, original_name=upload.name, uploaded_by=request.user)
        report, _valid = import_preview(
            kind=kind,
            content=content,
            filename=upload.name,
            form_kwargs=_form_kwargs(batch, request.user),
        )
        upload.seek(0)
        batch.file = upload
        batch.report = {**report.as_dict(), "strict": form.cleaned_data["strict"]}
        batch.save()
        return redirect("organisation-import:preview", batch_id=batch.pk)
    return TemplateResponse(
        request,
        "portal/admin/import_upload.html",
        {
            "form": form,
            "kind": kind,
            "kinds": [(k, ImportBatch.Kind(k).label) for k in kinds],
            "columns": SPECS[kind].columns,
            "help_text": SPECS[kind].help_text,
            "title": (
                _("Import outlets and staff")
                if kind in (ImportBatch.Kind.OUTLETS, ImportBatch.Kind.STAFF)
                else _("Import %(kind)s") % {"kind": ImportBatch.Kind(kind).label}
            ),
            "recent": ImportBatch.objects.filter(uploaded_by=request.user)[:10],
        },
    )


def preview(request, batch_id: int):
    batch = get_object_or_404(ImportBatch, pk=batch_id, uploaded_by=request.user)
    if batch.kind not in allowed_kinds(request.user):
        raise PermissionDenied
    if request.method == "POST" and batch.status == ImportBatch.Status.PREVIEWED:
        with batch.file.open("rb") as fh:
            content = fh.read()
        report = import_apply(
            kind=batch.kind,
            content=content,
            filename=batch.original_name,
            strict=batch.report.get("strict", False),
            form_kwargs=_form_kwargs(batch, request.user),
        )
        batch.report = {**report.as_dict(), "strict": batch.report.get("strict", False)}
        if report.applied:
            batch.status = ImportBatch.Status.APPLIED
            batch.applied_at = timezone.now()
            messages.success(request, _("Import applied."))
        else:
            messages.error(request, _("Nothing was imported: fix the errors and upload again."))
        batch.save()
        return redirect("organisation-import:preview", batch_id=batch.pk)
    report = batch.report
    rows = [
        {**row, "label": ACTION_LABELS.get(row["action"], row["action"])} for row in report["rows"]
    ]
    counts = [(ACTION_LABELS.get(a, a), n) for a, n in report["counts"].items()]
    return TemplateResponse(
        request,
        "portal/admin/import_preview.html",
        {"batch": batch, "report": report, "rows": rows, "counts": counts},
    )
