"""Time loading all 91,599 regions into an empty database, then loading them again (idempotent).

Run: `make bench-regions` (SQLite in a temporary file), or with DATABASE_URL=postgres://… for PostgreSQL.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="berdaya-bench-")
    os.environ.setdefault("BERDAYA_VAR_DIR", tmp)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "berdaya.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from berdaya.regions.models import Region
    from berdaya.regions.services import load_regions

    call_command("migrate", verbosity=0)
    Region.objects.all().delete()
    started = time.perf_counter()
    first = load_regions()
    cold = time.perf_counter() - started
    started = time.perf_counter()
    second = load_regions()
    warm = time.perf_counter() - started
    print(f"database: {connection.vendor}")
    print(f"first load:  {first.created} created in {cold:.2f} s")
    print(f"second load: {second.unchanged} unchanged, {second.created + second.updated} changed in {warm:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
