"""The roles people hold in the portal, each backed by a Django group of the same code.

Groups carry Wagtail admin permissions, so "what a role may touch" is data a superuser can
inspect; this module is the one place that names them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NEW_STAFF = "new_staff", _("New staff")
    TECHNICIAN = "technician", _("Technician")
    TRAINER = "trainer", _("Trainer")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Administrator")


# Roles that work in the Wagtail admin; the others only use the portal's own pages.
ADMIN_ROLES = frozenset({Role.TRAINER, Role.MANAGER, Role.ADMIN})


def group_name(role: Role | str) -> str:
    """The Django group that carries a role. Stable codes, never translated."""
    return f"role:{Role(role).value}"


def role_from_group_name(name: str) -> Role | None:
    if not name.startswith("role:"):
        return None
    try:
        return Role(name.removeprefix("role:"))
    except ValueError:
        return None
