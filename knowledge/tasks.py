import logging

from celery import shared_task

from .services import ticket_mark_failed, ticket_process

logger = logging.getLogger(__name__)


@shared_task(
    name="knowledge.process_ticket",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def process_ticket(ticket_id: int) -> str:
    """Runs the pipeline for one ticket. Idempotent, so a redelivery after a killed worker
    completes the work without duplicating it."""
    try:
        return ticket_process(ticket_id=ticket_id).status
    except OSError:
        raise
    except Exception as exc:
        logger.exception("ticket %s failed", ticket_id)
        ticket_mark_failed(ticket_id=ticket_id, error=f"{type(exc).__name__}: {exc}")
        return "failed"


@shared_task(
    name="knowledge.index_cases",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    max_retries=5,
)
def index_cases() -> int:
    """Writes every case saved since the last run to the search index, in batches. Idempotent:
    the stale flags live in the database, so a redelivery or an overlapping run repeats nothing
    that matters."""
    from .indexing import cases_index_stale

    return cases_index_stale()


@shared_task(name="knowledge.notify_case_flag", acks_late=True)
def notify_case_flag(flag_id: int) -> int:
    """Tells the case's reviewers about a technician's flag. Idempotent: one notification per
    reviewer and flag."""
    from .services import case_flag_notify_reviewers

    return case_flag_notify_reviewers(flag_id=flag_id)
