from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from portal.selectors import staff_in_scope, user_sees_whole_network

from ..exceptions import CertificationActionRefused, CertificationPermissionDenied, ReasonRequired
from ..models import Certification, CertificationEvent


def user_may_manage(*, user: User | None, person: User) -> bool:
    """Administrators manage everyone; managers the staff of their scope. ``None`` is the
    system (nightly jobs, imports) and may do anything."""
    if user is None or user_sees_whole_network(user=user):
        return True
    return staff_in_scope(user=user).filter(user=person).exists()


class CertificationAction:
    """Moves a certification from one of ``from_statuses`` to ``to_status``, recording an
    event of ``event_kind``. Subclasses set the class attributes and may extend ``check()``."""

    from_statuses: tuple[str, ...] = ()
    to_status: str = ""
    event_kind: str = ""
    reason_required = True
    refused_message = CertificationActionRefused.default_message

    def __init__(
        self,
        certification: Certification,
        *,
        user: User | None,
        reason_code: str = "",
        reason_text: str = "",
        now=None,
    ):
        self.certification = certification
        self.user = user
        self.reason_code = reason_code
        self.reason_text = reason_text.strip()
        self.now = now or timezone.now()

    def check(self, skip_permission_checks: bool = False) -> None:
        if not skip_permission_checks and not user_may_manage(
            user=self.user, person=self.certification.user
        ):
            raise CertificationPermissionDenied()
        if self.certification.status not in self.from_statuses:
            raise CertificationActionRefused(self.refused_message)
        if self.reason_required:
            if self.reason_code not in CertificationEvent.Reason.values:
                raise ReasonRequired()
            if self.reason_code == CertificationEvent.Reason.OTHER and not self.reason_text:
                raise ReasonRequired()

    def _commit(self) -> CertificationEvent:
        with transaction.atomic():
            moved = Certification.objects.filter(
                pk=self.certification.pk, status__in=self.from_statuses
            ).update(status=self.to_status)
            if moved != 1:  # someone else changed it since check()
                raise CertificationActionRefused(self.refused_message)
            event = CertificationEvent.objects.create(
                certification=self.certification,
                kind=self.event_kind,
                actor=self.user,
                at=self.now,
                reason_code=self.reason_code,
                reason_text=self.reason_text,
            )
        self.certification.status = self.to_status
        return event

    def execute(self, skip_permission_checks: bool = False) -> CertificationEvent:
        self.check(skip_permission_checks=skip_permission_checks)
        return self._commit()
