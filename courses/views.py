"""Learner actions. Thin adapters over courses.services; every write is a POST by the learner
about themselves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .exceptions import CourseAccessDenied
from .models import CoursePage, LessonPage
from .selectors import lesson_has_quiz, my_learning_for
from .services import enrolment_create, lesson_complete


@login_required
@require_POST
def course_enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        enrolment_create(user=request.user, course=course)
    except CourseAccessDenied as exc:
        messages.error(request, exc.message)
        return redirect(course.url)
    messages.success(request, _("You are enrolled in %(course)s.") % {"course": course.title})
    return redirect(course.url)


@login_required
@require_POST
def lesson_mark_complete(request, lesson_id: int):
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    if lesson_has_quiz(lesson=lesson):
        messages.error(request, _("Pass the quiz in this lesson to complete it."))
        return redirect(lesson.url)
    try:
        result = lesson_complete(user=request.user, lesson=lesson)
    except CourseAccessDenied as exc:
        messages.error(request, exc.message)
        return redirect(lesson.get_parent().url)
    course = lesson.get_parent().specific
    if result.course_completed_now:
        messages.success(request, _("Course completed: %(course)s") % {"course": course.title})
        return redirect(course.url)
    next_lesson = lesson.get_next_siblings().live().first()
    return redirect(next_lesson.url if next_lesson else course.url)


@login_required
def my_learning(request):
    return TemplateResponse(
        request,
        "courses/my_learning.html",
        {"learning": my_learning_for(user=request.user), "title": _("My learning")},
    )
