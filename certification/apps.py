from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    """Skills, certification programmes, the ledger, outside licences and dispatch eligibility."""

    name = "certification"
    verbose_name = _("Certification")

    def ready(self):
        from courses.signals import course_completed, quiz_attempt_graded
        from portal.imports import import_spec_register
        from portal.permissions import register_role_permissions
        from portal.roles import Role

        from .imports import IMPORT_SPECS
        from .receivers import evaluate_after_course_completed, evaluate_after_quiz_graded

        for spec in IMPORT_SPECS:
            import_spec_register(spec)

        quiz_attempt_graded.connect(
            evaluate_after_quiz_graded, dispatch_uid="certification.evaluate_after_quiz"
        )
        course_completed.connect(
            evaluate_after_course_completed, dispatch_uid="certification.evaluate_after_course"
        )
        catalogue = ("skill", "licencetype", "programme")
        register_role_permissions(
            Role.TRAINER,
            [
                *(
                    f"certification.{action}_{model}"
                    for model in catalogue
                    for action in ("add", "change", "view")
                ),
                "certification.view_certification",
            ],
        )
        register_role_permissions(
            Role.MANAGER,
            [
                "certification.view_certification",
                "certification.view_licence",
                "certification.add_licence",
                "certification.change_licence",
            ],
        )
