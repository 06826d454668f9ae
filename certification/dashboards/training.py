"""Training health of the scope: onboarding completion and overdue assignments per outlet,
quiz pass rates and the hardest questions, training hours per technician per month.

All of it is computed for the whole scope at once, from a fixed number of queries: assignments,
path items, completed enrolments, role groups, graded attempts and lesson completions are each
read once and matched in Python, rather than asking the learner selectors person by person."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from statistics import mean

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone

from courses.models import (
    AttemptStatus,
    Enrolment,
    LearningPathItem,
    LessonProgress,
    PathAssignment,
    QuizAttempt,
)
from courses.selectors import assignment_due_date
from portal.models import ServiceOutlet, StaffProfile
from portal.roles import role_from_group_name

from .scope import staff_in_scope

HARDEST_MIN_ATTEMPTS = 3


def month_starts(*, months: int, today: dt.date) -> list[dt.date]:
    """The first days of the last ``months`` months, oldest first, ending with this month."""
    starts = []
    year, month = today.year, today.month
    for _n in range(months):
        starts.append(dt.date(year, month, 1))
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return starts[::-1]


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass
class OutletTraining:
    outlet: ServiceOutlet
    staff: int = 0
    onboarding_assigned: int = 0
    onboarding_completed: int = 0
    onboarding_overdue: int = 0
    assignments_open: int = 0
    assignments_overdue: int = 0
    overdue_people: list[tuple[StaffProfile, str, dt.date]] = field(default_factory=list)

    @property
    def onboarding_rate(self) -> float | None:
        if not self.onboarding_assigned:
            return None
        return self.onboarding_completed / self.onboarding_assigned


def training_by_outlet(
    *, user: User, outlet: ServiceOutlet | None = None, today: dt.date | None = None
) -> list[OutletTraining]:
    """Per outlet of the scope: onboarding paths assigned, completed and overdue, and open and
    overdue path assignments, counted per person and path (the earliest due date wins, as on
    the learner's own page)."""
    today = today or timezone.localdate()
    staff_qs = staff_in_scope(user=user).filter(active=True, user__is_active=True)
    staff_qs = staff_qs.filter(outlet__isnull=False)
    if outlet is not None:
        staff_qs = staff_qs.filter(outlet=outlet)
    people = list(staff_qs.select_related("user", "outlet").order_by("outlet__code", "employee_no"))
    user_ids = [p.user_id for p in people]
    roles = defaultdict(set)
    for user_id, name in User.groups.through.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "group__name"
    ):
        role = role_from_group_name(name)
        if role:
            roles[user_id].add(role.value)
    assignments = list(PathAssignment.objects.select_related("path"))
    courses_of = defaultdict(set)
    for path_id, course_id in LearningPathItem.objects.filter(course__live=True).values_list(
        "path_id", "course_id"
    ):
        courses_of[path_id].add(course_id)
    completed = defaultdict(set)
    for user_id, course_id in Enrolment.objects.filter(
        user_id__in=user_ids, completed_at__isnull=False
    ).values_list("user_id", "course_id"):
        completed[user_id].add(course_id)

    outlets: dict[int, OutletTraining] = {}
    for person in people:
        row = outlets.setdefault(person.outlet_id, OutletTraining(person.outlet))
        row.staff += 1
        due: dict[int, dt.date | None] = {}
        paths = {}
        for a in assignments:
            if not (
                a.user_id == person.user_id
                or (a.role and a.role in roles[person.user_id])
                or (a.outlet_id and a.outlet_id == person.outlet_id)
                or (a.region_id and a.region_id == person.outlet.region_id)
            ):
                continue
            date = assignment_due_date(assignment=a, user=person.user)
            paths[a.path_id] = a.path
            current = due.get(a.path_id)
            if a.path_id not in due or (date and (current is None or date < current)):
                due[a.path_id] = date
        for path_id, path in paths.items():
            required = courses_of[path_id]
            done = bool(required) and required <= completed[person.user_id]
            overdue = not done and due[path_id] is not None and due[path_id] < today
            if path.is_onboarding:
                row.onboarding_assigned += 1
                row.onboarding_completed += done
                row.onboarding_overdue += overdue
            if not done:
                row.assignments_open += 1
                row.assignments_overdue += overdue
            if overdue:
                row.overdue_people.append((person, path.title, due[path_id]))
    return list(outlets.values())


@dataclass
class QuizRate:
    quiz_id: int
    title: str
    attempts: int
    passed: int
    average_score: float | None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.attempts if self.attempts else None


@dataclass
class HardQuestion:
    question_id: int
    label: str
    quiz_titles: list[str]
    attempts: int
    facility: float


@dataclass
class QuizHealth:
    quizzes: list[QuizRate]
    hardest: list[HardQuestion]
    monthly: list[tuple[dt.date, int, int]]  # (month, attempts, passed)


