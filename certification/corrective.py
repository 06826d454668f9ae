"""Suspension and corrective training: the services a manager's actions call, the check that
moves a suspension on when its corrective path is completed, the notifications of each step,
and the reads of the manager's suspension list.

Writes go through ``certification.actions.suspension`` (check/execute), so the portal UI, the
API and code behave the same. Notifications are keyed per suspension and person: a retried
task or a second completion signal never notifies anyone twice."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.models import LearningPath
from courses.selectors import Progress, completed_course_ids
from portal.models import StaffProfile
from portal.roles import Role, group_name
from portal.selectors import managers_of, staff_in_scope, staff_profile_for
from portal.services import notification_send

from .actions.suspension import (
    ApproveReinstatementAction,
    OpenSuspensionAction,
    RevokeSuspensionAction,
)
from .models import Certification, CertificationStatus, Programme, Skill, Suspension

# --- reads --------------------------------------------------------------------------------


def programme_current_for(*, certification: Certification) -> Programme:
    """The programme now in use for the certification's skill and level (its latest active
    version), or the one it was issued under when none is active."""
    current = (
        Programme.objects.filter(
            skill_id=certification.skill_id, level=certification.level, active=True
        )
        .select_related("corrective_path", "renewal_path")
        .order_by("-version")
        .first()
    )
    return current or certification.programme


def path_progress_for(*, user: User, path: LearningPath) -> Progress:
    """How many of the path's published courses the person has completed."""
    courses = [
        item.course_id
        for item in path.items.select_related("course").order_by("sort_order")
        if item.course.live
    ]
    done = completed_course_ids(user=user)
    return Progress(sum(1 for pk in courses if pk in done), len(courses))


def suspensions_in_scope(*, user: User) -> QuerySet[Suspension]:
    """Suspensions of the staff the user manages (administrators: everyone's)."""
    return (
        Suspension.objects.filter(user__staff_profile__in=staff_in_scope(user=user))
        .select_related("user__staff_profile__outlet", "skill", "corrective_path", "suspended_by")
        .prefetch_related(
            Prefetch(
                "certifications",
                queryset=Certification.objects.select_related("skill").order_by("skill__code"),
            )
        )
    )


@dataclass
class SuspensionRow:
    suspension: Suspension
    staff: StaffProfile | None
    progress: Progress | None


def suspension_rows_for(*, user: User, open_only: bool = True, limit: int = 100):
    """The manager's suspension list: open ones first, each with corrective progress."""
    suspensions = suspensions_in_scope(user=user)
    if open_only:
        suspensions = suspensions.filter(status__in=Suspension.OPEN)
    rows = []
    for suspension in suspensions[:limit]:
        progress = None
        if suspension.corrective_path is not None:
            progress = path_progress_for(user=suspension.user, path=suspension.corrective_path)
        rows.append(SuspensionRow(suspension, staff_profile_for(user=suspension.user), progress))
    return rows


@dataclass
class TechnicianRow:
    staff: StaffProfile
    certifications: list[Certification] = field(default_factory=list)


def technicians_with_certifications_for(*, user: User, query: str = "", limit: int = 50):
    """Technicians in the manager's scope with their current certifications, for the
    suspend action; ``query`` matches name or employee number."""
    staff = (
        staff_in_scope(user=user)
        .filter(user__groups__name=group_name(Role.TECHNICIAN))
        .select_related("user", "outlet")
        .distinct()
        .order_by("employee_no")
    )
    if query:
        from django.db.models import Q

        staff = staff.filter(Q(name__icontains=query) | Q(employee_no__icontains=query))
    staff = list(staff[:limit])
    certs: dict[int, list[Certification]] = {}
    for cert in (
        Certification.objects.filter(
            user_id__in=[s.user_id for s in staff],
            status__in=[CertificationStatus.ACTIVE, CertificationStatus.SUSPENDED],
        )
        .select_related("skill")
        .order_by("skill__code", "-level")
    ):
        certs.setdefault(cert.user_id, []).append(cert)
    return [TechnicianRow(s, certs.get(s.user_id, [])) for s in staff]


# --- writes -------------------------------------------------------------------------------


def suspension_open(
    *,
    person: User,
    user: User | None,
    reason_code: str,
    reason_text: str = "",
    skill: Skill | None = None,
    corrective_path: LearningPath | None = None,
    now: dt.datetime | None = None,
) -> Suspension:
    """Suspends the person's active certification for ``skill`` (or all, when ``None``) and
    assigns the corrective path (``corrective_path``, else the programme's default)."""
    return OpenSuspensionAction(
        person,
        user=user,
        skill=skill,
        reason_code=reason_code,
        reason_text=reason_text,
        corrective_path=corrective_path,
        now=now,
    ).execute()


