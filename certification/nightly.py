"""The nightly run of certification (Celery beat, 01:30): what lapsed expires, licences whose
review is overdue are marked void, technicians and their managers are reminded 90/60/30/7 days
before a certification or licence expires (and before a licence's review is due), renewal
paths open in the renewal window, and corrective training completed without a signal is
picked up.

Every step is idempotent. Changes are conditional updates; every message is a notification
keyed by the event (``cert-expiry:<id>:<days>``...), so a run repeated the same night, a
retried task or two overlapping runs notify nobody twice. ``certification_nightly_run`` returns
what changed, so webhooks (``certification.expired``, ``licence.expired``,
``licence.review_due``) can be emitted from its report."""

import datetime as dt
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.models import Notification
from portal.selectors import managers_of, staff_profile_for
from portal.services import notification_send

from .corrective import programme_current_for, suspensions_training_check
from .models import Certification, CertificationStatus, Licence
from .services import certifications_expire_due

REMIND_DAYS = (90, 60, 30, 7)
# Licences that expired up to this many days ago are still announced (missed nights).
LICENCE_EXPIRED_CATCH_UP_DAYS = 7


@dataclass
class NightlyReport:
    expired_certification_ids: list[int] = field(default_factory=list)
    voided_licence_ids: list[int] = field(default_factory=list)
    expired_licence_ids: list[int] = field(default_factory=list)
    review_due_licence_ids: list[int] = field(default_factory=list)
    renewal_opened_certification_ids: list[int] = field(default_factory=list)
    corrective_completed_suspension_ids: list[int] = field(default_factory=list)
    notifications_sent: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def reminder_bucket(days_left: int) -> int | None:
    """The reminder due with ``days_left`` days to go: the nearest threshold not below it, so a
    missed night still sends the current reminder and never a stale, earlier one."""
    if days_left < 0:
        return None
    due = [d for d in REMIND_DAYS if d >= days_left]
    return min(due) if due else None


