"""Due-date reminders for learning paths.

Learners hear about a path a week before it is due and once it is overdue; their outlet's
managers hear once it is overdue. Every message is keyed by path, due date and person, so a
reminder run repeated the same day (or a retried task) never notifies anyone twice."""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.models import StaffProfile
from portal.selectors import managers_of
from portal.services import notification_send

from .selectors import path_statuses_for

REMIND_DAYS_BEFORE = 7


def due_reminders_send(*, today: dt.date | None = None) -> int:
    """Sends the reminders due today; returns how many notifications were sent."""
    today = today or timezone.localdate()
    sent = 0
    staff = StaffProfile.objects.filter(active=True, user__is_active=True).select_related(
        "user", "outlet__region"
    )
    with translation.override(settings.LANGUAGE_CODE):
        for profile in staff.iterator():
            for status in path_statuses_for(user=profile.user):
                if status.completed or status.due_date is None:
                    continue
                sent += _remind(profile, status, today)
    return sent


def _remind(profile: StaffProfile, status, today: dt.date) -> int:
    path, due = status.path, status.due_date
    days_left = (due - today).days
    params = {"path": path.title, "due": due.isoformat(), "name": profile.name}
    sent = 0
    if 0 <= days_left <= REMIND_DAYS_BEFORE:
        sent += bool(
            notification_send(
                user=profile.user,
                key=f"path-due-soon:{path.pk}:{due}",
                title=_("Learning path %(path)s is due on %(due)s") % params,
                body=_("%(percent)s%% done. Finish it before the due date.")
                % {"percent": status.progress.percent},
                url="/learning/",
            )
        )
    if days_left < 0:
        sent += bool(
            notification_send(
                user=profile.user,
                key=f"path-overdue:{path.pk}:{due}",
                title=_("Learning path %(path)s is overdue (due %(due)s)") % params,
                body=_("Please finish it as soon as possible; your manager has been told."),
                url="/learning/",
            )
        )
        if profile.outlet_id:
            for manager in managers_of(outlet=profile.outlet):
                if manager.user_id == profile.user_id:
                    continue
                sent += bool(
                    notification_send(
                        user=manager.user,
                        key=f"path-overdue:{path.pk}:{due}:{profile.user_id}",
                        title=_("%(name)s is overdue on %(path)s (due %(due)s)") % params,
                        body=_("%(percent)s%% done.") % {"percent": status.progress.percent},
                    )
                )
    return sent
