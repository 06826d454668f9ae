from django.utils.translation import gettext_lazy as _

from ..models import CertificationEvent, CertificationStatus
from .base import CertificationAction


class SuspendCertificationAction(CertificationAction):
    """Suspends an active certification (complaint, safety incident, repeat repair, audit).
    A suspended certification makes its holder ineligible until reinstated."""

    from_statuses = (CertificationStatus.ACTIVE,)
    to_status = CertificationStatus.SUSPENDED
    event_kind = CertificationEvent.Kind.SUSPENDED
    refused_message = _("Only an active certification can be suspended.")
