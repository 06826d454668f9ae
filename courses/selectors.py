"""Reads about learning: what a person may take, how far they are, what is due."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.selectors import staff_profile_for, user_roles

from .models import (
    CoursePage,
    Enrolment,
    LearningPath,
    LearningPathItem,
    LessonPage,
    LessonProgress,
    PathAssignment,
)

# People who write or review content may open every lesson, e.g. to preview it.
AUTHOR_PERMISSION = "wagtailadmin.access_admin"


@dataclass(frozen=True)
class Access:
    allowed: bool
    reason: str = ""


@dataclass
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


def course_lessons(*, course: CoursePage) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(course).live().order_by("path"))


def completed_lesson_ids(*, user: User, lessons: list[LessonPage]) -> set[int]:
    if not user.is_authenticated or not lessons:
        return set()
    return set(
        LessonProgress.objects.filter(user=user, lesson__in=lessons).values_list(
            "lesson_id", flat=True
        )
    )


def completed_course_ids(*, user: User) -> set[int]:
    return set(
        Enrolment.objects.filter(user=user, completed_at__isnull=False).values_list(
            "course_id", flat=True
        )
    )


def assignments_for(*, user: User):
    """The path assignments that apply to a person, by role, outlet, region or name."""
    profile = staff_profile_for(user=user)
    target = Q(user=user) | Q(role__in=[r.value for r in user_roles(user=user)])
    if profile is not None and profile.outlet_id:
        target |= Q(outlet_id=profile.outlet_id) | Q(region_id=profile.outlet.region_id)
    return PathAssignment.objects.filter(target).select_related("path")


def assignment_due_date(*, assignment: PathAssignment, user: User) -> dt.date | None:
    if assignment.due_mode == PathAssignment.DueMode.FIXED:
        return assignment.due_date
    if assignment.due_mode == PathAssignment.DueMode.AFTER_HIRE:
        profile = staff_profile_for(user=user)
        base = profile.hire_date if profile and profile.hire_date else None
        if base is None:
            base = timezone.localdate(assignment.created_at)
        return base + dt.timedelta(days=assignment.due_days)
    return timezone.localdate(assignment.created_at) + dt.timedelta(days=assignment.due_days)


def assigned_course_ids(*, user: User) -> set[int]:
    path_ids = assignments_for(user=user).values_list("path_id", flat=True)
    return set(
        LearningPathItem.objects.filter(path_id__in=path_ids).values_list("course_id", flat=True)
    )


def missing_prerequisites(*, user: User, course: CoursePage) -> list[CoursePage]:
    required = list(course.prerequisites.all())
    if not required:
        return []
    done = completed_course_ids(user=user)
    return [c for c in required if c.pk not in done]


def course_access_for(*, user: User, course: CoursePage) -> Access:
    """Whether a person may take a course now, and if not, why (in their language)."""
    if not user.is_authenticated:
        return Access(False, _("Sign in to take courses."))
    if user.has_perm(AUTHOR_PERMISSION):
        return Access(True)
    is_enrolled = Enrolment.objects.filter(user=user, course=course).exists()
    if not (is_enrolled or course.self_enrolment or course.pk in assigned_course_ids(user=user)):
        return Access(False, _("This course is only for people it is assigned to."))
    missing = missing_prerequisites(user=user, course=course)
    if missing:
        names = "、".join(c.title for c in missing)
        return Access(False, _("Complete these courses first: %(names)s") % {"names": names})
    return Access(True)


def lesson_access_for(*, user: User, lesson: LessonPage) -> Access:
    return course_access_for(user=user, course=lesson.get_parent().specific)


@dataclass
class LessonRow:
    lesson: LessonPage
    done: bool


@dataclass
class CourseOverview:
    course: CoursePage
    lessons: list[LessonRow]
    progress: Progress
    access: Access
    enrolment: Enrolment | None
    next_lesson: LessonPage | None
    missing_prerequisites: list[CoursePage] = field(default_factory=list)


def course_overview_for(*, user: User, course: CoursePage) -> CourseOverview:
    lessons = course_lessons(course=course)
    done_ids = completed_lesson_ids(user=user, lessons=lessons)
    enrolment = (
        Enrolment.objects.filter(user=user, course=course).first()
        if user.is_authenticated
        else None
    )
    next_lesson = next((lesson for lesson in lessons if lesson.pk not in done_ids), None)
    return CourseOverview(
        course=course,
        lessons=[LessonRow(lesson, lesson.pk in done_ids) for lesson in lessons],
        progress=Progress(len(done_ids), len(lessons)),
        access=course_access_for(user=user, course=course),
        enrolment=enrolment,
        next_lesson=next_lesson,
        missing_prerequisites=missing_prerequisites(user=user, course=course)
        if user.is_authenticated
        else [],
    )


@dataclass
class LessonNavigation:
    course: CoursePage
    previous: LessonPage | None
    next: LessonPage | None
    done: bool
    progress: Progress
    position: int
    requires_quiz: bool = False


def lesson_has_quiz(*, lesson: LessonPage) -> bool:
    """Lessons holding a quiz are completed by passing it, not by a button."""
    return any(block.block_type == "quiz" for block in lesson.body)


def lesson_navigation_for(*, user: User, lesson: LessonPage) -> LessonNavigation:
    course = lesson.get_parent().specific
    lessons = course_lessons(course=course)
    ids = [x.pk for x in lessons]
    position = ids.index(lesson.pk) if lesson.pk in ids else 0
    done_ids = completed_lesson_ids(user=user, lessons=lessons)
    return LessonNavigation(
        course=course,
        previous=lessons[position - 1] if position > 0 else None,
        next=lessons[position + 1] if position + 1 < len(lessons) else None,
        done=lesson.pk in done_ids,
        progress=Progress(len(done_ids), len(lessons)),
        position=position + 1,
        requires_quiz=lesson_has_quiz(lesson=lesson),
    )


@dataclass
class PathStatus:
    path: LearningPath
    due_date: dt.date | None
    courses: list[tuple[CoursePage, Progress]]
    progress: Progress

    @property
    def completed(self) -> bool:
        return self.progress.complete

    @property
    def overdue(self) -> bool:
        return (
            not self.completed
            and self.due_date is not None
            and self.due_date < timezone.localdate()
        )


def path_statuses_for(*, user: User) -> list[PathStatus]:
    """Every path assigned to the person with its earliest due date and progress."""
    due: dict[int, dt.date | None] = {}
    paths: dict[int, LearningPath] = {}
    for assignment in assignments_for(user=user):
        date = assignment_due_date(assignment=assignment, user=user)
        paths[assignment.path_id] = assignment.path
        current = due.get(assignment.path_id)
        if assignment.path_id not in due or (date and (current is None or date < current)):
            due[assignment.path_id] = date
    statuses = []
    completed = completed_course_ids(user=user)
    for path_id, path in paths.items():
        courses = []
        for item in path.items.select_related("course").order_by("sort_order"):
            course = item.course
            if not course.live:
                continue
            lessons = course_lessons(course=course)
            done = (
                len(lessons)
                if course.pk in completed
                else len(completed_lesson_ids(user=user, lessons=lessons))
            )
            courses.append((course, Progress(done, len(lessons))))
        done_courses = sum(1 for _c, p in courses if p.complete)
        statuses.append(
            PathStatus(path, due[path_id], courses, Progress(done_courses, len(courses)))
        )
    statuses.sort(key=lambda s: (s.completed, s.due_date or dt.date.max))
    return statuses


@dataclass
class MyLearning:
    paths: list[PathStatus]
    in_progress: list[tuple[Enrolment, Progress]]
    completed: list[Enrolment]
    continue_lesson: LessonPage | None

    @property
    def overdue(self) -> list[PathStatus]:
        return [p for p in self.paths if p.overdue]


def my_learning_for(*, user: User) -> MyLearning:
    enrolments = list(
        Enrolment.objects.filter(user=user)
        .select_related("course", "last_lesson")
        .order_by("-last_activity_at", "-enrolled_at")
    )
    in_progress = []
    for enrolment in enrolments:
        if enrolment.completed_at is None and enrolment.course.live:
            lessons = course_lessons(course=enrolment.course)
            done = len(completed_lesson_ids(user=user, lessons=lessons))
            in_progress.append((enrolment, Progress(done, len(lessons))))
    continue_lesson = None
    if in_progress:
        enrolment = in_progress[0][0]
        overview = course_overview_for(user=user, course=enrolment.course)
        continue_lesson = overview.next_lesson
    return MyLearning(
        paths=path_statuses_for(user=user),
        in_progress=in_progress,
        completed=[e for e in enrolments if e.completed_at is not None],
        continue_lesson=continue_lesson,
    )


def course_cards_for(*, user: User, index) -> list[tuple[CoursePage, Access]]:
    courses = CoursePage.objects.child_of(index).live().order_by("path")
    return [(course, course_access_for(user=user, course=course)) for course in courses]


def onboarding_paths_for(user: User) -> list[PathStatus]:
    """The onboarding paths assigned to a person, for their home page."""
    return [s for s in path_statuses_for(user=user) if s.path.is_onboarding]
