"""Time the registry import on a synthetic CSV: Faker id_ID names, valid NIKs and KK numbers for Paser villages.

    BERDAYA_VAR_DIR=/tmp/berdaya-bench .venv/bin/python bench/registry_import.py --rows 100000
    DATABASE_URL=postgres://... .venv/bin/python bench/registry_import.py --rows 1000000

Uses the database the settings point at (by default a SQLite file under $BERDAYA_VAR_DIR, which it migrates);
it creates a bench user and deletes the registry rows of an earlier run first. Prints rows per second for a dry run,
the first commit (everything new) and a second commit of the same file (everything unchanged), and the peak memory
of this process and of the process that checks a large file (importing.PARALLEL_FROM_BYTES).
"""

from __future__ import annotations

import argparse
import collections
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berdaya.settings")
os.environ.setdefault("BERDAYA_VAR_DIR", "/tmp/berdaya-bench")
# As deployed: with DEBUG on, Django would also log (and quote) every statement it runs.
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)
Path(os.environ["BERDAYA_VAR_DIR"]).mkdir(parents=True, exist_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from faker import Faker  # noqa: E402

from berdaya.accounts.models import User  # noqa: E402
from berdaya.regions.models import Region  # noqa: E402
from berdaya.regions.services import load_regions  # noqa: E402
from berdaya.registry.importing import run_import  # noqa: E402
from berdaya.registry.models import AssistanceRecord, Disclosure, Household, Person  # noqa: E402
from berdaya.registry.synthetic import build_kk, build_nik  # noqa: E402

HEADER = [
    "NIK",
    "Nomor KK",
    "Nama",
    "Kode Desa",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Alamat",
    "Hubungan",
    "Status Perkawinan",
    "Pekerjaan",
    "Desil",
]


def generate(path: Path, rows: int, seed: int) -> None:
    """About 3.5 persons per KK, in random Paser villages; every NIK and KK number valid and unique."""
    faker = Faker("id_ID")
    faker.seed_instance(seed)
    rng = random.Random(seed)
    villages = list(Region.objects.filter(code__startswith="64.01.", level=4).values_list("code", flat=True))
    names_m = [faker.name_male() for _ in range(2000)]
    names_f = [faker.name_female() for _ in range(2000)]
    streets = [faker.street_address() for _ in range(2000)]
    # A serial counts the NIKs of one kecamatan, birth date and sex (the KK numbers of one kecamatan and issue day).
    serials: collections.Counter[tuple[str, dt.date, str]] = collections.Counter()
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        written = households = 0
        while written < rows:
            village = rng.choice(villages)
            kecamatan = village[:8]
            issued_on = dt.date(2010, 1, 1) + dt.timedelta(households // 2000)
            households += 1
            serials[kecamatan, issued_on, "KK"] += 1
            kk = build_kk(kecamatan=kecamatan, issued_on=issued_on, serial=serials[kecamatan, issued_on, "KK"])
            address = rng.choice(streets)
            decile = rng.randint(1, 6)
            for member in range(min(rng.randint(1, 6), rows - written)):
                sex = "L" if (member == 0 or rng.random() < 0.5) and member != 1 else "P"
                born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randint(0, 25000))
                serials[kecamatan, born, sex] += 1
                nik = build_nik(kecamatan=kecamatan, birth_date=born, sex=sex, serial=serials[kecamatan, born, sex])
                name = rng.choice(names_m if sex == "L" else names_f)
                relation = "Kepala Keluarga" if member == 0 else ("Istri" if member == 1 else "Anak")
                writer.writerow(
                    [
                        nik,
                        kk,
                        name,
                        village,
                        sex,
                        "Tanah Grogot",
                        born.strftime("%d-%m-%Y"),
                        address,
                        relation,
                        "Kawin" if member < 2 else "Belum Kawin",
                        "Petani",
                        decile,
                    ]
                )
                written += 1


def clear_registry() -> None:
    """Delete the registry rows of an earlier run, in plain SQL: the ORM's cascade would hold a million ids."""
    with connection.cursor() as cursor:
        for model in (Disclosure, AssistanceRecord, Person, Household, Person.history.model, Household.history.model):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2027)
    parser.add_argument("--skip-dry-run", action="store_true")
    parser.add_argument("--csv", type=Path, help="keep the generated file here and reuse it on the next run")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if not Region.objects.filter(code="64.01").exists():
        load_regions()
    user, _ = User.objects.get_or_create(username="bench", defaults={"role": User.Role.ADMIN, "region_id": "64.01"})
    clear_registry()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.csv or Path(tmp) / "registry.csv"
        if not path.exists():
            start = time.perf_counter()
            generate(path, args.rows, args.seed)
            print(
                f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - start:.1f} s"
            )
        runs = [("commit (all new)", False), ("commit again (all unchanged)", False)]
        if not args.skip_dry_run:
            runs.insert(0, ("dry run", True))
        for label, dry_run in runs:
            start, cpu = time.perf_counter(), time.process_time()
            result = run_import(path, kind="registry", by=user, dry_run=dry_run)
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
            s = result.summary
            # CPU time (user + sys of this process) shows what a loaded machine does to the wall time.
            print(
                f"{label:<30} {seconds:7.1f} s  {s.total / seconds:9,.0f} rows/s  cpu {cpu:6.1f} s  "
                f"created={s.created:,} updated={s.updated:,} unchanged={s.unchanged:,} rejected={s.rejected:,}"
                + (f"  ERROR: {s.error}" if s.error else "")
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the checking process of a large file
    print(f"database: {django.db.connection.vendor}; peak memory {peak:.0f} MB, checking process {child:.0f} MB")


if __name__ == "__main__":
    main()
