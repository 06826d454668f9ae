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
        from portal.selectors import register_home_section_provider

        from .imports import IMPORT_SPECS
        from .receivers import (
            check_corrective_training,
            evaluate_after_course_completed,
            evaluate_after_quiz_graded,
        )
        from .selectors import certifications_home_items

        for spec in IMPORT_SPECS:
            import_spec_register(spec)

        quiz_attempt_graded.connect(
            evaluate_after_quiz_graded, dispatch_uid="certification.evaluate_after_quiz"
        )
        course_completed.connect(
            evaluate_after_course_completed, dispatch_uid="certification.evaluate_after_course"
        )
        self._connect_webhooks()

        course_completed.connect(
            check_corrective_training, dispatch_uid="certification.check_corrective_training"
        )
        # Trainers are the assessors of practical sign-offs; others get the permission by hand.
        register_role_permissions(
            Role.TRAINER,
            ["certification.add_practicalsignoff", "certification.view_practicalsignoff"],
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
                "certification.view_verificationcard",
                "certification.add_verificationcard",
                "certification.change_verificationcard",
            ],
        )
        register_home_section_provider("certifications", certifications_home_items)

    def _connect_webhooks(self):
        # Every writer of the ledger creates CertificationEvent rows: publishing from their
        # post_save (after commit) covers services, actions, imports and nightly jobs alike.
        from django.db.models.signals import post_save

        from .models import CertificationEvent
        from .webhooks import publish_after_certification_event

        post_save.connect(
            publish_after_certification_event,
            sender=CertificationEvent,
            dispatch_uid="certification.webhooks_after_event",
        )
