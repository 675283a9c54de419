"""The demo cycle shows every state of the workflow and a flagged prior recipient."""

from __future__ import annotations

import random

import pytest
from faker import Faker

from berdaya.demo.targeting import create_demo_targeting, misspell, transpose
from berdaya.regions.tests.factories import RegionFactory
from berdaya.registry.models import AssistanceRecord
from berdaya.registry.tests.factories import AssistanceRecordFactory, PersonFactory
from berdaya.targeting.models import Flag, Nominee

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(users, regions):
    PersonFactory.create_batch(14, household__village=regions["village_a"])
    PersonFactory.create_batch(3, household__village=regions["village_b"])
    PersonFactory.create_batch(3, household__village=RegionFactory(code="64.01.04.2006"))
    prior = PersonFactory(household__village=regions["village_a"], name="Muhammad Yusuf")
    AssistanceRecordFactory(person=prior, programme=AssistanceRecord.Programme.KUBE, year=2020)


def test_the_demo_cycle_has_nominees_in_every_state(registry):
    create_demo_targeting(faker=Faker("id_ID"), scale="small")

    assert set(Nominee.objects.values_list("status", flat=True)) == set(Nominee.Status.values)


def test_the_demo_prior_recipient_is_flagged_under_a_misspelt_name(registry):
    create_demo_targeting(faker=Faker("id_ID"), scale="small")

    flagged = Flag.objects.get(code="prior_kube").nominee
    assert flagged.name != "Muhammad Yusuf"
    assert flagged.status == Nominee.Status.REJECTED


def test_a_second_demo_run_changes_nothing(registry):
    create_demo_targeting(faker=Faker("id_ID"), scale="small")

    create_demo_targeting(faker=Faker("id_ID"), scale="small")

    assert Nominee.objects.filter(cycle__name__endswith="Tahap I").values("cycle").distinct().count() == 1


def test_a_transposed_nik_differs_in_two_neighbouring_digits():
    assert transpose("6401041203850012") == "6401041203850102"


def test_a_misspelt_name_is_still_recognisable():
    assert misspell("Yusuf", random.Random(1)) != "Yusuf"
