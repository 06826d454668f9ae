from django.utils.translation import gettext_lazy as _

from portal.exceptions import PortalError


class CourseAccessDenied(PortalError):
    """The learner may not take this course (not open to them, or prerequisites missing)."""

    code = "course_access_denied"
    default_message = _("You may not take this course.")
