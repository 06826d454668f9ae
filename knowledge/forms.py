"""Admin form for cases: 已审核 is reached through the review workflow, never by picking it."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

VALIDATED = "validated"


class CaseAdminForm(WagtailAdminModelForm):
    def clean_kcs_status(self):
        status = self.cleaned_data["kcs_status"]
        if status != VALIDATED:
            return status
        # The stored status, not the revision being edited, decides: keeping 已审核 is fine,
        # reaching it is the reviewers' approval.
        model = type(self.instance)
        stored = model.objects.filter(pk=self.instance.pk).values_list("kcs_status", flat=True)
        if self.instance.pk is not None and stored.first() == VALIDATED:
            return status
        raise forms.ValidationError(
            _("A case is validated when a reviewer approves it: submit it to the review workflow.")
        )
