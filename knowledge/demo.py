"""Demo knowledge base: a realistic Chinese ticket file run through the real pipeline
(validation, redaction, quality gate, summary, duplicate folding), in this process."""

from pathlib import Path

from portal.celery import app

from .imports import tickets_import

DEMO_TICKETS = Path(__file__).with_name("samples") / "demo_tickets.jsonl"


def load() -> None:
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        tickets_import(content=DEMO_TICKETS.read_bytes(), filename=DEMO_TICKETS.name)
    finally:
        app.conf.task_always_eager = previous
