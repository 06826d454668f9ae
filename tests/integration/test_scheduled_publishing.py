"""Scheduled publishing: content with a go-live time is published by the beat task."""

import datetime as dt
import time

from django.utils import timezone

from courses.models import LessonPage
from portal.tasks import publish_scheduled
from tests.factories import make_course


def test_a_lesson_scheduled_for_the_past_goes_live_when_the_beat_task_runs(db):
    course = make_course("定时发布测试", lessons=1, publish=False)
    lesson = LessonPage.objects.child_of(course).get()
    lesson.go_live_at = timezone.now() + dt.timedelta(seconds=1)
    revision = lesson.save_revision()
    revision.publish()  # with go_live_at in the future this only schedules it
    lesson.refresh_from_db()
    assert not lesson.live
    time.sleep(1.2)  # let the go-live time pass
    publish_scheduled()
    lesson.refresh_from_db()
    assert lesson.live
