"""Reads of the knowledge base. Nothing here returns customer data."""

from django.db.models import QuerySet

from .models import Case, CaseFlag, Ticket


def case_visible(*, case: Case) -> bool:
    """Technicians see live cases that are not archived (未审核 ones with a badge)."""
    return case.live and case.kcs_status != Case.KcsStatus.ARCHIVED


def cases_visible() -> QuerySet[Case]:
    return Case.objects.filter(live=True).exclude(kcs_status=Case.KcsStatus.ARCHIVED)


def case_source_ticket_numbers(*, case: Case) -> list[str]:
    return list(
        Ticket.objects.filter(occurrence__case=case)
        .order_by("closed_at")
        .values_list("ticket_no", flat=True)
    )


def case_open_flags(*, case: Case) -> QuerySet[CaseFlag]:
    return case.flags.filter(resolved_at__isnull=True).select_related("user")


def case_as_dict(*, case: Case, request=None) -> dict:
    """The case API contract."""
    url = case.get_absolute_url()
    return {
        "case_id": case.pk,
        "title": case.title,
        "symptom": case.symptom,
        "environment": {
            "product_line": case.product_line.code if case.product_line else None,
            "product_models": case.product_models,
            "error_codes": case.error_codes,
            "refrigerant": case.refrigerant or None,
        },
        "cause": case.cause,
        "resolution": case.resolution,
        "parts": case.parts,
        "status": case.kcs_status,
        "occurrences": case.occurrences,
        "first_seen": case.first_seen.isoformat() if case.first_seen else None,
        "last_seen": case.last_seen.isoformat() if case.last_seen else None,
        "flags": {
            "recurring": case.is_recurring,
            "batch": case.is_batch,
            "feedback": case_open_flags(case=case).count(),
        },
        "source_tickets": case_source_ticket_numbers(case=case),
        "url": request.build_absolute_uri(url) if request else url,
    }


def quality_flags_new() -> QuerySet[Case]:
    """Cases newly flagged recurring or batch, newest first: quality staff's work list."""
    return Case.objects.filter(flagged_at__isnull=False).order_by("-flagged_at")
