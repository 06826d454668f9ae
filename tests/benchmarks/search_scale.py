"""Search at scale (``BENCH_SEARCH_SCALE=10000,100000 make bench``): index build rate and query
latency p50/p95 at each size, for the backend alone and for the technicians' search page path
(``knowledge.search.case_search``: ranking, validated boost, snippets, facets).

The cases are variations of the demo knowledge base (the 181-ticket file run through the real
pipeline): the same faults written with other openings and endings, other model variants and
codes, jittered figures, random KCS status and occurrence counts. They are inserted with
``bulk_create`` and indexed through the backend's own ``add_items`` in chunks of 1,000, as a
rebuild does. Queries: the dev and held-out test sets of the relevance benchmark (90), timed in
three passes: the first, one right after a commit (a new index snapshot) and a warm one.
Sizes grow in place (10,000, then 90,000 more), so the second
build rate is for adding to a populated index.

Results go to bench-results/search-scale.json. The machine is shared with other engineers'
work: compare figures within one run."""

import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

OPENINGS = ["", "用户反映", "客户来电：", "报修内容：", "上门查看，", "回访时用户说", "二次上门，"]
ENDINGS = ["", "，已经两三天了", "，晚上更明显", "，开机半小时后出现", "，用户很着急", "，刚过保"]
PLACES = ["", "客厅", "卧室", "办公室", "厨房", "阳台"]


def _jitter(text: str, rng: random.Random) -> str:
    """Change the figures a little (pressures, currents, lengths), keep the words."""

    def shift(match):
        value = match.group()
        if "." in value:
            return f"{float(value) * rng.uniform(0.8, 1.2):.{len(value.split('.')[1])}f}"
        return str(max(1, round(int(value) * rng.uniform(0.8, 1.2))))

    return re.sub(r"\d+(?:\.\d+)?", shift, text)


def _variant_model(model: str, rng: random.Random) -> str:
    return re.sub(r"\d(?=[^\d]*$)", lambda m: str(rng.randint(1, 9)), model) if model else model


def synthetic_cases(base: list, count: int, seed: int):
    """``count`` unsaved Case objects varied from the ``base`` cases."""
    from knowledge.models import Case

    rng = random.Random(seed)
    for _n in range(count):
        source = rng.choice(base)
        symptom = (
            rng.choice(OPENINGS) + rng.choice(PLACES) + source.symptom + rng.choice(ENDINGS)
        ).strip("，")
        yield Case(
            title=symptom[:40],
            symptom=symptom,
            cause=source.cause,
            resolution=_jitter(source.resolution, rng),
            parts=list(source.parts),
            error_codes=list(source.error_codes),
            error_code=source.error_code,
            product_models=[_variant_model(m, rng) for m in source.product_models],
            refrigerant=source.refrigerant,
            product_line_id=source.product_line_id,
            kcs_status=rng.choice([Case.KcsStatus.VALIDATED] + [Case.KcsStatus.NOT_VALIDATED] * 2),
            occurrences=rng.randint(1, 30),
            live=True,
        )


def _percentiles(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "p50_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[min(len(samples) - 1, int(len(samples) * 0.95))], 1),
        "max_ms": round(samples[-1], 1),
    }


def _pass(queries, run) -> list[float]:
    timings = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def _timed(queries, run, commit) -> dict:
    """Three passes over the queries: the first (postings read from disk unless an earlier
    pass read them), one right after a commit (a new index snapshot: decoded postings are
    reused, per-word scores are not) and a warm one."""
    first = _pass(queries, run)
    commit()
    after_commit = _pass(queries, run)
    return {
        "first_pass": _percentiles(first),
        "after_commit": _percentiles(after_commit),
        **_percentiles(_pass(queries, run)),
    }


def bench(sizes: list[int]) -> dict:
    from django.db import transaction
    from wagtail.search.backends import get_search_backend

    from knowledge.demo import load
    from knowledge.models import Case
    from knowledge.search import case_search

    from .run import CLUSTERS
    from .search_labels import HELD_OUT

    load()
    base = list(Case.objects.all())
    queries = [q for qs in CLUSTERS.values() for q in qs] + [q for q, _labels in HELD_OUT]
    backend = get_search_backend()
    index = backend.get_index_for_model(Case)

    def capped(cap):
        from django.conf import settings

        options = {**settings.WAGTAILSEARCH_BACKENDS["default"], "MAX_HITS": cap}
        return get_search_backend(options.pop("BACKEND"), **options)

    report = {"queries": len(queries), "sizes": {}}
    total = Case.objects.count()
    for size in sorted(sizes):
        adding = size - total
        if adding <= 0:
            continue
        start = time.perf_counter()
        generated = synthetic_cases(base, adding, seed=size)
        new_ids = []
        while chunk := [case for _i, case in zip(range(1000), generated, strict=False)]:
            with transaction.atomic():
                created = Case.objects.bulk_create(chunk)
            new_ids += [case.pk for case in created]
        inserted = time.perf_counter() - start
        start = time.perf_counter()
        for offset in range(0, len(new_ids), 1000):
            index.add_items(Case, list(Case.objects.filter(pk__in=new_ids[offset : offset + 1000])))
        indexed = time.perf_counter() - start
        total = Case.objects.count()
        live = Case.objects.filter(live=True)
        some_case = Case.objects.filter(pk__in=new_ids[:1])

        def commit(some_case=some_case):
            index.add_items(Case, list(some_case))

        report["sizes"][str(total)] = {
            "cases_added": adding,
            "database_insert_seconds": round(inserted, 1),
            "index_seconds": round(indexed, 1),
            "index_cases_per_second": round(adding / indexed, 1),
            "backend_search_top10": _timed(
                queries, lambda q: list(backend.search(q, live, operator="or")[:10]), commit
            ),
            "search_page": _timed(queries, lambda q: case_search(query=q, log=False), commit),
            "backend_search_top10_by_max_hits": {
                str(cap): _timed(
                    queries,
                    lambda q, b=capped(cap): list(b.search(q, live, operator="or")[:10]),
                    commit,
                )
                for cap in (100, 1000, None)
            },
        }
        print(json.dumps({total: report["sizes"][str(total)]}, ensure_ascii=False), flush=True)
    return report


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-scale-"))
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    sys.path.insert(0, str(ROOT))
    import logging

    import django

    django.setup()
    logging.disable(logging.INFO)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    sizes = [int(s) for s in os.environ.get("BENCH_SEARCH_SCALE", "10000,100000").split(",")]
    results = {
        "machine": os.uname().nodename,
        "cpus": os.cpu_count(),
        "note": "SQLite, one process; the 2 CPUs are shared with other engineers' work",
        "search_scale": bench(sizes),
    }
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "search-scale.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0
