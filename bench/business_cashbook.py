"""Time the cash-book page and the business dashboard of one group with 10,000 entries, server-side.

    .venv/bin/python bench/business_cashbook.py                       # SQLite file under $BERDAYA_VAR_DIR
    DATABASE_URL=postgres://... .venv/bin/python bench/business_cashbook.py

Builds (once; reused when it is already there) a group with two years of books: sales, costs, reversals, 20 closed
months and profit allocations. Then renders each page ~30 times with Django's test client as the group's
facilitator and prints p50/p95 and the number of queries. Target: p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berdaya.settings")
os.environ.setdefault("BERDAYA_VAR_DIR", "/tmp/berdaya-bench-business")
Path(os.environ["BERDAYA_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from berdaya.accounts.models import User  # noqa: E402
from berdaya.business.models import CashEntry, CashMonth, month_start, next_month  # noqa: E402
from berdaya.groups.models import Kube  # noqa: E402

NAME = "KUBE Bench Kas"
PRODUCTS = ["Kue lapis", "Bingka", "Amplang", "Keripik pisang", "Dodol", "Abon ikan", "Kerupuk"]


def build(entries: int) -> Kube:
    from berdaya.groups.tests.factories import KubeFactory, MembershipFactory

    facilitator = User.objects.filter(username="bench-pendamping").first()
    if facilitator is None:
        from berdaya.accounts.tests.factories import UserFactory

        facilitator = UserFactory(username="bench-pendamping", role=User.Role.FACILITATOR)
    kube = KubeFactory(name=NAME, facilitator=facilitator, status=Kube.Status.ACTIVE)
    MembershipFactory.create_batch(10, kube=kube)
    rng = random.Random(2027)
    start = dt.date(2024, 12, 1)
    days = (dt.date(2026, 11, 28) - start).days
    rows = [
        CashEntry(
            kube=kube,
            entry_date=start,
            month=start,
            kind="income",
            category="aid",
            amount=20_000_000,
            description="Bantuan tahap 1",
            entered_by=facilitator,
        )
    ]
    for i in range(entries - 1):
        day = start + dt.timedelta(days=i * days // entries)
        if rng.random() < 0.6:
            product = rng.choice(PRODUCTS)
            quantity = rng.randint(5, 80)
            price = rng.choice([2_000, 5_000, 10_000, 25_000])
            rows.append(
                CashEntry(
                    kube=kube,
                    entry_date=day,
                    month=month_start(day),
                    kind="income",
                    category="sales",
                    amount=quantity * price,
                    description=f"Jual {product}",
                    product=product,
                    quantity=quantity,
                    unit_price=price,
                    channel=rng.choice(CashEntry.Channel.values),
                    buyer_type=rng.choice(CashEntry.BuyerType.values),
                    entered_by=facilitator,
                )
            )
        else:
            rows.append(
                CashEntry(
                    kube=kube,
                    entry_date=day,
                    month=month_start(day),
                    kind="expense",
                    category=rng.choice(["materials", "transport", "wages", "rent"]),
                    amount=rng.randint(10, 400) * 1_000,
                    description="Belanja",
                    entered_by=facilitator,
                )
            )
    CashEntry.objects.bulk_create(rows, batch_size=2000)
    month, balance = start, 0
    for _ in range(20):
        entries_in = CashEntry.objects.filter(kube=kube, entry_date__gte=month, entry_date__lt=next_month(month))
        income = sum(e.amount for e in entries_in if e.kind == "income")
        expense = sum(e.amount for e in entries_in if e.kind == "expense")
        CashMonth.objects.create(
            kube=kube,
            month=month,
            opening_balance=balance,
            income=income,
            expense=expense,
            closing_balance=balance + income - expense,
            closed_by=facilitator,
        )
        balance += income - expense
        month = next_month(month)
    return kube


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def measure(client: Client, url: str, runs: int) -> tuple[float, float, float, float, int]:
    client.get(url)  # warm caches (templates, content types)
    timings, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        else:
            _ = response.content
        timings.append((time.perf_counter() - began) * 1000)
        # CPU time of this process (the SQLite work included): what a loaded machine does not inflate.
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), _p95(timings), statistics.median(cpu), _p95(cpu), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    kube = Kube.objects.filter(name=NAME).first()
    if kube is None or kube.cash_entries.count() != args.entries:
        if kube is not None:
            CashMonth.objects.filter(kube=kube).delete()
            CashEntry.objects.filter(kube=kube).delete()
            kube.memberships.all().delete()
            kube.delete()
        began = time.perf_counter()
        kube = build(args.entries)
        print(f"built {args.entries:,} entries in {time.perf_counter() - began:.1f} s")
    assert kube.facilitator is not None
    # Not setup_test_environment(): its template instrumentation would be measured too.
    client = Client(HTTP_HOST="localhost")
    client.force_login(kube.facilitator)
    print(f"{connection.vendor}, {kube.cash_entries.count():,} entries, {args.runs} requests each")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'page':<26}{'wall p50':>10}{'wall p95':>10}{'cpu p50':>10}{'cpu p95':>10}{'queries':>9}")
    pages = [
        ("cash book (newest page)", reverse("business:cash-book", args=[kube.pk])),
        ("cash book (page 1)", reverse("business:cash-book", args=[kube.pk]) + "?page=1"),
        ("cash book (middle page)", reverse("business:cash-book", args=[kube.pk]) + "?page=100"),
        ("dashboard", reverse("business:dashboard", args=[kube.pk])),
        ("cash book XLSX export", reverse("business:cash-export", args=[kube.pk])),
    ]
    for name, url in pages:
        runs = args.runs if "XLSX" not in name else 5
        p50, p95, cpu50, cpu95, queries = measure(client, url, runs)
        print(f"{name:<26}{p50:>10.1f}{p95:>10.1f}{cpu50:>10.1f}{cpu95:>10.1f}{queries:>9}")


if __name__ == "__main__":
    main()
