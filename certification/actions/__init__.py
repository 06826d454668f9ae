"""Changes to certifications, one module per verb, each an object with ``check()`` and
``execute()`` (the shape of ``wagtail.actions``), so the admin, the API and code behave the same.

``check()`` raises when the change is not allowed; ``execute()`` checks, then changes the status
and writes the event in one transaction."""

from .base import CertificationAction
from .reinstate import ReinstateCertificationAction
from .revoke import RevokeCertificationAction
from .suspend import SuspendCertificationAction

__all__ = [
    "CertificationAction",
    "ReinstateCertificationAction",
    "RevokeCertificationAction",
    "SuspendCertificationAction",
]
