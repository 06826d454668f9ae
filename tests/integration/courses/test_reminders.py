"""Due-date reminders: before and after the due date, to learners and managers, never twice."""

import datetime as dt

import pytest
from django.core import mail

from courses.reminders import due_reminders_send
from courses.services import path_assign
from portal.models import Notification
from tests.factories import make_course, make_path

DUE = dt.date(2026, 12, 1)


@pytest.fixture
def assigned(two_regions):
    tech = two_regions["sh_tech"]
    tech.user.email = "tech@example.com"
    tech.user.save()
    path = make_path("家用空调安装维修技能", [make_course("分体式空调安装", lessons=1)])
    path_assign(path=path, user=tech.user, due_mode="fixed", due_date=DUE)
    return tech


def keys(user):
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


def test_nothing_is_sent_long_before_the_due_date(assigned):
    assert due_reminders_send(today=DUE - dt.timedelta(days=30)) == 0


def test_learners_are_reminded_a_week_before_by_portal_and_email_once(assigned):
    assert due_reminders_send(today=DUE - dt.timedelta(days=7)) == 1
    assert due_reminders_send(today=DUE - dt.timedelta(days=7)) == 0
    assert due_reminders_send(today=DUE - dt.timedelta(days=3)) == 0
    assert len(keys(assigned.user)) == 1
    assert len(mail.outbox) == 1 and "家用空调安装维修技能" in mail.outbox[0].subject


def test_overdue_paths_notify_the_learner_and_their_regional_manager_once(assigned, two_regions):
    sent = due_reminders_send(today=DUE + dt.timedelta(days=1))
    assert sent == 2
    manager = two_regions["east_manager"].user
    assert len(keys(manager)) == 1
    assert "上海技师" in Notification.objects.get(user=manager).title
    assert not Notification.objects.filter(user=two_regions["south_manager"].user).exists()
    assert due_reminders_send(today=DUE + dt.timedelta(days=2)) == 0


def test_completed_paths_get_no_reminders(assigned):
    from courses.models import LessonPage
    from courses.services import lesson_complete

    for lesson in LessonPage.objects.live():
        lesson_complete(user=assigned.user, lesson=lesson)
    assert due_reminders_send(today=DUE + dt.timedelta(days=1)) == 0


def test_the_notification_page_lists_and_marks_read(client, assigned):
    due_reminders_send(today=DUE + dt.timedelta(days=1))
    client.force_login(assigned.user)
    home = client.get("/").content.decode()
    assert 'data-testid="unread">1<' in home
    page = client.get("/notifications/").content.decode()
    assert "家用空调安装维修技能" in page
    assert 'data-testid="unread"' not in client.get("/").content.decode()
