"""Practical sign-offs: who may assess whom, and recording an assessment.

An assessor is a trainer, an administrator, or anyone granted the permission to add practical
sign-offs (e.g. a senior technician or a manager). Trainers and administrators assess anyone
in the network; other assessors only the technicians in their management scope; nobody signs
themselves off. A passing sign-off is evidence for its programme and triggers evaluation."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import StaffProfile
from portal.roles import Role, group_name
from portal.selectors import staff_in_scope, user_roles

from .exceptions import CertificationPermissionDenied, SignoffRefused
from .models import PracticalSignoff, PracticalSignoffPhoto, Programme

ASSESS_PERMISSION = "certification.add_practicalsignoff"
MAX_PHOTOS = 10


def user_may_assess(*, user: User) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm(ASSESS_PERMISSION)


def technicians_assessable_by(*, user: User) -> QuerySet[StaffProfile]:
    """Active technicians the user may sign off, never the user themselves."""
    if not user_may_assess(user=user):
        return StaffProfile.objects.none()
    roles = user_roles(user=user)
    if roles & {Role.ADMIN, Role.TRAINER}:
        staff = StaffProfile.objects.all()
    else:
        staff = staff_in_scope(user=user)
    return (
        staff.filter(
            active=True,
            user__is_active=True,
            user__groups__name=group_name(Role.TECHNICIAN),
        )
        .exclude(user=user)
        .select_related("user", "outlet")
        .distinct()
    )


def programmes_needing_signoff() -> QuerySet[Programme]:
    return Programme.objects.filter(active=True, requires_signoff=True).select_related("skill")


def signoffs_visible_to(*, user: User) -> QuerySet[PracticalSignoff]:
    """Sign-offs the user recorded or of technicians they may assess, newest first."""
    people = technicians_assessable_by(user=user).values("user_id")
    return PracticalSignoff.objects.filter(Q(assessor=user) | Q(user_id__in=people)).select_related(
        "user__staff_profile", "programme__skill", "assessor"
    )


def signoff_record(
    *,
    assessor: User,
    technician: User,
    programme: Programme,
    checked_items: list[str],
    result: str,
    notes: str = "",
    photos: list | tuple = (),
    now: dt.datetime | None = None,
) -> PracticalSignoff:
    """Records a practical assessment. A pass needs every checklist item of the programme
    ticked; a fail needs notes saying what went wrong. A pass is evidence for the programme
    and the technician's programme is evaluated once the record is committed."""
    if not technicians_assessable_by(user=assessor).filter(user=technician).exists():
        raise CertificationPermissionDenied(_("You may not sign off this technician."))
    if not programme.active or not programme.requires_signoff:
        raise SignoffRefused(
            _("This programme needs no practical sign-off."), errors={"programme": []}
        )
    items = programme.checklist_items
    unknown = [item for item in checked_items if item not in items]
    if unknown:
        raise SignoffRefused(
            _("Not on this programme's checklist: %(items)s") % {"items": "、".join(unknown)},
            errors={"checked_items": []},
        )
    if result not in PracticalSignoff.Result.values:
        raise SignoffRefused(_("Choose passed or failed."), errors={"result": []})
    notes = notes.strip()
    if result == PracticalSignoff.Result.PASSED and set(checked_items) != set(items):
        missing = [item for item in items if item not in checked_items]
        raise SignoffRefused(
            _("A pass needs every checklist item ticked; missing: %(items)s")
            % {"items": "、".join(missing)},
            errors={"checked_items": []},
        )
    if result == PracticalSignoff.Result.FAILED and not notes:
        raise SignoffRefused(
            _("Say in the notes what was not up to standard."), errors={"notes": []}
        )
    if len(photos) > MAX_PHOTOS:
        raise SignoffRefused(
            _("At most %(n)s photos per sign-off.") % {"n": MAX_PHOTOS}, errors={"photos": []}
        )
    with transaction.atomic():
        signoff = PracticalSignoff.objects.create(
            user=technician,
            programme=programme,
            assessor=assessor,
            assessed_at=now or timezone.now(),
            result=result,
            checklist=[{"item": item, "passed": item in checked_items} for item in items],
            notes=notes,
        )
        for photo in photos:
            PracticalSignoffPhoto.objects.create(signoff=signoff, image=photo)
        if result == PracticalSignoff.Result.PASSED:
            from .tasks import evaluate_programme

            user_id, programme_id = technician.pk, programme.pk
            transaction.on_commit(lambda: evaluate_programme.delay(user_id, programme_id))
    return signoff
