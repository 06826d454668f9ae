"""``make bench``: performance figures written to bench-results/ (never asserted in tests).

Runs on a throwaway SQLite database in a temporary data directory, so it never touches var/.
Currently measured:
- knowledge pipeline throughput: tickets/s through validation → redaction → quality gate →
  summary → duplicate folding → search indexing, in one process (what one worker does);
- the pipeline's parts, per ticket, to show where the time goes.
Set BENCH_TICKETS to change the ticket count (default 2,000)."""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    results = {"machine": os.uname().nodename, "cpus": os.cpu_count()}
    results["knowledge_pipeline"] = bench_pipeline(int(os.environ.get("BENCH_TICKETS", "2000")))
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0


def _tickets(count: int) -> list[dict]:
    """The demo tickets, renumbered and spread in time, repeated up to ``count``."""
    from knowledge.demo import DEMO_TICKETS

    base = [json.loads(line) for line in DEMO_TICKETS.read_text(encoding="utf-8").splitlines()]
    tickets = []
    for n in range(count):
        ticket = dict(base[n % len(base)])
        ticket["ticket_no"] = f"BENCH{n:07d}"
        tickets.append(ticket)
    return tickets


def bench_pipeline(count: int) -> dict:
    from knowledge.models import Case, Ticket
    from knowledge.records import TicketRecordForm, normalise_ticket
    from knowledge.redaction import redact_text
    from knowledge.services import ticket_receive

    tickets = _tickets(count)
    start = time.perf_counter()
    for record in tickets:
        form = TicketRecordForm(data=normalise_ticket(record))
        if form.is_valid():
            ticket_receive(data=form.cleaned_data)
    elapsed = time.perf_counter() - start

    redaction_ms = []
    for record in tickets[:500]:
        t0 = time.perf_counter()
        for field in ("reported_symptom", "diagnosis", "resolution", "notes"):
            redact_text(
                record.get(field) or "",
                customer_name=record["customer_name"],
                customer_phone=record["customer_phone"],
                customer_address=record["customer_address"],
            )
        redaction_ms.append((time.perf_counter() - t0) * 1000)
    return {
        "tickets": count,
        "seconds": round(elapsed, 2),
        "tickets_per_second": round(count / elapsed, 1),
        "cases": Case.objects.count(),
        "statuses": dict(
            sorted(
                (s, Ticket.objects.filter(status=s).count())
                for s in Ticket.objects.values_list("status", flat=True).distinct()
            )
        ),
        "redaction_ms_per_ticket_p50": round(statistics.median(redaction_ms), 2),
        "note": "one process, SQLite, eager tasks, Whoosh index updated on every case save",
    }


if __name__ == "__main__":
    sys.exit(main())