def certification_nightly_run(*, now: dt.datetime | None = None) -> NightlyReport:
    """Runs every nightly step at ``now``; returns what this run changed and sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = NightlyReport()
    with translation.override(settings.LANGUAGE_CODE):
        notifier = _Notifier(report, now)
        report.expired_certification_ids = certifications_expire_due(now=now)
        _announce_expired_certifications(report.expired_certification_ids, notifier)
        report.voided_licence_ids = licences_void_overdue(today=today, notifier=notifier)
        report.expired_licence_ids = _announce_expired_licences(today, notifier)
        _remind_certifications(now, today, notifier)
        report.review_due_licence_ids = _remind_licences(today, notifier)
        report.renewal_opened_certification_ids = renewals_open(now=now, notifier=notifier)
        report.corrective_completed_suspension_ids = [
            s.pk for s in suspensions_training_check(now=now)
        ]
    return report


class _Notifier:
    """Sends keyed notifications to a person and, optionally, their outlet's managers;
    counts what was actually sent."""

    # Keys sent within this many days are loaded up front, so a repeated run skips them
    # without a query each; older keys still meet the unique constraint in notification_send.
    KNOWN_KEYS_DAYS = 400

    def __init__(self, report: NightlyReport, now: dt.datetime):
        self.report = report
        self._managers: dict[int, list[User]] = {}
        self.known = set(
            Notification.objects.filter(
                created_at__gte=now - dt.timedelta(days=self.KNOWN_KEYS_DAYS)
            ).values_list("user_id", "key")
        )

    def already(self, person: User, key: str) -> bool:
        return (person.pk, key) in self.known

    def _send(self, *, user: User, key: str, **message) -> bool:
        if (user.pk, key) in self.known:
            return False
        sent = notification_send(user=user, key=key, **message) is not None
        self.known.add((user.pk, key))
        self.report.notifications_sent += sent
        return sent

    def managers(self, person: User) -> list[User]:
        profile = staff_profile_for(user=person)
        if profile is None or profile.outlet_id is None:
            return []
        if profile.outlet_id not in self._managers:
            self._managers[profile.outlet_id] = [
                m.user for m in managers_of(outlet=profile.outlet).select_related("user")
            ]
        return [m for m in self._managers[profile.outlet_id] if m.pk != person.pk]

    def send(
        self,
        *,
        person: User,
        key: str,
        title: str,
        body: str = "",
        url: str = "",
        manager_title: str = "",
    ) -> bool:
        """Notifies the person under ``key`` and, with ``manager_title``, each manager under
        ``key:<person id>``. True when the person was notified now (not before)."""
        sent = self._send(user=person, key=key, title=title, body=body, url=url)
        if manager_title:
            for manager in self.managers(person):
                self._send(user=manager, key=f"{key}:{person.pk}", title=manager_title, body=body)
        return sent


def _name(person: User) -> str:
    profile = staff_profile_for(user=person)
    return profile.name if profile else person.get_username()


def _active_people(queryset):
    return queryset.filter(user__is_active=True, user__staff_profile__active=True)


def _announce_expired_certifications(ids: list[int], notifier: _Notifier) -> None:
    for cert in Certification.objects.filter(pk__in=ids).select_related(
        "user__staff_profile__outlet", "skill"
    ):
        params = {
            "skill": cert.skill.name,
            "level": cert.get_level_display(),
            "name": _name(cert.user),
        }
        notifier.send(
            person=cert.user,
            key=f"cert-expired:{cert.pk}",
            title=_("Your certification %(skill)s (%(level)s) has expired") % params,
            body=_("You may not be dispatched for this skill until you are certified again."),
            manager_title=_("%(name)s: certification %(skill)s (%(level)s) has expired") % params,
        )


def licences_void_overdue(*, today: dt.date, notifier: _Notifier | None = None) -> list[int]:
    """Marks void every licence whose review date has passed (void since the day after it);
    clears the mark of licences reviewed since. Returns the ids voided by this call."""
    Licence.objects.filter(voided_on__isnull=False, next_review_on__gte=today).update(
        voided_on=None
    )
    voided = []
    for licence in Licence.objects.filter(
        voided_on__isnull=True, next_review_on__lt=today
    ).select_related("user__staff_profile__outlet", "licence_type"):
        moved = Licence.objects.filter(pk=licence.pk, voided_on__isnull=True).update(
            voided_on=licence.next_review_on + dt.timedelta(days=1)
        )
        if not moved:
            continue
        voided.append(licence.pk)
        if notifier is not None and licence.user.is_active:
            params = {
                "licence": licence.licence_type.name,
                "number": licence.number,
                "date": licence.next_review_on.isoformat(),
                "name": _name(licence.user),
            }
            notifier.send(
                person=licence.user,
                key=f"licence-void:{licence.pk}:{licence.next_review_on}",
                title=_(
                    "Your %(licence)s licence %(number)s missed its review on %(date)s and is void"
                )
                % params,
                body=_("Have it reviewed and show the reviewed licence to your manager."),
                manager_title=_("%(name)s: %(licence)s licence void (review was due %(date)s)")
                % params,
            )
    return voided


def _newer_licence_exists(licence: Licence, held: dict) -> bool:
    return any(
        other.pk != licence.pk and other.expires_on > licence.expires_on
        for other in held.get((licence.user_id, licence.licence_type_id), [])
    )


def _announce_expired_licences(today: dt.date, notifier: _Notifier) -> list[int]:
    since = today - dt.timedelta(days=LICENCE_EXPIRED_CATCH_UP_DAYS)
    expired = list(
        _active_people(
            Licence.objects.filter(expires_on__lt=today, expires_on__gte=since)
        ).select_related("user__staff_profile__outlet", "licence_type")
    )
    held = _licences_by_holder({lic.user_id for lic in expired})
    announced = []
    for licence in expired:
        if _newer_licence_exists(licence, held):
            continue
        params = {
            "licence": licence.licence_type.name,
            "number": licence.number,
            "date": licence.expires_on.isoformat(),
            "name": _name(licence.user),
        }
        if notifier.send(
            person=licence.user,
            key=f"licence-expired:{licence.pk}",
            title=_("Your %(licence)s licence %(number)s expired on %(date)s") % params,
            body=_("Work needing this licence cannot be dispatched to you until it is renewed."),
            manager_title=_("%(name)s: %(licence)s licence expired on %(date)s") % params,
        ):
            announced.append(licence.pk)
    return announced


def _licences_by_holder(user_ids) -> dict:
    held: dict = {}
    for licence in Licence.objects.filter(user_id__in=user_ids, verified_at__isnull=False):
        held.setdefault((licence.user_id, licence.licence_type_id), []).append(licence)
    return held


def _remind_certifications(now: dt.datetime, today: dt.date, notifier: _Notifier) -> None:
    horizon = now + dt.timedelta(days=max(REMIND_DAYS) + 1)
    expiring = list(
        _active_people(
            Certification.objects.filter(
                status=CertificationStatus.ACTIVE, expires_at__gt=now, expires_at__lte=horizon
            )
        ).select_related("user__staff_profile__outlet", "skill")
    )
    # A certification another current one covers (same skill, level as high, later expiry)
    # needs no reminder.
    covering: dict = {}
    for cert in Certification.objects.filter(
        user_id__in={c.user_id for c in expiring}, status=CertificationStatus.ACTIVE
    ):
        covering.setdefault((cert.user_id, cert.skill_id), []).append(cert)
    for cert in expiring:
        if any(
            other.pk != cert.pk and other.level >= cert.level and other.expires_at > cert.expires_at
            for other in covering.get((cert.user_id, cert.skill_id), [])
        ):
            continue
        expires = timezone.localdate(cert.expires_at)
        bucket = reminder_bucket((expires - today).days)
        if bucket is None:
            continue
        params = {
            "skill": cert.skill.name,
            "level": cert.get_level_display(),
            "date": expires.isoformat(),
            "days": (expires - today).days,
            "name": _name(cert.user),
        }
        notifier.send(
            person=cert.user,
            key=f"cert-expiry:{cert.pk}:{bucket}",
            title=_("Your certification %(skill)s (%(level)s) expires on %(date)s") % params,
            body=_("%(days)s days left. Renew it in time to keep being dispatched.") % params,
            manager_title=_("%(name)s: certification %(skill)s (%(level)s) expires on %(date)s")
            % params,
        )


def _remind_licences(today: dt.date, notifier: _Notifier) -> list[int]:
    """Reminders before licence expiry and before the review date; returns the licences whose
    review-due reminder went out in this run."""
    horizon = today + dt.timedelta(days=max(REMIND_DAYS))
    licences = list(
        _active_people(
            Licence.objects.filter(verified_at__isnull=False, expires_on__gte=today).filter(
                models_q_expiring_or_review(today, horizon)
            )
        ).select_related("user__staff_profile__outlet", "licence_type")
    )
    held = _licences_by_holder({lic.user_id for lic in licences})
    review_due = []
    for licence in licences:
        if _newer_licence_exists(licence, held):
            continue
        params = {
            "licence": licence.licence_type.name,
            "number": licence.number,
            "name": _name(licence.user),
        }
        bucket = reminder_bucket((licence.expires_on - today).days)
        if bucket is not None:
            params["date"] = licence.expires_on.isoformat()
            notifier.send(
                person=licence.user,
                key=f"licence-expiry:{licence.pk}:{bucket}",
                title=_("Your %(licence)s licence %(number)s expires on %(date)s") % params,
                body=_("Renew it in time and show the new licence to your manager."),
                manager_title=_("%(name)s: %(licence)s licence expires on %(date)s") % params,
            )
        review = licence.next_review_on
        if review is None or review >= licence.expires_on:
            continue
        bucket = reminder_bucket((review - today).days)
        if bucket is None:
            continue
        params["date"] = review.isoformat()
        if notifier.send(
            person=licence.user,
            key=f"licence-review:{licence.pk}:{review}:{bucket}",
            title=_("Your %(licence)s licence %(number)s is due for review on %(date)s") % params,
            body=_("An unreviewed licence is void after that day."),
            manager_title=_("%(name)s: %(licence)s licence review due on %(date)s") % params,
        ):
            review_due.append(licence.pk)
    return review_due


def models_q_expiring_or_review(today: dt.date, horizon: dt.date):
    from django.db.models import Q

    return Q(expires_on__lte=horizon) | Q(
        next_review_on__gte=today, next_review_on__lte=horizon, next_review_on__lt=F("expires_on")
    )


def renewals_open(*, now: dt.datetime, notifier: _Notifier) -> list[int]:
    """Opens renewal for active certifications whose renewal window has opened: assigns the
    programme's renewal path (due on the expiry date) when it defines one, and tells the
    technician either way. Once per certification; returns the ids opened in this run."""
    opened = []
    candidates = _active_people(
        Certification.objects.filter(status=CertificationStatus.ACTIVE, expires_at__gt=now)
    ).select_related("user__staff_profile__outlet", "skill", "programme")
    for cert in candidates.iterator():
        # The window of the programme it was issued under, as programme_evaluate renews.
        if cert.expires_at - dt.timedelta(days=cert.programme.renewal_window_days) > now:
            continue
        key = f"renewal-open:{cert.pk}"
        if notifier.already(cert.user, key) or (
            Notification.objects.filter(user=cert.user, key=key).exists()
        ):
            continue
        programme = programme_current_for(certification=cert)
        expires = timezone.localdate(cert.expires_at)
        params = {
            "skill": cert.skill.name,
            "level": cert.get_level_display(),
            "date": expires.isoformat(),
        }
        path = programme.renewal_path
        if path is not None:
            from courses.models import PathAssignment
            from courses.services import path_assign

            path_assign(
                path=path,
                user=cert.user,
                due_mode=PathAssignment.DueMode.FIXED,
                due_date=expires,
            )
            params["path"] = path.title
            body = _("The renewal path %(path)s is assigned to you, due %(date)s.") % params
            url = "/learning/"
        else:
            body = (
                _("Meet the programme's requirements again (courses, exams) before %(date)s.")
                % params
            )
            url = ""
        if notifier.send(
            person=cert.user,
            key=key,
            title=_("Renewal of %(skill)s (%(level)s) is open") % params,
            body=body,
            url=url,
        ):
            opened.append(cert.pk)
    return opened
