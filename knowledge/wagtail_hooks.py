"""Admin for the knowledge base: cases (trainers/quality staff) and raw tickets (restricted)."""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Case, CaseFlag, SearchWord, SynonymGroup, Ticket
from .selectors import search_gaps


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


class SynonymViewSet(SnippetViewSet):
    model = SynonymGroup
    icon = "list-ul"
    list_display = ["terms", "active", "updated_at"]
    search_fields = ["terms"]
    copy_view_enabled = False


class SearchWordViewSet(SnippetViewSet):
    """Trainers' dictionary words: new queries use them within seconds; cases hold them as one
    word after ``update_index`` (the admin page says so)."""

    model = SearchWord
    icon = "openquote"
    list_display = ["word", "active", "updated_at"]
    search_fields = ["word"]
    copy_view_enabled = False


@register_snippet
class KnowledgeGroup(SnippetViewSetGroup):
    menu_label = _("Knowledge base")
    menu_icon = "help"
    menu_order = 220
    items = (CaseViewSet, CaseFlagViewSet, SynonymViewSet, SearchWordViewSet, TicketViewSet)


def search_report(request):
    if not request.user.has_perm("knowledge.view_searchquerylog"):
        raise PermissionDenied
    return TemplateResponse(
        request, "knowledge/admin/search_report.html", {"gaps": search_gaps(days=30)}
    )


class SearchReportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("knowledge.view_searchquerylog")


@hooks.register("register_admin_urls")
def register_search_report_url():
    return [path("knowledge/search-report/", search_report, name="knowledge_search_report")]


@hooks.register("register_reports_menu_item")
def register_search_report_menu_item():
    return SearchReportMenuItem(
        _("Knowledge searches"), reverse("knowledge_search_report"), icon_name="search"
    )
