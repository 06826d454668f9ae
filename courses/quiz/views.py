"""Learner pages of a quiz: start, take (with autosave), submit, result. Thin adapters over
``courses.quiz.services``; the page never sends a score, only answers."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.exceptions import (
    AnswersRefused,
    AttemptNotFound,
    QuizAttemptRefused,
    TamperedAnswers,
)
from courses.models import Quiz, QuizLayout

from .selectors import (
    attempt_of_user,
    attempt_paper_for,
    attempt_remaining_seconds,
    attempt_review_for,
)
from .services import attempt_save_answers, attempt_start, attempt_submit

MULTI_VALUE_TYPES = ("multiple", "ordering")


def _own_attempt(request, attempt_id: int):
    try:
        return attempt_of_user(user=request.user, attempt_id=attempt_id)
    except AttemptNotFound as exc:
        raise Http404(exc.message) from exc


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return fallback


def _answers_from_form(request, attempt) -> dict:
    """Answers of the questions present in the posted form (one page may hold only one)."""
    answers = {}
    shown = request.POST.getlist("shown")
    for entry in attempt.snapshot:
        qkey = entry["key"]
        if qkey not in request.POST and qkey not in shown:
            continue
        if entry["type"] in MULTI_VALUE_TYPES:
            answers[qkey] = [v for v in request.POST.getlist(qkey) if v]
        else:
            answers[qkey] = request.POST.get(qkey, "")
    # Names that are no question of this attempt are a tampered post.
    known = {e["key"] for e in attempt.snapshot}
    for name in request.POST:
        if name.startswith("q") and name[1:].isdigit() and name not in known:
            answers[name] = request.POST.get(name)
    return answers


@login_required
@require_POST
def quiz_start(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    back = _safe_next(request, reverse("courses:my_learning"))
    try:
        attempt = attempt_start(
            user=request.user,
            quiz=quiz,
            ip=request.META.get("REMOTE_ADDR"),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
        )
    except QuizAttemptRefused as exc:
        messages.error(request, exc.message)
        return redirect(back)
    request.session[f"quiz-back-{attempt.pk}"] = back
    return redirect("courses:quiz_take", attempt_id=attempt.pk)


@login_required
@require_GET
def quiz_take(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if not attempt.is_running:
        return redirect("courses:quiz_result", attempt_id=attempt.pk)
    paper = attempt_paper_for(attempt=attempt)
    one_per_page = attempt.quiz.layout == QuizLayout.ONE_PER_PAGE
    position = 1
    if one_per_page:
        try:
            position = min(max(int(request.GET.get("q", 1)), 1), len(paper))
        except ValueError:
            position = 1
    shown = [paper[position - 1]] if one_per_page else paper
    remaining = attempt_remaining_seconds(attempt=attempt)
    return TemplateResponse(
        request,
        "courses/quiz/take.html",
        {
            "title": attempt.quiz.title,
            "attempt": attempt,
            "quiz": attempt.quiz,
            "questions": shown,
            "total": len(paper),
            "answered": sum(1 for q in paper if q["answer"] not in (None, "", [])),
            "one_per_page": one_per_page,
            "position": position,
            "remaining": remaining,
            "remaining_display": f"{remaining // 60:02d}:{remaining % 60:02d}"
            if remaining is not None
            else "",
        },
    )


@login_required
@require_POST
def quiz_save(request, attempt_id: int):
    """Autosave. JSON in (``{"answers": {...}}``), JSON out; or a form post from the
    one-question-per-page navigation, which then goes to the asked question."""
    is_json = request.content_type == "application/json"
    try:
        attempt = attempt_of_user(user=request.user, attempt_id=attempt_id)
    except AttemptNotFound as exc:
        if is_json:
            return JsonResponse({"code": exc.code, "message": exc.message}, status=404)
        raise Http404(exc.message) from exc
    if is_json:
        try:
            payload = json.loads(request.body or b"{}")
            answers = payload.get("answers", {}) if isinstance(payload, dict) else None
        except ValueError:
            answers = None
    else:
        answers = _answers_from_form(request, attempt)
    try:
        attempt = attempt_save_answers(
            attempt_id=attempt.pk, user=request.user, answers=answers if answers is not None else []
        )
    except AnswersRefused as exc:
        if is_json:
            return JsonResponse({"code": exc.code, "message": exc.message}, status=409)
        messages.error(request, exc.message)
        return redirect("courses:quiz_take", attempt_id=attempt.pk)
    if is_json:
        return JsonResponse(
            {
                "saved": True,
                "saved_at": attempt.last_saved_at.isoformat() if attempt.last_saved_at else None,
                "remaining_seconds": attempt_remaining_seconds(attempt=attempt),
                "answered": len(attempt.answers),
            }
        )
    target = reverse("courses:quiz_take", kwargs={"attempt_id": attempt.pk})
    go = request.POST.get("go", "")
    return redirect(f"{target}?q={int(go)}" if go.isdigit() else target)


@login_required
@require_POST
def quiz_submit(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_running:
        answers = _answers_from_form(request, attempt)
        if answers:
            try:
                attempt_save_answers(attempt_id=attempt.pk, user=request.user, answers=answers)
            except TamperedAnswers as exc:
                messages.error(request, exc.message)
                return redirect("courses:quiz_take", attempt_id=attempt.pk)
            except AnswersRefused as exc:
                # Time is up: the attempt is graded on the answers saved before the deadline.
                messages.error(request, exc.message)
    attempt, graded_now = attempt_submit(attempt_id=attempt.pk, user=request.user)
    if not graded_now:
        messages.info(request, _("This attempt has already been submitted."))
    return redirect("courses:quiz_result", attempt_id=attempt.pk)


@login_required
@require_GET
def quiz_result(request, attempt_id: int):
    attempt = _own_attempt(request, attempt_id)
    if attempt.is_running:
        return redirect("courses:quiz_take", attempt_id=attempt.pk)
    return TemplateResponse(
        request,
        "courses/quiz/result.html",
        {
            "title": attempt.quiz.title,
            "review": attempt_review_for(attempt=attempt),
            "back": request.session.get(f"quiz-back-{attempt.pk}", reverse("courses:my_learning")),
        },
    )
