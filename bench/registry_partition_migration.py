"""Time registry migration 0009 (partitioning by province) on an existing registry of synthetic rows, PostgreSQL only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berdaya_bench_partition \
        .venv/bin/python bench/registry_partition_migration.py --persons 1000000

Migrates the database, takes the registry back to migration 0008 (plain tables), fills it with synthetic households
(one per three persons), persons and assistance records (one per five persons) in a handful of provinces, written
straight with SQL, and times `migrate registry 0009`: the copy an existing installation goes through. It deletes the
registry rows of an earlier run first; use a database of its own.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berdaya.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 60)

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

VILLAGES = ["11.01.01.2001", "32.01.01.2001", "35.01.01.2001", "64.01.04.2004", "64.02.01.2001", "73.01.01.2001"]


def fill(persons: int) -> None:
    households, records = persons // 3, persons // 5
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE registry_assistancerecord, registry_person, registry_household CASCADE")
        for village in VILLAGES:
            parts = village.split(".")
            for depth in range(1, 5):
                code = ".".join(parts[:depth])
                cursor.execute(
                    "INSERT INTO regions_region (code, name, level, parent_id) VALUES (%s, %s, %s, %s) "
                    "ON CONFLICT DO NOTHING",
                    [code, f"Region {code}", depth, ".".join(parts[: depth - 1]) or None],
                )
        cursor.execute(
            "INSERT INTO registry_household (kk_number, address, village_id, decile, register_id, province) "
            "SELECT '6' || lpad(i::text, 15, '0'), 'Jl. Mawar ' || i, v.code, 1 + i %% 10, 'DTSEN-' || i, left(v.code, 2) "
            "FROM generate_series(1, %s) i JOIN unnest(%s::varchar[]) WITH ORDINALITY v(code, n) "
            "ON v.n = 1 + i %% %s",
            [households, VILLAGES, len(VILLAGES)],
        )
        cursor.execute(
            "INSERT INTO registry_person (nik, name, household_id, relation, sex, birth_place, birth_date, "
            "marital_status, education, occupation, disability, province) "
            "SELECT '3' || lpad(i::text, 15, '0'), 'Person ' || i, h.id, 'head', 'L', 'Tanah Grogot', "
            "date '1960-01-01' + i %% 15000, 'married', 'SD', 'Petani', '', h.province "
            "FROM generate_series(1, %s) i JOIN registry_household h ON h.kk_number = '6' || lpad((1 + i %% %s)::text, 15, '0')",
            [persons, households],
        )
        cursor.execute(
            "INSERT INTO registry_assistancerecord (person_id, household_id, programme, year, source, amount, province) "
            "SELECT p.id, p.household_id, 'pkh', 2024, 'APBN', 3000000, p.province FROM registry_person p "
            "ORDER BY p.id LIMIT %s",
            [records],
        )
        cursor.execute("ANALYZE registry_household, registry_person, registry_assistancerecord")
    print(f"registry at migration 0008: {households:,} households, {persons:,} persons, {records:,} records")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The registry is partitioned on PostgreSQL only: set DATABASE_URL=postgres://…")
    call_command("migrate", verbosity=0)
    call_command("migrate", "registry", "0008", verbosity=0)
    fill(args.persons)
    started = time.perf_counter()
    call_command("migrate", "registry", "0009", verbosity=0)
    seconds = time.perf_counter() - started
    total = args.persons + args.persons // 3 + args.persons // 5
    print(f"migration 0009: {seconds:.1f} s for {total:,} rows ({seconds / total * 1_000_000:.1f} s per million rows)")


if __name__ == "__main__":
    main()
