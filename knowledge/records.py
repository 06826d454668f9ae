"""Validation of incoming tickets, shared by the API and file imports."""

import datetime as dt
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import ProductLine
from portal.records import ListField

from .models import ServiceType

MAX_TEXT = 20_000  # characters per free-text field; a 10 MB note is refused, not truncated
MAX_PARTS = 50
MAX_PART_NAME = 100


class TicketRecordForm(forms.Form):
    ticket_no = forms.RegexField(
        label=_("ticket number"), max_length=40, regex=r"^[A-Za-z0-9_\-]+$"
    )
    closed_at = forms.DateTimeField(label=_("closed at"))
    service_type = forms.ChoiceField(
        label=_("service type"), choices=[("", "")] + ServiceType.choices, required=False
    )
    product_line = forms.CharField(label=_("product line"), max_length=50, required=False)
    product_model = forms.CharField(label=_("product model"), max_length=60, required=False)
    error_code = forms.CharField(label=_("error code"), max_length=20, required=False)
    customer_name = forms.CharField(label=_("customer name"), max_length=60, required=False)
    customer_phone = forms.CharField(label=_("customer phone"), max_length=40, required=False)
    customer_address = forms.CharField(label=_("customer address"), max_length=300, required=False)
    reported_symptom = forms.CharField(max_length=MAX_TEXT, required=False)
    diagnosis = forms.CharField(max_length=MAX_TEXT, required=False)
    root_cause = forms.CharField(max_length=MAX_TEXT, required=False)
    resolution = forms.CharField(max_length=MAX_TEXT, required=False)
    parts_replaced = ListField(required=False)
    warranty = forms.CharField(max_length=20, required=False)
    technician_employee_no = forms.CharField(max_length=30, required=False)
    satisfaction = forms.IntegerField(min_value=1, max_value=5, required=False)
    notes = forms.CharField(max_length=MAX_TEXT, required=False)

    def clean_closed_at(self):
        value = self.cleaned_data["closed_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        if value > timezone.now() + dt.timedelta(days=1):
            raise forms.ValidationError(_("The closing time is in the future."))
        return value

    def clean_product_line(self):
        name = self.cleaned_data["product_line"].strip()
        if not name:
            return None
        line = (
            ProductLine.objects.filter(code__iexact=name).first()
            or ProductLine.objects.filter(name=name).first()
        )
        if line is None:
            raise forms.ValidationError(_("Unknown product line: %(name)s."), params={"name": name})
        return line

    def clean_error_code(self):
        return self.cleaned_data["error_code"].strip().upper()

    def clean_parts_replaced(self):
        # Part names, not documents: bounded like every other field.
        raw = self.data.get("parts_replaced")
        if isinstance(raw, list) and any(isinstance(p, dict | list) for p in raw):
            raise forms.ValidationError(_("Each part must be a name."))
        parts = self.cleaned_data["parts_replaced"] or []
        if len(parts) > MAX_PARTS:
            raise forms.ValidationError(
                _("At most %(limit)s parts per ticket."), params={"limit": MAX_PARTS}
            )
        if any(len(part) > MAX_PART_NAME for part in parts):
            raise forms.ValidationError(
                _("A part name has at most %(limit)s characters."), params={"limit": MAX_PART_NAME}
            )
        return parts


def normalise_ticket(raw: dict) -> dict:
    """JSON/CSV values as the form expects them (parts as list, numbers as text)."""
    record = {}
    for key, value in raw.items():
        if key == "parts_replaced" and isinstance(value, str):
            value = [p for p in value.replace("；", ";").split(";") if p.strip()]
        elif isinstance(value, bool):
            value = str(value).lower()
        elif isinstance(value, int | float) and key != "satisfaction":
            value = str(value)
        elif isinstance(value, dict | list) and key != "parts_replaced":
            value = json.dumps(value, ensure_ascii=False)
        record[key] = value
    return record
