from django.utils.translation import gettext_lazy as _

from portal.exceptions import PortalError


class CourseAccessDenied(PortalError):
    """The learner may not take this course (not open to them, or prerequisites missing)."""

    code = "course_access_denied"
    default_message = _("You may not take this course.")


class QuizAttemptRefused(PortalError):
    """A quiz attempt may not start now (limit reached, cooldown, no questions, no access)."""

    code = "attempt_refused"
    default_message = _("You cannot start this quiz now.")


class AnswersRefused(PortalError):
    """Answers or a submission were refused (time is up, the attempt is closed, or the post
    names questions or options that are not in the attempt). Nothing was changed."""

    code = "answers_refused"
    default_message = _("Your answers could not be saved.")


class AttemptNotFound(PortalError):
    """No such attempt for this person; another person's attempt looks the same."""

    code = "not_found"
    default_message = _("This attempt does not exist.")


class TamperedAnswers(AnswersRefused):
    """The post names questions or options that the attempt does not have."""

    code = "tampered_answers"
    default_message = _("The answers name questions or options that are not in this attempt.")
