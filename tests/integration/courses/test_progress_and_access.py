"""Enrolment, prerequisites, lesson completion and the course-completed signal."""

import pytest
from django.urls import reverse

from courses.exceptions import CourseAccessDenied
from courses.models import Enrolment, LessonPage, LessonProgress
from courses.selectors import course_overview_for
from courses.services import enrolment_create, lesson_complete
from courses.signals import course_completed
from tests.factories import make_course


@pytest.fixture
def learner(two_regions):
    return two_regions["sh_tech"].user


@pytest.fixture
def basics(db):
    return make_course("售后服务规范", lessons=2)


@pytest.fixture
def completions():
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    course_completed.connect(receiver)
    yield received
    course_completed.disconnect(receiver)


def lessons_of(course):
    return list(LessonPage.objects.child_of(course).live().order_by("path"))


def test_completing_every_lesson_completes_the_course_once_with_its_revision(
    learner, basics, completions, django_capture_on_commit_callbacks
):
    first, second = lessons_of(basics)
    with django_capture_on_commit_callbacks(execute=True):
        assert not lesson_complete(user=learner, lesson=first).course_completed_now
        result = lesson_complete(user=learner, lesson=second)
        again = lesson_complete(user=learner, lesson=second)
    assert result.course_completed_now and not again.course_completed_now
    enrolment = Enrolment.objects.get(user=learner, course=basics)
    assert enrolment.completed_at is not None
    assert enrolment.completed_revision == basics.live_revision
    assert len(completions) == 1
    assert completions[0]["course"].pk == basics.pk and completions[0]["user"] == learner


def test_double_clicking_complete_records_one_completion(client, learner, basics):
    client.force_login(learner)
    lesson = lessons_of(basics)[0]
    url = reverse("courses:complete", args=[lesson.pk])
    client.post(url)
    client.post(url)
    assert LessonProgress.objects.filter(user=learner, lesson=lesson).count() == 1
    assert Enrolment.objects.filter(user=learner, course=basics).count() == 1


def test_learners_cannot_mark_progress_for_someone_else(client, two_regions, basics):
    client.force_login(two_regions["sh_tech"].user)
    lesson = lessons_of(basics)[0]
    other = two_regions["hz_tech"].user
    client.post(
        reverse("courses:complete", args=[lesson.pk]), {"user": other.pk, "user_id": other.pk}
    )
    assert not LessonProgress.objects.filter(user=other).exists()
    assert LessonProgress.objects.filter(user=two_regions["sh_tech"].user).exists()


def test_marking_complete_requires_a_post(client, learner, basics):
    client.force_login(learner)
    lesson = lessons_of(basics)[0]
    assert client.get(reverse("courses:complete", args=[lesson.pk])).status_code == 405


def test_prerequisites_cannot_be_skipped_by_url(client, learner, basics):
    install = make_course("分体式空调安装", lessons=1, prerequisites=[basics])
    lesson = lessons_of(install)[0]
    client.force_login(learner)
    response = client.get(lesson.url)
    assert response.status_code == 302 and response["Location"] == install.url
    page = client.get(install.url).content.decode()
    assert "售后服务规范" in page and "请先完成" in page
    refused = client.post(reverse("courses:complete", args=[lesson.pk]))
    assert refused.status_code == 302
    assert not LessonProgress.objects.filter(user=learner).exists()
    with pytest.raises(CourseAccessDenied):
        enrolment_create(user=learner, course=install)

    for prerequisite_lesson in lessons_of(basics):
        lesson_complete(user=learner, lesson=prerequisite_lesson)
    assert client.get(lesson.url).status_code == 200


def test_courses_closed_to_self_enrolment_open_only_to_assigned_people(client, learner, db):
    from courses.services import path_assign
    from tests.factories import make_path

    gas = make_course("燃气热水器安全检修", lessons=1, self_enrolment=False)
    lesson = lessons_of(gas)[0]
    client.force_login(learner)
    assert client.get(lesson.url).status_code == 302
    path_assign(path=make_path("燃气热水器维修资质", [gas]), user=learner)
    assert client.get(lesson.url).status_code == 200


def test_anonymous_visitors_cannot_open_lessons(client, basics):
    response = client.get(lessons_of(basics)[0].url)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_course_page_shows_progress_and_where_to_continue(client, learner, basics):
    first, second = lessons_of(basics)
    lesson_complete(user=learner, lesson=first)
    client.force_login(learner)
    body = client.get(basics.url).content.decode()
    assert 'aria-valuenow="50"' in body
    assert "从上次中断处继续" in body and second.url in body
    overview = course_overview_for(user=learner, course=basics)
    assert overview.next_lesson == second and overview.progress.percent == 50


def test_lesson_pages_render_repair_training_blocks(client, learner, basics):
    from wagtail.rich_text import RichText

    lesson = lessons_of(basics)[0]
    lesson.body = [
        ("safety_warning", {"level": "danger", "text": RichText("<p>R32 可燃，严禁明火</p>")}),
        (
            "fault_codes",
            {
                "title": "常见故障代码",
                "rows": [{"code": "E6", "meaning": "通信故障", "check": "检查内外机连接线"}],
            },
        ),
        (
            "procedure",
            {
                "title": "抽真空",
                "steps": [
                    {
                        "title": "连接真空泵",
                        "instruction": RichText("<p>接低压阀检修口</p>"),
                        "image": None,
                    }
                ],
            },
        ),
    ]
    lesson.save_revision().publish()
    client.force_login(learner)
    body = client.get(lesson.url).content.decode()
    assert "R32 可燃，严禁明火" in body and "危险" in body
    assert "<code>E6</code>" in body and "检查内外机连接线" in body
    assert "连接真空泵" in body
