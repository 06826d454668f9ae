"""``make bench``: performance figures written to bench-results/ (never asserted in tests).

Runs on a throwaway SQLite database in a temporary data directory, so it never touches var/.
Currently measured:
- search relevance on a labelled Chinese set (a dev set of 50 queries over the demo file's
  recurring faults, and 40 held-out test queries in search_labels.py):
  recall@10, MRR and nDCG@10 of our Whoosh + jieba backend and of Wagtail's database backend,
  side by side, with latency;
- knowledge pipeline throughput: tickets/s through validation → redaction → quality gate →
  summary → duplicate folding → search indexing, in one process (what one worker does);
- the pipeline's parts, per ticket, to show where the time goes.
Set BENCH_TICKETS to change the ticket count (default 2,000).

Each suite runs in its own process (each sets Django up on a database of its own);
``BENCH_ONLY=name[,name...]`` picks suites, by default all those in ``DEFAULT_SUITES``:
- ``knowledge``: the two above (this module);
- ``quiz``: 200 learners against a running gunicorn (quiz_concurrency.py);
- ``eligibility``: dispatch eligibility at 10,000 technicians (eligibility.py);
- ``dashboards``: manager matrix and exports at 10,000 technicians x 40 skills (dashboards.py);
- ``nightly``: the certification nightly run, twice (nightly.py);
- ``search_scale``: search latency and index build rate at BENCH_SEARCH_SCALE cases (default
  10000,100000), only when asked for: BENCH_ONLY=search_scale or BENCH_SEARCH_SCALE set
  (search_scale.py).
- ``knowledge_worker``: the pipeline with one real Celery worker on PostgreSQL and Redis
  (knowledge_worker.py; ``make bench-knowledge-worker``), chosen too by setting
  BENCH_WORKER_DATABASE_URL and BENCH_WORKER_BROKER_URL."""

import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setup() -> None:
    """Django on a throwaway SQLite database in a temporary data directory, migrated."""
    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


SUITES = {
    "knowledge": "tests.benchmarks.run:knowledge_main",
    "quiz": "tests.benchmarks.quiz_concurrency:main",
    "eligibility": "tests.benchmarks.eligibility:main",
    "dashboards": "tests.benchmarks.dashboards:main",
    "nightly": "tests.benchmarks.nightly:main",
    "search_scale": "tests.benchmarks.search_scale:main",
    "knowledge_worker": "tests.benchmarks.knowledge_worker:main",
}
DEFAULT_SUITES = ("knowledge", "quiz", "eligibility", "dashboards", "nightly")


def main() -> int:
    only = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
    if not only and os.environ.get("BENCH_SEARCH_SCALE"):
        only = ["search_scale"]
    if not only and os.environ.get("BENCH_WORKER_DATABASE_URL"):
        only = ["knowledge_worker"]
    if len(only) == 1:
        sys.path.insert(0, str(ROOT))
        module, function = SUITES[only[0]].split(":")
        return getattr(importlib.import_module(module), function)()
    failed = []
    for name in only or DEFAULT_SUITES:
        print(f"== make bench: {name}", flush=True)
        env = {**os.environ, "BENCH_ONLY": name}
        run = subprocess.run([sys.executable, "-m", "tests.benchmarks.run"], cwd=ROOT, env=env)
        if run.returncode:
            failed.append(name)
    if failed:
        print("failed suites: " + ", ".join(failed))
    return 1 if failed else 0


def knowledge_main() -> int:
    _setup()
    results = {"machine": os.uname().nodename, "cpus": os.cpu_count()}
    results["search_relevance"] = bench_relevance()
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
        "note": "one process, SQLite, eager tasks: the index pass runs after every ticket",
    }


