"""Time what every page now pays for "My tasks": the menu's count, and the tasks page, for each demo role.

    .venv/bin/python bench/worklist.py                       # SQLite file under $BERDAYA_VAR_DIR
    DATABASE_URL=postgres://... .venv/bin/python bench/worklist.py

Builds (once; reused when it is already there) Kabupaten Paser's regions and the regency-scale demo (an operator
for every kecamatan and village, 20,000 people, 40 KUBE with a year of books and visits), then measures for each
demo account: `worklist.gather(user)` (the single query behind the menu's count on every page) and the /tugas/ page
rendered with Django's test client, ~30 runs each after one warm-up; p50/p95 and the number of queries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berdaya.settings")
os.environ.setdefault("BERDAYA_VAR_DIR", "/tmp/berdaya-bench-worklist")
Path(os.environ["BERDAYA_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from berdaya import worklist  # noqa: E402
from berdaya.accounts.models import User  # noqa: E402

ACCOUNTS = ["admin", "dinas", "camat.tanahgrogot", "desa.tanahperiuk", "pendamping1", "pemantau"]


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def _time(run, runs: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    run()
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        run()
    spent = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent), _p95(spent), len(queries.captured_queries)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="admin").exists():
        began = time.perf_counter()
        call_command("loadregions", verbosity=0)
        call_command("demo", "--scale", "regency", verbosity=0)
        print(f"built the regency demo in {time.perf_counter() - began:.0f} s")
    print(f"database: {connection.vendor}")
    print(
        "| account | tasks (kinds / total) | count p50 (ms) | count p95 (ms) | queries | page p50 (ms) | page p95 (ms) |"
    )
    print("|---|---|---|---|---|---|---|")
    client = Client(HTTP_HOST="localhost")
    for username in ACCOUNTS:
        user = User.objects.get(username=username)
        items = worklist.gather(user)
        count_p50, count_p95, count_queries = _time(lambda u=user: worklist.gather(u), args.runs)
        client.force_login(user)
        page_p50, page_p95, _ = _time(lambda: client.get("/tugas/"), args.runs)
        print(
            f"| {username} | {len(items)} / {sum(i.count for i in items)} | {count_p50:.1f} | {count_p95:.1f} "
            f"| {count_queries} | {page_p50:.1f} | {page_p95:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
