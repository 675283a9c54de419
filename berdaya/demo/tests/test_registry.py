from __future__ import annotations

import datetime as dt

from faker import Faker

from berdaya.demo.registry import RECORDED_TWICE, create_demo_registry
from berdaya.lib.nik import check_nik
from berdaya.registry.models import AssistanceRecord, Household, Person


def make(seed: int) -> list[tuple[str, str]]:
    faker = Faker("id_ID")
    faker.seed_instance(seed)
    create_demo_registry(faker=faker, scale="small")
    return list(Person.objects.order_by("nik").values_list("nik", "name"))


def test_the_small_demo_has_about_300_persons_with_valid_niks(users):
    make(11)  # seeded: an unseeded Faker drew 315 persons once in CI

    persons = list(Person.objects.select_related("household"))
    assert 300 <= len(persons) < 315
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


def test_a_few_people_are_recorded_twice_with_two_nik_digits_swapped(users):
    create_demo_registry(faker=Faker("id_ID"), scale="small")

    for first, again, _, _ in RECORDED_TWICE:
        one, other = Person.objects.get(name=first), Person.objects.get(name=again)
        assert one.birth_date == other.birth_date and one.household_id != other.household_id
        assert one.nik != other.nik and sorted(one.nik) == sorted(other.nik)
