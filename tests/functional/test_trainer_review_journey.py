"""A trainer writes a lesson and submits it; a senior trainer approves it; learners see it."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from courses.models import LessonPage
from courses.setup import REVIEWER_GROUP
from portal.roles import Role
from tests.factories import StaffFactory, make_course

PASSWORD = "pw-for-tests"


def sign_in(page, base, employee_no):
    page.goto(base + "/login/")
    page.get_by_label("工号").fill(employee_no)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.locator("h1.greeting")).to_be_visible()


@pytest.fixture
def course(db):
    return make_course("变频空调故障诊断", lessons=0)


@pytest.fixture
def draft(course):
    from wagtail.rich_text import RichText

    lesson = course.add_child(
        instance=LessonPage(
            title="E6 故障（草稿）",
            live=False,
            body=[("rich_text", RichText("<p>先检查内外机连接线是否松动、接错。</p>"))],
        )
    )
    lesson.save_revision()
    return lesson


@pytest.fixture
def trainers(db):
    writer = StaffFactory(employee_no="T-WRITER", name="刘芳", outlet=None, roles=[Role.TRAINER])
    senior = StaffFactory(employee_no="T-SENIOR", name="陈志强", outlet=None, roles=[Role.TRAINER])
    senior.user.groups.add(Group.objects.get(name=REVIEWER_GROUP))
    return writer, senior


def test_a_lesson_is_published_only_after_a_senior_trainer_approves(
    live_server, desktop_page, draft, trainers
):
    page = desktop_page
    sign_in(page, live_server.url, "T-WRITER")

    # The trainer's draft (its body written in the editor earlier) is finished and sent for
    # review. Typing into Draft.js is not reliable under headless Chromium, so the body is
    # prepared; the journey is the review itself.
    page.goto(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    page.locator("#id_title").fill("E6 通信故障排查")
    page.locator("footer [data-w-dropdown-target=toggle]").last.click()
    page.get_by_role("button", name=re.compile("提交")).first.click()
    expect(page.get_by_text(re.compile("已经提交进行审核"))).to_be_visible()

    lesson = LessonPage.objects.get(title="E6 通信故障排查")
    assert lesson.workflow_in_progress, "the lesson was not submitted for review"
    submitted = lesson.get_latest_revision_as_object()
    assert "先检查内外机连接线" in submitted.body[0].value.source
    assert not lesson.live, "a trainer's submission must not go live without review"
    page.context.clear_cookies()

    sign_in(page, live_server.url, "T-SENIOR")
    page.goto(f"{live_server.url}/admin/pages/{lesson.pk}/edit/")
    page.locator("footer [data-w-dropdown-target=toggle]").last.click()
    page.get_by_role("button", name=re.compile("批准")).first.click()
    lesson.refresh_from_db()
    expect(page.locator(".messages")).to_be_visible()
    lesson.refresh_from_db()
    assert lesson.live
