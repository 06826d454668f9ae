"""Forms of the manager's suspension pages (portal, not admin)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.models import LearningPath

from .actions.suspension import SUSPENSION_REASONS
from .models import CertificationEvent

ALL_SKILLS = "all"


def _reason_choices():
    return [("", "---------")] + [
        (code, CertificationEvent.Reason(code).label) for code in SUSPENSION_REASONS
    ]


class SuspendForm(forms.Form):
    skill = forms.ChoiceField(label=_("Skills to suspend"))
    reason_code = forms.ChoiceField(label=_("Reason"))
    reason_text = forms.CharField(
        label=_("Details"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the reason is Other."),
    )
    corrective_path = forms.ModelChoiceField(
        label=_("Corrective learning path"),
        queryset=LearningPath.objects.filter(is_onboarding=False).order_by("title"),
        required=False,
        empty_label=_("The programme's default corrective path"),
    )

    def __init__(self, *args, certifications, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(ALL_SKILLS, _("All skills"))]
        seen = set()
        for cert in certifications:
            if cert.skill_id not in seen:
                seen.add(cert.skill_id)
                choices.append((str(cert.skill_id), f"{cert.skill} · {cert.get_level_display()}"))
        self.fields["skill"].choices = choices
        self.fields["reason_code"].choices = _reason_choices()

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reason_code") == CertificationEvent.Reason.OTHER
            and not (cleaned.get("reason_text") or "").strip()
        ):
            self.add_error("reason_text", _("Give a reason."))
        return cleaned


class RevokeForm(forms.Form):
    reason_code = forms.ChoiceField(label=_("Reason"))
    reason_text = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason_code"].choices = _reason_choices()
