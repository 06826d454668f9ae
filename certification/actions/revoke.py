from django.utils.translation import gettext_lazy as _

from ..models import CertificationEvent, CertificationStatus
from .base import CertificationAction


class RevokeCertificationAction(CertificationAction):
    """Revokes a certification for good. Final: nothing moves it out of ``revoked``, and a
    reason is required."""

    from_statuses = (CertificationStatus.ACTIVE, CertificationStatus.SUSPENDED)
    to_status = CertificationStatus.REVOKED
    event_kind = CertificationEvent.Kind.REVOKED
    refused_message = _("This certification can no longer be revoked.")
