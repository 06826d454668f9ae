"""Signal receivers of the knowledge app: thin adapters over services."""

from .models import Case
from .services import case_mark_validated


def validate_case_on_workflow_approval(sender, instance, user=None, **kwargs):
    """Wagtail's ``workflow_approved``: an approved case review means 已审核."""
    case = instance.content_object
    if isinstance(case, Case):
        case_mark_validated(case=case, user=user)
