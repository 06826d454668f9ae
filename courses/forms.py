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


class QuizForm(WagtailAdminModelForm):
    """Refuses random draws the question bank cannot fill, so an exam never quietly gives
    learners fewer questions than the trainer set."""

    def clean(self):
        from .models.quiz import QuizDraw
        from .quiz.selectors import quiz_draws_shortfalls

        cleaned = super().clean()
        draws_formset = self.formsets.get("draws")
        fixed_formset = self.formsets.get("fixed_questions")
        if draws_formset is None or not draws_formset.is_valid():
            return cleaned
        if fixed_formset is not None and not fixed_formset.is_valid():
            return cleaned
        kept = [
            form
            for form in draws_formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        fixed_ids = [
            form.cleaned_data["question"].pk
            for form in (fixed_formset.forms if fixed_formset is not None else [])
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("question")
        ]
        draws = [
            QuizDraw(
                category=form.cleaned_data["category"],
                count=form.cleaned_data["count"],
                tags=form.cleaned_data.get("tags") or "",
                difficulty=form.cleaned_data.get("difficulty"),
            )
            for form in kept
        ]
        for shortfall in quiz_draws_shortfalls(fixed_question_ids=fixed_ids, draws=draws):
            if shortfall.index is None:
                self.add_error(None, shortfall.message)
            else:
                kept[shortfall.index].add_error("count", shortfall.message)
                # The draw's own error alone would not stop the parent form from saving.
                self.add_error(None, shortfall.message)
        return cleaned
