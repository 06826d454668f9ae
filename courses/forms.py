from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from portal.roles import Role


class CoursePageForm(WagtailAdminPageForm):
    target_roles = forms.MultipleChoiceField(
        label=_("target roles"),
        choices=[(r.value, r.label) for r in Role if r != Role.ADMIN],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class QuestionForm(WagtailAdminModelForm):
    """Checks that a question's options and answer fit its type."""

    def clean(self):
        from .models.quiz import QuestionType

        cleaned = super().clean()
        kind = cleaned.get("question_type")
        formset = self.formsets.get("choices")
        if formset is None or not formset.is_valid():
            return cleaned
        rows = [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        correct = sum(1 for row in rows if row.get("is_correct"))
        with_options = (QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.ORDERING)
        if kind in with_options and len(rows) < 2:
            self.add_error(None, _("Give at least two options."))
        if kind == QuestionType.SINGLE and correct != 1:
            self.add_error(None, _("A single-choice question has exactly one correct option."))
        if kind == QuestionType.MULTIPLE and correct < 1:
            self.add_error(None, _("Mark at least one correct option."))
        if kind == QuestionType.FILL_IN and not (cleaned.get("accepted_answers") or "").strip():
            self.add_error("accepted_answers", _("Give at least one accepted answer."))
        return cleaned
