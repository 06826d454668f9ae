"""Writes of the quiz engine: starting, autosaving, submitting and closing attempts.

Guarantees:
- an attempt's questions, options and key are frozen when it starts;
- answers are only accepted from the attempt's owner, for questions and options in the
  attempt, while it runs and until its deadline plus a short grace; anything else is refused,
  logged, and leaves the attempt exactly as it was;
- an attempt is graded once, however many submits, expiry runs and races there are: the
  status flips from "in progress" by a conditional update, and whoever flips it grades it and
  sends ``quiz_attempt_graded`` after commit."""

import datetime as dt
import logging
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.exceptions import (
    AnswersRefused,
    AttemptNotFound,
    QuizAttemptRefused,
    TamperedAnswers,
)
from courses.models import AttemptStatus, Quiz, QuizAttempt
from courses.signals import quiz_attempt_graded

from .grading import grade_attempt
from .selectors import DEADLINE_GRACE, attempt_is_overdue, quiz_start_check, running_attempt_of
from .snapshot import quiz_freeze

logger = logging.getLogger("courses.quiz")

MAX_TEXT_ANSWER = 200


def attempt_start(
    *, user: User, quiz: Quiz, ip: str | None = None, user_agent: str = ""
) -> QuizAttempt:
    """Starts an attempt, or returns the one still running (resume after a lost connection).
    An overdue running attempt is closed and graded first. Refuses, with the reason, when the
    attempt limit is reached, the cooldown has not passed or the quiz has no questions."""
    now = timezone.now()
    running = running_attempt_of(user=user, quiz=quiz)
    if running is not None:
        if not attempt_is_overdue(attempt=running, now=now):
            return running
        _attempt_grade(attempt_id=running.pk, status=AttemptStatus.EXPIRED, now=now)
    check = quiz_start_check(user=user, quiz=quiz, now=now)
    if not check.allowed:
        logger.info("attempt refused: user=%s quiz=%s reason=%s", user.pk, quiz.pk, check.reason)
        raise QuizAttemptRefused(check.reason)
    frozen = quiz_freeze(quiz=quiz)
    if not frozen.paper:
        raise QuizAttemptRefused(_("This quiz has no questions yet."))
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + dt.timedelta(minutes=quiz.time_limit_minutes)
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                user=user,
                quiz=quiz,
                started_at=now,
                deadline=deadline,
                pass_mark=quiz.pass_mark,
                snapshot=frozen.paper,
                answer_key=frozen.key,
                ip=ip or None,
                user_agent=(user_agent or "")[:300],
            )
    except IntegrityError:
        # A double click raced us to it: the unique "one running attempt" constraint decided.
        existing = running_attempt_of(user=user, quiz=quiz)
        if existing is None:
            raise
        return existing


def _refuse(
    attempt: QuizAttempt, user: User, why: str, message: str, kind=AnswersRefused
) -> AnswersRefused:
    logger.warning("answers refused: attempt=%s user=%s why=%s", attempt.pk, user.pk, why)
    return kind(message)


def _clean_answer(entry: dict, value):
    """The answer in canonical form, or raises ValueError when it cannot belong here."""
    tokens = {option["token"] for option in entry["options"]}
    kind = entry["type"]
    if value in (None, "", []):
        return None
    if kind == "single":
        if isinstance(value, str) and value in tokens:
            return value
    elif kind == "multiple":
        values = value if isinstance(value, list) else [value]
        if all(isinstance(v, str) and v in tokens for v in values):
            return sorted(set(values))
    elif kind == "ordering":
        values = value if isinstance(value, list) else [value]
        if not any(values):
            return None
        valid = all(isinstance(v, str) and (v in tokens or v == "") for v in values)
        if valid and len(values) <= len(tokens):
            return list(values)
    elif kind == "true_false":
        if value in ("true", "false"):
            return value
    elif kind == "fill_in" and isinstance(value, str) and len(value) <= MAX_TEXT_ANSWER:
        return value
    raise ValueError(kind)


def attempt_answers_clean(*, attempt: QuizAttempt, answers: dict) -> dict:
    """Checks every answer against the attempt's own questions and options."""
    entries = {entry["key"]: entry for entry in attempt.snapshot}
    cleaned = {}
    for qkey, value in answers.items():
        if qkey not in entries:
            raise ValueError(f"unknown question {qkey!r}")
        cleaned[qkey] = _clean_answer(entries[qkey], value)
    return cleaned


def _attempt_for_write(*, attempt_id: int, user: User) -> QuizAttempt:
    attempt = QuizAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise AttemptNotFound()
    if attempt.user_id != user.pk:
        logger.warning(
            "foreign attempt: attempt=%s owner=%s user=%s", attempt_id, attempt.user_id, user.pk
        )
        raise AttemptNotFound()
    return attempt


