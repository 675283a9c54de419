"""Time the reports upward (berdaya/reports/upward.py) on an existing demo database: build and write each report.

    DATABASE_URL=postgres://... .venv/bin/python bench/reports.py                  # the demo's admin, this year
    DATABASE_URL=postgres://... .venv/bin/python bench/reports.py --account admin --region 64.01 --year 2026

Needs a database with the demo loaded (`berdaya demo --scale regency`, or `--scale province` where that exists). For
`--grow-province N` first (once) copies the regency's groups into the province's other regencies until the province
holds about N groups, each copy with the original's aid stages, cash entries, level snapshots, visits and problems and
a facilitator of its own regency (8 per regency), but no members (a member is a registered person of the village);
`bench.province`, an Admin Dinas of the province, then reads them. For
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


def grow_province(target: int, province_code: str = "64") -> None:
    """Copy the groups of the province's first regency with their records into its other regencies (once)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from berdaya.business.models import AidStage, CashEntry
    from berdaya.groups.models import Kube
    from berdaya.mentoring.models import Problem, Visit
    from berdaya.monitoring.models import LevelSnapshot

    province = Region.objects.get(code=province_code)
    User.objects.get_or_create(
        username="bench.province",
        defaults={"role": User.Role.ADMIN, "region": province, "password": make_password("berdaya-demo")},
    )
    originals = list(Kube.objects.filter(village__code__startswith=f"{province_code}.01."))
    if Kube.objects.filter(village__code__startswith=province_code + ".").count() >= target or not originals:
        return
    regencies = list(Region.objects.filter(parent=province).exclude(code=f"{province_code}.01").order_by("code"))
    copies_per_regency = max(1, (target - len(originals)) // (len(originals) * len(regencies)) + 1)
    with transaction.atomic():
        for regency in regencies:
            villages = list(Region.objects.filter(code__startswith=regency.code + ".", level=4).order_by("code"))
            facilitators = User.objects.bulk_create(
                User(
                    username=f"bench.{regency.code}.{n}",
                    role=User.Role.FACILITATOR,
                    region=regency,
                    first_name=f"Pendamping {regency.name} {n}",
                )
                for n in range(8)
            )
            for copy in range(copies_per_regency):
                for index, kube in enumerate(originals):
                    old = kube.pk
                    kube.pk = None
                    kube.village = villages[(index * 7 + copy) % len(villages)]
                    kube.facilitator = facilitators[index % 8]
                    kube.save()
                    for model in (AidStage, CashEntry, LevelSnapshot, Visit, Problem):
                        rows = list(model.objects.filter(kube_id=old).order_by("pk"))
                        for row in rows:
                            row.pk = None
                            row.kube_id = kube.pk
                            if model is Visit:
                                row.by_id = kube.facilitator_id
                            if model is CashEntry:
                                row.reverses_id = None
                                row.aid_stage_id = None
                        model.objects.bulk_create(rows)
                    kube.pk = old


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--account", default="admin")
    parser.add_argument("--region", default="", help="default: the account's region")
    parser.add_argument("--year", type=int, default=timezone.localdate().year)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default="", help="a folder to keep the last file of each report in")
    parser.add_argument("--grow-province", type=int, default=0, metavar="N", help="copy groups up to N in the province")
    parser.add_argument("--kinds", default=",".join(upward.BUILDERS), help="the reports to time (comma-separated)")
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # its INFO lines, one per layout step
    if args.grow_province:
        grow_province(args.grow_province)

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
    for kind in args.kinds.split(","):
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
