"""Knowledge pipeline throughput with one real Celery worker on PostgreSQL and Redis.

``BENCH_ONLY=knowledge_worker make bench`` (or ``make bench-knowledge-worker``). It needs:

- ``BENCH_WORKER_DATABASE_URL``: a PostgreSQL database whose name contains "bench"; it is
  dropped and created afresh on every run, so runs are comparable and nothing else is touched;
- ``BENCH_WORKER_BROKER_URL``: a Redis database the run may purge;
- ``BENCH_TICKETS`` (default 10,000): the demo tickets, renumbered, repeated up to this count.

One worker process (solo pool: one task at a time) consumes every queue. The clock runs from the
first ticket received until every ticket is processed *and* the search index holds every case
(no case left stale, no message left in a queue): intake → redaction → quality gate → summary →
folding → indexed. Intake runs in this process meanwhile and shares the machine's cores with the
worker, as the web process would. Results go to bench-results/knowledge-worker.json."""

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
QUEUES = ("default", "courses", "certification", "knowledge")
TIMEOUT = 3 * 3600


def _recreate_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit("BENCH_WORKER_DATABASE_URL must name a database with 'bench' in it")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _queued_messages(broker_url: str) -> int:
    import redis

    client = redis.Redis.from_url(broker_url)
    # Kombu keeps reserved (unacknowledged) messages, including countdown tasks, in this hash.
    return sum(client.llen(queue) for queue in QUEUES) + client.hlen("unacked")


def _stale_cases() -> int:
    from knowledge.models import Case

    if not any(f.name == "search_stale" for f in Case._meta.get_fields()):
        return 0  # older code indexed per save: the queues tell when it is done
    return Case.objects.filter(search_stale=True).count()


def main() -> int:
    database_url = os.environ["BENCH_WORKER_DATABASE_URL"]
    broker_url = os.environ["BENCH_WORKER_BROKER_URL"]
    _recreate_database(database_url)
    env = {
        **os.environ,
        "PORTAL_DATA_DIR": tempfile.mkdtemp(prefix="portal-bench-worker-"),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from knowledge.models import Case, Ticket
    from knowledge.records import TicketRecordForm, normalise_ticket
    from knowledge.services import ticket_receive
    from tests.benchmarks.run import _tickets

    call_command("migrate", verbosity=0)
    celery = [sys.executable, "-m", "celery", "-A", "portal"]
    subprocess.run(
        [*celery, "purge", "-f", "-Q", ",".join(QUEUES)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    import redis

    redis.Redis.from_url(broker_url).delete("unacked", "unacked_index")
    count = int(os.environ.get("BENCH_TICKETS", "10000"))
    tickets = _tickets(count)
    worker = subprocess.Popen(
        [*celery, "worker", "-Q", ",".join(QUEUES), "--pool", "solo", "--loglevel", "WARNING"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    load_before = os.getloadavg()
    try:
        from portal.celery import app

        # The clock starts once the worker answers, not while it is still booting.
        booted = time.perf_counter()
        while not app.control.ping(timeout=1.0):
            if time.perf_counter() - booted > 600:
                raise SystemExit("the worker did not start")
        start = time.perf_counter()
        rejected = 0
        for record in tickets:
            form = TicketRecordForm(data=normalise_ticket(record))
            if form.is_valid():
                ticket_receive(data=form.cleaned_data)
            else:
                rejected += 1
        received = time.perf_counter() - start
        pending = Ticket.objects.filter(status__in=["received", "processing"])
        while pending.exists() and time.perf_counter() - start < TIMEOUT:
            time.sleep(0.5)
        processed = time.perf_counter() - start
        while (_stale_cases() or _queued_messages(broker_url)) and (
            time.perf_counter() - start < TIMEOUT
        ):
            time.sleep(0.5)
        indexed = time.perf_counter() - start
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    result = {
        "tickets": count,
        "code": commit or "unknown",
        "rejected_at_intake": rejected,
        "intake_seconds": round(received, 1),
        "seconds_until_all_processed": round(processed, 1),
        "seconds_until_all_indexed": round(indexed, 1),
        "tickets_per_second_per_worker": round(count / indexed, 1),
        "cases": Case.objects.count(),
        "cases_left_unindexed": _stale_cases(),
        "statuses": {
            s: Ticket.objects.filter(status=s).count()
            for s in Ticket.objects.values_list("status", flat=True).distinct()
        },
        "load_average_before_after": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        "note": (
            "one worker (solo pool), PostgreSQL, Redis; intake and worker share 2 cores with "
            "other engineers' work (see load average): compare runs made back to back"
        ),
    }
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "knowledge-worker.json").write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
