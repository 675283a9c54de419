"""Time the reports upward (berdaya/reports/upward.py) on an existing demo database: build and write each report.

    DATABASE_URL=postgres://... .venv/bin/python bench/reports.py                  # the demo's admin, this year
    DATABASE_URL=postgres://... .venv/bin/python bench/reports.py --account admin --region 64.01 --year 2026

Needs a database with the demo loaded (`berdaya demo --scale regency`, or `--scale province` where that exists). For
each report (programme, SPM, recap, group list) and format (PDF, XLSX): seconds to work out the figures, seconds to
write the file, queries, and the file's size; the annual period (1 January to 31 December of --year, as of today or
its end). Several runs; the median and the slowest are printed. Target: the annual programme PDF of a province
under 30 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berdaya.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from berdaya.accounts.models import User  # noqa: E402
from berdaya.regions.models import Region  # noqa: E402
from berdaya.reports import upward  # noqa: E402
from berdaya.reports.figures import Period  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--account", default="admin")
    parser.add_argument("--region", default="", help="default: the account's region")
    parser.add_argument("--year", type=int, default=timezone.localdate().year)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default="", help="a folder to keep the last file of each report in")
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its INFO lines, one per layout step

    user = User.objects.get(username=args.account)
    root = Region.objects.get(code=args.region) if args.region else user.region
    assert root is not None
    period = Period(dt.date(args.year, 1, 1), dt.date(args.year, 12, 31))
    as_of = min(period.end, timezone.localdate())
    groups = upward.group_count(user=user, root=root, as_of=as_of)
    print(f"{connection.vendor}; {root.name} ({root.code}); {groups} KUBE on {as_of}; year {args.year}; {args.account}")
    print(
        f"{'report':<10} {'format':<5} {'figures s':>10} {'write s':>9} {'total s (max)':>15} {'queries':>8} {'KB':>7}"
    )
    for kind in upward.BUILDERS:
        for fmt in ("pdf", "xlsx"):
            figures_s, write_s, totals = [], [], []
            queries = size = 0
            for _run in range(args.runs):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    report = upward.build(kind=kind, user=user, root=root, period=period, as_of=as_of)
                    built = time.perf_counter()
                    data = upward.write(report, fmt)
                    done = time.perf_counter()
                figures_s.append(built - start)
                write_s.append(done - built)
                totals.append(done - start)
                queries, size = len(captured), len(data)
            if args.out:
                Path(args.out).mkdir(parents=True, exist_ok=True)
                (Path(args.out) / f"{kind}.{fmt}").write_bytes(data)
            print(
                f"{kind:<10} {fmt:<5} {statistics.median(figures_s):>10.2f} {statistics.median(write_s):>9.2f} "
                f"{statistics.median(totals):>7.2f} ({max(totals):.2f}) {queries:>8} {size // 1024:>7}"
            )


if __name__ == "__main__":
    main()
