"""Knowledge health: new recurring/batch flags, cases awaiting validation, technicians' feedback
and the searches that find too little.

Cases are shared by the whole network; a manager sees those their own technicians' tickets fed
(administrators see all). Search logs keep no identity, so the search figures are the
network's, the same for everyone."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from knowledge.models import Case, CaseFlag
from knowledge.selectors import quality_flags_new, search_gaps

from .scope import staff_in_scope, user_sees_whole_network


def cases_in_scope(*, user: User) -> QuerySet[Case]:
    cases = Case.objects.all()
    if user_sees_whole_network(user=user):
        return cases
    numbers = staff_in_scope(user=user).values("employee_no")
    return cases.filter(
        pk__in=Case.objects.filter(
            occurrence_set__ticket__technician_employee_no__in=numbers
        ).values("pk")
    )


@dataclass
class KnowledgeHealth:
    new_flags: list[Case]
    awaiting_validation: list[Case]
    awaiting_count: int
    open_feedback: list[Case]
    top_searches: list[dict]
    zero_searches: list[dict]
    days: int


def knowledge_health(
    *, user: User, days: int = 30, limit: int = 20, now: dt.datetime | None = None
) -> KnowledgeHealth:
    now = now or timezone.now()
    scoped = cases_in_scope(user=user)
    since = now - dt.timedelta(days=days)
    new_flags = quality_flags_new().filter(pk__in=scoped.values("pk"), flagged_at__gte=since)
    awaiting = (
        scoped.filter(live=True, kcs_status=Case.KcsStatus.NOT_VALIDATED)
        .select_related("product_line")
        .order_by("-last_seen", "-pk")
    )
    feedback = (
        scoped.filter(flags__resolved_at__isnull=True)
        .annotate(open_flags=Count("flags", filter=Q(flags__resolved_at__isnull=True)))
        .order_by("-open_flags", "-pk")
    )
    gaps = search_gaps(days=days, limit=limit)
    return KnowledgeHealth(
        new_flags=list(new_flags.select_related("product_line")[:limit]),
        awaiting_validation=list(awaiting[:limit]),
        awaiting_count=awaiting.count(),
        open_feedback=list(feedback[:limit]),
        top_searches=gaps["top"],
        zero_searches=gaps["zero"],
        days=days,
    )


def open_feedback_count(*, user: User) -> int:
    return CaseFlag.objects.filter(
        resolved_at__isnull=True, case__in=cases_in_scope(user=user)
    ).count()
