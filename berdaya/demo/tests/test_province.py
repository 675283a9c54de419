"""The province demo at a tiny size: `berdaya demo --scale province --groups 20 --persons 3000` on Kalimantan Timur's
ten regencies and cities (one kecamatan and two villages each here), on top of the small Paser demo."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from faker import Faker

from berdaya.accounts.models import User
from berdaya.demo import bulk
from berdaya.demo.province import PROVINCE_ADMIN, regency_slug, spread
from berdaya.groups.models import Kube
from berdaya.lib.nik import check_kk, check_nik
from berdaya.mentoring.models import Visit
from berdaya.monitoring.models import LevelSnapshot
from berdaya.regions.models import Boundary, Region
from berdaya.regions.tests.factories import RegionFactory
from berdaya.registry.models import Household, Person
from berdaya.reports import figures
from berdaya.reports.figures import Period

from .conftest import TODAY

pytestmark = pytest.mark.django_db

REGENCIES = [
    ("64.01", "Kabupaten Paser"),
    ("64.02", "Kabupaten Kutai Kartanegara"),
    ("64.03", "Kabupaten Berau"),
    ("64.07", "Kabupaten Kutai Barat"),
    ("64.08", "Kabupaten Kutai Timur"),
    ("64.09", "Kabupaten Penajam Paser Utara"),
    ("64.11", "Kabupaten Mahakam Ulu"),
    ("64.71", "Kota Balikpapan"),
    ("64.72", "Kota Samarinda"),
    ("64.74", "Kota Bontang"),
]
GROUPS, PERSONS = 20, 3000
# A square outline for one village of each regency: the groups' visits must fall inside it.
SQUARE = [[[116.0, -1.0], [116.1, -1.0], [116.1, -0.9], [116.0, -0.9], [116.0, -1.0]]]


@pytest.fixture(scope="module")
def output(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[str]:
    """The command run once for this module's tests (each reads what it built), rolled back after them."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"), LANGUAGE_CODE="en")
    with django_db_blocker.unblock(), media, time_machine.travel(TODAY, tick=False), transaction.atomic():
        RegionFactory(code="64", name="Kalimantan Timur")
        for code, name in REGENCIES:
            RegionFactory(code=code, name=name)
            kecamatan = "64.01.04" if code == "64.01" else f"{code}.01"
            RegionFactory(code=kecamatan, name=f"Kecamatan {name}")
            for n in (2004, 2005):
                village = RegionFactory(code=f"{kecamatan}.{n}", name=f"Desa {n} {name}")
                if n == 2004:
                    Boundary.objects.create(
                        region=village,
                        rings=json.dumps(SQUARE),
                        min_lon=116.0,
                        min_lat=-1.0,
                        max_lon=116.1,
                        max_lat=-0.9,
                    )
        Boundary.objects.create(region_id="64.01", rings="[]", min_lon=0, min_lat=0, max_lon=0, max_lat=0)
        out = io.StringIO()
        call_command(
            "demo", "--scale", "province", "--groups", str(GROUPS), "--persons", str(PERSONS), "--seed", "5", stdout=out
        )
        yield out.getvalue()
        transaction.set_rollback(True)


def province_groups() -> Any:
    return Kube.objects.filter(created_by__username__startswith="admin.")  # not the small Paser demo's six


def kubes_shown(user: User, code: str) -> int:
    day = TODAY.date()
    data = figures.breakdown(user=user, root=Region.objects.get(code=code), as_of=day, period=Period.year_to(day))
    return int(data.total.values["kubes"] or 0)


def test_every_regency_has_its_admin_officer_and_facilitators(output: str) -> None:
    for code, name in REGENCIES:
        slug = regency_slug(Region.objects.get(code=code))
        assert User.objects.get(username=f"admin.{slug}").role == User.Role.ADMIN
        assert User.objects.get(username=f"admin.{slug}").region_id == code
        assert User.objects.get(username=f"dinas.{slug}").role == User.Role.OFFICER
        assert User.objects.filter(username__startswith=f"pendamping.{slug}.", region_id=code).count() == 4
        assert f"admin.{slug}" in output, name
    assert User.objects.get(username=PROVINCE_ADMIN).region_id == "64"


