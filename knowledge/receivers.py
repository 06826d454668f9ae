"""Signal receivers of the knowledge app: thin adapters over services."""

from django.db import transaction

from .models import Case
from .services import case_mark_validated, case_recount


def validate_case_on_workflow_approval(sender, instance, user=None, **kwargs):
    """Wagtail's ``workflow_approved``: an approved case review means 已审核."""
    case = instance.content_object
    if isinstance(case, Case):
        case_mark_validated(case=case, user=user)


def recount_case_on_occurrence_delete(sender, instance, **kwargs):
    """An occurrence deleted (its ticket deleted, or its case): the case's figures are
    recounted once the deletion is committed."""
    transaction.on_commit(lambda: case_recount(case_id=instance.case_id))
