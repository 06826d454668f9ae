"""On real services (PostgreSQL, a Celery worker on a real broker): completing the corrective
path's last lesson reaches the worker through the course_completed signal, which moves the
suspension to "awaiting approval" and tells the manager once."""

import pytest

from certification.corrective import suspension_open
from certification.models import Suspension
from courses.selectors import course_lessons
from courses.services import lesson_complete
from portal.models import Notification
from tests.factories import make_course, make_path
from tests.integration.conftest import wait_for


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_worker_moves_a_completed_corrective_path_to_awaiting_approval(certified, real_broker):
    course = make_course("整改课程（真实队列）", lessons=2)
    path = make_path("真实队列整改路径", [course])
    manager = certified["east_manager"].user
    suspension = suspension_open(
        person=certified["tech"].user, user=manager, reason_code="complaint", corrective_path=path
    )
    for lesson in course_lessons(course=course):
        lesson_complete(user=certified["tech"].user, lesson=lesson)

    def awaiting():
        suspension.refresh_from_db()
        return suspension.status == Suspension.Status.AWAITING_APPROVAL

    assert wait_for(awaiting), "the worker never picked up the completed corrective path"
    key = f"suspension-awaiting:{suspension.pk}"
    assert wait_for(lambda: Notification.objects.filter(user=manager, key=key).exists())
    assert Notification.objects.filter(key=key).count() == 1
