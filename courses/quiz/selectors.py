"""Reads about quizzes: may a person start one now, how did they do, what may they see."""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.exceptions import AttemptNotFound
from courses.models import (
    AttemptStatus,
    LessonPage,
    Question,
    Quiz,
    QuizAttempt,
    QuizDraw,
    ReviewPolicy,
)
from courses.selectors import Access, course_access_for

logger = logging.getLogger("courses.quiz")

# Answers arriving this long after the deadline still count: the last autosave or the
# submit click may be in flight when the clock runs out.
DEADLINE_GRACE = dt.timedelta(seconds=30)


def lessons_with_quiz(*, quiz: Quiz) -> list[LessonPage]:
    """Live lessons that place this quiz in their body (a quiz block)."""
    found = []
    for lesson in LessonPage.objects.live().order_by("path"):
        for block in lesson.body:
            if block.block_type == "quiz" and getattr(block.value.get("quiz"), "pk", None) == (
                quiz.pk
            ):
                found.append(lesson)
                break
    return found


def attempts_of(*, user: User, quiz: Quiz):
    """Every attempt of a person at a quiz, newest first. Not tied to enrolments: leaving and
    re-joining a course gives no new attempts."""
    return QuizAttempt.objects.filter(user=user, quiz=quiz).order_by("-started_at")


def running_attempt_of(*, user: User, quiz: Quiz) -> QuizAttempt | None:
    return QuizAttempt.objects.filter(
        user=user, quiz=quiz, status=AttemptStatus.IN_PROGRESS
    ).first()


def attempt_is_overdue(*, attempt: QuizAttempt, now: dt.datetime | None = None) -> bool:
    """Past the deadline plus the grace period."""
    now = now or timezone.now()
    return attempt.deadline is not None and now > attempt.deadline + DEADLINE_GRACE


def attempt_remaining_seconds(*, attempt: QuizAttempt, now: dt.datetime | None = None):
    """Seconds left before the deadline, computed on the server; None without a limit."""
    if attempt.deadline is None:
        return None
    now = now or timezone.now()
    return max(0, int((attempt.deadline - now).total_seconds()))


def quiz_start_check(*, user: User, quiz: Quiz, now: dt.datetime | None = None) -> Access:
    """Whether the person may start a new attempt now, and if not why, in their language."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return Access(False, _("Sign in to take courses."))
    lessons = lessons_with_quiz(quiz=quiz)
    if lessons:
        courses = {lesson.get_parent().specific for lesson in lessons}
        checks = [course_access_for(user=user, course=course) for course in courses]
        if not any(check.allowed for check in checks):
            return checks[0]
    attempts = list(attempts_of(user=user, quiz=quiz)[:1])
    used = attempts_of(user=user, quiz=quiz).count()
    if quiz.attempts_allowed and used >= quiz.attempts_allowed:
        return Access(
            False,
            _("You have used all %(n)s attempts allowed for this quiz.")
            % {"n": quiz.attempts_allowed},
        )
    if quiz.cooldown_minutes and attempts:
        last = attempts[0]
        ended = last.submitted_at or last.started_at
        next_start = ended + dt.timedelta(minutes=quiz.cooldown_minutes)
        if now < next_start:
            when = date_format(timezone.localtime(next_start), "Y-m-d H:i")
            return Access(False, _("You can try again after %(time)s.") % {"time": when})
    if not quiz.fixed_questions.exists() and not quiz.draws.exists():
        return Access(False, _("This quiz has no questions yet."))
    return Access(True)


@dataclass
class QuizSummary:
    quiz: Quiz
    running: QuizAttempt | None
    best: QuizAttempt | None
    attempts_used: int
    start: Access

    @property
    def attempts_left(self) -> int | None:
        if not self.quiz.attempts_allowed:
            return None
        return max(0, self.quiz.attempts_allowed - self.attempts_used)

    @property
    def passed(self) -> bool:
        return bool(self.best and self.best.passed)


def quiz_summary_for(*, user: User, quiz: Quiz) -> QuizSummary:
    """What the quiz block shows a learner: resume, start (or why not), best result."""
    if not user.is_authenticated:
        return QuizSummary(quiz, None, None, 0, Access(False, _("Sign in to take courses.")))
    graded = attempts_of(user=user, quiz=quiz).filter(score__isnull=False)
    best = graded.order_by("-score", "submitted_at").first()
    return QuizSummary(
        quiz=quiz,
        running=running_attempt_of(user=user, quiz=quiz),
        best=best,
        attempts_used=attempts_of(user=user, quiz=quiz).count(),
        start=quiz_start_check(user=user, quiz=quiz),
    )


def attempt_of_user(*, user: User, attempt_id: int) -> QuizAttempt:
    """The person's own attempt; anyone else's answers AttemptNotFound, like a missing one,
    and is logged: asking for another person's attempt is a tampered request."""
    attempt = QuizAttempt.objects.select_related("quiz").filter(pk=attempt_id).first()
    if attempt is None:
        raise AttemptNotFound()
    if attempt.user_id != user.pk:
        logger.warning(
            "foreign attempt: attempt=%s owner=%s user=%s", attempt_id, attempt.user_id, user.pk
        )
        raise AttemptNotFound()
    return attempt


