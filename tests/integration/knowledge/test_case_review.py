"""Case validation goes through the "案例审核" Wagtail workflow; flags reach its reviewers; the
admin list stays cheap however many cases there are."""

import pytest
from django.contrib.auth.models import Group
from wagtail.admin.panels import get_edit_handler
from wagtail.models import Revision

from knowledge.models import Case, CaseOccurrence, Ticket
from knowledge.services import case_flag_create, case_refresh_from_occurrences
from knowledge.setup import TASK_NAME, WORKFLOW_NAME
from portal.models import Notification, ProductLine
from portal.roles import Role
from tests.factories import StaffFactory


def make_case(title="洗衣机 E4 不排水", **fields) -> Case:
    return Case.objects.create(
        title=title,
        symptom="洗到一半不排水，显示E4",
        resolution="拆下过滤器取出硬币\n试机排水正常",
        product_line=ProductLine.objects.get(code="WM"),
        error_codes=["E4"],
        error_code="E4",
        live=True,
        **fields,
    )


@pytest.fixture
def trainer(db):
    return StaffFactory(employee_no="T-QA", name="质量工程师", outlet=None, roles=[Role.TRAINER])


def submit_and_approve(case, submitter, approver):
    case.save_revision(user=submitter.user)
    case.get_workflow().start(case, submitter.user)
    case.refresh_from_db()
    state = case.current_workflow_task_state
    state.task.specific.on_action(state, approver.user, "approve")
    case.refresh_from_db()


def test_cases_are_assigned_the_review_workflow_whose_reviewers_are_trainers(db):
    workflow = make_case().get_workflow()
    assert workflow is not None and workflow.name == WORKFLOW_NAME
    task = workflow.tasks.get().specific
    assert task.name == TASK_NAME
    assert list(task.groups.values_list("name", flat=True)) == ["role:trainer"]


def test_approving_the_review_validates_and_publishes_the_case(trainer):
    reviewer = StaffFactory(employee_no="T-QA2", outlet=None, roles=[Role.TRAINER])
    case = make_case()
    submit_and_approve(case, trainer, reviewer)
    assert case.kcs_status == Case.KcsStatus.VALIDATED and case.live
    assert case.latest_revision.content["kcs_status"] == Case.KcsStatus.VALIDATED
    assert not case.workflow_in_progress


def test_a_case_under_review_stays_visible_to_technicians_as_not_validated(trainer):
    case = make_case()
    case.save_revision(user=trainer.user)
    case.get_workflow().start(case, trainer.user)
    case.refresh_from_db()
    assert case.workflow_in_progress and case.live
    assert case.kcs_status == Case.KcsStatus.NOT_VALIDATED


def test_only_approval_validates_picking_validated_in_the_form_is_refused(trainer):
    case = make_case()
    form_class = get_edit_handler(Case).get_form_class()
    data = {
        "title": case.title,
        "symptom": case.symptom,
        "cause": "",
        "resolution": case.resolution,
        "product_line": case.product_line_id,
        "refrigerant": "",
        "related_pages": [],
    }
    refused = form_class(
        data={**data, "kcs_status": "validated"}, instance=case, for_user=trainer.user
    )
    assert not refused.is_valid() and "kcs_status" in refused.errors
    archived = form_class(
        data={**data, "kcs_status": "archived"}, instance=case, for_user=trainer.user
    )
    assert archived.is_valid(), archived.errors


def test_publishing_an_old_draft_keeps_the_occurrence_figures_the_pipeline_added(trainer):
    case = make_case(occurrences=1)
    case.title = "洗衣机 E4 不排水（排水泵异物）"
    revision = case.save_revision(user=trainer.user)
    for n in range(3):
        ticket = Ticket.objects.create(
            ticket_no=f"GD{n}", closed_at=f"2026-09-0{n + 1}T10:00:00+08:00", content_hash="x"
        )
        CaseOccurrence.objects.create(
            case=case, ticket=ticket, seen_at=ticket.closed_at, product_model=f"XQG100-{n}"
        )
    case_refresh_from_occurrences(case=Case.objects.get(pk=case.pk))
    # Later, a reviewer publishes the draft (the admin loads it afresh).
    Revision.objects.get(pk=revision.pk).publish(user=trainer.user)
    case.refresh_from_db()
    assert case.title == "洗衣机 E4 不排水（排水泵异物）"
    assert case.occurrences == 3 and case.is_recurring
    assert case.product_models == ["XQG100-0", "XQG100-1", "XQG100-2"]


def test_a_flag_notifies_each_reviewer_once(trainer, django_capture_on_commit_callbacks):
    other = StaffFactory(employee_no="T-QA2", outlet=None, roles=[Role.TRAINER])
    technician = StaffFactory(employee_no="J-1", roles=[Role.TECHNICIAN])
    case = make_case()
    with django_capture_on_commit_callbacks(execute=True):
        case_flag_create(case=case, user=technician.user, kind="did_not_work", comment="没用")
    notified = Notification.objects.filter(key__startswith="case-flag:")
    assert sorted(n.user_id for n in notified) == sorted([trainer.user_id, other.user_id])
    assert all(case.title in n.title and "没用" in n.body for n in notified)
    assert not Notification.objects.filter(user=technician.user).exists()


def test_a_flag_reaches_the_reviewers_an_administrator_assigned(
    trainer, django_capture_on_commit_callbacks
):
    quality = StaffFactory(employee_no="Q-1", outlet=None, roles=[Role.MANAGER])
    group = Group.objects.create(name="技质部")
    quality.user.groups.add(group)
    task = make_case().get_workflow().tasks.get().specific
    task.groups.set([group])
    with django_capture_on_commit_callbacks(execute=True):
        case_flag_create(case=make_case(), user=trainer.user, kind="outdated")
    assert list(Notification.objects.values_list("user_id", flat=True)) == [quality.user_id]


def test_the_admin_case_list_costs_the_same_queries_for_few_or_many_cases(client, trainer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(trainer.user)
    for n in range(3):
        make_case(f"案例 {n}")

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/snippets/knowledge/case/").status_code == 200
        return len(queries)

    few = count_queries()
    for n in range(3, 40):
        make_case(f"案例 {n}")
    assert count_queries() <= few


def test_a_trainer_links_a_live_case_to_a_lesson_in_the_admin_and_technicians_see_it(
    client, trainer, two_regions
):
    from courses.models import LessonPage
    from tests.factories import make_course

    make_course("洗衣机排水故障", lessons=1)
    lesson = LessonPage.objects.live().first()
    case = make_case()
    client.force_login(trainer.user)
    response = client.post(
        f"/admin/snippets/knowledge/case/edit/{case.pk}/",
        {
            "title": case.title,
            "symptom": case.symptom,
            "product_line": case.product_line_id,
            "refrigerant": "",
            "cause": "",
            "resolution": case.resolution,
            "kcs_status": "not_validated",
            "related_pages": [lesson.pk],
            "action-publish": "action-publish",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert list(case.related_pages.all()) == [lesson.page_ptr]

    technician = StaffFactory(employee_no="J-SH2", roles=[Role.TECHNICIAN])
    client.force_login(technician.user)
    page = client.get(case.get_absolute_url()).content.decode()
    assert lesson.title in page and lesson.url in page
