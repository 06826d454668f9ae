"""Trainer statistics of a quiz, from graded attempts only.

Per quiz: attempts, pass rate, average score and average duration. Per question (as frozen in
each attempt, so later edits do not blur the history):

- facility index: the mean mark (0–1) of the question over the attempts that drew it, i.e.
  the share answered correctly;
- discrimination index: the question's mean mark among the top third of attempts by score
  minus its mean mark among the bottom third (−1 to 1; higher means it separates those who
  know from those who do not). Undefined with fewer than three attempts.

Questions everyone answered right (facility 1) or everyone answered wrong (facility 0) are
flagged once at least ``FLAG_MIN_ATTEMPTS`` attempts drew them."""

import io
from dataclasses import dataclass, field
from statistics import mean

from django.utils.translation import gettext as _

from courses.models import Question, Quiz, QuizAttempt

FLAG_MIN_ATTEMPTS = 2


@dataclass
class QuestionStats:
    question_id: int
    label: str
    attempts: int
    facility: float
    discrimination: float | None

    @property
    def flag(self) -> str:
        if self.attempts < FLAG_MIN_ATTEMPTS:
            return ""
        if self.facility >= 1:
            return "everyone_right"
        if self.facility <= 0:
            return "everyone_wrong"
        return ""

    @property
    def flag_label(self) -> str:
        return {
            "everyone_right": _("Everyone answered right"),
            "everyone_wrong": _("Everyone answered wrong"),
        }.get(self.flag, "")


@dataclass
class QuizStats:
    quiz: Quiz
    attempts: int
    passed: int
    average_score: float | None
    average_duration_seconds: float | None
    questions: list[QuestionStats] = field(default_factory=list)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.attempts if self.attempts else None


def _marks_by_question(attempt: QuizAttempt) -> dict[int, float]:
    marks = {}
    for qkey, key in attempt.answer_key.items():
        marks[key["question_id"]] = float(attempt.results.get(qkey, 0.0))
    return marks


def quiz_statistics(*, quiz: Quiz) -> QuizStats:
    attempts = list(
        QuizAttempt.objects.filter(quiz=quiz, score__isnull=False).order_by("-score", "pk")
    )
    count = len(attempts)
    durations = [a.duration_seconds for a in attempts if a.duration_seconds is not None]
    stats = QuizStats(
        quiz=quiz,
        attempts=count,
        passed=sum(1 for a in attempts if a.passed),
        average_score=round(mean(float(a.score) for a in attempts), 2) if attempts else None,
        average_duration_seconds=round(mean(durations), 1) if durations else None,
    )
    marks = [_marks_by_question(a) for a in attempts]
    third = count // 3
    upper, lower = marks[:third], marks[count - third :] if third else []
    labels: dict[int, str] = {}
    for attempt in attempts:
        for key in attempt.answer_key.values():
            labels.setdefault(key["question_id"], key.get("stem_text", ""))
    current = {q.pk: str(q) for q in Question.objects.filter(pk__in=labels)}
    for question_id in labels:
        drawn = [m[question_id] for m in marks if question_id in m]
        top = [m[question_id] for m in upper if question_id in m]
        bottom = [m[question_id] for m in lower if question_id in m]
        discrimination = round(mean(top) - mean(bottom), 3) if top and bottom else None
        stats.questions.append(
            QuestionStats(
                question_id=question_id,
                label=current.get(question_id) or labels[question_id],
                attempts=len(drawn),
                facility=round(mean(drawn), 3),
                discrimination=discrimination,
            )
        )
    stats.questions.sort(key=lambda q: (q.facility, q.question_id))
    return stats


def quiz_statistics_export(*, stats: QuizStats) -> bytes:
    """The statistics as XLSX: an overview sheet and a sheet per question."""
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    workbook = Workbook()
    overview = workbook.active
    overview.title = _("Overview")[:31]
    overview.append([_("Quiz"), stats.quiz.title])
    overview.append([_("Attempts"), stats.attempts])
    overview.append([_("Pass rate"), stats.pass_rate])
    overview.append([_("Average score"), stats.average_score])
    overview.append([_("Average duration (minutes)"), _minutes(stats.average_duration_seconds)])
    sheet = workbook.create_sheet(_("Questions")[:31])
    sheet.append(
        [
            _("Question"),
            _("Attempts"),
            _("Facility index"),
            _("Discrimination index"),
            _("Note"),
        ]
    )
    highlight = PatternFill("solid", fgColor="FDECEA")
    for row in stats.questions:
        sheet.append([row.label, row.attempts, row.facility, row.discrimination, row.flag_label])
        if row.flag:
            for cell in sheet[sheet.max_row]:
                cell.fill = highlight
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _minutes(seconds: float | None) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None
