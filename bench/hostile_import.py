"""Time what a hostile import file costs: the upload request (which only stores it) and the task worker (which refuses
it, or checks it to the end), for the registry and the cash book.

    BERDAYA_VAR_DIR=/tmp/berdaya-bench-hostile .venv/bin/python bench/hostile_import.py

Uses the database the settings point at (by default a SQLite file under $BERDAYA_VAR_DIR, which it migrates) with a
few regions, a user and a KUBE of its own. For each file it prints its size, the upload request's wall time (Django's
test client, the whole middleware stack), the worker's wall time and what the job ended as, and the worker process's
peak memory so far. The files are built part by part (berdaya/lib/tests/hostile_files.py).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berdaya.settings")
os.environ.setdefault("BERDAYA_VAR_DIR", "/tmp/berdaya-bench-hostile")
os.environ.setdefault("DEBUG", "false")  # as deployed
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
(Path(os.environ["BERDAYA_VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402

from berdaya.accounts.models import User  # noqa: E402
from berdaya.accounts.tests.factories import UserFactory  # noqa: E402
from berdaya.business.models import CashImport  # noqa: E402
from berdaya.business.tasks import process_cash_import  # noqa: E402
from berdaya.groups.tests.factories import KubeFactory  # noqa: E402
from berdaya.lib.tests import hostile_files  # noqa: E402
from berdaya.regions.models import Region  # noqa: E402
from berdaya.regions.tests.factories import RegionFactory  # noqa: E402
from berdaya.registry.models import ImportJob  # noqa: E402
from berdaya.registry.tasks import process_import  # noqa: E402

REGISTRY_HEADER = ["NIK", "Nomor KK", "Nama", "Kode Desa", "Jenis Kelamin", "Tanggal Lahir"]
CASH_HEADER = ["Tanggal", "Uraian", "Masuk", "Keluar"]
FILES: dict[str, Callable[[Path, list[str]], Path]] = {
    "3,000,000 empty <row/> (ratio bomb)": lambda p, h: hostile_files.empty_rows(p, h, count=3_000_000),
    "one empty row at 1,048,576, no dimension": lambda p, h: hostile_files.far_row(p, h),
    "dimension A1:XFD1048576": lambda p, h: hostile_files.declared_giant(p, h),
    "zip bomb, 256 MB of one byte": lambda p, h: hostile_files.zip_bomb(p, h, megabytes=256),
    "300,000 junk rows, dimension declared": lambda p, h: hostile_files.junk_rows(p, h, count=300_000, declared=True),
}


def peak_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def setup() -> tuple[User, User, int]:
    call_command("migrate", verbosity=0)
    regency = Region.objects.filter(code="64.01").first() or RegionFactory(code="64.01", name="Kabupaten Paser")
    village = Region.objects.filter(code="64.01.04.2004").first() or RegionFactory(code="64.01.04.2004")
    officer = User.objects.filter(username="bench.hostile").first() or UserFactory(
        username="bench.hostile", role=User.Role.OFFICER, region=regency
    )
    facilitator = User.objects.filter(username="bench.hostile.p").first() or UserFactory(
        username="bench.hostile.p", role=User.Role.FACILITATOR, region=regency
    )
    kube = KubeFactory(facilitator=facilitator, village=village)
    return officer, facilitator, kube.pk


def run(label: str, client: Client, url: str, data: dict[str, str], path: Path, work: Callable[[], str]) -> None:
    with path.open("rb") as handle:
        started = time.perf_counter()
        response = client.post(url, {**data, "file": handle}, secure=True)  # HTTPS, as deployed
        request_s = time.perf_counter() - started
    assert response.status_code == 302, response.status_code
    started = time.perf_counter()
    outcome = work()
    worker_s = time.perf_counter() - started
    print(
        f"| {label} | {path.stat().st_size / 1024:,.0f} KB | {request_s * 1000:,.0f} ms | {worker_s:,.2f} s "
        f"| {outcome} | {peak_mb()} MB |",
        flush=True,
    )


def main() -> None:
    officer, facilitator, kube_pk = setup()
    registry, cash = Client(), Client()
    registry.force_login(officer)
    cash.force_login(facilitator)
    folder = Path(tempfile.mkdtemp(prefix="berdaya-hostile-"))
    print("| Import | File | Size | Upload request | Worker | Job ended | Peak RSS |\n|---|---|---|---|---|---|---|")
    for name, build in FILES.items():
        path = build(folder / "registry.xlsx", REGISTRY_HEADER)

        def registry_work() -> str:
            job = ImportJob.objects.latest("pk")
            process_import(job.pk, commit=False)
            job.refresh_from_db()
            found = job.summary["error"] or "{:,} rows rejected".format(job.summary["rejected"])
            return f"{job.status}: {found}"[:150]

        run(f"registry | {name}", registry, reverse("registry:import-list"), {"kind": "registry"}, path, registry_work)
        path = build(folder / "kas.xlsx", CASH_HEADER)

        def cash_work() -> str:
            job = CashImport.objects.latest("pk")
            process_cash_import(job.pk, commit=False)
            job.refresh_from_db()
            found = job.report.get("error") or "{:,} rows rejected".format(job.report.get("rejected", 0))
            return f"{job.status}: {found}"[:150]

        run(f"cash book | {name}", cash, reverse("business:cash-import", args=[kube_pk]), {}, path, cash_work)


if __name__ == "__main__":
    with translation.override("en"):
        main()
