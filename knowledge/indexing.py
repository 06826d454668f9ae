"""Search-index upkeep for cases, coalesced.

A busy pipeline saves the same case again and again (every merged ticket refreshes its
occurrence figures), and Whoosh pays for every commit with a segment merge. So a case save does
not index the case: it marks the row stale (``Case.search_stale``) and, on commit, queues at most
one ``knowledge.index_cases`` task per process and ``INDEX_DELAY`` seconds. That task indexes all
stale cases in batches, one backend commit per batch.

Guarantees: a case saved (pipeline, admin edit, publish, workflow approval) is indexed within
about ``INDEX_DELAY`` seconds of the commit, or, if a worker dies, by the next run of the task
(the stale flag is in the database, not in the message, so nothing is lost and redelivery only
repeats idempotent writes). Deleting a case removes it from the index at once, as before."""

import logging

from django.core.cache import cache
from django.db import transaction
from modelsearch import index
from modelsearch.backends import get_search_backends

from .models import Case

logger = logging.getLogger(__name__)

INDEX_DELAY = 2  # seconds: how long saves gather before one commit
INDEX_BATCH = 500
# Present while an index task is queued in this cache; expires so a lost message never blocks.
QUEUED_KEY = "knowledge:index-cases-queued"
QUEUED_TTL = 60


def case_saved(sender, instance: Case, raw: bool = False, update_fields=None, **kwargs) -> None:
    """post_save: the row is stale until the index task has written it."""
    if raw:
        return
    if not instance.search_stale or (update_fields and "search_stale" not in update_fields):
        Case.objects.filter(pk=instance.pk).update(search_stale=True)
        instance.search_stale = True
    transaction.on_commit(case_index_schedule)


def case_before_save(sender, instance: Case, raw: bool = False, **kwargs) -> None:
    """pre_save: the flag rides on the save's own UPDATE (no extra query)."""
    if not raw:
        instance.search_stale = True


def case_deleted(sender, instance: Case, **kwargs) -> None:
    index.remove_object(instance)


def case_index_schedule() -> None:
    """Queues one index task unless one is already waiting."""
    from .tasks import index_cases

    if cache.add(QUEUED_KEY, 1, timeout=QUEUED_TTL):
        index_cases.apply_async(countdown=INDEX_DELAY)


def cases_index_stale(*, batch_size: int = INDEX_BATCH, max_batches: int = 20) -> int:
    """Writes stale cases to each search backend, ``batch_size`` per commit; returns how many
    were written. Rows another worker is indexing (locked) are left to it. After
    ``max_batches`` it queues a follow-up run and returns, so one run stays well inside the
    task time limit even after a bulk import."""
    # Cleared first: a case saved from now on queues a new task, so none waits unindexed.
    cache.delete(QUEUED_KEY)
    written = 0
    backends = list(get_search_backends(with_auto_update=True))
    for _batch in range(max_batches):
        with transaction.atomic():
            batch = list(
                Case.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("product_line")
                .filter(search_stale=True)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return written
            for backend in backends:
                backend.add_bulk(Case, batch)
            Case.objects.filter(pk__in=[case.pk for case in batch]).update(search_stale=False)
        written += len(batch)
        logger.debug("indexed %d cases", len(batch))
    case_index_schedule()
    return written
