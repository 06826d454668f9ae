"""What each role may touch in the Wagtail admin, kept as group permissions.

``role_groups_sync`` is run after every migrate, so a new model's permissions reach the roles
that need them without anyone clicking through the group editor. It only adds what is listed
here and never removes permissions an administrator granted by hand."""

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from .roles import Role, group_name

# Model permissions per role, as "app_label.codename". Managers' object access is further
# narrowed to their scope by the admin views (see wagtail_hooks.py).
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.NEW_STAFF: [],
    Role.TECHNICIAN: [],
    Role.TRAINER: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
    ],
    Role.MANAGER: [
        "wagtailadmin.access_admin",
        "portal.view_serviceoutlet",
        "portal.view_staffprofile",
        "portal.add_staffprofile",
        "portal.change_staffprofile",
        "portal.add_importbatch",
    ],
    Role.ADMIN: ["wagtailadmin.access_admin"],
}


def register_role_permissions(role: Role, permissions: list[str]) -> None:
    """Lets an app grant its own model permissions to a role (call from AppConfig.ready()),
    so the shared kernel needs no knowledge of the apps built on it."""
    ROLE_PERMISSIONS.setdefault(role, [])
    for permission in permissions:
        if permission not in ROLE_PERMISSIONS[role]:
            ROLE_PERMISSIONS[role].append(permission)


# Hooks run after the role groups are synced, e.g. to grant page-tree permissions.
POST_SYNC_HOOKS: list = []


# Collection-scoped permissions (images, documents) are granted on the root collection.
_COLLECTION_APPS = {"wagtailimages", "wagtaildocs"}


def role_groups_sync() -> None:
    """Creates the role groups and grants the permissions above. Idempotent."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    # Snippets' publish/lock permissions come from another post_migrate receiver that may run
    # after this one: create them now, or a fresh database's roles miss them.
    from wagtail.snippets.models import create_extra_permissions

    create_extra_permissions(apps.get_app_config("wagtailsnippets"))
    from wagtail.models import Collection, GroupCollectionPermission

    root_collection = Collection.get_first_root_node()
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=group_name(role))
        for dotted in perms:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                continue
            if app_label in _COLLECTION_APPS and root_collection is not None:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
            else:
                group.permissions.add(permission)
    for hook in POST_SYNC_HOOKS:
        hook()


def _on_post_migrate(sender, **kwargs):
    role_groups_sync()
