"""The database itself refuses a NIK or KK number that is not sixteen digits, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from berdaya.registry.models import Household, Person

from .factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("nik", ["640104120590000", "64010412059000012", "64010412059o0001", "6401041205900 01", ""])
def test_a_person_whose_nik_is_not_sixteen_digits_is_not_stored(regions, nik):
    household = HouseholdFactory()

    # PostgreSQL refuses a 17th character by the column's length (DataError) before the check constraint.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        PersonFactory(household=household, nik=nik)

    assert not Person.objects.exists()


@pytest.mark.parametrize("kk_number", ["640104150100001", "64010415010000a1", "６４０１０４１５０１０００００１"])
def test_a_household_whose_kk_number_is_not_sixteen_ascii_digits_is_not_stored(regions, kk_number):
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(kk_number=kk_number)

    assert not Household.objects.exists()


def test_a_sixteen_digit_nik_is_stored(regions):
    person = PersonFactory()

    assert Person.objects.get(pk=person.pk).nik.isdigit()


def test_model_validation_reports_the_constraint_in_a_form(regions):
    household = HouseholdFactory.build(kk_number="12345")

    with pytest.raises(ValidationError) as error:
        household.validate_constraints()

    assert "registry_household_kk_16_digits" in str(error.value)


def test_a_second_person_with_the_same_nik_is_not_stored(regions):
    first = PersonFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(household=first.household, nik=first.nik)

    assert Person.objects.count() == 1


def test_a_second_household_with_the_same_kk_number_is_not_stored(regions):
    first = HouseholdFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(kk_number=first.kk_number)

    assert Household.objects.count() == 1


def test_a_duplicate_nik_is_reported_on_the_nik_field(regions):
    first = PersonFactory()
    second = PersonFactory.build(household=first.household, nik=first.nik)

    with pytest.raises(ValidationError) as raised:
        second.full_clean()

    assert "nik" in raised.value.message_dict
