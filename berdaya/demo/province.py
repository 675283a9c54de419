"""The province demo: Kalimantan Timur with every regency and city, written in bulk (`berdaya demo --scale province`).

On top of the Paser demo (its accounts and records stay as they are): an Admin Dinas, an officer and facilitators
for every regency and city of the province, one Admin for the province, at least 600 running KUBE spread over the
regencies' villages with two years of records, their level snapshots and early warnings, and a registry of at least
a million persons. Built by `bulk` (COPY and bulk_create), in minutes rather than the days the services would take.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from faker import Faker

from berdaya.accounts.models import User
from berdaya.business.models import CashEntry
from berdaya.groups.models import Kube
from berdaya.lib.audit import acting_as
from berdaya.mentoring.models import Visit
from berdaya.monitoring.engine import CHUNK, month_index, month_of
from berdaya.monitoring.levels import snapshot_months
from berdaya.monitoring.models import EarlyWarning, LevelSnapshot
from berdaya.monitoring.warnings import check_warnings
from berdaya.regions.models import Region
from berdaya.registry.models import Household, Person

from . import bulk
from .accounts import _slug

PROVINCE = "64"  # Kalimantan Timur
PROVINCE_ADMIN = "admin.kaltim"
GROUPS = 600
PERSONS = 1_000_000
FACILITATORS_PER_REGENCY = 4


@dataclass(frozen=True)
class DemoProvince:
    regencies: int
    accounts: list[tuple[str, str, str]]  # username, role, region
    households: int
    persons: int
    groups: int
    visits: int
    cash_entries: int
    snapshots: int
    warnings: int


def regency_slug(region: Region) -> str:
    """'Kabupaten Kutai Kartanegara' -> 'kutaikartanegara', 'Kota Samarinda' -> 'samarinda'."""
    return _slug(region.name.removeprefix("Kabupaten ").removeprefix("Kota "))


def spread(total: int, weights: list[int]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders), at least one each when there are enough."""
    if not weights:
        return []
    floor = 1 if total >= len(weights) else 0
    rest = total - floor * len(weights)
    whole = sum(weights) or 1
    shares = [rest * w / whole for w in weights]
    counts = [floor + int(s) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _accounts(regencies: list[Region], password: str, faker: Faker) -> dict[str, list[User]]:
    """The province admin and, per regency, an Admin Dinas, an officer and facilitators (one password hash for all:
    hashing it per account would take longer than the rest of the accounts)."""
    hashed = make_password(password)
    specs: list[tuple[str, str, str]] = [(PROVINCE_ADMIN, User.Role.ADMIN, PROVINCE)]
    for regency in regencies:
        slug = regency_slug(regency)
        specs += [(f"admin.{slug}", User.Role.ADMIN, regency.code), (f"dinas.{slug}", User.Role.OFFICER, regency.code)]
        specs += [
            (f"pendamping.{slug}.{n}", User.Role.FACILITATOR, regency.code)
            for n in range(1, FACILITATORS_PER_REGENCY + 1)
        ]
    User.objects.bulk_create(
        User(
            username=username,
            first_name=faker.first_name(),
            last_name=faker.last_name(),
            email=f"{username}@example.org",
            role=role,
            region_id=region,
            password=hashed,
            is_active=True,
        )
        for username, role, region in specs
    )
    users = User.objects.in_bulk([username for username, _r, _c in specs], field_name="username")
    made: dict[str, list[User]] = {PROVINCE: [users[PROVINCE_ADMIN]]}
    for username, _role, region in specs[1:]:
        made.setdefault(region, []).append(users[username])
    return made


def create_province_demo(
    *,
    seed: int,
    password: str,
    groups: int = GROUPS,
    persons: int = PERSONS,
    say: Callable[[str], None] = lambda _text: None,
) -> DemoProvince:
    """Build the province (once: nothing is done when its admin exists). `say` hears of the progress."""
    if User.objects.filter(username=PROVINCE_ADMIN).exists():
        return _counts()
    faker = Faker("id_ID")
    faker.seed_instance(seed)
    rng = random.Random(seed)
    today = timezone.localdate()
    regencies = list(Region.objects.filter(parent_id=PROVINCE).order_by("code"))
    villages = {
        r.code: list(Region.objects.within(r.code).villages().order_by("code").values_list("code", flat=True))
        for r in regencies
    }
    regencies = [r for r in regencies if villages[r.code]]
    # Notifications of the warnings would e-mail the accounts: keep those mails in memory.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        users = _accounts(regencies, password, faker)
        province_admin = users[PROVINCE][0]
        with acting_as(province_admin):
            return _build(regencies, villages, users, groups, persons, today, rng, faker, say)


def _build(
    regencies: list[Region],
    villages: dict[str, list[str]],
    users: dict[str, list[User]],
    groups: int,
    persons: int,
    today: dt.date,
    rng: random.Random,
    faker: Faker,
    say: Callable[[str], None],
) -> DemoProvince:
    province_admin = users[PROVINCE][0]
    counts = spread(groups, [len(villages[r.code]) for r in regencies])
    # The villages each regency's groups work in: a shuffled list, round which the groups go.
    chosen: dict[str, list[str]] = {}
    needed: dict[str, int] = {}
    for regency, count in zip(regencies, counts, strict=True):
        shuffled = villages[regency.code][:]
        rng.shuffle(shuffled)
        chosen[regency.code] = shuffled[: max(1, min(count, len(shuffled)))]
        for n in range(count):
            village = chosen[regency.code][n % len(chosen[regency.code])]
            needed[village] = needed.get(village, 0) + 10
    people = bulk.People(rng=rng, faker=faker, by=province_admin)
    heads = people.make(needed)  # the members' households first: ten heads for every group of a village
    everywhere = [code for r in regencies for code in villages[r.code]]
    people.fill(everywhere, persons - people.persons)
    say(f"registry: {people.households:,} households, {people.persons:,} persons")
    names = dict(Region.objects.filter(code__in=list(needed)).values_list("code", "name"))
    outlines = bulk.village_spots(list(needed))
    start = month_of(month_index(today) - 23)
    ids: list[int] = []
    facilitators: list[User] = []
    for regency, count in zip(regencies, counts, strict=True):
        staff = users[regency.code]
        admin, helpers = staff[0], staff[2:]
        facilitators += helpers
        area = bulk.Area(
            admin=admin,
            cycle=bulk.create_cycle(
                region_code=regency.code,
                name=f"KUBE {start.year} {regency.name}",
                by=admin,
                year=start.year,
                budget=count * 20_000_000 + 1_000_000_000,
            ),
            facilitators=helpers,
            trainings=bulk.create_trainings(
                region_code=regency.code, count=6, start=start, by=admin, place=f"Aula Dinas Sosial {regency.name}"
            ),
            villages=chosen[regency.code],
        )
        ids += bulk.build_groups(
            area,
            count=count,
            heads=heads,
            today=today,
            rng=rng,
            name=_namer(names, first=len(ids)),
            outlines=outlines,
        )
        say(f"{regency.name}: {count} groups")
    bulk.monthly_reports(facilitators, today=today, rng=rng, by=province_admin)
    months = [month_of(month_index(today) - n) for n in range(23, -1, -1)]
    snapshots = sum(
        snapshot_months(months, kube_ids=ids[at : at + CHUNK], by=province_admin, today=today)
        for at in range(0, len(ids), CHUNK)
    )
    say(f"levels: {snapshots:,} monthly snapshots")
    result = check_warnings(today=today, kube_ids=ids, by=province_admin)
    say(f"warnings: {result.raised:,} raised")
    return _counts()


def _namer(names: dict[str, str], *, first: int) -> Callable[[int, str], str]:
    """Group names numbered across the province: "KUBE Sejahtera Loa Janan Ilir 123"."""
    return lambda n, village: bulk.group_name(first + n, names[village])


def _counts() -> DemoProvince:
    accounts = list(
        User.objects.filter(username__in=[PROVINCE_ADMIN, *(f"admin.{s}" for s in _slugs())])
        .order_by("region_id")
        .values_list("username", "role", "region_id")
    )
    return DemoProvince(
        regencies=Region.objects.filter(parent_id=PROVINCE).count(),
        accounts=[(u, str(User.Role(r).label), c or "") for u, r, c in accounts],
        households=Household.objects.count(),
        persons=Person.objects.count(),
        groups=Kube.objects.count(),
        visits=Visit.objects.count(),
        cash_entries=CashEntry.objects.count(),
        snapshots=LevelSnapshot.objects.count(),
        warnings=EarlyWarning.objects.count(),
    )


def _slugs() -> list[str]:
    return [regency_slug(r) for r in Region.objects.filter(parent_id=PROVINCE)]
