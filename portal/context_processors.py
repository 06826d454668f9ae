from .roles import ADMIN_ROLES, Role
from .selectors import notifications_unread_count, user_display_name, user_roles


def navigation(request):
    """What the top navigation offers the current user."""
    roles = user_roles(user=request.user)
    return {
        "portal_roles": roles,
        "portal_can_use_admin": bool(roles & ADMIN_ROLES),
        "portal_is_manager": Role.MANAGER in roles or Role.ADMIN in roles,
        "portal_user_name": user_display_name(user=request.user)
        if request.user.is_authenticated
        else "",
        "portal_unread": notifications_unread_count(user=request.user)
        if request.user.is_authenticated
        else 0,
    }
