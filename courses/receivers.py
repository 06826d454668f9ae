"""Reactions of learning to events elsewhere in the portal."""

from portal.roles import Role

from .services import onboarding_assign


def assign_onboarding_to_new_staff(sender, profile, **kwargs):
    if profile.has_role(Role.NEW_STAFF):
        onboarding_assign(user=profile.user)


def complete_lessons_of_passed_quiz(sender, attempt, user, quiz, passed, **kwargs):
    """A lesson that holds a quiz counts as completed once the learner passes that quiz."""
    import logging

    from .exceptions import CourseAccessDenied
    from .quiz.selectors import lessons_with_quiz
    from .services import lesson_complete

    if not passed:
        return
    for lesson in lessons_with_quiz(quiz=quiz):
        try:
            lesson_complete(user=user, lesson=lesson)
        except CourseAccessDenied:
            logging.getLogger("courses.quiz").info(
                "quiz %s passed by %s; lesson %s not open to them", quiz.pk, user.pk, lesson.pk
            )
