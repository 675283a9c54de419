from __future__ import annotations

import datetime as dt

import factory

from berdaya.regions.tests.factories import RegionFactory
from berdaya.registry.models import AssistanceRecord, Household, Person
from berdaya.registry.synthetic import build_kk, build_nik


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household in a village (default Tanah Periuk); its KK number is valid for the village's kecamatan."""

    class Meta:
        model = Household

    village = factory.SubFactory(RegionFactory, code="64.01.04.2004")
    kk_number = factory.LazyAttributeSequence(
        lambda h, n: build_kk(kecamatan=h.village.code[:8], issued_on=dt.date(2015, 1, 1) + dt.timedelta(n), serial=n)
    )
    address = factory.Faker("street_address", locale="id_ID")
    decile = 2
    register_id = factory.Sequence(lambda n: f"DTSEN-{n:08d}")


class PersonFactory(factory.django.DjangoModelFactory):
    """A person with a NIK valid for their household's kecamatan and consistent with birth date and sex."""

    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Faker("name", locale="id_ID")
    sex = Person.Sex.MALE
    birth_place = "Tanah Grogot"
    birth_date = factory.Sequence(lambda n: dt.date(1970, 1, 1) + dt.timedelta(days=n * 37 % 12000))
    nik = factory.LazyAttributeSequence(
        lambda p, n: build_nik(kecamatan=p.household.village_id[:8], birth_date=p.birth_date, sex=p.sex, serial=n + 1)
    )
    relation = Person.Relation.HEAD
    marital_status = Person.MaritalStatus.MARRIED
    education = "SD"
    occupation = "Petani"


class AssistanceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssistanceRecord

    person = factory.SubFactory(PersonFactory)
    household = factory.SelfAttribute("person.household")
    programme = AssistanceRecord.Programme.PKH
    year = 2024
    source = "APBN"
    amount = 3_000_000
