"""Reactions of learning to events elsewhere in the portal."""

from portal.roles import Role

from .services import onboarding_assign


def assign_onboarding_to_new_staff(sender, profile, **kwargs):
    if profile.has_role(Role.NEW_STAFF):
        onboarding_assign(user=profile.user)
