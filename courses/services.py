"""Writes about learning: enrolment, lesson completion, path assignment.

Progress writes are idempotent and safe under double clicks and concurrent requests: unique
constraints decide, and the course-completed signal is sent by whichever request flips the
enrolment to completed, exactly once."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone

from .exceptions import CourseAccessDenied
from .models import CoursePage, Enrolment, LearningPath, LessonPage, LessonProgress, PathAssignment
from .selectors import completed_lesson_ids, course_access_for, course_lessons
from .signals import course_completed


def _get_or_create(model, **fields):
    """get_or_create that survives two requests racing to create the same row."""
    try:
        with transaction.atomic():
            return model.objects.get_or_create(**fields)
    except IntegrityError:
        return model.objects.get(**fields), False


def enrolment_create(*, user: User, course: CoursePage) -> Enrolment:
    """Enrols the person, or returns their existing enrolment. Refuses, with the reason, when
    the course is not open to them or a prerequisite is missing."""
    access = course_access_for(user=user, course=course)
    if not access.allowed:
        raise CourseAccessDenied(access.reason)
    enrolment, _created = _get_or_create(Enrolment, user=user, course=course)
    return enrolment


def enrolment_touch(*, user: User, lesson: LessonPage) -> None:
    """Remembers the lesson a learner opened last, for "continue where you left off"."""
    course = lesson.get_parent()
    Enrolment.objects.filter(user=user, course_id=course.pk).update(
        last_lesson=lesson, last_activity_at=timezone.now()
    )


@dataclass(frozen=True)
class LessonCompletion:
    enrolment: Enrolment
    lesson_newly_completed: bool
    course_completed_now: bool


def lesson_complete(*, user: User, lesson: LessonPage) -> LessonCompletion:
    """Marks a lesson completed for the person (enrolling them if needed) and completes the
    course when every live lesson is done. Only the person themselves can be the subject: the
    view passes ``request.user``."""
    course = lesson.get_parent().specific
    enrolment = enrolment_create(user=user, course=course)
    _progress, created = _get_or_create(LessonProgress, user=user, lesson=lesson)
    now = timezone.now()
    Enrolment.objects.filter(pk=enrolment.pk).update(last_lesson=lesson, last_activity_at=now)
    lessons = course_lessons(course=course)
    completed_now = False
    if len(completed_lesson_ids(user=user, lessons=lessons)) >= len(lessons) > 0:
        revision = course.live_revision
        with transaction.atomic():
            flipped = Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(
                completed_at=now, completed_revision=revision
            )
            completed_now = flipped == 1
            if completed_now:
                transaction.on_commit(
                    lambda: course_completed.send(
                        sender=CoursePage,
                        user=user,
                        course=course,
                        revision=revision,
                        completed_at=now,
                    )
                )
    enrolment.refresh_from_db()
    return LessonCompletion(enrolment, created, completed_now)


def path_assign(
    *,
    path: LearningPath,
    assigned_by: User | None = None,
    role: str = "",
    outlet=None,
    region=None,
    user: User | None = None,
    due_mode: str = PathAssignment.DueMode.AFTER_ASSIGNMENT,
    due_date: dt.date | None = None,
    due_days: int = 30,
) -> PathAssignment:
    """Assigns a path to one target (a role, an outlet, a region or a person). Assigning the
    same path to the same target again updates the due date instead of duplicating."""
    target = {"role": role, "outlet": outlet, "region": region, "user": user}
    assignment = PathAssignment.objects.filter(path=path, **target).first()
    assignment = assignment or PathAssignment(path=path, **target)
    assignment.due_mode = due_mode
    assignment.due_date = due_date
    assignment.due_days = due_days
    assignment.assigned_by = assigned_by
    assignment.full_clean()
    assignment.save()
    return assignment


def path_assign_bulk(*, path: LearningPath, users: list[User], **options) -> int:
    """Assigns a path to each person in ``users``; returns how many assignments were made."""
    with transaction.atomic():
        for person in users:
            path_assign(path=path, user=person, **options)
    return len(users)


def onboarding_assign(*, user: User) -> list[PathAssignment]:
    """Gives a new staff member every onboarding path, due N days after their hire date."""
    return [
        path_assign(
            path=path,
            user=user,
            due_mode=PathAssignment.DueMode.AFTER_HIRE,
            due_days=path.onboarding_due_days,
        )
        for path in LearningPath.objects.filter(is_onboarding=True)
    ]
