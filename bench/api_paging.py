"""Page through a million registry persons by the REST API, 1,000 a page, with a token: every page costs the same.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/berdaya_api_bench .venv/bin/python bench/api_paging.py
    (--persons N to build another size; the registry is built once and reused)

Builds (once) the Kemendagri regions and `--persons` persons in Kabupaten Paser's villages with the province demo's
bulk writer (berdaya/demo/bulk.py, COPY on PostgreSQL), an Admin Dinas of Paser and a read-only token. Then follows
`next` from the first page to the last through `/api/v1/registry/persons?limit=1000` with Django's test client (the
whole request: middleware, token check, scope, keyset query, serialisation; no network), timing each page. With
keyset pagination the last page costs what the first does; with OFFSET it would grow with the page number.
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/berdaya_api_bench")
os.environ.setdefault("BERDAYA_API_RATE_LIMIT", "1000000")  # a thousand pages in a few minutes: no limit here

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from faker import Faker  # noqa: E402

from berdaya.accounts.models import User  # noqa: E402
from berdaya.accounts.services import create_token  # noqa: E402
from berdaya.demo import bulk  # noqa: E402
from berdaya.regions.models import Region  # noqa: E402
from berdaya.registry.models import Person  # noqa: E402

ADMIN = "bench-api-admin"


def build(persons: int) -> User:
    call_command("migrate", verbosity=0)
    if not Region.objects.exists():
        call_command("loadregions", verbosity=0)
    admin = User.objects.filter(username=ADMIN).first()
    if admin is None:
        admin = User.objects.create(
            username=ADMIN, role=User.Role.ADMIN, region=Region.objects.get(code="64.01"), first_name="Bench"
        )
    missing = persons - Person.objects.count()
    if missing > 0:
        villages = list(
            Region.objects.filter(level=Region.Level.VILLAGE, code__startswith="64.01.").values_list("code", flat=True)
        )
        began = time.perf_counter()
        print(f"building {missing:,} persons in {len(villages)} villages of Kabupaten Paser ...", flush=True)
        people = bulk.People(rng=random.Random(15), faker=Faker("id_ID"), by=admin)
        people.fill(villages, missing)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"built in {time.perf_counter() - began:.0f} s", flush=True)
    return admin


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()
    admin = build(args.persons)
    secret = create_token(
        by=admin, owner=admin, name="bench", expires_on=timezone.localdate() + dt.timedelta(days=1), read_only=True
    ).secret
    client = Client(headers={"Authorization": f"Bearer {secret}"}, HTTP_HOST="localhost")
    print(f"database: {connection.vendor}; {Person.objects.count():,} persons; load {os.getloadavg()[0]:.1f}")

    times: list[float] = []
    rows = 0
    url = f"/api/v1/registry/persons?limit={args.limit}"
    began = time.perf_counter()
    while url:
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
        page = response.json()
        rows += len(page["items"])
        url = f"/api/v1/registry/persons?limit={args.limit}&after={page['next']}" if page["next"] else ""
    total = time.perf_counter() - began

    def window(at: int) -> str:
        chunk = times[max(0, at - 5) : at + 5] if at else times[:10]
        return f"{statistics.median(chunk):.0f} ms"

    middle, last = len(times) // 2, len(times) - 1
    print(f"{rows:,} persons in {len(times):,} pages of {args.limit} in {total:.0f} s")
    print(f"page time, median of 10 pages: first {window(0)}, middle {window(middle)}, last {window(last)}")
    print(f"first page alone {times[0]:.0f} ms; last page alone {times[-1]:.0f} ms")
    quantiles = statistics.quantiles(times, n=100)
    print(f"all pages: p50 {quantiles[49]:.0f} ms, p95 {quantiles[94]:.0f} ms, max {max(times):.0f} ms")
    _queries(admin, args.limit, rows)
    return 0


def _queries(admin: User, limit: int, rows: int) -> None:
    """The page's query alone, as the API runs it (keyset) and as OFFSET would, at the first, middle and last page."""
    persons = Person.objects.visible_to(admin).select_related("household").order_by("pk")
    ids = list(persons.values_list("pk", flat=True)[:: max(1, rows // 4)])
    print("query alone, median of 5 runs (keyset: pk > last id; OFFSET: the same page by its position):")
    for label, position in [("first", 0), ("middle", rows // 2), ("last", rows - limit)]:
        after = ids[0] - 1 if position == 0 else persons.values_list("pk", flat=True)[position - 1]
        keyset, offset = [], []
        for _ in range(5):
            start = time.perf_counter()
            list(persons.filter(pk__gt=after)[: limit + 1])
            keyset.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            list(persons[position : position + limit])
            offset.append((time.perf_counter() - start) * 1000)
        print(f"  {label:6} page: keyset {statistics.median(keyset):.0f} ms, OFFSET {statistics.median(offset):.0f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
