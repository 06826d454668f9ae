from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    """Skills, certification programmes, the ledger, outside licences and dispatch eligibility."""

    name = "certification"
    verbose_name = _("Certification")
