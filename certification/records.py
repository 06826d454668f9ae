"""Validation of adoption records: skills, certifications earned before the portal, and outside
licences, as integrators send them in import files and through the API (column contract in
README, "Certification imports").

The same forms serve a CSV row, an XLSX row and a JSON object, so the same rules and the same
field-level messages apply everywhere. Lookups accept codes (and, where people type them, the
Chinese names); unknown values are named in the error together with what is known."""

import datetime as dt

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import ProductLine, StaffProfile
from portal.records import FlexibleDateField, LenientBooleanField, ListField

from .models import Level, LicenceType, Skill

_LEVEL_WORDS = {"初级": 1, "中级": 2, "高级": 3, "basic": 1, "intermediate": 2, "advanced": 3}


class LevelField(forms.Field):
    """A level as 1/2/3 or 初级/中级/高级."""

    default_error_messages = {"invalid": _("The level is 1, 2 or 3 (初级, 中级, 高级).")}

    def to_python(self, value):
        if value is None or str(value).strip() == "":
            return None
        word = str(value).strip().lower()
        if word in _LEVEL_WORDS:
            return _LEVEL_WORDS[word]
        if word.isdigit() and int(word) in Level.values:
            return int(word)
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class VerifiedField(LenientBooleanField):
    """Yes/no like ``LenientBooleanField``, but a blank cell means *not* verified: a licence
    counts only once someone vouches for it."""

    def to_python(self, value):
        if value is None or str(value).strip() == "":
            return False
        return super().to_python(value)


def _employee_field():
    return forms.CharField(
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


class PersonInScopeMixin:
    """Resolves ``employee_no`` to a staff profile within ``allowed_staff`` (a manager's scope;
    ``None`` is everyone)."""

    def __init__(self, *args, allowed_staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.allowed_staff = allowed_staff

    def clean_employee_no(self):
        number = self.cleaned_data["employee_no"]
        staff = self.allowed_staff if self.allowed_staff is not None else StaffProfile.objects
        profile = staff.select_related("user").filter(employee_no=number).first()
        if profile is None:
            if StaffProfile.objects.filter(employee_no=number).exists():
                raise forms.ValidationError(
                    _("%(employee_no)s is outside your scope."),
                    code="staff_out_of_scope",
                    params={"employee_no": number},
                )
            raise forms.ValidationError(
                _("No staff member has the employee number %(employee_no)s."),
                code="unknown_employee",
                params={"employee_no": number},
            )
        self.cleaned_data["staff"] = profile
        return number


def _known_licence_types() -> str:
    return ", ".join(f"{t.code}（{t.name}）" for t in LicenceType.objects.all())


def licence_types_lookup(names: list[str]) -> tuple[list[LicenceType], list[str]]:
    """The licence types named by code or name, and the names that match none."""
    found = list(LicenceType.objects.filter(Q(code__in=names) | Q(name__in=names)))
    known = {t.code for t in found} | {t.name for t in found}
    return found, [n for n in names if n not in known]


class SkillRecordForm(forms.Form):
    code = forms.CharField(
        label=_("skill code"),
        max_length=40,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9_\-]+$",
                _("Skill codes use letters, digits, - and _ only (e.g. AC-SPLIT-INSTALL)."),
                code="invalid_skill_code",
            )
        ],
    )
    name = forms.CharField(label=_("name"), max_length=80)
    product_line = forms.CharField(label=_("product line"), max_length=50)
    max_level = LevelField(label=_("highest level"), required=False)
    required_licences = ListField(label=_("required licences"), required=False)

    def clean_product_line(self):
        wanted = self.cleaned_data["product_line"].strip()
        line = ProductLine.objects.filter(Q(code=wanted) | Q(name=wanted)).first()
        if line is None:
            raise forms.ValidationError(
                _("Unknown product line: %(names)s. Known: %(known)s."),
                code="unknown_product_line",
                params={
                    "names": wanted,
                    "known": "、".join(ProductLine.objects.values_list("code", flat=True)),
                },
            )
        return line

    def clean_max_level(self):
        return self.cleaned_data["max_level"] or Level.BASIC

    def clean_required_licences(self):
        found, unknown = licence_types_lookup(self.cleaned_data["required_licences"])
        if unknown:
            raise forms.ValidationError(
                _("Unknown licence type: %(names)s. Known: %(known)s."),
                code="unknown_licence_type",
                params={"names": "、".join(unknown), "known": _known_licence_types()},
            )
        return found


