"""Errors of the shared kernel that a user or an integrator can cause."""

from django.utils.translation import gettext_lazy as _


class PortalError(Exception):
    """Base for errors whose message is safe and useful to show to the person who caused them."""

    code = "error"
    default_message = _("The request could not be completed.")

    def __init__(self, message=None, *, errors: dict | None = None):
        self.message = str(message or self.default_message)
        self.errors = errors or {}
        super().__init__(self.message)


class ImportFileError(PortalError):
    """The uploaded file cannot be read as a table of the expected shape."""

    code = "invalid_file"
    default_message = _("The file could not be read.")


class UnknownScopeError(PortalError):
    code = "unknown_scope"
