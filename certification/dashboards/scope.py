"""Who may open the dashboards and what they see: a thin layer over ``portal.selectors``.

Every dashboard read starts from :func:`technicians_in_scope` or :func:`outlets_in_scope`, so a
manager never sees, counts or exports anyone outside their regions and outlets. Anything asked
for by id outside the scope raises ``Http404``, exactly like something that does not exist."""

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import Http404

from portal.models import Region, ServiceOutlet, StaffProfile
from portal.roles import Role, group_name
from portal.selectors import (
    outlets_in_scope,
    regions_in_scope,
    staff_in_scope,
    user_roles,
    user_sees_whole_network,
)

__all__ = [
    "dashboard_access_check",
    "outlet_in_scope_get",
    "outlets_in_scope",
    "region_in_scope_get",
    "regions_in_scope",
    "staff_in_scope",
    "technician_in_scope_get",
    "technicians_in_scope",
    "user_sees_whole_network",
]


def user_may_use_dashboards(*, user: User | AnonymousUser) -> bool:
    roles = user_roles(user=user)
    return Role.MANAGER in roles or Role.ADMIN in roles


def dashboard_access_check(*, user: User | AnonymousUser) -> None:
    """Raises Http404 for anyone but managers and administrators: the dashboards do not exist
    for them."""
    if not user_may_use_dashboards(user=user):
        raise Http404


def technicians_in_scope(*, user: User | AnonymousUser) -> QuerySet[StaffProfile]:
    """Active staff holding the technician role at the outlets of the user's scope."""
    return staff_in_scope(user=user).filter(
        active=True,
        user__is_active=True,
        outlet__isnull=False,
        user__groups__name=group_name(Role.TECHNICIAN),
    )


def technician_in_scope_get(*, user: User, employee_no: str) -> StaffProfile:
    """A staff member of the user's scope by employee number (active or not, any role: the
    profile of someone who left stays readable); anyone else raises Http404."""
    profile = (
        staff_in_scope(user=user)
        .select_related("user", "outlet__region")
        .filter(employee_no=employee_no)
        .first()
    )
    if profile is None:
        raise Http404
    return profile


def outlet_in_scope_get(*, user: User, outlet_id) -> ServiceOutlet:
    try:
        outlet_id = int(outlet_id)
    except (TypeError, ValueError):
        raise Http404 from None
    outlet = outlets_in_scope(user=user).select_related("region").filter(pk=outlet_id).first()
    if outlet is None:
        raise Http404
    return outlet


def region_in_scope_get(*, user: User, region_id) -> Region:
    try:
        region_id = int(region_id)
    except (TypeError, ValueError):
        raise Http404 from None
    region = regions_in_scope(user=user).filter(pk=region_id).first()
    if region is None:
        raise Http404
    return region
