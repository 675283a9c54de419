"""Time monitoring for a regency: levels, scores (and warnings) of 1,000 groups with two years of records each.

    .venv/bin/python bench/monitoring.py                       # SQLite file under $BERDAYA_VAR_DIR
    DATABASE_URL=postgres://... .venv/bin/python bench/monitoring.py

Builds (once; reused when it is already there) 1,000 running groups of 10 members with two years of records each,
written in bulk by the province demo's builder, berdaya/demo/bulk.py (the services would take hours): about 1.5 M
cash entries (~71 a month), closed months, meetings with attendance, visits, trainings, aid stages, assets,
problems, IKS, profit allocations, partnerships, credit, bina lingkungan records and the facilitators' monthly
reports; the members are household heads of a registry written alongside. Then measures, a chunk of 200 groups at a time:

  (a) evaluating and snapshotting the current month for every group (`snapshot_months`);
  (b) the same followed by the early warnings (`check_warnings`), when that module exists;
  (c) backfilling 24 months of snapshots;

with seconds, the process's RSS after each chunk and (with --tracemalloc) Python's peak allocation per chunk, to
show that memory stays flat. Last, `evaluate_one` for 30 groups (what the Perkembangan tab calls): p50/p95, queries.
Target: (a) + (b) under 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berdaya.settings")
os.environ.setdefault("BERDAYA_VAR_DIR", "/tmp/berdaya-bench-monitoring")
Path(os.environ["BERDAYA_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from faker import Faker  # noqa: E402

from berdaya.accounts.models import User  # noqa: E402
from berdaya.business.models import (  # noqa: E402
    CashEntry,
)
from berdaya.demo import bulk  # noqa: E402
from berdaya.groups.models import Kube  # noqa: E402
from berdaya.mentoring.models import MonthlyReport  # noqa: E402
from berdaya.monitoring.engine import CHUNK, evaluate_one, month_index, month_of  # noqa: E402
from berdaya.monitoring.levels import snapshot_months  # noqa: E402
from berdaya.monitoring.models import EarlyWarning, LevelSnapshot  # noqa: E402
from berdaya.regions.models import Region  # noqa: E402
from berdaya.worklist import gather  # noqa: E402

PREFIX = "KUBE Bench Monev"
VILLAGES = [f"64.01.04.20{n:02d}" for n in range(1, 11)]


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _regions() -> None:
    for code, level, parent in [("64", 1, None), ("64.01", 2, "64"), ("64.01.04", 3, "64.01")]:
        Region.objects.get_or_create(
            code=code, defaults={"name": f"Region {code}", "level": level, "parent_id": parent}
        )
    for code in VILLAGES:
        Region.objects.get_or_create(code=code, defaults={"name": f"Desa {code}", "level": 4, "parent_id": "64.01.04"})


def build(groups: int, today: dt.date) -> None:
    """The groups and their records, by the province demo's bulk builder (berdaya/demo/bulk.py)."""
    rng = random.Random(2026)
    _regions()
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"role": User.Role.ADMIN, "region_id": "64.01", "is_staff": True}
    )
    facilitators = [
        User.objects.get_or_create(
            username=f"bench-pendamping-{n}", defaults={"role": User.Role.FACILITATOR, "region_id": "64.01"}
        )[0]
        for n in range(groups // 20 or 1)
    ]
    start = month_of(month_index(today) - 23)
    area = bulk.Area(
        admin=admin,
        cycle=bulk.create_cycle(region_code="64.01", name="Bench 2025", by=admin, year=2025, budget=20_000_000_000),
        facilitators=facilitators,
        trainings=bulk.create_trainings(region_code="64.01", count=30, start=start, by=admin),
        villages=VILLAGES,
    )
    # Ten households (their heads the members) for each group of a village.
    faker = Faker("id_ID")
    faker.seed_instance(2026)
    people = bulk.People(rng=rng, faker=faker, by=admin)
    heads = people.make({v: 10 * len(range(i, groups, len(VILLAGES))) for i, v in enumerate(VILLAGES)})
    bulk.build_groups(
        area,
        count=groups,
        heads=heads,
        today=today,
        rng=rng,
        name=lambda n, _village: f"{PREFIX} {n + 1}",
        progress=lambda done: print(f"  {done:,} groups, {CashEntry.objects.count():,} cash entries", flush=True),
    )
    _reports(today)


def _reports(today: dt.date) -> None:
    """The facilitators' monthly reports of the two years, most of them acknowledged."""
    facilitators = list(User.objects.filter(username__startswith="bench-pendamping-"))
    bulk.monthly_reports(facilitators, today=today, rng=random.Random(7), by=User.objects.get(username="bench-admin"))


def run(label: str, months: list[dt.date], ids: list[int], by: User, today: dt.date, trace: bool) -> float:
    """Snapshot these months for every group, a chunk at a time, printing each chunk's time and memory."""
    total = cpu_total = 0.0
    print(f"\n{label}: {len(ids):,} groups x {len(months)} months, chunks of {CHUNK}")
    print(f"{'chunk':>6}{'wall s':>9}{'CPU s':>8}{'rows':>8}{'RSS MB':>9}{'py peak MB':>12}")
    for at in range(0, len(ids), CHUNK):
        if trace:
            tracemalloc.reset_peak()
        began, began_cpu = time.perf_counter(), time.process_time()
        rows = snapshot_months(months, kube_ids=ids[at : at + CHUNK], by=by, today=today)
        spent, cpu = time.perf_counter() - began, time.process_time() - began_cpu
        total += spent
        cpu_total += cpu
        reset_queries()  # with DEBUG on (the development default) Django keeps every query's SQL; production does not
        peak = f"{tracemalloc.get_traced_memory()[1] / 2**20:.1f}" if trace else "-"
        print(f"{at // CHUNK + 1:>6}{spent:>9.2f}{cpu:>8.2f}{rows:>8}{_rss_mb():>9.0f}{peak:>12}", flush=True)
    # CPU time of this process (SQLite's work included; not PostgreSQL's): what a loaded machine does not inflate.
    print(f"total {total:.1f} s wall, {cpu_total:.1f} s CPU")
    return total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--tracemalloc", action="store_true", help="also Python's peak allocation per chunk (slower)")
    parser.add_argument("--skip-backfill", action="store_true")
    parser.add_argument("--tab-only", action="store_true", help="only time the Perkembangan tab (on a built database)")
    parser.add_argument("--build-only", action="store_true", help="build the database and stop (time it later)")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    if not Kube.objects.filter(name__startswith=PREFIX).exists():
        began = time.perf_counter()
        print(f"building {args.groups:,} groups with two years of records ...", flush=True)
        build(args.groups, today)
        # Statistics for the planner, as autovacuum gathers them soon after a bulk load in production: without them
        # PostgreSQL scans 1.5 M cash entries for each group's latest entry (check_warnings took 51 s, not 10).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built in {time.perf_counter() - began:.0f} s")
    if not MonthlyReport.objects.filter(facilitator__username__startswith="bench-pendamping-").exists():
        _reports(today)
    if args.build_only:
        return 0
    # Groups whose records were all written (a build stopped half-way leaves its last batch incomplete).
    ids = list(
        Kube.objects.filter(name__startswith=PREFIX, environment_records__isnull=False)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    by = User.objects.get(username="bench-admin")
    print(f"database: {connection.vendor}; {len(ids):,} groups; {CashEntry.objects.count():,} cash entries")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; today {today}")
    if args.tracemalloc:
        tracemalloc.start()

    current = today.replace(day=1)
    if args.tab_only:
        return _tab(ids, by, today)
    LevelSnapshot.objects.filter(kube_id__in=ids).delete()
    a = run("(a) levels and scores, current month", [current], ids, by, today, args.tracemalloc)
    try:
        from berdaya.monitoring.warnings import check_warnings  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print("\n(b) warnings: berdaya.monitoring.warnings.check_warnings is not there yet: skipped")
    else:
        EarlyWarning.objects.filter(kube_id__in=ids).delete()  # the first run of the day raises them all
        began = time.perf_counter()
        result = check_warnings(today=today, kube_ids=ids, by=by)
        b = time.perf_counter() - began
        print(f"\n(b) warnings: {b:.1f} s ({result}); (a) + (b) = {a + b:.1f} s")
    if not args.skip_backfill:
        months = [month_of(month_index(current) - n) for n in range(23, -1, -1)]
        run("(c) backfill of 24 months", months, ids, by, today, args.tracemalloc)
        counts = dict(
            LevelSnapshot.objects.filter(kube_id__in=ids, month=current)
            .values_list("computed_level")
            .annotate(n=Count("pk"))
            .values_list("computed_level", "n")
        )
        print(f"levels this month (computed): {dict(sorted(counts.items()))}")

    kubes = list(Kube.objects.filter(pk__in=ids[:: max(1, len(ids) // 30)]))
    spent = []
    for kube in kubes:
        began = time.perf_counter()
        evaluate_one(kube, today=today)
        spent.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as queries:
        evaluate_one(kubes[0], today=today)
    p95 = statistics.quantiles(spent, n=20)[-1]
    print(f"\nevaluate_one: p50 {statistics.median(spent):.1f} ms, p95 {p95:.1f} ms, {len(queries)} queries")
    return _tab(ids, by, today)


def _tab(ids: list[int], by: User, today: dt.date, runs: int = 3) -> int:
    """The whole Perkembangan tab as a Dinas user gets it (menu, live evaluation, 24 months of trends, warnings,
    monev), for 30 groups spread over the set, `runs` times each after one warm-up."""
    client = Client(HTTP_HOST="localhost")
    client.force_login(by)
    kubes = ids[:: max(1, len(ids) // 30)]
    url = lambda pk: reverse("monitoring:kube-progress", args=[pk])  # noqa: E731
    client.get(url(kubes[0]))
    spent, cpu, counts = [], [], set()
    for pk in kubes:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(pk)).status_code == 200
        counts.add(len(queries))
        for _ in range(runs):
            began, began_cpu = time.perf_counter(), time.process_time()
            client.get(url(pk))
            spent.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
        reset_queries()
    p95 = statistics.quantiles(spent, n=20)[-1]
    print(
        f"Perkembangan tab: {len(spent)} requests, p50 {statistics.median(spent):.1f} ms, p95 {p95:.1f} ms, "
        f"queries per page {min(counts)}-{max(counts)}; this process's CPU per request (SQLite's work included, "
        f"not PostgreSQL's): p50 {statistics.median(cpu):.1f} ms, p95 {statistics.quantiles(cpu, n=20)[-1]:.1f} ms; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    # The menu's count of the user's tasks, worked out at most once a minute (the session keeps it; worklist.py).
    counted = []
    for _ in range(10):
        began = time.perf_counter()
        gather(by)
        counted.append((time.perf_counter() - began) * 1000)
    print(f"the menu's task count when worked out (once a minute): p50 {statistics.median(counted):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
