"""Ticket intake and case API (contract: README, "Knowledge API")."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from portal.api import ApiError, ApiKeyAuth, batch_from_body, read_json_body, records_apply

from .records import TicketRecordForm, normalise_ticket
from .selectors import case_as_dict, case_visible
from .services import SKIP_REASONS, ticket_receive

tickets_router = Router(tags=["tickets"])
cases_router = Router(tags=["knowledge"])


class TicketResult(Schema):
    ticket_no: str
    status: str
    errors: dict[str, list[str]]


class TicketsOut(Schema):
    counts: dict[str, int]
    results: list[TicketResult]


@tickets_router.post("", auth=ApiKeyAuth("tickets:write"), response={202: TicketsOut})
def tickets_post(request):
    """One ticket, or ``{"tickets": [...]}`` with up to 500. Each is validated and stored on
    its own: ``queued`` (new), ``updated`` (re-posted with changes: reprocessed), ``unchanged``
    (re-posted as is) or ``rejected`` with field errors. Processing happens in the background;
    poll ``GET /api/v1/tickets/{ticket_no}``."""
    records, _is_batch = batch_from_body(
        read_json_body(request), list_key="tickets", limit=settings.API_MAX_BATCH
    )
    results, counts = records_apply(
        records,
        key="ticket_no",
        form_for=lambda record: TicketRecordForm(data=normalise_ticket(record)),
        apply=lambda data: ticket_receive(data=data)[1],
    )
    return Status(202, {"counts": counts, "results": results})


class TicketStatusOut(Schema):
    ticket_no: str
    status: str
    reason: str
    case_id: int | None


@tickets_router.get(
    "/{ticket_no}", auth=ApiKeyAuth("tickets:write"), response={200: TicketStatusOut}
)
def ticket_status(request, ticket_no: str):
    from .models import Ticket

    ticket = get_object_or_404(Ticket, ticket_no=ticket_no)
    return {
        "ticket_no": ticket.ticket_no,
        "status": ticket.status,
        "reason": SKIP_REASONS.get(ticket.status_reason, ticket.status_reason),
        "case_id": ticket.case_id,
    }


class SessionOrKeyAuth(ApiKeyAuth):
    """Technicians' browser sessions may read cases too, not only API keys."""

    def __call__(self, request):
        if request.user.is_authenticated:
            return request.user
        return super().__call__(request)


@cases_router.get("/cases/{case_id}", auth=SessionOrKeyAuth("knowledge:read"))
def case_detail(request, case_id: int):
    from .models import Case

    case = get_object_or_404(Case, pk=case_id)
    if not case_visible(case=case):
        raise ApiError(404, "not_found", _("Not found."))
    return case_as_dict(case=case, request=request)


@cases_router.get("/search", auth=SessionOrKeyAuth("knowledge:read"))
def search(
    request,
    q: str = "",
    product_line: str = "",
    error_code: str = "",
    page: int = 1,
    page_size: int = 10,
):
    """Ranked cases with highlighted snippets and facets (contract: README)."""
    from .search import case_search, hit_as_dict

    if not 1 <= page_size <= 50 or page < 1:
        raise ApiError(
            400,
            "validation_error",
            _("Some fields are invalid."),
            errors={"page_size": [_("Between 1 and 50.")]}
            if not 1 <= page_size <= 50
            else {"page": [_("At least 1.")]},
        )
    outcome = case_search(
        query=q,
        product_line=product_line,
        error_code=error_code,
        page=page,
        page_size=page_size,
        role="api",
    )
    return {
        "count": outcome.count,
        "page": outcome.page,
        "pages": outcome.pages,
        "results": [hit_as_dict(hit, request) for hit in outcome.hits],
        "facets": outcome.facets,
    }
