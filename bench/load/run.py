"""Load test: Locust users of every role against gunicorn (DEBUG off) on a PostgreSQL demo database.

    make bench-load                                    # 50 users, 10 minutes, DATABASE_URL or .../berdaya_load
    .venv/bin/python bench/load/run.py --database-url postgres://postgres@127.0.0.1:5432/berdaya_load \\
        --users 50 --spawn-rate 5 --time 10m --workers 3 --out /tmp/berdaya-load

The database must hold a demo (`berdaya demo --scale regency` or `--scale province`). The runner
1. reads the accounts of every role from the database, and for each the pages it may open (by its permissions and
   `.visible_to`): its dashboard and its children's, the map by kecamatan and by village, groups, cash books,
   supervision, cycles and nominee lists, the registry; a facilitator also posts sales in its groups' cash books;
2. collects the static files and starts gunicorn as docs/deployment.md does (`--workers 3`; production settings
   with cookies allowed over plain HTTP, bench/load/settings.py);
3. runs Locust headless (bench/load/locustfile.py), sampling the gunicorn processes' memory (RSS, master and
   workers together) and the load average every few seconds;
4. prints and writes (OUT/summary.md) p50/p95/max per page, the errors, and the memory of the first and last minute.

The cash entries it posts stay in the database (sales dated today, "Penjualan (uji beban)").
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/berdaya_load"
# One Locust user in ten of each role, repeated: facilitators are the most numerous users, then village and
# kecamatan operators; the Dinas (admin, officer) and the Pemantau read dashboards and reports.
ROLE_MIX = [
    "facilitator",
    "facilitator",
    "facilitator",
    "village",
    "village",
    "kecamatan",
    "kecamatan",
    "officer",
    "admin",
    "monitor",
]
# How often each kind of page is opened, relative to the others (a page kind with several addresses shares its
# weight among them).
WEIGHTS = {
    "dashboard": 10,
    "dashboard drill-down": 5,
    "map kecamatan": 3,
    "map village": 3,
    "group list": 5,
    "group page": 6,
    "cash book": 4,
    "cash entry (POST)": 3,
    "supervision": 2,
    "cycles": 1,
    "nominee list": 2,
    "registry persons": 2,
    "registry households": 1,
    "report request": 1,
    "report request (POST)": 1,
}
SAMPLE_SECONDS = 5


def build_plan(database_url: str, seed: int) -> dict[str, Any]:
    """The accounts of every role and the pages each may open, read from the database."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berdaya.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.urls import NoReverseMatch, reverse

    from berdaya.accounts.models import User
    from berdaya.groups.models import Kube
    from berdaya.regions.models import Region
    from berdaya.reports.maps import map_levels
    from berdaya.reports.supervision import may_supervise
    from berdaya.reports.upward import may_report
    from berdaya.targeting.models import NominationList

    rng = random.Random(seed)
    try:
        upward: str | None = reverse("reports:upward")
    except NoReverseMatch:
        upward = None  # an installation without the reports upward

    def pages_of(user: User) -> list[dict[str, Any]]:
        pages: list[tuple[str, str, dict[str, str]]] = [("dashboard", "/", {})]
        root = user.region
        assert root is not None
        kubes = list(
            Kube.objects.visible_to(user).filter(village__code__startswith=root.code).values_list("pk", flat=True)
        )
        villages = set(Kube.objects.filter(pk__in=kubes).values_list("village_id", flat=True))
        depth = len(root.code.split("."))
        children = sorted({".".join(v.split(".")[: depth + 1]) for v in villages if len(v.split(".")) > depth})
        for code in rng.sample(children, min(10, len(children))):
            pages.append(("dashboard drill-down", reverse("reports:dashboard-region", args=[code]), {}))
        if user.has_perm("groups.view_kube"):
            names = {Region.Level.KECAMATAN: "map kecamatan", Region.Level.VILLAGE: "map village"}
            for level in map_levels(root):
                indicator = rng.choice(["kubes", "members", "aid_paid", "revenue", "visit_coverage"])
                url = f"{reverse('reports:map')}?indicator={indicator}&level={level}"
                pages.append((names.get(level, "map kecamatan"), url, {}))
            pages.append(("group list", reverse("groups:kube-list"), {}))
            for pk in rng.sample(kubes, min(20, len(kubes))):
                pages.append(("group page", reverse("groups:kube-detail", args=[pk]), {}))
            if may_supervise(user):
                pages.append(("supervision", reverse("reports:supervision"), {}))
        if user.has_perm("business.view_cashentry"):
            for pk in rng.sample(kubes, min(10, len(kubes))):
                pages.append(("cash book", reverse("business:cash-book", args=[pk]), {}))
        if user.has_perm("business.add_cashentry") and user.role == User.Role.FACILITATOR:
            for pk in rng.sample(kubes, min(5, len(kubes))):
                book = reverse("business:cash-book", args=[pk])
                pages.append(("cash entry (POST)", reverse("business:cashentry-add", args=[pk]), {"book": book}))
        if user.has_perm("targeting.view_cycle"):
            pages.append(("cycles", reverse("targeting:cycle-list"), {}))
        if user.has_perm("targeting.view_nominationlist"):
            lists = list(NominationList.objects.visible_to(user).values_list("pk", flat=True))
            for pk in rng.sample(lists, min(10, len(lists))):
                pages.append(("nominee list", reverse("targeting:list-detail", args=[pk]), {}))
        if user.has_perm("registry.view_person"):
            pages.append(("registry persons", reverse("registry:person-list"), {}))
        if user.has_perm("registry.view_household"):
            pages.append(("registry households", reverse("registry:household-list"), {}))
        if upward is not None and may_report(user):
            pages.append(("report request", upward, {}))
            # A recap of the user's own region for this year, as XLSX: made at once up to a regency's size, queued
            # for the task worker above it (the request then only records it).
            pages.append(("report request (POST)", upward, {"region": root.code}))
        per_kind: dict[str, int] = {}
        for name, _url, _extra in pages:
            per_kind[name] = per_kind.get(name, 0) + 1
        return [
            {
                "name": name,
                "url": url,
                "kind": {"cash entry (POST)": "cash-entry", "report request (POST)": "report"}.get(name, "get"),
                "weight": WEIGHTS[name] / per_kind[name],
                **extra,
            }
            for name, url, extra in pages
        ]

    by_role: dict[str, list[User]] = {}
    for user in User.objects.filter(is_active=True, region__isnull=False).select_related("region").order_by("username"):
        by_role.setdefault(user.role, []).append(user)

    # Several accounts of a role (a province demo: the province's admin and one per regency): the widest scope
    # first (the province admin is always among the users), then the others in a shuffled turn.
    def turn(users: list[User]) -> Iterator[User]:
        return iter(sorted(rng.sample(users, len(users)), key=lambda u: len(str(u.region_id).split("."))))

    queues = {role: turn(users) for role, users in by_role.items()}
    accounts: list[dict[str, Any]] = []
    for index in range(100):  # enough for the largest run; Locust takes them in this order
        role = ROLE_MIX[index % len(ROLE_MIX)]
        if role not in by_role:
            continue
        user = next(queues[role], None)
        if user is None:
            queues[role] = turn(by_role[role])
            user = next(queues[role])
        accounts.append({"username": user.username, "role": role, "region": user.region_id, "pages": pages_of(user)})
    counts = {role: len(users) for role, users in by_role.items()}
    return {
        "password": os.environ.get("BERDAYA_DEMO_PASSWORD", "berdaya-demo"),
        "accounts": accounts,
        "accounts_in_db": counts,
        "report_request": upward or "none (no reports:upward)",
        "time_zone": settings.TIME_ZONE,
    }


