"""Errors of certification a user or an integrator can cause."""

from django.utils.translation import gettext_lazy as _

from portal.exceptions import PortalError


class CertificationActionRefused(PortalError):
    """A change to a certification is not allowed in its current state."""

    code = "action_refused"
    default_message = _("This change cannot be made to the certification.")


class CertificationPermissionDenied(PortalError):
    """The person may not change this certification or licence (outside their scope)."""

    code = "permission_denied"
    default_message = _("You may not change records of this person.")


class ReasonRequired(PortalError):
    code = "reason_required"
    default_message = _("Give a reason.")


class UnknownSkill(PortalError):
    code = "unknown_skill"
    default_message = _("No skill has this code.")


class SignoffRefused(PortalError):
    """A practical sign-off cannot be recorded as given (wrong programme, checklist, result)."""

    code = "signoff_refused"
    default_message = _("The practical sign-off cannot be recorded.")


class SuspensionRefused(PortalError):
    """A suspension, reinstatement approval or revocation cannot be made as asked."""

    code = "suspension_refused"
    default_message = _("This change cannot be made to the suspension.")


class LicenceNumberTaken(PortalError):
    """A licence number of a type is already recorded for someone else."""

    code = "licence_number_taken"
    default_message = _("This licence number is already recorded for another person.")
