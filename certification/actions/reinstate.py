from django.utils.translation import gettext_lazy as _

from ..models import CertificationEvent, CertificationStatus
from .base import CertificationAction


class ReinstateCertificationAction(CertificationAction):
    """Lifts a suspension. A revoked certification can never be reinstated; one that lapsed
    while suspended comes back expired, not active."""

    from_statuses = (CertificationStatus.SUSPENDED,)
    to_status = CertificationStatus.ACTIVE
    event_kind = CertificationEvent.Kind.REINSTATED
    refused_message = _("Only a suspended certification can be reinstated.")

    def _commit(self):
        if self.certification.grace_ends_at <= self.now:
            self.to_status = CertificationStatus.EXPIRED
        return super()._commit()
