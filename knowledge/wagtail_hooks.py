"""Admin for the knowledge base: cases (trainers/quality staff) and raw tickets (restricted)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Case, CaseFlag, Ticket


class CaseViewSet(SnippetViewSet):
    model = Case
    icon = "help"
    list_display = ["title", "kcs_status", "occurrences", "is_recurring", "is_batch", "last_seen"]
    list_filter = ["kcs_status", "product_line", "is_recurring", "is_batch"]
    search_fields = ["title"]
    ordering = ["-last_seen"]
    copy_view_enabled = False


class TicketViewSet(SnippetViewSet):
    """Raw tickets keep customer data: only managers, quality staff and administrators hold
    the view permission, and nobody edits them here."""

    model = Ticket
    icon = "doc-full-inverse"
    list_display = ["ticket_no", "closed_at", "product_model", "error_code", "status"]
    list_filter = ["status", "product_line", "service_type"]
    search_fields = ["ticket_no"]
    inspect_view_enabled = True
    copy_view_enabled = False


class CaseFlagViewSet(SnippetViewSet):
    model = CaseFlag
    icon = "warning"
    list_display = ["case", "kind", "comment", "created_at", "resolved_at"]
    list_filter = ["kind"]
    form_fields = ["resolved_at"]
    copy_view_enabled = False


@register_snippet
class KnowledgeGroup(SnippetViewSetGroup):
    menu_label = _("Knowledge base")
    menu_icon = "help"
    menu_order = 220
    items = (CaseViewSet, CaseFlagViewSet, TicketViewSet)
