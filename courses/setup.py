"""The course catalogue's place in the page tree and who may do what there.

Trainers write and edit courses under the catalogue but cannot publish: every change goes
through the "课程审核" workflow, approved by senior trainers (the ``reviewer:courses`` group),
who also may publish directly."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from portal.roles import Role, group_name
from portal.services import approval_workflow_ensure

REVIEWER_GROUP = "reviewer:courses"
WORKFLOW_NAME = "课程审核"
TASK_NAME = "资深培训师审核"


@transaction.atomic
def course_catalogue_ensure():
    """Creates the catalogue page, the review workflow and the page permissions if missing.
    Idempotent; runs after every migrate."""
    from wagtail.models import GroupPagePermission, WorkflowPage

    from portal.models import HomePage

    from .models import CourseIndexPage

    home = HomePage.objects.first()
    if home is None:
        return None
    catalogue = CourseIndexPage.objects.first()
    if catalogue is None:
        catalogue = home.add_child(instance=CourseIndexPage(title="课程中心", slug="courses"))
    trainers, _ = Group.objects.get_or_create(name=group_name(Role.TRAINER))
    reviewers, _ = Group.objects.get_or_create(name=REVIEWER_GROUP)
    page_perms = {
        trainers: ["add_page", "change_page"],
        reviewers: ["add_page", "change_page", "publish_page", "lock_page"],
    }
    for group, codenames in page_perms.items():
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page=catalogue, permission=permission
            )
    reviewers.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    workflow = approval_workflow_ensure(
        workflow_name=WORKFLOW_NAME, task_name=TASK_NAME, reviewers=reviewers
    )
    WorkflowPage.objects.get_or_create(page=catalogue, defaults={"workflow": workflow})
    return catalogue
