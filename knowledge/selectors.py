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


def search_gaps(*, days: int = 30, limit: int = 20) -> dict:
    """What technicians searched in the last ``days``: top queries, queries that found
    nothing, and queries whose results nobody opened — the content gaps trainers should fill."""
    import datetime as dt

    from django.db.models import Count, Q
    from django.utils import timezone

    from .models import SearchQueryLog

    recent = SearchQueryLog.objects.filter(created_at__gte=timezone.now() - dt.timedelta(days=days))
    grouped = recent.values("query").annotate(
        searches=Count("pk"), opened=Count("pk", filter=Q(clicked_case__isnull=False))
    )
    return {
        "top": list(grouped.order_by("-searches")[:limit]),
        "zero": list(grouped.filter(results=0).order_by("-searches")[:limit]),
        "unopened": list(grouped.filter(results__gt=0, opened=0).order_by("-searches")[:limit]),
    }
