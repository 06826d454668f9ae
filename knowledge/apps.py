from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """Ticket intake, redaction, case summaries, duplicate folding and the case knowledge base."""

    name = "knowledge"
    verbose_name = _("Knowledge base")