class CertificationRecordForm(PersonInScopeMixin, forms.Form):
    employee_no = _employee_field()
    skill = forms.CharField(label=_("skill code"), max_length=40)
    level = LevelField(label=_("level"))
    issued_on = FlexibleDateField(label=_("issued on"))
    expires_on = FlexibleDateField(label=_("expires on"), required=False)
    note = forms.CharField(label=_("note"), max_length=500, required=False)

    def clean_skill(self):
        code = self.cleaned_data["skill"].strip()
        skill = Skill.objects.filter(code=code).first()
        if skill is None:
            raise forms.ValidationError(
                _("No skill has the code %(code)s; import the skills first."),
                code="unknown_skill",
                params={"code": code},
            )
        return skill

    def clean(self):
        from .services import certification_import_problem

        cleaned = super().clean()
        skill, level = cleaned.get("skill"), cleaned.get("level")
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        if skill and level and level > skill.max_level:
            self.add_error(
                "level",
                forms.ValidationError(
                    _("%(skill)s is certified up to level %(max)s."),
                    code="level_above_max",
                    params={"skill": skill.code, "max": skill.max_level},
                ),
            )
        if issued and issued > timezone.localdate():
            self.add_error(
                "issued_on",
                forms.ValidationError(_("The issue date lies in the future."), code="future"),
            )
        if issued and expires and expires <= issued:
            self.add_error(
                "expires_on",
                forms.ValidationError(
                    _("The expiry date must come after the issue date."), code="expires_first"
                ),
            )
        if not self.errors and cleaned.get("staff"):
            problem = certification_import_problem(
                user=cleaned["staff"].user,
                skill=skill,
                level=level,
                issued_on=issued,
                expires_on=expires,
            )
            if problem:
                self.add_error(None, forms.ValidationError(problem, code="conflict"))
        return cleaned


class LicenceRecordForm(PersonInScopeMixin, forms.Form):
    employee_no = _employee_field()
    licence_type = forms.CharField(label=_("licence type"), max_length=50)
    number = forms.CharField(label=_("licence number"), max_length=50)
    authority = forms.CharField(label=_("issuing authority"), max_length=100, required=False)
    issued_on = FlexibleDateField(label=_("issued on"))
    expires_on = FlexibleDateField(label=_("expires on"))
    next_review_on = FlexibleDateField(label=_("next review due"), required=False)
    verified = VerifiedField(label=_("verified"), required=False)

    def __init__(self, *args, actor=None, **kwargs):
        """``actor`` is who vouches for rows marked verified (the importing user); ``None`` is
        the system (a command without ``--verified-by``, or an API key)."""
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_licence_type(self):
        wanted = self.cleaned_data["licence_type"].strip()
        found, unknown = licence_types_lookup([wanted])
        if unknown or not found:
            raise forms.ValidationError(
                _("Unknown licence type: %(names)s. Known: %(known)s."),
                code="unknown_licence_type",
                params={"names": wanted, "known": _known_licence_types()},
            )
        return found[0]

    def clean(self):
        cleaned = super().clean()
        issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
        review = cleaned.get("next_review_on")
        if issued and expires and expires <= issued:
            self.add_error(
                "expires_on",
                forms.ValidationError(
                    _("The expiry date must come after the issue date."), code="expires_first"
                ),
            )
        if issued and review and review <= issued:
            self.add_error(
                "next_review_on",
                forms.ValidationError(
                    _("The review date must come after the issue date."), code="review_first"
                ),
            )
        licence_type, staff = cleaned.get("licence_type"), cleaned.get("staff")
        number = cleaned.get("number")
        if licence_type and staff and number:
            from .models import Licence

            holder = (
                Licence.objects.filter(licence_type=licence_type, number=number)
                .exclude(user=staff.user)
                .exists()
            )
            if holder:
                self.add_error(
                    "number",
                    forms.ValidationError(
                        _("This licence number is already recorded for another person."),
                        code="number_taken",
                    ),
                )
        if cleaned.get("verified") and staff and self.actor is not None:
            from .actions.base import user_may_manage

            if not user_may_manage(user=self.actor, person=staff.user):
                self.add_error(
                    "verified",
                    forms.ValidationError(
                        _("%(actor)s may not verify licences of this person."),
                        code="verifier_out_of_scope",
                        params={"actor": self.actor.get_username()},
                    ),
                )
        cleaned["actor"] = self.actor
        return cleaned


def date_key(value) -> str:
    """A date cell as ISO text when it parses (so 2024/3/1 and 2024-03-01 are one key)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return FlexibleDateField().to_python(value).isoformat()
    except (forms.ValidationError, AttributeError):
        return str(value or "")