def attempt_paper_for(*, attempt: QuizAttempt) -> list[dict]:
    """The questions as the learner sees them, with their saved answers. Built from the
    snapshot only: the answer key is not read here."""
    questions = []
    for number, entry in enumerate(attempt.snapshot, start=1):
        answer = attempt.answers.get(entry["key"])
        selected = answer if isinstance(answer, list) else [answer] if answer else []
        slots = []
        if entry["type"] == "ordering":
            slots = [selected[i] if i < len(selected) else "" for i in range(len(entry["options"]))]
        questions.append(
            {**entry, "number": number, "answer": answer, "selected": selected, "slots": slots}
        )
    return questions


@dataclass
class ReviewItem:
    number: int
    entry: dict
    answer: object
    answer_text: str
    mark: float | None = None
    correct_text: str = ""
    explanation: str = ""


@dataclass
class AttemptReview:
    attempt: QuizAttempt
    show_score: bool
    show_correctness: bool
    show_answers: bool
    show_explanations: bool
    answers_held_back: bool
    items: list[ReviewItem]


def _labels(key: dict, value) -> str:
    """An answer (the learner's or the key's) as text a person reads."""
    kind = key.get("type")
    if kind == "true_false":
        if value in (True, "true"):
            return _("True")
        if value in (False, "false"):
            return _("False")
        return ""
    if kind == "fill_in":
        return " / ".join(value) if isinstance(value, list) else str(value or "")
    values = value if isinstance(value, list) else [value] if value else []
    labels = key.get("labels", {})
    separator = " → " if kind == "ordering" else "；"
    return separator.join(labels.get(v, "—") for v in values)


def attempt_review_for(*, attempt: QuizAttempt) -> AttemptReview:
    """What the learner may see of a graded attempt, as the quiz's review policy allows. The
    policy is read from the quiz now, so a trainer can open or close review afterwards."""
    quiz = attempt.quiz
    policy = quiz.review_policy if not attempt.is_running else ReviewPolicy.NOTHING
    held_back = bool(
        quiz.answers_only_after_passing and not attempt.passed and policy >= ReviewPolicy.ANSWERS
    )
    show_answers = policy >= ReviewPolicy.ANSWERS and not held_back
    show_explanations = policy >= ReviewPolicy.EXPLANATIONS and not held_back
    show_correctness = policy >= ReviewPolicy.CORRECTNESS
    items = []
    if show_correctness:
        for number, entry in enumerate(attempt.snapshot, start=1):
            key = attempt.answer_key.get(entry["key"], {})
            answer = attempt.answers.get(entry["key"])
            item = ReviewItem(
                number=number,
                entry=entry,
                answer=answer,
                answer_text=_labels(key, answer),
                mark=attempt.results.get(entry["key"]),
            )
            if show_answers:
                item.correct_text = _labels(key, key.get("correct"))
            if show_explanations:
                item.explanation = key.get("explanation", "")
            items.append(item)
    return AttemptReview(
        attempt=attempt,
        show_score=policy >= ReviewPolicy.SCORE,
        show_correctness=show_correctness,
        show_answers=show_answers,
        show_explanations=show_explanations,
        answers_held_back=held_back,
        items=items,
    )


def draw_pool(
    *, category_id: int, difficulty: int | None, tags: list[str], exclude: Iterable[int] = ()
):
    """The questions a random draw may take: its category's, of its difficulty and with any of
    its tags when those are given, less ``exclude`` (questions the quiz already holds)."""
    pool = Question.objects.filter(category_id=category_id).exclude(pk__in=list(exclude))
    if difficulty:
        pool = pool.filter(difficulty=difficulty)
    if tags:
        pool = pool.filter(tags__name__in=tags).distinct()
    return pool


@dataclass
class DrawShortfall:
    """A draw (``index`` in the quiz's draws; None for all draws together) that the question
    bank cannot fill, and why, in the trainer's language."""

    index: int | None
    message: str


def quiz_draws_shortfalls(
    *, fixed_question_ids: Iterable[int], draws: list[QuizDraw]
) -> list[DrawShortfall]:
    """Draws that would give learners fewer questions than the trainer asked for: one whose
    own pool is too small, or draws whose pools overlap so that together they ask for more
    different questions than there are. Fixed questions are never drawn again."""
    fixed = set(fixed_question_ids)
    shortfalls = []
    union: set[int] = set()
    for index, draw in enumerate(draws):
        ids = set(
            draw_pool(
                category_id=draw.category_id,
                difficulty=draw.difficulty,
                tags=draw.tag_list(),
                exclude=fixed,
            ).values_list("pk", flat=True)
        )
        union |= ids
        if len(ids) < draw.count:
            shortfalls.append(
                DrawShortfall(
                    index,
                    _(
                        "Only %(available)s questions of the bank match this draw; it asks "
                        "for %(count)s."
                    )
                    % {"available": len(ids), "count": draw.count},
                )
            )
    wanted = sum(draw.count for draw in draws)
    if not shortfalls and wanted > len(union):
        shortfalls.append(
            DrawShortfall(
                None,
                _(
                    "The random draws ask for %(count)s different questions in all, but only "
                    "%(available)s questions match them."
                )
                % {"available": len(union), "count": wanted},
            )
        )
    return shortfalls
