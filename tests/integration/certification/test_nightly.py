"""The nightly run: expiry, void licences, reminders at 90/60/30/7 days to technicians and
their managers, renewal paths in the renewal window. Every test runs the night twice and
asserts nothing changes or is sent twice."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from certification.models import CertificationStatus, Licence
from certification.nightly import certification_nightly_run, reminder_bucket
from certification.tasks import run_nightly
from courses.models import PathAssignment
from portal.models import Notification
from tests.factories import make_course, make_licence, make_path

from .conftest import NOW, TODAY

DAY = dt.timedelta(days=1)


def _set(obj, **fields):
    type(obj).objects.filter(pk=obj.pk).update(**fields)
    obj.refresh_from_db()


def _keys(user):
    return set(Notification.objects.filter(user=user).values_list("key", flat=True))


def _twice(now):
    """Runs the night twice; returns the first report after checking the second sent and
    changed nothing."""
    outbox = len(mail.outbox)
    first = certification_nightly_run(now=now)
    sent = len(mail.outbox) - outbox
    notifications = Notification.objects.count()
    second = certification_nightly_run(now=now)
    assert second.notifications_sent == 0
    assert len(mail.outbox) - outbox == sent
    assert Notification.objects.count() == notifications
    assert not any(
        getattr(second, name)
        for name in (
            "expired_certification_ids",
            "voided_licence_ids",
            "expired_licence_ids",
            "review_due_licence_ids",
            "renewal_opened_certification_ids",
            "corrective_completed_suspension_ids",
        )
    )
    return first


@pytest.mark.parametrize(
    "days_left, bucket",
    [
        (120, None),
        (91, None),
        (90, 90),
        (75, 90),
        (60, 60),
        (31, 60),
        (30, 30),
        (8, 30),
        (7, 7),
        (1, 7),
        (0, 7),
        (-1, None),
    ],
)
def test_reminder_buckets_pick_the_nearest_threshold_not_below(days_left, bucket):
    assert reminder_bucket(days_left) == bucket


@pytest.fixture
def quiet(certified):
    """The certified technician with licences far from any date the night cares about."""
    for licence in certified["licences"].values():
        _set(licence, expires_on=TODAY + 2000 * DAY, next_review_on=TODAY + 1000 * DAY)
    for person in (certified["tech"], certified["east_manager"]):
        person.user.email = f"{person.employee_no.lower()}@example.cn"
        person.user.save()
    return certified


def test_certification_reminders_at_90_60_30_7_days_to_technician_and_manager(quiet):
    tech, manager = quiet["tech"].user, quiet["east_manager"].user
    cert = quiet["cert"]
    _set(cert, expires_at=NOW + 100 * DAY)
    seen = []
    for day in range(0, 101):
        now = NOW + day * DAY
        report = certification_nightly_run(now=now)
        if report.notifications_sent:
            seen.append((day, sorted(k for k in _keys(tech) if k.startswith("cert-expiry"))[-1:]))
    days_sent = [d for d, _ in seen]
    assert days_sent[:4] == [10, 40, 70, 93]
    expiry_keys = {k for k in _keys(tech) if k.startswith("cert-expiry")}
    assert expiry_keys == {f"cert-expiry:{cert.pk}:{d}" for d in (90, 60, 30, 7)}
    manager_keys = {k for k in _keys(manager) if k.startswith("cert-expiry")}
    assert manager_keys == {f"cert-expiry:{cert.pk}:{d}:{tech.pk}" for d in (90, 60, 30, 7)}
    assert any("分体式空调安装" in m.subject for m in mail.outbox if tech.email in m.to)


def test_running_the_night_twice_sends_nothing_twice(quiet):
    cert = quiet["cert"]
    _set(cert, expires_at=NOW + 30 * DAY)
    _set(quiet["licences"]["height"], expires_on=TODAY + 60 * DAY)
    _set(quiet["licences"]["refrigeration"], next_review_on=TODAY + 7 * DAY)
    report = _twice(NOW)
    assert report.notifications_sent >= 6
    assert report.review_due_licence_ids == [quiet["licences"]["refrigeration"].pk]
    tech = quiet["tech"].user
    assert f"cert-expiry:{cert.pk}:30" in _keys(tech)
    assert f"licence-expiry:{quiet['licences']['height'].pk}:60" in _keys(tech)


def test_a_missed_night_sends_the_current_reminder_not_the_stale_one(quiet):
    cert = quiet["cert"]
    _set(cert, expires_at=NOW + 45 * DAY)
    _twice(NOW)
    keys = {k for k in _keys(quiet["tech"].user) if k.startswith("cert-expiry")}
    assert keys == {f"cert-expiry:{cert.pk}:60"}


def test_lapsed_certifications_expire_once_and_are_reported(quiet):
    cert = quiet["cert"]
    _set(cert, expires_at=NOW - DAY)
    report = _twice(NOW)
    assert report.expired_certification_ids == [cert.pk]
    cert.refresh_from_db()
    assert cert.status == CertificationStatus.EXPIRED
    assert f"cert-expired:{cert.pk}" in _keys(quiet["tech"].user)


def test_a_licence_past_its_review_is_void_once_and_cleared_when_reviewed(quiet):
    licence = quiet["licences"]["height"]
    _set(licence, next_review_on=TODAY - 2 * DAY)
    report = _twice(NOW)
    assert report.voided_licence_ids == [licence.pk]
    licence.refresh_from_db()
    assert licence.voided_on == TODAY - DAY
    manager_keys = _keys(quiet["east_manager"].user)
    assert any(k.startswith(f"licence-void:{licence.pk}:") for k in manager_keys)
    _set(licence, next_review_on=TODAY + 3 * 365 * DAY)
    certification_nightly_run(now=NOW)
    licence.refresh_from_db()
    assert licence.voided_on is None


def test_an_expired_licence_is_announced_once_unless_a_newer_one_is_held(quiet):
    height = quiet["licences"]["height"]
    _set(height, expires_on=TODAY - DAY)
    report = _twice(NOW)
    assert report.expired_licence_ids == [height.pk]
    refrigeration = quiet["licences"]["refrigeration"]
    _set(refrigeration, expires_on=TODAY - DAY)
    make_licence(
        quiet["tech"].user,
        "refrigeration",
        number="NEW-REF",
        issued_on=TODAY - 10 * DAY,
        expires_on=TODAY + 2000 * DAY,
    )
    assert certification_nightly_run(now=NOW).expired_licence_ids == []


def test_the_renewal_window_assigns_the_renewal_path_once(quiet, programme):
    course = make_course("分体空调安装复训", lessons=1)
    programme.renewal_path = make_path("分体空调安装复训路径", [course])
    programme.renewal_window_days = 60
    programme.save()
    cert = quiet["cert"]
    _set(cert, expires_at=NOW + 61 * DAY)
    assert certification_nightly_run(now=NOW).renewal_opened_certification_ids == []
    report = _twice(NOW + DAY)
    assert report.renewal_opened_certification_ids == [cert.pk]
    assignment = PathAssignment.objects.get(user=quiet["tech"].user, path=programme.renewal_path)
    assert assignment.due_mode == PathAssignment.DueMode.FIXED
    assert assignment.due_date == timezone.localdate(cert.expires_at)
    assignment.delete()  # a manager removed it: the night does not force it back
    certification_nightly_run(now=NOW + 2 * DAY)
    assert not PathAssignment.objects.filter(user=quiet["tech"].user).exists()


def test_without_a_renewal_path_the_technician_is_told_the_window_is_open(quiet):
    cert = quiet["cert"]
    _set(cert, expires_at=NOW + 10 * DAY)
    report = _twice(NOW)
    assert report.renewal_opened_certification_ids == [cert.pk]
    assert not PathAssignment.objects.exists()
    note = Notification.objects.get(user=quiet["tech"].user, key=f"renewal-open:{cert.pk}")
    assert "续证" in note.title or "更新" in note.title


def test_inactive_staff_get_no_reminders(quiet):
    _set(quiet["cert"], expires_at=NOW + 30 * DAY)
    _set(quiet["tech"], active=False)
    assert certification_nightly_run(now=NOW).notifications_sent == 0


def test_the_beat_task_runs_the_night_and_reports_it(quiet):
    _set(quiet["cert"], expires_at=timezone.now() - DAY)
    report = run_nightly.delay().get()
    assert report["expired_certification_ids"] == [quiet["cert"].pk]
    assert run_nightly.delay().get()["notifications_sent"] == 0


def test_licences_void_field_is_not_editable_in_forms():
    assert not Licence._meta.get_field("voided_on").editable
