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
