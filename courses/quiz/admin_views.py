"""Trainer admin pages of the quiz engine: question spreadsheet import/export and quiz
statistics. Thin adapters over ``courses.quiz.spreadsheet`` and ``courses.quiz.statistics``."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import Question, Quiz

from .spreadsheet import CHINESE_HEADERS, COLUMNS, questions_export, questions_import
from .statistics import quiz_statistics, quiz_statistics_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATUS_LABELS = {
    "will_create": gettext_lazy("will be created"),
    "will_update": gettext_lazy("will be updated"),
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated"),
    "error": gettext_lazy("error"),
}


class QuestionUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("XLSX file"))
    dry_run = forms.BooleanField(
        label=gettext_lazy("Only check the file, save nothing"), required=False
    )


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def questions_exchange(request):
    if not request.user.has_perm("courses.add_question"):
        raise PermissionDenied
    form = QuestionUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = questions_import(
            content=upload.read(), filename=upload.name, dry_run=form.cleaned_data["dry_run"]
        )
        for row in report.rows:
            row.status_label = STATUS_LABELS.get(row.status, row.status)
    return TemplateResponse(
        request,
        "courses/admin/questions_exchange.html",
        {
            "form": form,
            "report": report,
            "columns": [f"{CHINESE_HEADERS[c]} ({c})" for c in COLUMNS],
        },
    )


def questions_download(request):
    if not request.user.has_perm("courses.view_question"):
        raise PermissionDenied
    content = questions_export(questions=Question.objects.order_by("category__name", "pk"))
    return _xlsx_response(content, f"questions-{timezone.localdate():%Y%m%d}.xlsx")


def quiz_statistics_index(request):
    if not request.user.has_perm("courses.view_quiz"):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "courses/admin/quiz_statistics_index.html",
        {"quizzes": Quiz.objects.order_by("title")},
    )


def quiz_statistics_detail(request, quiz_id: int):
    if not request.user.has_perm("courses.view_quiz"):
        raise PermissionDenied
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    stats = quiz_statistics(quiz=quiz)
    if request.GET.get("format") == "xlsx":
        return _xlsx_response(quiz_statistics_export(stats=stats), f"quiz-{quiz.pk}-stats.xlsx")
    return TemplateResponse(
        request,
        "courses/admin/quiz_statistics.html",
        {"stats": stats, "title": _("Statistics: %(quiz)s") % {"quiz": quiz.title}},
    )
