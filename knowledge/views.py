"""Technician-facing case pages. Thin adapters over selectors and services."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Case, CaseFlag
from .selectors import case_open_flags, case_visible
from .services import case_flag_create


class CaseFlagForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What is wrong?"),
        choices=CaseFlag.Kind.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


@login_required
def case_detail(request, case_id: int):
    case = get_object_or_404(Case.objects.select_related("product_line"), pk=case_id)
    if not case_visible(case=case):
        raise Http404
    if request.method == "GET" and request.GET.get("from", "").isdigit():
        from .search import search_click_record

        search_click_record(log_id=int(request.GET["from"]), case=case)
    form = CaseFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case_flag_create(case=case, user=request.user, **form.cleaned_data)
        messages.success(request, _("Thank you. The case's reviewers will look at it."))
        return redirect(case.get_absolute_url())
    return TemplateResponse(
        request,
        "knowledge/case_detail.html",
        {
            "case": case,
            "title": case.title,
            "form": form,
            "open_flags": case_open_flags(case=case).count(),
            "steps": [s for s in case.resolution.splitlines() if s.strip()],
            "related": case.related_pages.filter(live=True),
        },
    )


@login_required
def search(request):
    """One box, ranked highlighted results, facets and filters kept in the URL."""
    from portal.selectors import user_roles

    from .search import case_search, popular_cases

    try:
        page = max(1, int(request.GET.get("page", 1)))
    except ValueError:
        page = 1
    roles = sorted(r.value for r in user_roles(user=request.user))
    outcome = case_search(
        query=request.GET.get("q", ""),
        product_line=request.GET.get("product_line", ""),
        error_code=request.GET.get("error_code", ""),
        status=request.GET.get("status", ""),
        page=page,
        role=roles[0] if roles else "",
    )
    params = request.GET.copy()
    params.pop("page", None)
    return TemplateResponse(
        request,
        "knowledge/search.html",
        {
            "title": _("Search repair cases"),
            "outcome": outcome,
            "filters": {
                k: request.GET.get(k, "") for k in ("product_line", "error_code", "status")
            },
            "base_query": params.urlencode(),
            "popular": popular_cases() if outcome.query and not outcome.count else [],
            "shorter": " ".join(outcome.query.split()[:-1]) if " " in outcome.query else "",
        },
    )