def suspension_approve_reinstatement(
    *, suspension: Suspension, user: User | None, note: str = "", now: dt.datetime | None = None
) -> Suspension:
    return ApproveReinstatementAction(suspension, user=user, note=note, now=now).execute()


def suspension_revoke(
    *,
    suspension: Suspension,
    user: User | None,
    reason_code: str,
    reason_text: str,
    now: dt.datetime | None = None,
) -> Suspension:
    return RevokeSuspensionAction(
        suspension, user=user, reason_code=reason_code, reason_text=reason_text, now=now
    ).execute()


def suspensions_training_check(
    *, user: User | None = None, now: dt.datetime | None = None
) -> list[Suspension]:
    """Moves suspensions in corrective training whose path is now completed to "awaiting
    reinstatement approval" and notifies the managers; for one person or, with ``user`` None
    (the nightly sweep), everyone. Returns the suspensions moved by this call."""
    now = now or timezone.now()
    training = Suspension.objects.filter(
        status=Suspension.Status.TRAINING, corrective_path__isnull=False
    ).select_related("corrective_path", "user")
    if user is not None:
        training = training.filter(user=user)
    moved = []
    for suspension in training:
        if not path_progress_for(user=suspension.user, path=suspension.corrective_path).complete:
            continue
        with transaction.atomic():
            flipped = Suspension.objects.filter(
                pk=suspension.pk, status=Suspension.Status.TRAINING
            ).update(status=Suspension.Status.AWAITING_APPROVAL, training_completed_at=now)
            if flipped:
                suspension.status = Suspension.Status.AWAITING_APPROVAL
                suspension.training_completed_at = now
                moved.append(suspension)
                transaction.on_commit(lambda s=suspension: notify_training_completed(suspension=s))
    return moved


# --- notifications ------------------------------------------------------------------------

MANAGE_URL = "certification-manage:suspensions"


def _managers_to_tell(suspension: Suspension) -> list[User]:
    people: dict[int, User] = {}
    profile = staff_profile_for(user=suspension.user)
    if profile is not None and profile.outlet_id:
        for manager in managers_of(outlet=profile.outlet).select_related("user"):
            people[manager.user_id] = manager.user
    if suspension.suspended_by_id and suspension.suspended_by.is_active:
        people.setdefault(suspension.suspended_by_id, suspension.suspended_by)
    people.pop(suspension.user_id, None)
    return list(people.values())


def _skills_label(suspension: Suspension) -> str:
    if suspension.skill_id is None:
        return _("all skills")
    return suspension.skill.name


def _name(user: User) -> str:
    profile = staff_profile_for(user=user)
    return profile.name if profile else user.get_username()


def notify_suspended(*, suspension: Suspension) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        params = {
            "skills": _skills_label(suspension),
            "reason": suspension.get_reason_code_display(),
        }
        if suspension.corrective_path_id:
            body = _("Complete the corrective path %(path)s; your manager then decides.") % {
                "path": suspension.corrective_path.title
            }
        else:
            body = _("Your manager will decide on reinstatement.")
        notification_send(
            user=suspension.user,
            key=f"suspension-opened:{suspension.pk}",
            title=_("Your certification for %(skills)s is suspended (%(reason)s)") % params,
            body=body,
            url="/learning/" if suspension.corrective_path_id else "",
        )


def notify_training_completed(*, suspension: Suspension) -> int:
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        params = {
            "name": _name(suspension.user),
            "path": suspension.corrective_path.title if suspension.corrective_path_id else "",
            "skills": _skills_label(suspension),
        }
        url = reverse(MANAGE_URL)
        for manager in _managers_to_tell(suspension):
            sent += bool(
                notification_send(
                    user=manager,
                    key=f"suspension-awaiting:{suspension.pk}",
                    title=_("%(name)s completed the corrective path %(path)s") % params,
                    body=_("Approve reinstatement of %(skills)s or revoke it.") % params,
                    url=url,
                )
            )
        sent += bool(
            notification_send(
                user=suspension.user,
                key=f"suspension-training-done:{suspension.pk}",
                title=_("Corrective path %(path)s completed") % params,
                body=_("Your manager has been asked to approve your reinstatement."),
            )
        )
    return sent


def notify_closed(*, suspension: Suspension) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        params = {"skills": _skills_label(suspension)}
        if suspension.status == Suspension.Status.REINSTATED:
            title = _("Your certification for %(skills)s is reinstated") % params
        else:
            title = _("Your certification for %(skills)s is revoked") % params
        notification_send(
            user=suspension.user, key=f"suspension-closed:{suspension.pk}", title=title
        )