def gunicorn_memory(master: int) -> tuple[int, int]:
    """RSS of the gunicorn master and its workers together (bytes), and the number of workers."""
    import psutil

    process = psutil.Process(master)
    children = process.children(recursive=True)
    return sum(p.memory_info().rss for p in [process, *children]), len(children)


def sample(master: int, series: list[tuple[float, int, int, float]], stop: threading.Event, start: float) -> None:
    while not stop.is_set():
        try:
            rss, workers = gunicorn_memory(master)
        except Exception:  # a worker restarting between the listing and the reading: skip that sample
            rss, workers = 0, 0
        if rss:
            series.append((time.monotonic() - start, rss, workers, os.getloadavg()[0]))
        stop.wait(SAMPLE_SECONDS)


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {seconds:.0f} s")


def summarise(out: Path, series: list[tuple[float, int, int, float]], args: argparse.Namespace) -> str:
    with open(out / "locust_stats.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    with open(out / "locust_failures.csv", encoding="utf-8") as f:
        failures = list(csv.DictReader(f))
    lines = [
        f"{args.users} users (spawn {args.spawn_rate}/s), {args.time}, gunicorn --workers {args.workers}, "
        f"think time {args.think_min}-{args.think_max} s",
        "",
        "| page | requests | failures | p50 (ms) | p95 (ms) | max (ms) |",
        "|---|---|---|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        lines.append(
            f"| {row['Name']} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} "
            f"| {float(row['Max Response Time']):.0f} |"
        )
    lines.append("")
    errors = sum(int(f["Occurrences"]) for f in failures)
    lines.append(f"Errors: {errors}")
    for failure in failures[:10]:
        lines.append(f"  {failure['Method']} {failure['Name']}: {failure['Error'][:160]} x{failure['Occurrences']}")
    if series:
        first = [rss for t, rss, _w, _l in series if t <= 60]
        end = series[-1][0]
        last = [rss for t, rss, _w, _l in series if t >= end - 60]
        loads = [load for _t, _rss, _w, load in series]
        mb = 1024 * 1024
        lines.append(
            f"gunicorn RSS (master + {series[-1][2]} workers): first minute {statistics.mean(first) / mb:.0f} MB, "
            f"last minute {statistics.mean(last) / mb:.0f} MB, max {max(s[1] for s in series) / mb:.0f} MB "
            f"({len(series)} samples every {SAMPLE_SECONDS} s)"
        )
        lines.append(
            f"Load average (1 min) during the run: mean {statistics.mean(loads):.2f}, max {max(loads):.2f} "
            f"({os.cpu_count()} cores)"
        )
        with open(out / "memory.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["seconds", "rss_bytes", "workers", "load1"])
            writer.writerows(series)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DATABASE))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=1, help="users started per second (each logs in)")
    parser.add_argument("--time", default="10m", help="Locust's run time: 90s, 3m, 10m")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (docs/deployment.md: 3)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--think-min", type=float, default=5, help="seconds a user reads a page, at least")
    parser.add_argument("--think-max", type=float, default=15)
    parser.add_argument("--seed", type=int, default=20261204)
    parser.add_argument("--out", type=Path, default=Path("/tmp/berdaya-load"))
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("The load test runs on PostgreSQL: --database-url postgres://...")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    plan = build_plan(args.database_url, args.seed)
    (out / "plan.json").write_text(json.dumps(plan, indent=1), encoding="utf-8")
    print(f"Accounts in the database: {plan['accounts_in_db']}; report request: {plan['report_request']}")

    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BERDAYA_VAR_DIR": str(out / "var"),
        "LOG_LEVEL": "WARNING",
    }
    subprocess.run([BIN / "berdaya", "collectstatic", "--no-input", "-v0"], env=env, check=True, cwd=ROOT)
    server = subprocess.Popen(
        [BIN / "gunicorn", "berdaya.wsgi", "--bind", f"127.0.0.1:{args.port}", "--workers", str(args.workers)]
        + ["--timeout", "120", "--error-logfile", str(out / "gunicorn.log")],
        env=env,
        cwd=ROOT,
    )
    series: list[tuple[float, int, int, float]] = []
    stop = threading.Event()
    try:
        host = f"http://127.0.0.1:{args.port}"
        wait_until_up(f"{host}/accounts/login/")
        sampler = threading.Thread(target=sample, args=(server.pid, series, stop, time.monotonic()), daemon=True)
        sampler.start()
        locust_env = {
            **os.environ,
            "BERDAYA_LOAD_PLAN": str(out / "plan.json"),
            "BERDAYA_LOAD_THINK_MIN": str(args.think_min),
            "BERDAYA_LOAD_THINK_MAX": str(args.think_max),
        }
        subprocess.run(
            [BIN / "locust", "-f", ROOT / "bench/load/locustfile.py", "--headless", "--host", host]
            + ["-u", str(args.users), "-r", str(args.spawn_rate), "-t", args.time, "--csv", str(out / "locust")]
            + ["--only-summary", "--loglevel", "WARNING", "--exit-code-on-error", "0"],
            env=locust_env,
            cwd=ROOT,
            check=True,
        )
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    summary = summarise(out, series, args)
    (out / "summary.md").write_text(summary + "\n", encoding="utf-8")
    print(summary)


if __name__ == "__main__":
    main()