def attempt_save_answers(
    *, attempt_id: int, user: User, answers: dict, now: dt.datetime | None = None
) -> QuizAttempt:
    """Merges answers into the running attempt (autosave). All or nothing: one bad answer
    refuses the whole request."""
    now = now or timezone.now()
    attempt = _attempt_for_write(attempt_id=attempt_id, user=user)
    if not isinstance(answers, dict):
        raise _refuse(
            attempt, user, "not a mapping", _("The answers could not be read."), TamperedAnswers
        )
    if not attempt.is_running:
        raise _refuse(attempt, user, "closed", _("This attempt has already been submitted."))
    if attempt_is_overdue(attempt=attempt, now=now):
        raise _refuse(attempt, user, "overdue", _("Time is up: answers are no longer accepted."))
    try:
        cleaned = attempt_answers_clean(attempt=attempt, answers=answers)
    except ValueError as exc:
        raise _refuse(
            attempt,
            user,
            f"tampered: {exc}",
            _("The answers name questions or options that are not in this attempt."),
            TamperedAnswers,
        ) from exc
    with transaction.atomic():
        locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        merged = {**locked.answers, **cleaned}
        merged = {k: v for k, v in merged.items() if v is not None}
        updated = QuizAttempt.objects.filter(
            pk=attempt.pk, status=AttemptStatus.IN_PROGRESS
        ).update(answers=merged, last_saved_at=now)
    if not updated:
        raise _refuse(attempt, user, "closed", _("This attempt has already been submitted."))
    attempt.refresh_from_db()
    return attempt


def _attempt_grade(*, attempt_id: int, status: str, now: dt.datetime) -> tuple[QuizAttempt, bool]:
    """Grades a running attempt once; returns it and whether this call graded it."""
    with transaction.atomic():
        attempt = (
            QuizAttempt.objects.select_for_update()
            .select_related("quiz", "user")
            .get(pk=attempt_id)
        )
        if not attempt.is_running:
            return attempt, False
        score, marks = grade_attempt(answer_key=attempt.answer_key, answers=attempt.answers)
        score_value = Decimal(str(score)).quantize(Decimal("0.01"))
        passed = score_value >= attempt.pass_mark
        submitted_at = now
        if status == AttemptStatus.EXPIRED and attempt.deadline and attempt.deadline < now:
            submitted_at = attempt.deadline
        flipped = QuizAttempt.objects.filter(
            pk=attempt.pk, status=AttemptStatus.IN_PROGRESS
        ).update(
            status=status,
            submitted_at=submitted_at,
            graded_at=now,
            score=score_value,
            passed=passed,
            results=marks,
        )
        attempt.refresh_from_db()
        if flipped != 1:
            return attempt, False
        graded = attempt
        transaction.on_commit(
            lambda: quiz_attempt_graded.send(
                sender=QuizAttempt,
                attempt=graded,
                user=graded.user,
                quiz=graded.quiz,
                score=graded.score,
                passed=graded.passed,
            )
        )
    logger.info("attempt graded: attempt=%s score=%s passed=%s", attempt.pk, score_value, passed)
    return attempt, True


def attempt_submit(
    *, attempt_id: int, user: User, now: dt.datetime | None = None
) -> tuple[QuizAttempt, bool]:
    """Hands in the person's attempt and grades it. Submitting again (double click, replayed
    post, two tabs) returns the graded attempt unchanged: the second call grades nothing.
    Returns the attempt and whether this call graded it."""
    now = now or timezone.now()
    attempt = _attempt_for_write(attempt_id=attempt_id, user=user)
    if not attempt.is_running:
        logger.info("repeat submit: attempt=%s user=%s", attempt.pk, user.pk)
        return attempt, False
    status = (
        AttemptStatus.EXPIRED
        if attempt_is_overdue(attempt=attempt, now=now)
        else AttemptStatus.SUBMITTED
    )
    return _attempt_grade(attempt_id=attempt.pk, status=status, now=now)


def attempt_expire_overdue(*, now: dt.datetime | None = None) -> int:
    """Closes and grades every running attempt past its deadline plus grace; returns how many
    this run graded. Safe to run often and concurrently with learners' submits."""
    now = now or timezone.now()
    overdue = QuizAttempt.objects.filter(
        status=AttemptStatus.IN_PROGRESS, deadline__lt=now - DEADLINE_GRACE
    ).values_list("pk", flat=True)
    graded = 0
    for attempt_id in list(overdue):
        _attempt, graded_now = _attempt_grade(
            attempt_id=attempt_id, status=AttemptStatus.EXPIRED, now=now
        )
        graded += int(graded_now)
    return graded
