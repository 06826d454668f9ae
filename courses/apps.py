from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    """Learning: courses, lessons, learning paths, progress and the quiz engine."""

    name = "courses"
    verbose_name = _("Courses")

    def ready(self):
        from portal.permissions import POST_SYNC_HOOKS, register_role_permissions
        from portal.roles import Role
        from portal.selectors import register_home_section_provider
        from portal.signals import staff_member_created

        from .receivers import assign_onboarding_to_new_staff, complete_lessons_of_passed_quiz
        from .selectors import onboarding_paths_for
        from .setup import course_catalogue_ensure
        from .signals import quiz_attempt_graded

        staff_member_created.connect(
            assign_onboarding_to_new_staff, dispatch_uid="courses.onboarding"
        )
        quiz_attempt_graded.connect(
            complete_lessons_of_passed_quiz, dispatch_uid="courses.quiz_lesson_completion"
        )
        register_role_permissions(
            Role.TRAINER,
            [
                *(
                    f"courses.{action}_{model}"
                    for model in ("question", "questioncategory", "quiz")
                    for action in ("add", "change", "delete", "view")
                ),
                "courses.view_quizattempt",
                "courses.add_learningpath",
                "courses.change_learningpath",
                "courses.add_pathassignment",
                "courses.change_pathassignment",
                "courses.delete_pathassignment",
            ],
        )
        register_role_permissions(
            Role.MANAGER,
            [
                "courses.add_pathassignment",
                "courses.change_pathassignment",
                "courses.delete_pathassignment",
            ],
        )
        register_home_section_provider("onboarding", onboarding_paths_for)
        if course_catalogue_ensure not in POST_SYNC_HOOKS:
            POST_SYNC_HOOKS.append(course_catalogue_ensure)
