from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    """Learning: courses, lessons, learning paths, progress and the quiz engine."""

    name = "courses"
    verbose_name = _("Courses")
