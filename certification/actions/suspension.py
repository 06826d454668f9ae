"""Suspension with corrective training, in the shape of the other actions: one object per
verb with ``check()`` and ``execute()``, built on the per-certification actions so permission,
state and reason rules are the same wherever a certification is suspended, reinstated or
revoked.

- ``OpenSuspensionAction``: suspends one skill's (or every) active certification of a
  technician and assigns the corrective path (the manager's choice or the programme default).
- ``ApproveReinstatementAction``: once the path is completed (or when none was set), the
  manager reinstates every certification the suspension holds.
- ``RevokeSuspensionAction``: revokes them for good; a reason is required."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..exceptions import CertificationPermissionDenied, ReasonRequired, SuspensionRefused
from ..models import Certification, CertificationEvent, CertificationStatus, Skill, Suspension
from .base import user_may_manage
from .reinstate import ReinstateCertificationAction
from .revoke import RevokeCertificationAction
from .suspend import SuspendCertificationAction

# The reasons a manager suspends for (the list), plus "other" with details.
SUSPENSION_REASONS = (
    CertificationEvent.Reason.COMPLAINT,
    CertificationEvent.Reason.SAFETY_INCIDENT,
    CertificationEvent.Reason.REPEAT_REPAIR,
    CertificationEvent.Reason.AUDIT,
    CertificationEvent.Reason.OTHER,
)
CORRECTIVE_DUE_DAYS = 30


class OpenSuspensionAction:
    def __init__(
        self,
        person: User,
        *,
        user: User | None,
        skill: Skill | None = None,
        reason_code: str,
        reason_text: str = "",
        corrective_path=None,
        due_days: int = CORRECTIVE_DUE_DAYS,
        now: dt.datetime | None = None,
    ):
        self.person = person
        self.user = user
        self.skill = skill
        self.reason_code = reason_code
        self.reason_text = reason_text.strip()
        self.chosen_path = corrective_path
        self.due_days = due_days
        self.now = now or timezone.now()
        self._certifications: list[Certification] | None = None

    @property
    def certifications(self) -> list[Certification]:
        if self._certifications is None:
            active = Certification.objects.filter(
                user=self.person, status=CertificationStatus.ACTIVE
            ).select_related("skill", "programme__corrective_path")
            if self.skill is not None:
                active = active.filter(skill=self.skill)
            self._certifications = list(active.order_by("skill__code", "-level"))
        return self._certifications

    @property
    def corrective_path(self):
        """The manager's choice, else the first corrective path the suspended skills'
        programmes define (the current version first), else none."""
        if self.chosen_path is not None:
            return self.chosen_path
        from ..corrective import programme_current_for

        for certification in self.certifications:
            path = programme_current_for(certification=certification).corrective_path
            if path is not None:
                return path
        return None

    def _suspend_actions(self) -> list[SuspendCertificationAction]:
        return [
            SuspendCertificationAction(
                c,
                user=self.user,
                reason_code=self.reason_code,
                reason_text=self.reason_text,
                now=self.now,
            )
            for c in self.certifications
        ]

    def check(self, skip_permission_checks: bool = False) -> None:
        if not skip_permission_checks and not user_may_manage(user=self.user, person=self.person):
            raise CertificationPermissionDenied()
        if self.reason_code not in SUSPENSION_REASONS:
            raise ReasonRequired()
        if not self.certifications:
            raise SuspensionRefused(_("There is no active certification to suspend."))
        for action in self._suspend_actions():
            action.check(skip_permission_checks=skip_permission_checks)
        path = self.corrective_path
        if path is not None:
            from ..corrective import path_progress_for

            progress = path_progress_for(user=self.person, path=path)
            if progress.total == 0:
                raise SuspensionRefused(_("The corrective path has no published course."))
            if progress.complete:
                raise SuspensionRefused(
                    _(
                        "The technician has already completed %(path)s; choose a corrective "
                        "path they have not taken."
                    )
                    % {"path": path.title}
                )

    def execute(self, skip_permission_checks: bool = False) -> Suspension:
        from courses.services import path_assign

        self.check(skip_permission_checks=skip_permission_checks)
        path = self.corrective_path
        with transaction.atomic():
            for action in self._suspend_actions():
                action._commit()
            suspension = Suspension.objects.create(
                user=self.person,
                skill=self.skill,
                reason_code=self.reason_code,
                reason_text=self.reason_text,
                corrective_path=path,
                status=Suspension.Status.TRAINING if path else Suspension.Status.AWAITING_APPROVAL,
                suspended_by=self.user,
                suspended_at=self.now,
            )
            suspension.certifications.set(self.certifications)
            if path is not None:
                path_assign(
                    path=path, user=self.person, assigned_by=self.user, due_days=self.due_days
                )
            from ..corrective import notify_suspended

            transaction.on_commit(lambda: notify_suspended(suspension=suspension))
        return suspension


class _SuspensionAction:
    def __init__(self, suspension: Suspension, *, user: User | None, now=None):
        self.suspension = suspension
        self.user = user
        self.now = now or timezone.now()

    def _suspended(self) -> list[Certification]:
        return list(self.suspension.certifications.filter(status=CertificationStatus.SUSPENDED))

    def _check_scope(self, skip_permission_checks: bool) -> None:
        if not skip_permission_checks and not user_may_manage(
            user=self.user, person=self.suspension.user
        ):
            raise CertificationPermissionDenied()

    def _close(self, *, from_statuses, to_status) -> None:
        moved = Suspension.objects.filter(pk=self.suspension.pk, status__in=from_statuses).update(
            status=to_status, closed_by=self.user, closed_at=self.now
        )
        if moved != 1:  # someone else closed it since check()
            raise SuspensionRefused(_("This suspension is already closed."))
        self.suspension.status = to_status
        self.suspension.closed_by = self.user
        self.suspension.closed_at = self.now


class ApproveReinstatementAction(_SuspensionAction):
    """The manager's approval: reinstates what the suspension holds once the corrective path is
    completed. A certification that lapsed meanwhile comes back expired."""

    def __init__(self, suspension: Suspension, *, user: User | None, note: str = "", now=None):
        super().__init__(suspension, user=user, now=now)
        self.note = note.strip()

    def _reinstate_actions(self) -> list[ReinstateCertificationAction]:
        if self.suspension.corrective_path_id:
            code = CertificationEvent.Reason.CORRECTIVE_TRAINING_PASSED
            text = self.note
        else:
            code = self.suspension.reason_code
            text = self.note or self.suspension.reason_text
        return [
            ReinstateCertificationAction(
                c, user=self.user, reason_code=code, reason_text=text, now=self.now
            )
            for c in self._suspended()
        ]

    def check(self, skip_permission_checks: bool = False) -> None:
        self._check_scope(skip_permission_checks)
        status = self.suspension.status
        if status == Suspension.Status.TRAINING:
            raise SuspensionRefused(_("The corrective path is not completed yet."))
        if status != Suspension.Status.AWAITING_APPROVAL:
            raise SuspensionRefused(_("This suspension is already closed."))
        for action in self._reinstate_actions():
            action.check(skip_permission_checks=skip_permission_checks)

    def execute(self, skip_permission_checks: bool = False) -> Suspension:
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            self._close(
                from_statuses=[Suspension.Status.AWAITING_APPROVAL],
                to_status=Suspension.Status.REINSTATED,
            )
            for action in self._reinstate_actions():
                action._commit()
            from ..corrective import notify_closed

            suspension = self.suspension
            transaction.on_commit(lambda: notify_closed(suspension=suspension))
        return self.suspension


class RevokeSuspensionAction(_SuspensionAction):
    """Revokes every certification the suspension holds. Final; needs a reason code and
    details."""

    def __init__(
        self,
        suspension: Suspension,
        *,
        user: User | None,
        reason_code: str,
        reason_text: str,
        now=None,
    ):
        super().__init__(suspension, user=user, now=now)
        self.reason_code = reason_code
        self.reason_text = reason_text.strip()

    def _revoke_actions(self) -> list[RevokeCertificationAction]:
        return [
            RevokeCertificationAction(
                c,
                user=self.user,
                reason_code=self.reason_code,
                reason_text=self.reason_text,
                now=self.now,
            )
            for c in self._suspended()
        ]

    def check(self, skip_permission_checks: bool = False) -> None:
        self._check_scope(skip_permission_checks)
        if not self.suspension.is_open:
            raise SuspensionRefused(_("This suspension is already closed."))
        if self.reason_code not in SUSPENSION_REASONS or not self.reason_text:
            raise ReasonRequired(_("Give a reason and details for the revocation."))
        for action in self._revoke_actions():
            action.check(skip_permission_checks=skip_permission_checks)

    def execute(self, skip_permission_checks: bool = False) -> Suspension:
        self.check(skip_permission_checks=skip_permission_checks)
        with transaction.atomic():
            self._close(from_statuses=Suspension.OPEN, to_status=Suspension.Status.REVOKED)
            for action in self._revoke_actions():
                action._commit()
            from ..corrective import notify_closed

            suspension = self.suspension
            transaction.on_commit(lambda: notify_closed(suspension=suspension))
        return self.suspension
