"""Dashboards at network scale: 10,000 technicians × 40 skills (``BENCH_TECHNICIANS``,
``BENCH_SKILLS``), about half the pairs certified in every state.

Measured, written to bench-results/dashboards.json:
- the matrix page (the whole request through Django's test client) for a 500-technician
  region's manager: first page, last page, and filtered to expiring certifications, with time
  and query count;
- coverage (eligibility service for every holder × skill × today/30/60/90 days) for that
  region;
- the full-network matrix as XLSX for an administrator (what the export job runs), with the
  file size and row count.

Run alone with ``BENCH_ONLY=dashboards make bench``; ``make bench`` runs it after the others.
Data is made with bulk_create on the benchmark's throwaway database."""

import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REGION_TECHNICIANS = 500
OUTLET_TECHNICIANS = 50


def setup_django() -> None:
    """A throwaway SQLite database in a temporary data directory, as run.py uses."""
    data_dir = Path(tempfile.mkdtemp(prefix="portal-bench-dash-"))
    os.environ["PORTAL_DATA_DIR"] = str(data_dir)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(technicians: int, skills: int, seed: int = 8) -> dict:
    """Regions of 500 technicians in outlets of 50; skills over the product lines; for each
    technician about half the skills certified, in a spread of states."""
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from certification.models import Certification, CertificationStatus, Programme, Skill
    from portal.models import ProductLine, Region, ServiceOutlet, StaffProfile
    from portal.roles import Role, group_name

    rng = random.Random(seed)
    started = time.perf_counter()
    lines = list(ProductLine.objects.all())
    regions = [
        Region(code=f"bench-r{n:02d}", name=f"基准大区{n:02d}")
        for n in range((technicians + REGION_TECHNICIANS - 1) // REGION_TECHNICIANS)
    ]
    Region.objects.bulk_create(regions)
    regions = list(Region.objects.filter(code__startswith="bench-r").order_by("code"))
    outlets = []
    for r, region in enumerate(regions):
        for o in range(REGION_TECHNICIANS // OUTLET_TECHNICIANS):
            outlets.append(
                ServiceOutlet(
                    code=f"B{r:02d}-{o:02d}", name=f"基准网点{r:02d}-{o:02d}", region=region
                )
            )
    ServiceOutlet.objects.bulk_create(outlets)
    outlets = list(ServiceOutlet.objects.filter(code__startswith="B").order_by("code"))
    through = ServiceOutlet.product_lines.through
    through.objects.bulk_create(
        [through(serviceoutlet_id=o.pk, productline_id=p.pk) for o in outlets for p in lines]
    )
    skill_objs = Skill.objects.bulk_create(
        [
            Skill(
                code=f"BENCH-SKILL-{n:02d}",
                name=f"基准技能{n:02d}",
                product_line=lines[n % len(lines)],
                max_level=3,
            )
            for n in range(skills)
        ]
    )
    skill_objs = list(Skill.objects.filter(code__startswith="BENCH-SKILL-").order_by("code"))
    programmes = Programme.objects.bulk_create(
        [Programme(skill=s, level=1, validity_months=24) for s in skill_objs]
    )
    programmes = {p.skill_id: p for p in Programme.objects.filter(skill__in=skill_objs)}
    User.objects.bulk_create([User(username=f"B{n:05d}", password="!") for n in range(technicians)])
    users = list(User.objects.filter(username__startswith="B").order_by("username"))
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user=u,
                employee_no=u.username,
                name=f"技师{n:05d}",
                outlet=outlets[n // OUTLET_TECHNICIANS],
            )
            for n, u in enumerate(users)
        ]
    )
    technician_group, _created = Group.objects.get_or_create(name=group_name(Role.TECHNICIAN))
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=technician_group.pk) for u in users]
    )
    now = timezone.now()
    states = [
        (CertificationStatus.ACTIVE, 400),
        (CertificationStatus.ACTIVE, 300),
        (CertificationStatus.ACTIVE, 200),
        (CertificationStatus.ACTIVE, 75),
        (CertificationStatus.ACTIVE, 45),
        (CertificationStatus.ACTIVE, 15),
        (CertificationStatus.SUSPENDED, 200),
        (CertificationStatus.EXPIRED, -60),
        (CertificationStatus.REVOKED, 100),
    ]
    batch = []
    total = 0
    for u in users:
        for skill in rng.sample(skill_objs, k=skills // 2):
            status, days = rng.choice(states)
            expires = now + dt.timedelta(days=days + rng.random())
            batch.append(
                Certification(
                    user_id=u.pk,
                    skill_id=skill.pk,
                    level=rng.choice((1, 1, 2, 3)),
                    programme=programmes[skill.pk],
                    programme_version=1,
                    issued_at=expires - dt.timedelta(days=730),
                    valid_from=expires - dt.timedelta(days=730),
                    expires_at=expires,
                    status=status,
                    evidence={"bench": True},
                    evidence_digest=f"bench-{u.pk}-{skill.pk}",
                )
            )
        if len(batch) >= 20000:
            Certification.objects.bulk_create(batch, batch_size=2000)
            total += len(batch)
            batch = []
    Certification.objects.bulk_create(batch, batch_size=2000)
    total += len(batch)
    return {
        "regions": len(regions),
        "outlets": len(outlets),
        "technicians": len(users),
        "skills": len(skill_objs),
        "certifications": total,
        "generation_seconds": round(time.perf_counter() - started, 1),
        "first_region_id": regions[0].pk,
    }


def _people(region_id: int):
    from portal.models import StaffProfile
    from portal.roles import Role
    from tests.factories import StaffFactory

    manager = StaffFactory(employee_no="BENCH-M", outlet=None, roles=[Role.MANAGER])
    manager.managed_regions.set([region_id])
    admin = StaffFactory(employee_no="BENCH-A", outlet=None, roles=[Role.ADMIN])
    assert StaffProfile.objects.filter(outlet__region_id=region_id).count() == REGION_TECHNICIANS
    return manager.user, admin.user


def _timed_get(client, url: str, params: dict, repeat: int = 3) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _n in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    body = response.content.decode()
    return {
        "params": params,
        "ms_best": round(min(times), 1),
        "ms_median": round(sorted(times)[len(times) // 2], 1),
        "queries": len(queries.captured_queries),
        "rows_on_page": body.count("data-employee="),
        "skill_columns": body.count('class="skill-col"'),
    }


def run() -> dict:
    """Generates the data on the current (migrated) database and measures; writes the JSON."""
    import io

    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse
    from openpyxl import load_workbook

    from certification.dashboards.coverage import CoverageFilters, coverage_for
    from certification.dashboards.exports import export_render
    from portal.models import Region

    # Pages are rendered without collectstatic: plain static URLs, no manifest.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    technicians = int(os.environ.get("BENCH_TECHNICIANS", "10000"))
    skills = int(os.environ.get("BENCH_SKILLS", "40"))
    results = {
        "note": "2 shared CPU cores, other engineers' jobs running: compare ratios, not absolutes",
        "data": generate(technicians, skills),
    }
    region_id = results["data"].pop("first_region_id")
    manager, admin = _people(region_id)
    client = Client(HTTP_HOST="localhost")
    client.force_login(manager)
    url = reverse("dashboards:matrix")
    last_page = (REGION_TECHNICIANS + 49) // 50
    results["matrix_page_region_500"] = [
        _timed_get(client, url, {}),
        _timed_get(client, url, {"page": last_page}),
        _timed_get(client, url, {"status": "expiring"}),
        _timed_get(client, url, {"status": "expiring_30", "product_line": "AC"}),
    ]
    start = time.perf_counter()
    coverage = coverage_for(
        user=manager, filters=CoverageFilters(region=Region.objects.get(pk=region_id)), limit=False
    )
    results["coverage_region_500"] = {
        "seconds": round(time.perf_counter() - start, 2),
        "rows": len(coverage.rows),
        "holder_skill_pairs": sum(r.holders for r in coverage.rows),
        "horizons": len(coverage.horizons),
    }
    start = time.perf_counter()
    content = export_render(user=admin, kind="matrix", file_format="xlsx", params={})
    seconds = time.perf_counter() - start
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    all_rows = sheet.iter_rows(values_only=True)
    columns = len(next(all_rows))
    rows = sum(1 for _r in all_rows)
    results["xlsx_full_network"] = {
        "seconds": round(seconds, 2),
        "rows": rows,
        "columns": columns,
        "megabytes": round(len(content) / 1e6, 2),
    }
    start = time.perf_counter()
    content = export_render(user=admin, kind="matrix", file_format="csv", params={})
    results["csv_full_network"] = {
        "seconds": round(time.perf_counter() - start, 2),
        "megabytes": round(len(content) / 1e6, 2),
    }
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "dashboards.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return results


def main() -> int:
    setup_django()
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