def quiz_health(
    *,
    user: User,
    outlet: ServiceOutlet | None = None,
    days: int = 180,
    months: int = 12,
    hardest: int = 10,
    today: dt.date | None = None,
    until: dt.datetime | None = None,
) -> QuizHealth:
    """Pass rates per quiz over the last ``days``, a monthly pass rate over the last ``months``
    and the questions the scope's people answer worst (lowest facility: the mean mark, as in
    the trainers' quiz statistics), from graded attempts of the scope only."""
    today = today or timezone.localdate()
    starts = month_starts(months=months, today=today)
    since = min(_aware(starts[0]), _aware(today - dt.timedelta(days=days)))
    users = staff_in_scope(user=user)
    if outlet is not None:
        users = users.filter(outlet=outlet)
    attempts = (
        QuizAttempt.objects.filter(
            user_id__in=users.values("user_id"), score__isnull=False, submitted_at__gte=since
        )
        .filter(submitted_at__lt=until or timezone.now() + dt.timedelta(days=1))
        .exclude(status=AttemptStatus.IN_PROGRESS)
        .values_list(
            "quiz_id", "quiz__title", "submitted_at", "score", "passed", "answer_key", "results"
        )
    )
    recent_from = _aware(today - dt.timedelta(days=days))
    per_quiz: dict[int, list] = {}
    titles = {}
    monthly = {start: [0, 0] for start in starts}
    marks = defaultdict(list)
    labels = {}
    quizzes_of = defaultdict(set)
    for quiz_id, title, submitted_at, score, passed, answer_key, results in attempts:
        month = timezone.localdate(submitted_at).replace(day=1)
        if month in monthly:
            monthly[month][0] += 1
            monthly[month][1] += bool(passed)
        if submitted_at < recent_from:
            continue
        titles[quiz_id] = title
        per_quiz.setdefault(quiz_id, []).append((float(score), bool(passed)))
        for qkey, key in (answer_key or {}).items():
            question_id = key.get("question_id")
            if question_id is None:
                continue
            marks[question_id].append(float((results or {}).get(qkey, 0.0)))
            labels.setdefault(question_id, key.get("stem_text", ""))
            quizzes_of[question_id].add(title)
    rates = [
        QuizRate(
            quiz_id,
            titles[quiz_id],
            len(scores),
            sum(1 for _s, p in scores if p),
            round(mean(s for s, _p in scores), 1),
        )
        for quiz_id, scores in per_quiz.items()
    ]
    rates.sort(key=lambda r: (r.pass_rate if r.pass_rate is not None else 1, r.title))
    hard = [
        HardQuestion(
            qid, labels[qid] or f"#{qid}", sorted(quizzes_of[qid]), len(m), round(mean(m), 3)
        )
        for qid, m in marks.items()
        if len(m) >= HARDEST_MIN_ATTEMPTS
    ]
    hard.sort(key=lambda h: (h.facility, -h.attempts, h.question_id))
    return QuizHealth(
        quizzes=rates,
        hardest=hard[:hardest],
        monthly=[(start, *monthly[start]) for start in starts],
    )


@dataclass
class TrainingHoursRow:
    staff: StaffProfile
    hours: list[float]

    @property
    def total(self) -> float:
        return round(sum(self.hours), 1)


def training_hours(
    *,
    user: User,
    months: int = 6,
    outlet: ServiceOutlet | None = None,
    today: dt.date | None = None,
) -> tuple[list[dt.date], list[TrainingHoursRow]]:
    """Training hours per technician per month, for the monthly assessment: the estimated time
    of the lessons completed in the month plus the time actually spent in graded quizzes."""
    today = today or timezone.localdate()
    starts = month_starts(months=months, today=today)
    since = _aware(starts[0])
    staff_qs = staff_in_scope(user=user).filter(active=True, outlet__isnull=False)
    if outlet is not None:
        staff_qs = staff_qs.filter(outlet=outlet)
    people = list(staff_qs.select_related("outlet").order_by("outlet__code", "employee_no"))
    index = {start: n for n, start in enumerate(starts)}
    minutes = defaultdict(lambda: [0.0] * len(starts))
    scope_users = staff_qs.values("user_id")
    for user_id, completed_at, estimate in LessonProgress.objects.filter(
        user_id__in=scope_users, completed_at__gte=since
    ).values_list("user_id", "completed_at", "lesson__estimated_minutes"):
        n = index.get(timezone.localdate(completed_at).replace(day=1))
        if n is not None:
            minutes[user_id][n] += estimate or 0
    for user_id, started_at, submitted_at in QuizAttempt.objects.filter(
        Q(user_id__in=scope_users), submitted_at__gte=since, started_at__isnull=False
    ).values_list("user_id", "started_at", "submitted_at"):
        n = index.get(timezone.localdate(submitted_at).replace(day=1))
        if n is not None:
            minutes[user_id][n] += max(0.0, (submitted_at - started_at).total_seconds() / 60)
    rows = [TrainingHoursRow(p, [round(m / 60, 1) for m in minutes[p.user_id]]) for p in people]
    return starts, rows
