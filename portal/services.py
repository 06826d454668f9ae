"""Writes to the organisation: outlets, staff and their roles, API keys.

Each ``*_upsert`` takes a record already validated by ``portal.records`` and is idempotent by
its natural key (outlet code, employee number): applying the same record twice changes nothing
the second time."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from . import signals
from .exceptions import UnknownScopeError
from .models import ApiKey, Region, ServiceOutlet, StaffProfile
from .roles import Role, group_name
from .scopes import API_SCOPES

API_KEY_PREFIX_LENGTH = 8
_LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class UpsertResult:
    action: str  # "created" | "updated" | "unchanged"
    object: object


def region_get_or_create(*, name: str) -> Region:
    """The region named (by name or code), created with a code derived from the name if new."""
    region = Region.objects.filter(name=name).first() or Region.objects.filter(code=name).first()
    if region:
        return region
    # Chinese names give no usable slug; a short random code keeps it unique and editable.
    code = f"region-{secrets.token_hex(3)}"
    while Region.objects.filter(code=code).exists():
        code = f"region-{secrets.token_hex(3)}"
    return Region.objects.create(name=name, code=code)


def _outlet_snapshot(outlet: ServiceOutlet) -> dict:
    return {
        "name": outlet.name,
        "region": outlet.region.name,
        "address": outlet.address,
        "phone": outlet.phone,
        "contact_name": outlet.contact_name,
        "product_lines": sorted(outlet.product_lines.values_list("code", flat=True)),
        "active": outlet.is_active,
    }


@transaction.atomic
def outlet_upsert(*, data: dict) -> UpsertResult:
    """Creates or updates the outlet with ``data['code']``. ``data`` is a cleaned
    ``OutletRecordForm``; the ``contact_name`` key may be absent (the import contract has no such
    column) and then the stored contact is kept."""
    wanted = {
        "name": data["name"],
        "region": data["region"],
        "address": data.get("address", ""),
        "phone": data.get("phone", ""),
        "product_lines": sorted(p.code for p in data["product_lines"]),
        "active": data["active"],
    }
    outlet = ServiceOutlet.objects.select_related("region").filter(code=data["code"]).first()
    contact = data.get("contact_name") or (outlet.contact_name if outlet else "")
    wanted["contact_name"] = contact
    if outlet and _outlet_snapshot(outlet) == wanted:
        return UpsertResult("unchanged", outlet)
    action = "updated" if outlet else "created"
    outlet = outlet or ServiceOutlet(code=data["code"])
    outlet.name = data["name"]
    outlet.region = region_get_or_create(name=data["region"])
    outlet.address = wanted["address"]
    outlet.phone = wanted["phone"]
    outlet.contact_name = contact
    outlet.status = (
        ServiceOutlet.Status.ACTIVE if data["active"] else ServiceOutlet.Status.SUSPENDED
    )
    outlet.save()
    outlet.product_lines.set(data["product_lines"])
    return UpsertResult(action, outlet)


def _staff_snapshot(profile: StaffProfile) -> dict:
    return {
        "name": profile.name,
        "phone": profile.phone,
        "email": profile.user.email,
        "outlet": profile.outlet_id,
        "roles": sorted(profile.roles),
        "hire_date": profile.hire_date,
        "active": profile.active,
    }


def staff_set_roles(*, user: User, roles: list[Role]) -> None:
    """Makes the user's ``role:*`` groups exactly ``roles``; other groups are left alone.

    The administrator role also makes the user a Wagtail superuser."""
    current = set(user.groups.filter(name__startswith="role:"))
    wanted = {Group.objects.get_or_create(name=group_name(r))[0] for r in roles}
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))
    is_admin = Role.ADMIN in roles
    if user.is_superuser != is_admin:
        user.is_superuser = is_admin
        user.save(update_fields=["is_superuser"])
    user.__dict__.pop("_portal_roles", None)


@transaction.atomic
def staff_upsert(*, data: dict) -> UpsertResult:
    """Creates or updates the staff member with ``data['employee_no']`` and their login.

    New logins get no usable password: people set one through password reset, or an
    administrator sets it. Deactivating a staff member also blocks their login."""
    profile = (
        StaffProfile.objects.select_related("user").filter(employee_no=data["employee_no"]).first()
    )
    outlet = data.get("outlet_code")
    wanted = {
        "name": data["name"],
        "phone": data.get("phone", ""),
        "email": data.get("email", ""),
        "outlet": outlet.pk if outlet else None,
        "roles": sorted(data["roles"]),
        "hire_date": data.get("hire_date"),
        "active": data["active"],
    }
    if profile and _staff_snapshot(profile) == wanted:
        return UpsertResult("unchanged", profile)

    created = profile is None
    if created:
        user = User.objects.filter(username=data["employee_no"]).first()
        if user is None:
            user = User(username=data["employee_no"])
            user.set_unusable_password()
        profile = StaffProfile(user=user, employee_no=data["employee_no"])
    user = profile.user
    user.first_name = data["name"]
    user.email = wanted["email"]
    user.is_active = data["active"]
    user.save()
    profile.user = user
    profile.name = data["name"]
    profile.phone = wanted["phone"]
    profile.outlet = outlet
    profile.hire_date = wanted["hire_date"]
    profile.active = data["active"]
    profile.save()
    staff_set_roles(user=user, roles=data["roles"])
    if created:
        transaction.on_commit(
            lambda: signals.staff_member_created.send(sender=StaffProfile, profile=profile)
        )
    return UpsertResult("created" if created else "updated", profile)


def _hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def api_key_create(*, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Creates a key and returns it with its secret, which is never stored nor shown again."""
    unknown = sorted(set(scopes) - set(API_SCOPES))
    if unknown:
        raise UnknownScopeError(
            f"Unknown scope(s): {', '.join(unknown)}. Known: {', '.join(sorted(API_SCOPES))}"
        )
    prefix = secrets.token_hex(API_KEY_PREFIX_LENGTH // 2)
    raw_key = f"sa_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        name=name, prefix=prefix, key_hash=_hash_key(raw_key), scopes=sorted(set(scopes))
    )
    return key, raw_key


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The usable key matching ``raw_key``, or None. Constant-time on the secret part."""
    parts = raw_key.split("_")
    if len(parts) < 3 or parts[0] != "sa":
        return None
    key = ApiKey.objects.usable().filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash_key(raw_key)):
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > _LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


def notification_send(
    *, user: User, key: str, title: str, body: str = "", url: str = "", email: bool = True
):
    """Notifies a person once per ``key``: in the portal, and by email when they have an
    address. Returns the new notification, or None when this event was already notified."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.db import IntegrityError

    from .models import Notification

    try:
        with transaction.atomic():
            notification, created = Notification.objects.get_or_create(
                user=user, key=key, defaults={"title": title, "body": body, "url": url}
            )
    except IntegrityError:  # a concurrent run created it first
        return None
    if not created:
        return None
    if email and user.email:
        link = f"\n\n{settings.WAGTAILADMIN_BASE_URL}{url}" if url else ""
        send_mail(title, f"{body}{link}", None, [user.email], fail_silently=True)
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return notification


def notifications_mark_read(*, user: User) -> int:
    from .models import Notification

    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def approval_workflow_ensure(*, workflow_name: str, task_name: str, reviewers: Group):
    """Returns the moderation workflow named ``workflow_name``, creating it with its one group
    approval task (``task_name``, approved by ``reviewers``) if missing. Existing rows are left
    as an administrator may have changed them."""
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

    task = GroupApprovalTask.objects.filter(name=task_name).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=task_name)
        task.groups.set([reviewers])
    workflow, _ = Workflow.objects.get_or_create(name=workflow_name)
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    return workflow
