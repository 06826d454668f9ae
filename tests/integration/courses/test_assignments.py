"""Who gets which learning path, and by when."""

import datetime as dt

import pytest
from django.utils import timezone

from courses.models import PathAssignment
from courses.selectors import path_statuses_for
from courses.services import lesson_complete, path_assign, path_assign_bulk
from portal.records import StaffRecordForm
from portal.roles import Role
from portal.services import staff_upsert
from tests.factories import make_course, make_path


@pytest.fixture
def path(db):
    return make_path("家用空调安装维修技能", [make_course("分体式空调安装", lessons=1)])


def titles(user):
    return [s.path.title for s in path_statuses_for(user=user)]


@pytest.mark.parametrize(
    ("target", "reaches", "misses"),
    [
        ({"role": Role.TECHNICIAN}, ["sh_tech", "gz_tech"], ["east_manager"]),
        ({"outlet": "sh"}, ["sh_tech", "east_manager"], ["hz_tech", "gz_tech"]),
        ({"region": "east"}, ["sh_tech", "hz_tech"], ["gz_tech"]),
        ({"user": "hz_tech"}, ["hz_tech"], ["sh_tech"]),
    ],
)
def test_a_path_reaches_exactly_the_people_of_its_target(
    two_regions, path, target, reaches, misses
):
    key, value = next(iter(target.items()))
    if key == "user":
        value = two_regions[value].user
    elif key in ("outlet", "region"):
        value = two_regions[value]
    path_assign(path=path, **{key: value})
    for name in reaches:
        assert titles(two_regions[name].user) == ["家用空调安装维修技能"], name
    for name in misses:
        assert titles(two_regions[name].user) == [], name


def test_due_dates_are_fixed_or_counted_from_hire_or_assignment(two_regions, path):
    tech = two_regions["sh_tech"]
    tech.hire_date = dt.date(2026, 1, 10)
    tech.save()
    path_assign(path=path, user=tech.user, due_mode=PathAssignment.DueMode.AFTER_HIRE, due_days=30)
    assert path_statuses_for(user=tech.user)[0].due_date == dt.date(2026, 2, 9)
    path_assign(
        path=path,
        user=tech.user,
        due_mode=PathAssignment.DueMode.FIXED,
        due_date=dt.date(2027, 3, 1),
    )
    assert path_statuses_for(user=tech.user)[0].due_date == dt.date(2027, 3, 1)
    path_assign(
        path=path, user=tech.user, due_mode=PathAssignment.DueMode.AFTER_ASSIGNMENT, due_days=14
    )
    expected = timezone.localdate() + dt.timedelta(days=14)
    assert path_statuses_for(user=tech.user)[0].due_date == expected
    assert PathAssignment.objects.count() == 1  # re-assigning updates, never duplicates


def test_the_earliest_due_date_wins_when_a_path_is_assigned_twice(two_regions, path):
    tech = two_regions["sh_tech"]
    path_assign(path=path, role=Role.TECHNICIAN, due_mode="fixed", due_date=dt.date(2027, 6, 1))
    path_assign(path=path, outlet=two_regions["sh"], due_mode="fixed", due_date=dt.date(2027, 1, 1))
    assert path_statuses_for(user=tech.user)[0].due_date == dt.date(2027, 1, 1)


def test_a_path_is_overdue_until_completed(two_regions, path):
    tech = two_regions["sh_tech"].user
    path_assign(path=path, user=tech, due_mode="fixed", due_date=dt.date(2020, 1, 1))
    assert path_statuses_for(user=tech)[0].overdue
    course = path.items.get().course
    for lesson in course.get_children().live():
        lesson_complete(user=tech, lesson=lesson.specific)
    status = path_statuses_for(user=tech)[0]
    assert status.completed and not status.overdue


def test_bulk_assignment_gives_every_chosen_person_the_path(two_regions, path):
    people = [two_regions["sh_tech"].user, two_regions["gz_tech"].user]
    assert path_assign_bulk(path=path, users=people, due_days=10) == 2
    for person in people:
        assert titles(person) == ["家用空调安装维修技能"]


def test_new_staff_get_the_onboarding_path_when_their_account_is_created(
    two_regions, django_capture_on_commit_callbacks
):
    make_path(
        "新员工入职培训",
        [make_course("企业文化", lessons=1)],
        is_onboarding=True,
        onboarding_due_days=30,
    )
    form = StaffRecordForm(
        data={
            "employee_no": "N9",
            "name": "新人",
            "outlet_code": "SH-01",
            "roles": "new_staff",
            "hire_date": "2026-11-01",
        }
    )
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True):
        profile = staff_upsert(data=form.cleaned_data).object
    statuses = path_statuses_for(user=profile.user)
    assert [s.path.title for s in statuses] == ["新员工入职培训"]
    assert statuses[0].due_date == dt.date(2026, 12, 1)


def test_technicians_created_get_no_onboarding_path(
    two_regions, django_capture_on_commit_callbacks
):
    make_path("新员工入职培训", [make_course("企业文化", lessons=1)], is_onboarding=True)
    form = StaffRecordForm(
        data={
            "employee_no": "J-NEW",
            "name": "老技师",
            "outlet_code": "SH-01",
            "roles": "technician",
        }
    )
    assert form.is_valid(), form.errors
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tech = staff_upsert(data=form.cleaned_data).object
    assert callbacks  # the creation signal was sent; it just does not concern technicians
    assert titles(tech.user) == []


def test_my_learning_lists_assigned_overdue_in_progress_and_completed(client, two_regions, path):
    tech = two_regions["sh_tech"].user
    path_assign(path=path, user=tech, due_mode="fixed", due_date=dt.date(2020, 1, 1))
    client.force_login(tech)
    body = client.get("/learning/").content.decode()
    assert "家用空调安装维修技能" in body and "已逾期" in body and "2020-01-01" in body