def test_every_regency_has_groups_and_the_count_is_as_asked(output: str) -> None:
    groups = province_groups()
    assert groups.count() == GROUPS
    for code, _name in REGENCIES:
        assert groups.filter(village__code__startswith=f"{code}.").exists(), code


def test_the_registry_holds_the_persons_asked_with_valid_numbers(output: str) -> None:
    assert Person.objects.count() >= PERSONS
    today = TODAY.date()
    for person in Person.objects.select_related("household").order_by("?")[:200]:
        nik = check_nik(person.nik, today=today, birth_date=person.birth_date, sex=person.sex)
        assert not nik.errors and not nik.warnings, (person.nik, nik.errors, nik.warnings)
        assert person.nik[:6] == person.household.village_id[:8].replace(".", "")
        assert not check_kk(person.household.kk_number).errors


def test_the_groups_have_two_years_of_records(output: str) -> None:
    kube = province_groups().order_by("pk").first()
    assert kube is not None
    assert kube.memberships.count() == 10
    assert kube.cash_entries.count() > 1000
    assert kube.aid_stages.count() == 2
    assert LevelSnapshot.objects.filter(kube=kube).count() >= 18
    assert kube.visits.exists() and kube.meetings.exists()


def test_visits_in_a_village_with_an_outline_are_inside_it(output: str) -> None:
    visits = Visit.objects.filter(kube__village__code__endswith=".2004", kube__in=province_groups())
    assert visits.exists()
    for visit in visits:
        assert visit.longitude is not None and visit.latitude is not None
        assert 116.0 < float(visit.longitude) < 116.1 and -1.0 < float(visit.latitude) < -0.9


def regency_admin(code: str) -> User:
    return User.objects.get(username=f"admin.{regency_slug(Region.objects.get(code=code))}")


def test_the_province_admin_sees_the_sum_of_the_regencies(output: str) -> None:
    admin = User.objects.get(username=PROVINCE_ADMIN)
    per_regency = [Kube.objects.visible_to(regency_admin(code)).count() for code, _n in REGENCIES]
    assert Kube.objects.visible_to(admin).count() == sum(per_regency) == Kube.objects.count()
    shown = [kubes_shown(regency_admin(code), code) for code, _n in REGENCIES]
    assert kubes_shown(admin, "64") == sum(shown) >= GROUPS


def test_a_regency_admin_sees_only_its_regency(output: str) -> None:
    for code, _name in REGENCIES[1:4]:
        admin = regency_admin(code)
        own = Kube.objects.filter(village__code__startswith=f"{code}.")
        assert set(Kube.objects.visible_to(admin)) == set(own)
        assert kubes_shown(admin, code) == own.count()


def test_the_paser_demo_accounts_are_kept_and_printed(output: str) -> None:
    for username in ["admin", "dinas", "camat.tanahgrogot", "desa.tanahperiuk", "pendamping1", "pemantau"]:
        assert User.objects.filter(username=username).exists()
        assert f"  {username} " in output


def test_groups_are_spread_in_proportion_with_at_least_one_each() -> None:
    assert spread(603, [1, 2, 3]) == [101, 201, 301]  # one each, then 600 in proportion
    assert spread(5, [1, 1000, 1]) == [1, 3, 1]
    assert sum(spread(601, [7, 11, 13])) == 601


def test_the_same_seed_gives_the_same_registry(db: Any) -> None:
    village = "64.02.09.2001"  # a kecamatan of its own: no NIK of another test's registry can clash
    RegionFactory(code=village)
    by = User.objects.create(username="builder", role=User.Role.ADMIN, region_id="64")

    def build() -> list[tuple[str, str, str]]:
        faker = Faker("id_ID")
        faker.seed_instance(9)
        people = bulk.People(rng=random.Random(9), faker=faker, by=by)
        heads = people.make({village: 5})
        assert len(heads[village]) == 5
        persons = Person.objects.filter(household__village_id=village)
        rows = list(persons.order_by("nik").values_list("nik", "name", "household__kk_number"))
        persons.delete()
        Household.objects.filter(village_id=village).delete()
        return rows

    first = build()
    assert first and first == build()
