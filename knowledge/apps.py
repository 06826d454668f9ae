from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """Ticket intake, redaction, case summaries, duplicate folding and the case knowledge base."""

    name = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        from portal.permissions import register_role_permissions
        from portal.roles import Role

        # Trainers are the quality staff (技质部): they curate cases and read raw tickets.
        register_role_permissions(
            Role.TRAINER,
            [
                "knowledge.change_case",
                "knowledge.publish_case",
                "knowledge.lock_case",
                "knowledge.view_ticket",
                "knowledge.change_caseflag",
            ],
        )
        register_role_permissions(Role.MANAGER, ["knowledge.view_ticket"])
