"""Admin forms for the organisation. Saving goes through ``portal.services`` so the admin, the
import files and the API apply the same rules."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .models import StaffProfile
from .records import StaffRecordForm
from .roles import Role
from .selectors import outlets_in_scope, user_roles
from .services import staff_upsert

# What a manager may grant to people in their outlets.
MANAGER_GRANTABLE_ROLES = [Role.NEW_STAFF, Role.TECHNICIAN]


def grantable_roles(user) -> list[Role]:
    return list(Role) if Role.ADMIN in user_roles(user=user) else MANAGER_GRANTABLE_ROLES


class StaffProfileAdminForm(WagtailAdminModelForm):
    email = forms.EmailField(label=_("email"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("roles"), widget=forms.CheckboxSelectMultiple, choices=Role.choices
    )

    class Meta:
        model = StaffProfile
        fields = [
            "employee_no",
            "name",
            "phone",
            "outlet",
            "hire_date",
            "active",
            "managed_regions",
            "managed_outlets",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        allowed = grantable_roles(user)
        self.fields["roles"].choices = [(r.value, r.label) for r in allowed]
        self.fields["outlet"].queryset = outlets_in_scope(user=user)
        if Role.ADMIN not in user_roles(user=user):
            # Only administrators decide who manages what.
            del self.fields["managed_regions"]
            del self.fields["managed_outlets"]
        if self.instance.pk:
            self.fields["employee_no"].disabled = True
            self.initial["email"] = self.instance.user.email
            self.initial["roles"] = [r.value for r in self.instance.roles]

    def clean(self):
        cleaned = super().clean()
        record = StaffRecordForm(
            data={
                "employee_no": cleaned.get("employee_no") or self.instance.employee_no,
                "name": cleaned.get("name", ""),
                "phone": cleaned.get("phone", ""),
                "email": cleaned.get("email", ""),
                "outlet_code": cleaned["outlet"].code if cleaned.get("outlet") else "",
                "roles": cleaned.get("roles") or [],
                "hire_date": cleaned.get("hire_date"),
                "active": cleaned.get("active", False),
            },
            allowed_roles=grantable_roles(self.for_user),
            allowed_outlets=outlets_in_scope(user=self.for_user),
        )
        if not record.is_valid():
            for field, errors in record.errors.items():
                target = "outlet" if field == "outlet_code" else field
                for error in errors:
                    self.add_error(target if target in self.fields else None, error)
        self.record = record
        return cleaned

    def save(self, commit=True):
        profile = staff_upsert(data=self.record.cleaned_data).object
        if "managed_regions" in self.fields:
            profile.managed_regions.set(self.cleaned_data["managed_regions"])
            profile.managed_outlets.set(self.cleaned_data["managed_outlets"])
        self.instance = profile
        return profile
