"""Time monitoring for a regency: levels, scores (and warnings) of 1,000 groups with two years of records each.

    .venv/bin/python bench/monitoring.py                       # SQLite file under $BERDAYA_VAR_DIR
    DATABASE_URL=postgres://... .venv/bin/python bench/monitoring.py

Builds (once; reused when it is already there) 1,000 running groups of 10 members with two years of records each,
written with bulk_create (the services would take hours): about 1.5 M cash entries (~71 a month), closed months,
meetings with attendance, trainings, aid stages, assets, problems, IKS, profit allocations, partnerships, credit,
bina lingkungan records and the facilitators' monthly reports. Then measures, a chunk of 200 groups at a time:

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

from berdaya.accounts.models import User  # noqa: E402
from berdaya.business.models import (  # noqa: E402
    AidStage,
    Asset,
    AssetCheck,
    BusinessPlan,
    CashEntry,
    CashMonth,
    CreditApplication,
    IksEntry,
    Partnership,
    ProfitAllocation,
)
from berdaya.groups.models import FacilitatorAssignment, Kube, Membership  # noqa: E402
from berdaya.lib.months import month_end  # noqa: E402
from berdaya.mentoring.models import EnvironmentRecord, Meeting, MonthlyReport, Problem  # noqa: E402
from berdaya.monitoring.engine import CHUNK, evaluate_one, month_index, month_of  # noqa: E402
from berdaya.monitoring.levels import snapshot_months  # noqa: E402
from berdaya.monitoring.models import EarlyWarning, LevelSnapshot  # noqa: E402
from berdaya.regions.models import Region  # noqa: E402
from berdaya.registry.models import Household, Person  # noqa: E402
from berdaya.targeting.models import Cycle, NominationList, Nominee  # noqa: E402
from berdaya.training.models import Participant, Training  # noqa: E402
from berdaya.worklist import gather  # noqa: E402

PREFIX = "KUBE Bench Monev"
VILLAGES = [f"64.01.04.20{n:02d}" for n in range(1, 11)]
PRODUCTS = ["Kue lapis", "Bingka", "Amplang", "Keripik pisang", "Dodol", "Abon ikan", "Kerupuk"]
EXPENSES = ["materials", "materials", "transport", "wages", "rent", "other_expense"]


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
    cycle = Cycle.objects.create(
        name="Bench 2025",
        region_id="64.01",
        year=2025,
        funding_source=Cycle.FundingSource.APBD_REGENCY,
        budget=20_000_000_000,
        nomination_deadline=dt.date(2024, 10, 1),
        endorsement_deadline=dt.date(2024, 10, 15),
        verval_deadline=dt.date(2024, 11, 15),
        decision_deadline=dt.date(2024, 12, 1),
        status=Cycle.Status.DECIDED,
        created_by=admin,
    )
    lists = {v: NominationList.objects.create(cycle=cycle, village_id=v, created_by=admin) for v in VILLAGES}
    first = month_index(today) - 23
    start = month_of(first)
    trainings = [
        Training.objects.create(
            title=f"Bimtek {n}",
            kind=[Training.Kind.MOTIVATION, Training.Kind.BOOKKEEPING, Training.Kind.TECHNICAL][n % 3],
            starts_on=start + dt.timedelta(days=20 + n),
            ends_on=start + dt.timedelta(days=22 + n),
            trainer="Dinas",
            place="Aula",
            region_id="64.01",
            created_by=admin,
        )
        for n in range(30)
    ]
    serial = 0
    for at in range(0, groups, 50):
        batch = range(at, min(groups, at + 50))
        kubes = Kube.objects.bulk_create(
            Kube(
                name=f"{PREFIX} {n + 1}",
                cycle=cycle,
                village_id=VILLAGES[n % len(VILLAGES)],
                sector=Kube.Sector.HOME_INDUSTRY,
                facilitator=facilitators[n % len(facilitators)],
                status=Kube.Status.ACTIVE,
                status_since=start,
                formed_on=start + dt.timedelta(days=rng.randint(0, 150)),
                created_by=admin,
            )
            for n in batch
        )
        households, persons, nominees, memberships = [], [], [], []
        for kube in kubes:
            for _i in range(10):
                serial += 1
                households.append(Household(kk_number=f"6401{serial:012d}", village_id=kube.village_id))
        Household.objects.bulk_create(households, batch_size=2000)
        for h in households:
            persons.append(Person(nik=f"64010{h.kk_number[-11:]}", name=f"Warga {h.kk_number[-6:]}", household=h))
        Person.objects.bulk_create(persons, batch_size=2000)
        for p, h in zip(persons, households, strict=True):
            nominees.append(
                Nominee(
                    nomination_list=lists[h.village_id],
                    cycle=cycle,
                    person=p,
                    nik=p.nik,
                    name=p.name,
                    kk_number=h.kk_number,
                    reason=Nominee.Reason.NO_INCOME,
                    status=Nominee.Status.APPROVED,
                    created_by=admin,
                )
            )
        Nominee.objects.bulk_create(nominees, batch_size=2000)
        roles = [Membership.Role.CHAIR, Membership.Role.SECRETARY, Membership.Role.TREASURER] + ["member"] * 7
        for index, (nominee, h) in enumerate(zip(nominees, households, strict=True)):
            kube = kubes[index // 10]
            assert kube.formed_on is not None
            left = rng.random() < 0.03
            memberships.append(
                Membership(
                    kube=kube,
                    person=nominee.person,
                    household=h,
                    nominee=nominee,
                    role=roles[index % 10] if not left else "member",
                    joined_on=kube.formed_on,
                    left_on=today - dt.timedelta(days=rng.randint(10, 200)) if left else None,
                    added_by=admin,
                )
            )
        Membership.objects.bulk_create(memberships, batch_size=2000)

        assignments, participants, stages, assets, entries, months_closed = [], [], [], [], [], []
        meetings, problems, iks, allocations, partnerships, credits, environment, plans = [], [], [], [], [], [], [], []
        attendance: list[tuple[int, list[Membership]]] = []
        for k, kube in enumerate(kubes):
            assert kube.formed_on is not None and kube.facilitator is not None
            vigour = rng.random()  # how well the group does: from stalled to thriving
            people = memberships[k * 10 : k * 10 + 10]
            assignments.append(
                FacilitatorAssignment(kube=kube, facilitator=kube.facilitator, started_on=kube.formed_on, by=admin)
            )
            for training in rng.sample(trainings, 2):
                for m in people:
                    participants.append(
                        Participant(training=training, membership=m, attended=rng.random() < 0.7 + vigour / 3)
                    )
            paid = kube.formed_on + dt.timedelta(days=30)
            for number, amount in ((1, 10_000_000), (2, 10_000_000)):
                on = paid + dt.timedelta(days=180 * (number - 1))
                stages.append(
                    AidStage(
                        kube=kube,
                        number=number,
                        amount=amount,
                        planned_on=on,
                        paid_on=on,
                        paid_by=admin,
                        created_by=admin,
                    )
                )
                entries.append(
                    CashEntry(
                        kube=kube,
                        entry_date=on,
                        kind="income",
                        category="aid",
                        amount=amount,
                        description=f"Bantuan tahap {number}",
                        entered_by=admin,
                    )
                )
            assets.append(
                Asset(
                    kube=kube,
                    item="Oven",
                    value=3_500_000,
                    received_on=paid,
                    from_aid=True,
                    created_by=admin,
                    condition="broken" if rng.random() < 0.05 else "good",
                )
            )
            plans.append(
                BusinessPlan(kube=kube, expected_monthly_revenue=3_000_000, status="approved", created_by=admin)
            )
            # The books: about 71 entries a month (1.5 M in all, as some groups formed later),
            # sales growing with the group's vigour.
            balance = 0
            m0 = month_index(kube.formed_on)
            for m in range(max(first, m0), month_index(today) + 1):
                month = month_of(m)
                last_day = min(month_end(month), today)
                days = last_day.day
                growth = 1 + vigour * (m - first) / 24
                income = expense = 0
                for _ in range(71 if last_day == month_end(month) else 71 * days // 31):
                    day = month.replace(day=rng.randint(1, days))
                    if rng.random() < 0.62:
                        quantity, price = rng.randint(5, 40), rng.choice([2_000, 5_000, 10_000])
                        amount = int(quantity * price * growth)
                        income += amount
                        entries.append(
                            CashEntry(
                                kube=kube,
                                entry_date=day,
                                kind="income",
                                category="sales",
                                amount=amount,
                                description="Jual",
                                product=rng.choice(PRODUCTS),
                                quantity=quantity,
                                unit_price=price,
                                channel=rng.choice(CashEntry.Channel.values[: 2 + int(vigour * 4)]),
                                entered_by=admin,
                            )
                        )
                    else:
                        amount = rng.randint(10, 160) * 1_000
                        expense += amount
                        entries.append(
                            CashEntry(
                                kube=kube,
                                entry_date=day,
                                kind="expense",
                                category=rng.choice(EXPENSES),
                                amount=amount,
                                description="Belanja",
                                entered_by=admin,
                            )
                        )
                if m < month_index(today) - 1 and rng.random() < 0.5 + vigour / 2:
                    late = rng.randint(1, 12) if rng.random() < 0.8 else rng.randint(16, 40)
                    months_closed.append(
                        CashMonth(
                            kube=kube,
                            month=month,
                            opening_balance=balance,
                            income=income,
                            expense=expense,
                            closing_balance=balance + income - expense,
                            closed_by=admin,
                            closed_at=dt.datetime.combine(
                                month_end(month) + dt.timedelta(days=late), dt.time(9), tzinfo=dt.UTC
                            ),
                        )
                    )
                balance += income - expense
                if rng.random() < 0.4 + vigour / 2:
                    meetings.append(
                        Meeting(
                            kube=kube,
                            held_on=month.replace(day=min(days, 15)),
                            agenda="Rapat bulanan",
                            minutes="Notulen" if rng.random() < 0.9 else "",
                            by=admin,
                        )
                    )
                    attendance.append((len(meetings) - 1, rng.sample(people, rng.randint(4, 10))))
                if m % 3 == 0:
                    environment.append(
                        EnvironmentRecord(
                            kube=kube,
                            recorded_on=month.replace(day=min(days, 20)),
                            practices={"waste": True, "water": rng.random() < 0.7, "chemicals": rng.random() < 0.5},
                            neighbours_employed=rng.randint(0, 3),
                            social_activities="Gotong royong" if rng.random() < 0.3 else "",
                            by=admin,
                        )
                    )
                    if month_end(month) < today and vigour > 0.3:
                        profit = rng.randint(5, 20) * 100_000
                        allocations.append(
                            ProfitAllocation(
                                kube=kube,
                                period_start=month_of(m - 2),
                                period_end=month,
                                profit=profit,
                                share_capital=50,
                                share_members=40,
                                share_iks=10,
                                to_capital=profit // 2,
                                to_members=profit * 4 // 10,
                                to_iks=profit - profit // 2 - profit * 4 // 10,
                                members=10,
                                allocated_on=month_end(month),
                                by=admin,
                            )
                        )
                if rng.random() < 0.06:
                    problems.append(
                        Problem(
                            kube=kube,
                            reported_on=month.replace(day=min(days, 8)),
                            origin="internal",
                            category="market",
                            severity=rng.choice([1, 2, 3]),
                            description="Pasar sepi",
                            resolved_on=(month.replace(day=min(days, 8)) + dt.timedelta(days=rng.randint(3, 90)))
                            if rng.random() < 0.8
                            else None,
                            by=admin,
                        )
                    )
                if rng.random() < 0.05:
                    iks.append(
                        IksEntry(
                            kube=kube,
                            entry_date=month.replace(day=min(days, 25)),
                            kind="use",
                            purpose=rng.choice(IksEntry.Purpose.values),
                            amount=100_000,
                            beneficiary="Warga",
                            by=admin,
                        )
                    )
            if vigour > 0.6:
                partnerships.append(
                    Partnership(
                        kube=kube,
                        partner="Toko Berkah",
                        kind="buyer",
                        started_on=kube.formed_on + dt.timedelta(days=200),
                        by=admin,
                    )
                )
            if vigour > 0.8:
                credits.append(
                    CreditApplication(
                        kube=kube,
                        lender="BRI",
                        amount_requested=10_000_000,
                        applied_on=today - dt.timedelta(days=200),
                        outcome="approved",
                        amount_approved=10_000_000,
                        decided_on=today - dt.timedelta(days=170),
                        by=admin,
                    )
                )
        FacilitatorAssignment.objects.bulk_create(assignments)
        Participant.objects.bulk_create(participants, batch_size=2000)
        AidStage.objects.bulk_create(stages)
        created_assets = Asset.objects.bulk_create(assets)
        AssetCheck.objects.bulk_create(
            AssetCheck(asset=a, checked_on=today - dt.timedelta(days=30), condition=a.condition, by=admin)
            for a in created_assets
            if a.condition != "good"
        )
        BusinessPlan.objects.bulk_create(plans)
        CashEntry.objects.bulk_create(entries, batch_size=5000)
        CashMonth.objects.bulk_create(months_closed, batch_size=2000)
        Meeting.objects.bulk_create(meetings, batch_size=2000)
        Through = Meeting.attendees.through
        Through.objects.bulk_create(
            (Through(meeting_id=meetings[i].pk, membership_id=m.pk) for i, people in attendance for m in people),
            batch_size=5000,
        )
        Problem.objects.bulk_create(problems)
        IksEntry.objects.bulk_create(iks)
        ProfitAllocation.objects.bulk_create(allocations)
        Partnership.objects.bulk_create(partnerships)
        CreditApplication.objects.bulk_create(credits)
        EnvironmentRecord.objects.bulk_create(environment)
        print(f"  {at + len(batch):,} groups, {CashEntry.objects.count():,} cash entries", flush=True)
    _reports(today)


def _reports(today: dt.date) -> None:
    """The facilitators' monthly reports of the two years, most of them acknowledged."""
    rng = random.Random(7)
    first = month_index(today) - 23
    MonthlyReport.objects.bulk_create(
        MonthlyReport(facilitator=f, month=month_of(m), status="acknowledged")
        for f in User.objects.filter(username__startswith="bench-pendamping-")
        for m in range(first, month_index(today))
        if rng.random() < 0.85
    )


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
