"""Reads about the organisation: who holds which role, and what a person may see."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, Region, ServiceOutlet, StaffProfile
from .roles import Role, role_from_group_name


def user_roles(*, user: User | AnonymousUser) -> frozenset[Role]:
    """The roles a user holds. Superusers hold the administrator role implicitly.

    Cached on the user object for the request: it is asked many times per page."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True)
        found = {r for r in map(role_from_group_name, names) if r}
        if user.is_superuser:
            found.add(Role.ADMIN)
        cached = frozenset(found)
        user._portal_roles = cached
    return cached


def user_sees_whole_network(*, user: User | AnonymousUser) -> bool:
    return Role.ADMIN in user_roles(user=user)


def staff_profile_for(*, user: User | AnonymousUser) -> StaffProfile | None:
    if not user.is_authenticated:
        return None
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


def user_display_name(*, user: User | AnonymousUser) -> str:
    """How the portal addresses a person: their name as HR knows it."""
    profile = staff_profile_for(user=user)
    if profile is not None:
        return profile.name
    return user.get_full_name() or user.get_username()


def outlets_in_scope(*, user: User | AnonymousUser) -> QuerySet[ServiceOutlet]:
    """Outlets whose people and data the user may see as a manager.

    Administrators see every outlet. A manager sees the outlets of the regions and the outlets
    listed on their profile, or, with none listed, their own outlet. Everyone else sees none."""
    roles = user_roles(user=user)
    if Role.ADMIN in roles:
        return ServiceOutlet.objects.all()
    profile = staff_profile_for(user=user)
    if Role.MANAGER not in roles or profile is None:
        return ServiceOutlet.objects.none()
    region_ids = list(profile.managed_regions.values_list("pk", flat=True))
    outlet_ids = list(profile.managed_outlets.values_list("pk", flat=True))
    if not region_ids and not outlet_ids:
        outlet_ids = [profile.outlet_id] if profile.outlet_id else []
    return ServiceOutlet.objects.filter(Q(region_id__in=region_ids) | Q(pk__in=outlet_ids))


def regions_in_scope(*, user: User | AnonymousUser) -> QuerySet[Region]:
    if user_sees_whole_network(user=user):
        return Region.objects.all()
    return Region.objects.filter(outlets__in=outlets_in_scope(user=user)).distinct()


def staff_in_scope(*, user: User | AnonymousUser) -> QuerySet[StaffProfile]:
    """Staff the user may see as a manager: those of the outlets in their scope."""
    if user_sees_whole_network(user=user):
        return StaffProfile.objects.all()
    return StaffProfile.objects.filter(outlet__in=outlets_in_scope(user=user))


def managers_of(*, outlet: ServiceOutlet) -> QuerySet[StaffProfile]:
    """Active managers whose scope includes the outlet: those listing it or its region, and
    outlet managers without a listed scope who belong to it."""
    from .roles import group_name

    managers = StaffProfile.objects.filter(
        active=True, user__is_active=True, user__groups__name=group_name(Role.MANAGER)
    )
    return managers.filter(
        Q(managed_outlets=outlet)
        | Q(managed_regions=outlet.region_id)
        | Q(outlet=outlet, managed_outlets__isnull=True, managed_regions__isnull=True)
    ).distinct()


def notifications_for(*, user: User, limit: int = 50):
    from .models import Notification

    return Notification.objects.filter(user=user)[:limit]


def notifications_unread_count(*, user: User) -> int:
    from .models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def api_key_find(*, prefix: str) -> ApiKey | None:
    return ApiKey.objects.filter(prefix=prefix).first()


@dataclass(frozen=True)
class HomeSection:
    """One block of the role-based home page. Later features fill ``items``."""

    key: str
    title: str
    empty_text: str
    links: list[tuple[str, str]] = field(default_factory=list)
    items: list = field(default_factory=list)


# Apps fill home sections they own: {section key: callable(user) -> list of items}.
HOME_SECTION_PROVIDERS: dict = {}


def register_home_section_provider(key: str, provider) -> None:
    """Lets an app fill a home-page section (call from AppConfig.ready())."""
    HOME_SECTION_PROVIDERS[key] = provider


def home_sections_for(*, user: User) -> list[HomeSection]:
    """What the home page shows, in order, for the roles the user holds; each section's items
    come from the app that registered a provider for it."""
    sections = _home_sections_shell(user=user)
    return [
        HomeSection(s.key, s.title, s.empty_text, s.links, HOME_SECTION_PROVIDERS[s.key](user))
        if s.key in HOME_SECTION_PROVIDERS
        else s
        for s in sections
    ]


def _home_sections_shell(*, user: User) -> list[HomeSection]:
    roles = user_roles(user=user)
    sections: list[HomeSection] = []
    if Role.NEW_STAFF in roles:
        sections.append(
            HomeSection(
                key="onboarding",
                title=str(_("My onboarding")),
                empty_text=str(_("Your onboarding path will appear here once it is assigned.")),
                links=[(str(_("My learning")), "/learning/")],
            )
        )
    if Role.TECHNICIAN in roles:
        sections.append(
            HomeSection(
                key="case_search",
                title=str(_("Search repair cases")),
                empty_text=str(_("Search by error code, model or symptom.")),
            )
        )
        sections.append(
            HomeSection(
                key="certifications",
                title=str(_("My certifications")),
                empty_text=str(_("You hold no certifications yet.")),
            )
        )
    if Role.TRAINER in roles:
        sections.append(
            HomeSection(
                key="content_work",
                title=str(_("My content work")),
                empty_text=str(_("Courses, quizzes and cases awaiting your review show here.")),
                links=[(str(_("Open the authoring workspace")), reverse("wagtailadmin_home"))],
            )
        )
    if Role.MANAGER in roles or Role.ADMIN in roles:
        outlets = outlets_in_scope(user=user)
        sections.append(
            HomeSection(
                key="manager_dashboard",
                title=str(_("My network")),
                empty_text=str(_("No outlets are in your scope yet.")),
                links=[
                    (str(_("Open the dashboards")), reverse("dashboards:index")),
                    (str(_("Manage staff and outlets")), reverse("wagtailadmin_home")),
                ],
                items=list(outlets.select_related("region")[:50]),
            )
        )
    return sections
