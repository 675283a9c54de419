"""The automatic checks: each rule of Permensos 2/2019 as the cycle sets it, stored as a flag with its reason."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from berdaya.registry.models import AssistanceRecord
from berdaya.registry.tests.factories import AssistanceRecordFactory, HouseholdFactory, PersonFactory
from berdaya.targeting import services
from berdaya.targeting.models import Flag
from berdaya.targeting.tests.conftest import TODAY
from berdaya.targeting.tests.factories import NominationListFactory

pytestmark = pytest.mark.django_db


def codes(nominee):
    return {(f.code, f.severity) for f in Flag.objects.filter(nominee=nominee)}


def pick(village_list, person, user):
    return services.nominate_person(nomination_list=village_list, person=person, reason="no_income", by=user)


def test_a_clean_registered_nominee_has_no_flags(village_list, users):
    nominee = pick(village_list, PersonFactory(household__village=village_list.village), users["desa_a"])

    assert codes(nominee) == set()


def test_someone_missing_from_the_register_is_flagged(village_list, users):
    nominee = services.nominate_new(
        nomination_list=village_list,
        nik="6401041203850099",
        name="Orang Baru",
        kk_number="6401040101150099",
        birth_date=dt.date(1985, 3, 12),
        sex="L",
        address="",
        reason="no_income",
        by=users["desa_a"],
    )

    assert codes(nominee) == {("not_in_register", "hard")}


def test_a_decile_above_the_cut_off_blocks(village_list, users):
    person = PersonFactory(household__village=village_list.village, household__decile=6)

    nominee = pick(village_list, person, users["desa_a"])

    assert Flag.objects.get(nominee=nominee).text == "Welfare decile 6 is above the cut-off of 4."


def test_the_age_range_is_the_cycles(village_list, users):
    person = PersonFactory(household__village=village_list.village, birth_date=dt.date(1960, 1, 1))

    nominee = pick(village_list, person, users["desa_a"])

    assert codes(nominee) == {("age", "hard")}


def test_two_nominees_from_one_kk_are_both_flagged(village_list, users):
    household = HouseholdFactory(village=village_list.village)
    first = pick(village_list, PersonFactory(household=household), users["desa_a"])

    second = pick(village_list, PersonFactory(household=household), users["desa_a"])

    assert ("same_kk", "hard") in codes(first)
    assert ("same_kk", "hard") in codes(second)


def test_a_household_with_a_kube_member_already_is_flagged(village_list, users):
    household = HouseholdFactory(village=village_list.village)
    AssistanceRecordFactory(
        person=PersonFactory(household=household, name="Bapak Lama", birth_date=dt.date(1950, 1, 1)),
        programme=AssistanceRecord.Programme.KUBE,
        year=2019,
    )

    nominee = pick(village_list, PersonFactory(household=household, name="Anak Muda"), users["desa_a"])

    assert ("same_kk", "hard") in codes(nominee)


def test_a_prior_kube_recipient_with_a_misspelt_name_and_transposed_nik_is_found(village_list, users):
    prior = PersonFactory(
        household__village=village_list.village,
        name="Muhammad Soekarno",
        nik="6401041203850012",
        birth_date=dt.date(1985, 3, 12),
    )
    AssistanceRecordFactory(person=prior, programme=AssistanceRecord.Programme.KUBE, year=2019)

    nominee = services.nominate_new(
        nomination_list=village_list,
        nik="6401041203850021",
        name="Moh. Sukarno",
        kk_number="6401040101150777",
        birth_date=dt.date(1985, 3, 12),
        sex="L",
        address="",
        reason="no_income",
        by=users["desa_a"],
    )

    flag = Flag.objects.get(nominee=nominee, code="prior_kube")
    assert flag.is_hard
    assert "NIK differs by one transposition" in flag.text
    assert "Muhammad Soekarno" in flag.text


def test_a_prior_aid_flag_reads_in_the_readers_language(village_list, users):
    person = PersonFactory(household__village=village_list.village)
    AssistanceRecordFactory(person=person, programme=AssistanceRecord.Programme.OTHER, year=2022)
    nominee = pick(village_list, person, users["desa_a"])

    flag = Flag.objects.get(nominee=nominee, code="other_aid")

    with translation.override("id"):
        assert flag.text.startswith("Menerima Lainnya pada 2022 atas nama")
        assert "NIK sama" in flag.text
    with translation.override("en"):
        assert flag.text.startswith("Received Other in 2022 as")


def test_other_aid_is_for_review_only(village_list, users):
    person = PersonFactory(household__village=village_list.village)
    AssistanceRecordFactory(person=person, programme=AssistanceRecord.Programme.PKH, year=2024)

    nominee = pick(village_list, person, users["desa_a"])

    assert codes(nominee) == {("other_aid", "soft")}


def test_someone_registered_in_another_kecamatan_is_flagged(village_list, users, regions):
    elsewhere = PersonFactory(household__village=regions["village_c"])

    nominee = services.nominate_new(
        nomination_list=village_list,
        nik=elsewhere.nik,
        name=elsewhere.name,
        kk_number=elsewhere.household.kk_number,
        birth_date=elsewhere.birth_date,
        sex="L",
        address="",
        reason="no_income",
        by=users["desa_a"],
    )

    assert ("outside", "hard") in codes(nominee)


def test_a_person_nominated_by_two_villages_is_flagged_on_both_lists(village_list, users, regions, cycle):
    person = PersonFactory(household__village=village_list.village)
    first = pick(village_list, person, users["desa_a"])
    other_list = NominationListFactory(cycle=cycle, village=regions["village_b"], created_by=users["desa_b"])

    second = services.nominate_new(
        nomination_list=other_list,
        nik=person.nik,
        name=person.name,
        kk_number=person.household.kk_number,
        birth_date=person.birth_date,
        sex="L",
        address="",
        reason="no_income",
        by=users["desa_b"],
    )

    assert ("duplicate", "hard") in codes(first)
    assert ("duplicate", "hard") in codes(second)


def test_removing_a_duplicate_clears_the_other_villages_flag(village_list, users, regions, cycle):
    person = PersonFactory(household__village=village_list.village)
    first = pick(village_list, person, users["desa_a"])
    other_list = NominationListFactory(cycle=cycle, village=regions["village_b"], created_by=users["desa_b"])
    second = services.nominate_new(
        nomination_list=other_list,
        nik=person.nik,
        name=person.name,
        kk_number="6401040101150555",
        birth_date=person.birth_date,
        sex="L",
        address="",
        reason="no_income",
        by=users["desa_b"],
    )

    services.remove_nominee(nominee=second, by=users["desa_b"])

    assert ("duplicate", "hard") not in codes(first)


def test_a_nik_that_disagrees_with_the_birth_date_is_only_a_warning(village_list, users):
    person = PersonFactory(household__village=village_list.village, birth_date=dt.date(1985, 3, 12))

    nominee = services.nominate_new(
        nomination_list=village_list,
        nik=person.nik,
        name=person.name,
        kk_number=person.household.kk_number,
        birth_date=dt.date(1985, 3, 13),
        sex="L",
        address="",
        reason="no_income",
        by=users["desa_a"],
    )

    assert codes(nominee) == {("nik", "soft")}


@pytest.mark.xdist_group("screening-cluster")
def test_with_a_screening_cluster_set_a_prior_recipient_is_found_there(village_list, users, settings):
    settings.BERDAYA_SCREENING_CLUSTER = "local:1"
    settings.BERDAYA_SCREENING_CLUSTER_MIN_RECORDS = 0  # every run, however small
    # The cluster's scheduler and worker keep time (heartbeats, timeouts): the clock must run, from the same day.
    with time_machine.travel(TODAY, tick=True):
        nominee = nominate_a_prior_recipient(village_list, users)

    flag = Flag.objects.get(nominee=nominee, code="prior_kube")
    assert "same NIK" in flag.text


def nominate_a_prior_recipient(village_list, users):
    prior = PersonFactory(
        household__village=village_list.village,
        name="Siti Aminah",
        nik="6401044101900001",
        birth_date=dt.date(1990, 1, 1),
    )
    AssistanceRecordFactory(person=prior, programme=AssistanceRecord.Programme.KUBE, year=2020)

    return services.nominate_new(
        nomination_list=village_list,
        nik="6401044101900001",
        name="St. Aminah",
        kk_number="6401040101150778",
        birth_date=dt.date(1990, 1, 1),
        sex="P",
        address="",
        reason="no_income",
        by=users["desa_a"],
    )
