from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from portal.roles import Role


class CoursePageForm(WagtailAdminPageForm):
    target_roles = forms.MultipleChoiceField(
        label=_("target roles"),
        choices=[(r.value, r.label) for r in Role if r != Role.ADMIN],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