# Labelled evaluation set: queries technicians type, per recurring fault of the demo ticket file;
# the relevant cases are those holding that fault's tickets.
CLUSTERS = {
    "GD202607160278 GD202608030345 GD202608060214 GD202608150445 GD202608200116 GD202608250205 "
    "GD202609110045": ["E6", "空调显示E6", "内外机通信故障", "连接线松动", "35GW E6"],
    "GD202606110088 GD202606210309 GD202607180320 GD202607260309 GD202608030114 GD202609050439": [
        "空调不凉",
        "不制冷 漏氟",
        "喇叭口漏",
        "缺冷媒",
        "R32 泄漏",
    ],
    "GD202606130195 GD202607030365 GD202607230192 GD202608100091 GD202608280139 GD202609100030": [
        "空调滴水",
        "内机漏水",
        "排水管堵",
        "室内机往下滴水",
        "空调漏水",
    ],
    "GD202606050093 GD202607180183 GD202608130235 GD202609220113 GD202610310111 GD202611030331": [
        "E4",
        "洗衣机不排水",
        "排水泵 硬币",
        "洗衣机排水慢",
        "滚筒 E4",
    ],
    "GD202606060277 GD202606300277 GD202608030181 GD202609040309 GD202610070330": [
        "F1",
        "冰箱F1",
        "冷冻传感器",
        "冰箱显示故障代码",
        "冷冻室温度传感器",
    ],
    "GD202609250019 GD202610070269 GD202610230438 GD202610290256 GD202611100025 GD202611180250": [
        "热水器打不着火",
        "E1 热水器",
        "点火针",
        "电池没电 热水器",
        "燃气热水器不点火",
    ],
    "GD202609200381 GD202610130386 GD202610240057 GD202611080282 GD202611070195": [
        "电热水器不加热",
        "加热管",
        "水垢",
        "热水器不热",
        "加热管烧了",
    ],
    "GD202607110209 GD202607180001 GD202608070450 GD202608130328 GD202609070026": [
        "P1",
        "多联机高压保护",
        "冷凝器脏",
        "中央空调高压",
        "VRF 高压",
    ],
    "GD202606080041 GD202607040459 GD202608100207 GD202609020012 GD202610240127": [
        "冰箱里有水",
        "冷藏室积水",
        "后壁结冰",
        "排水孔堵塞",
        "冰箱漏水",
    ],
    "GD202607090282 GD202607180147 GD202608020041 GD202608120053 GD202609050392": [
        "电容",
        "压缩机不启动",
        "启动电容",
        "空调外机不转",
        "电容坏了",
    ],
}


def _metrics(ranked_ids: list[int], relevant: set[int]) -> tuple[float, float, float]:
    import math

    top = ranked_ids[:10]
    recall = len(relevant & set(top)) / len(relevant) if relevant else 0.0
    rr = next((1 / (i + 1) for i, pk in enumerate(ranked_ids) if pk in relevant), 0.0)
    dcg = sum(1 / math.log2(i + 2) for i, pk in enumerate(top) if pk in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    return recall, rr, dcg / ideal if ideal else 0.0


def _labelled_queries():
    """``(set name, query, relevant case ids)``: the dev set (CLUSTERS) and the held-out test
    set (search_labels.HELD_OUT)."""
    from django.db.models import Q

    from knowledge.models import Case, Ticket

    from .search_labels import HELD_OUT

    def cases_of(numbers):
        ids = set(
            Ticket.objects.filter(ticket_no__in=numbers)
            .exclude(case=None)
            .values_list("case_id", flat=True)
        )
        for label in numbers:
            if label.startswith("MODEL:"):
                fragment = label.removeprefix("MODEL:")
                ids |= {
                    case.pk
                    for case in Case.objects.filter(~Q(product_models=[]))
                    if any(fragment in model for model in case.product_models)
                }
        return ids

    labelled = []
    for numbers, queries in CLUSTERS.items():
        relevant = cases_of(numbers.split())
        labelled += [("dev", query, relevant) for query in queries]
    labelled += [("test", query, cases_of(numbers)) for query, numbers in HELD_OUT]
    return labelled


def bench_relevance() -> dict:
    """recall@10, MRR and nDCG@10 of our backend and Wagtail's database backend, same data, on
    the dev set (tuned on) and the held-out test set (never tuned on)."""
    from wagtail.search.backends import get_search_backend

    from knowledge.demo import load
    from knowledge.models import Case

    load()
    database = get_search_backend("wagtail.search.backends.database")
    database.add_bulk(Case, list(Case.objects.all()))
    ours = get_search_backend()
    labelled = _labelled_queries()
    report = {}
    for name, backend in (("whoosh_jieba", ours), ("wagtail_database", database)):
        report[name] = {}
        for set_name in ("dev", "test"):
            scores, latencies = [], []
            for _set, query, relevant in (row for row in labelled if row[0] == set_name):
                start = time.perf_counter()
                hits = backend.search(query, Case.objects.filter(live=True), operator="or")
                ranked = [c.pk for c in hits[:50]]
                latencies.append((time.perf_counter() - start) * 1000)
                scores.append(_metrics(ranked, relevant))
            latencies.sort()
            report[name][set_name] = {
                "queries": len(scores),
                "recall_at_10": round(statistics.mean(s[0] for s in scores), 3),
                "mrr": round(statistics.mean(s[1] for s in scores), 3),
                "ndcg_at_10": round(statistics.mean(s[2] for s in scores), 3),
                "latency_ms_p50": round(latencies[len(latencies) // 2], 1),
                "latency_ms_p95": round(latencies[int(len(latencies) * 0.95)], 1),
            }
    report["cases"] = Case.objects.count()
    return report


if __name__ == "__main__":
    sys.exit(main())
