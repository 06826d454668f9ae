"""Validation of organisation records, shared by file imports and the API.

One record is one outlet or one staff member as integrators send it (the column contract in
README). Forms give field-level messages in the user's language; the same rules apply whether
the record came from a CSV row, an XLSX row or a JSON object."""

import datetime as dt
import re

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ProductLine, ServiceOutlet
from .roles import Role

TRUE_WORDS = {"1", "true", "yes", "y", "是", "启用", "在职", "有效", "active"}
FALSE_WORDS = {
    "0",
    "false",
    "no",
    "n",
    "否",
    "停用",
    "离职",
    "无效",
    "暂停",
    "inactive",
    "suspended",
}
_PHONE_RE = re.compile(r"^\+?[\d\s\-()（）]{7,24}$")


def split_list(value) -> list[str]:
    """Comma-separated text (half- or full-width commas, 、 or ;) or a JSON list → items."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[,，、;；]", str(value))
    return [str(item).strip() for item in items if str(item).strip()]


class LenientBooleanField(forms.Field):
    """Yes/no as spreadsheets spell it (1/0, true/false, 是/否, 启用/停用); blank means yes."""

    default_error_messages = {"invalid": _("Enter yes or no (1/0, true/false, 是/否).")}

    def to_python(self, value):
        if isinstance(value, bool):
            return value
        if value is None or str(value).strip() == "":
            return True
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value):
        """Any parsed boolean is valid, False included."""


class ListField(forms.Field):
    def to_python(self, value):
        return split_list(value)


class PhoneField(forms.CharField):
    default_error_messages = {"invalid": _("Enter a phone number (digits, +86, dashes allowed).")}

    def validate(self, value):
        super().validate(value)
        if value and not _PHONE_RE.match(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class FlexibleDateField(forms.DateField):
    """Dates as people type them (2024-03-01, 2024/3/1, 2024年3月1日) or as XLSX stores them."""

    input_formats = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d"]

    def to_python(self, value):
        if isinstance(value, dt.datetime):
            return value.date()
        if value is not None and not isinstance(value, str | dt.date):
            # JSON objects and lists (API bodies) are not dates; never let them crash parsing.
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class OutletRecordForm(forms.Form):
    code = forms.CharField(label=_("outlet code"), max_length=30)
    name = forms.CharField(label=_("name"), max_length=100)
    region = forms.CharField(label=_("region"), max_length=50)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    phone = PhoneField(label=_("phone"), max_length=30, required=False)
    contact_name = forms.CharField(label=_("contact person"), max_length=50, required=False)
    product_lines = ListField(label=_("product lines"), required=False)
    active = LenientBooleanField(label=_("active"), required=False)

    def clean_product_lines(self):
        wanted = self.cleaned_data["product_lines"]
        found = list(ProductLine.objects.filter(Q(code__in=wanted) | Q(name__in=wanted)))
        known = {p.code for p in found} | {p.name for p in found}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            raise forms.ValidationError(
                _("Unknown product line: %(names)s. Known: %(known)s."),
                code="unknown_product_line",
                params={
                    "names": "、".join(unknown),
                    "known": "、".join(ProductLine.objects.values_list("name", flat=True)),
                },
            )
        return found


class StaffRecordForm(forms.Form):
    employee_no = forms.CharField(
        label=_("employee number"),
        max_length=30,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_\-]+$",
                _("Employee numbers use letters, digits, - and _ only."),
                code="invalid_employee_no",
            )
        ],
    )
    name = forms.CharField(label=_("name"), max_length=50)
    phone = PhoneField(label=_("phone"), max_length=30, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    outlet_code = forms.CharField(label=_("outlet code"), max_length=30, required=False)
    roles = ListField(label=_("roles"))
    hire_date = FlexibleDateField(label=_("hire date"), required=False)
    active = LenientBooleanField(label=_("active"), required=False)

    def __init__(self, *args, allowed_roles=None, allowed_outlets=None, **kwargs):
        """``allowed_roles``/``allowed_outlets`` narrow what the submitter may grant: a manager
        importing staff may only place them in their own outlets."""
        super().__init__(*args, **kwargs)
        self.allowed_roles = set(allowed_roles) if allowed_roles is not None else None
        self.allowed_outlets = allowed_outlets

    def clean_roles(self):
        names = self.cleaned_data["roles"]
        if not names:
            raise forms.ValidationError(_("Give at least one role."), code="required")
        unknown = [n for n in names if n not in Role.values]
        if unknown:
            raise forms.ValidationError(
                _("Unknown role: %(names)s. Use: %(known)s."),
                code="unknown_role",
                params={"names": "、".join(unknown), "known": ", ".join(Role.values)},
            )
        roles = [Role(n) for n in dict.fromkeys(names)]
        if self.allowed_roles is not None:
            refused = [r for r in roles if r not in self.allowed_roles]
            if refused:
                raise forms.ValidationError(
                    _("You may not grant the role: %(names)s."),
                    code="role_not_allowed",
                    params={"names": "、".join(str(r.label) for r in refused)},
                )
        return roles

    def clean_outlet_code(self):
        code = self.cleaned_data["outlet_code"].strip()
        if not code:
            return None
        outlets = self.allowed_outlets
        if outlets is None:
            outlets = ServiceOutlet.objects.all()
        outlet = outlets.filter(code=code).first()
        if outlet is None:
            if ServiceOutlet.objects.filter(code=code).exists():
                raise forms.ValidationError(
                    _("Outlet %(code)s is outside your scope."),
                    code="outlet_out_of_scope",
                    params={"code": code},
                )
            raise forms.ValidationError(
                _("No outlet has the code %(code)s."), code="unknown_outlet", params={"code": code}
            )
        return outlet

    def clean(self):
        cleaned = super().clean()
        roles = set(cleaned.get("roles") or [])
        outlet_roles = {Role.NEW_STAFF, Role.TECHNICIAN}
        if roles & outlet_roles and "outlet_code" in cleaned and cleaned["outlet_code"] is None:
            self.add_error(
                "outlet_code",
                forms.ValidationError(
                    _("New staff and technicians must belong to an outlet."),
                    code="outlet_required",
                ),
            )
        return cleaned


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """Field errors as ``{field: [message, ...]}``: the shape the API and import reports use."""
    return {field: [str(e) for e in errs] for field, errs in form.errors.items()}


def normalise_record(raw: dict) -> dict:
    """Values as forms expect them: numbers from spreadsheets become text without ``.0``."""
    clean = {}
    for key, value in raw.items():
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            value = value.strip()
        clean[key] = value
    return clean
