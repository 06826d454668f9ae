"""Search-index upkeep for cases, coalesced.

A busy pipeline saves the same case again and again (every merged ticket refreshes its
occurrence figures), and Whoosh pays for every commit with a segment merge. So a case save does
not index the case: it marks the row stale (``Case.search_stale``) and, on commit, queues at most
one ``knowledge.index_cases`` task per process at a time. That task indexes all stale cases in
batches, one backend commit per batch.

Much of a run's cost does not grow with the cases it writes (Whoosh writes a segment and merges
the small ones on every commit), so runs pace themselves: the next waits ``PACE`` times as long
as the last one took, at least ``INDEX_DELAY`` and at most ``PACE_MAX`` seconds. Quiet, runs are
short and cases searchable within seconds; busy, each run writes more cases at once and index
runs take at most about a fifth of the worker's time.

Guarantees: a case saved (pipeline, admin edit, publish, workflow approval) is indexed within
about ``INDEX_DELAY`` seconds of the commit while runs are short (a few cases), within
``PACE_MAX`` seconds when a busy pipeline makes them long, or, if a worker dies, by the next run
of the task (the stale flag is in the database, not in the message, so nothing is lost and
redelivery only repeats idempotent writes). Deleting a case removes it from the index at once,
as before."""

import logging
import time

from django.core.cache import cache
from django.db import transaction
from modelsearch import index
from modelsearch.backends import get_search_backends

from .models import Case

logger = logging.getLogger(__name__)

INDEX_DELAY = 2  # seconds: how long saves gather before one commit
PACE = 4  # the next run waits this many times as long as the last one took...
PACE_MAX = 30  # ...but never longer than this (seconds)
INDEX_BATCH = 500
# Present while an index task is queued in this cache; expires so a lost message never blocks.
QUEUED_KEY = "knowledge:index-cases-queued"
QUEUED_TTL = 60
# How long the last run in this process took (seconds).
LAST_RUN_KEY = "knowledge:index-cases-last-run"


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
        last_run = cache.get(LAST_RUN_KEY, 0)
        index_cases.apply_async(countdown=min(max(INDEX_DELAY, PACE * last_run), PACE_MAX))


def cases_index_stale(*, batch_size: int = INDEX_BATCH, max_batches: int = 20) -> int:
    """Writes stale cases to each search backend, ``batch_size`` per commit; returns how many
    were written. Rows another worker is indexing (locked) are left to it. After
    ``max_batches`` it queues a follow-up run and returns, so one run stays well inside the
    task time limit even after a bulk import."""
    # Cleared first: a case saved from now on queues a new task, so none waits unindexed.
    cache.delete(QUEUED_KEY)
    started = time.monotonic()
    written, more = 0, True
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
                more = False
                break
            for backend in backends:
                backend.add_bulk(Case, batch)
            Case.objects.filter(pk__in=[case.pk for case in batch]).update(search_stale=False)
        written += len(batch)
        logger.debug("indexed %d cases", len(batch))
    cache.set(LAST_RUN_KEY, time.monotonic() - started, timeout=None)
    if more:
        case_index_schedule()
    return written
