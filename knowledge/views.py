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
