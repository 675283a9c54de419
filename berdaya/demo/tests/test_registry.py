from __future__ import annotations

import datetime as dt

from faker import Faker

from berdaya.demo.registry import create_demo_registry
from berdaya.lib.nik import check_nik
from berdaya.registry.models import AssistanceRecord, Household, Person


def make(seed: int) -> list[tuple[str, str]]:
    faker = Faker("id_ID")
    faker.seed_instance(seed)
    create_demo_registry(faker=faker, scale="small")
    return list(Person.objects.order_by("nik").values_list("nik", "name"))


def test_the_small_demo_has_about_300_persons_with_valid_niks(users):
    create_demo_registry(faker=Faker("id_ID"), scale="small")

    persons = list(Person.objects.select_related("household"))
    assert 300 <= len(persons) < 310
    assert all(
        check_nik(p.nik, today=dt.date(2026, 1, 1), birth_date=p.birth_date, sex=p.sex).codes == () for p in persons
    )
    assert all(p.nik[:6] == p.household.village_id[:8].replace(".", "") for p in persons)


def test_the_demo_is_the_same_for_the_same_seed(users):
    first = make(7)
    AssistanceRecord.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()

    assert make(7) == first
