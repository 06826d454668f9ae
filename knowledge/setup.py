"""Case validation as Wagtail moderation.

Every case edit can be submitted to the "案例审核" workflow; its one task, "技质审核", is
approved by trainers and technical-quality staff (the ``role:trainer`` group). Approval publishes
the case and marks it 已审核 (knowledge/receivers.py); nothing else does. The workflow is
assigned to the case model, not to each case, so 100,000 cases cost nothing here."""

from django.db import transaction

from portal.roles import Role, group_name
from portal.services import approval_workflow_ensure

WORKFLOW_NAME = "案例审核"
TASK_NAME = "技质审核"


@transaction.atomic
def case_review_workflow_ensure():
    """Creates the workflow, its task and the assignment to cases if missing. Idempotent; runs
    after every migrate. An administrator may change reviewers or tasks afterwards: existing
    rows are left as they are."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import WorkflowContentType

    from .models import Case

    content_type = ContentType.objects.get_for_model(Case)
    if WorkflowContentType.objects.filter(content_type=content_type).exists():
        return
    reviewers, _ = Group.objects.get_or_create(name=group_name(Role.TRAINER))
    workflow = approval_workflow_ensure(
        workflow_name=WORKFLOW_NAME, task_name=TASK_NAME, reviewers=reviewers
    )
    WorkflowContentType.objects.create(content_type=content_type, workflow=workflow)
