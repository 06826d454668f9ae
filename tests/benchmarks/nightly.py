"""Benchmark of the certification nightly run (``BENCH_ONLY=nightly make bench``).

Builds ``BENCH_TECHNICIANS`` technicians (default 2,000) in 20 outlets, each with a level-1
certification whose expiry is spread over the next 120 days and two verified licences spread
over the next 1,000 days, then runs the night twice: the first run sends the due reminders and
opens renewals, the second must send nothing. Writes ``bench-results/nightly.json`` with the
wall time and query count of each run."""

import datetime as dt
import json
import os
import time

from tests.benchmarks.run import ROOT


def _build(count: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.utils import timezone

    from certification.models import Certification, Licence, LicenceType, Programme, Skill
    from portal.models import ProductLine, Region, ServiceOutlet, StaffProfile
    from portal.roles import Role, group_name

    now = timezone.now()
    today = timezone.localdate()
    region = Region.objects.create(code="bench", name="基准大区")
    outlets = [
        ServiceOutlet.objects.create(code=f"BN-{n:02d}", name=f"基准网点{n}", region=region)
        for n in range(20)
    ]
    skill = Skill.objects.create(
        code="BENCH-SKILL", name="基准技能", product_line=ProductLine.objects.get(code="AC")
    )
    programme = Programme.objects.create(skill=skill, level=1, renewal_window_days=60)
    users = User.objects.bulk_create(
        [User(username=f"BN{n:05d}", email=f"bn{n}@example.cn") for n in range(count)]
    )
    StaffProfile.objects.bulk_create(
        [
            StaffProfile(
                user=u, employee_no=u.username, name=f"基准技师{n}", outlet=outlets[n % 20]
            )
            for n, u in enumerate(users)
        ]
    )
    technicians = Group.objects.get_or_create(name=group_name(Role.TECHNICIAN))[0]
    technicians.user_set.add(*users)
    managers = Group.objects.get_or_create(name=group_name(Role.MANAGER))[0]
    for n, outlet in enumerate(outlets):
        user = User.objects.create(username=f"BM{n:03d}", email=f"bm{n}@example.cn")
        managers.user_set.add(user)
        StaffProfile.objects.create(
            user=user, employee_no=user.username, name=f"经理{n}", outlet=outlet
        )
    Certification.objects.bulk_create(
        [
            Certification(
                user=u,
                skill=skill,
                level=1,
                programme=programme,
                programme_version=1,
                issued_at=now - dt.timedelta(days=600),
                valid_from=now - dt.timedelta(days=600),
                expires_at=now + dt.timedelta(days=n % 120, hours=1),
                evidence={"bench": n},
                evidence_digest=f"bench-{n}",
            )
            for n, u in enumerate(users)
        ]
    )
    types = list(LicenceType.objects.filter(code__in=["height", "refrigeration"]))
    Licence.objects.bulk_create(
        [
            Licence(
                user=u,
                licence_type=t,
                number=f"BN{n}-{t.code}",
                issued_on=today - dt.timedelta(days=1000),
                expires_on=today + dt.timedelta(days=(n * 7) % 1000 + 1),
                next_review_on=today + dt.timedelta(days=(n * 13) % 400 - 5),
                verified_at=now,
            )
            for n, u in enumerate(users)
            for t in types
        ]
    )


def bench_nightly() -> dict:
    from django.db import connection

    from certification.nightly import certification_nightly_run

    count = int(os.environ.get("BENCH_TECHNICIANS", "2000"))
    _build(count)
    runs = []
    for _ in range(2):
        queries = []

        def counted(execute, sql, params, many, context, queries=queries):
            queries.append(1)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            started = time.perf_counter()
            report = certification_nightly_run()
            seconds = time.perf_counter() - started
        runs.append(
            {
                "seconds": round(seconds, 2),
                "queries": len(queries),
                "notifications_sent": report.notifications_sent,
                "renewals_opened": len(report.renewal_opened_certification_ids),
                "licences_voided": len(report.voided_licence_ids),
            }
        )
    return {"technicians": count, "first_run": runs[0], "second_run": runs[1]}


def main() -> int:
    from tests.benchmarks.run import _setup

    # Emails are built and handed to a backend, as in production, but kept in memory.
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    _setup()
    results = {"machine": os.uname().nodename, "cpus": os.cpu_count()}
    results["certification_nightly"] = bench_nightly()
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "nightly.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    return 0
