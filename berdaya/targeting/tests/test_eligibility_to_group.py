"""Eligibility that holds to the group: the checks see the household's KUBE memberships, a person typed in becomes a
registry person, and nobody is approved or decreed who could not join a group."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.registry.models import Household, Person
from berdaya.registry.tests.factories import HouseholdFactory, PersonFactory
from berdaya.targeting import services
from berdaya.targeting.models import Flag, Nominee
from berdaya.targeting.services import CycleError, NominationError, TransitionError
from berdaya.targeting.tests.conftest import minutes_pdf

pytestmark = pytest.mark.django_db

CHECKED = dict.fromkeys(
    ["lives_at_address", "head_or_earner", "has_ktp_kk", "not_civil_servant", "truly_poor", "willing"], True
)
NEW_NIK = "6401045203850099"  # a woman born 12 March 1985 in Tanah Grogot
NEW_KK = "6401040101150099"


def codes(nominee):
    return {(f.code, f.severity) for f in Flag.objects.filter(nominee=nominee)}


def pick(village_list, person, user):
    return services.nominate_person(nomination_list=village_list, person=person, reason="no_income", by=user)


def type_in(village_list, user, *, nik=NEW_NIK, kk_number=NEW_KK, name="Siti Aminah"):
    return services.nominate_new(
        nomination_list=village_list,
        nik=nik,
        name=name,
        kk_number=kk_number,
        birth_date=dt.date(1985, 3, 12),
        sex="P",
        address="Jl. Kenanga 4",
        reason="widow",
        by=user,
    )


def membership(person, *, joined_on=dt.date(2025, 7, 1), left_on=None):
    """`person` in a KUBE of an earlier cycle (the groups factories build it)."""
    kube = KubeFactory(name="KUBE Mawar", village=person.household.village)
    return MembershipFactory(kube=kube, nominee__person=person, joined_on=joined_on, left_on=left_on)


def approve(village_list, users, nominees):
    services.attach_minutes(
        nomination_list=village_list, file=minutes_pdf(), meeting_date=dt.date(2027, 2, 20), by=users["desa_a"]
    )
    for nominee in Nominee.objects.filter(pk__in=[n.pk for n in nominees], flags__severity="hard").distinct():
        services.override_flags(nominee=nominee, justification="Musyawarah desa menilai layak.", by=users["desa_a"])
    services.submit_list(nomination_list=village_list, by=users["desa_a"])
    services.endorse_list(nomination_list=village_list, by=users["camat"])
    for nominee in nominees:
        services.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=CHECKED, by=users["officer"])
    return [Nominee.objects.get(pk=n.pk) for n in nominees]


# The checks see the household's memberships ------------------------------------------------------------------------


def test_a_wife_whose_husband_is_in_a_kube_is_flagged_same_kk(village_list, users):
    household = HouseholdFactory(village=village_list.village)
    membership(PersonFactory(household=household, name="Pak Darto"))

    nominee = pick(village_list, PersonFactory(household=household, sex="P"), users["desa_a"])

    flag = Flag.objects.get(nominee=nominee, code="same_kk")
    assert flag.is_hard
    assert (
        flag.text == f"Pak Darto from the same KK {household.kk_number} has been a KUBE member (KUBE Mawar) since 2025."
    )


def test_a_household_whose_member_left_a_kube_is_still_flagged(village_list, users):
    household = HouseholdFactory(village=village_list.village)
    membership(PersonFactory(household=household), left_on=dt.date(2026, 6, 30))

    nominee = pick(village_list, PersonFactory(household=household), users["desa_a"])

    assert "from 2025 to 2026" in Flag.objects.get(nominee=nominee, code="same_kk").text


def test_a_former_kube_member_is_flagged_prior_kube(village_list, users):
    person = PersonFactory(household__village=village_list.village)
    membership(person, left_on=dt.date(2026, 6, 30))

    nominee = pick(village_list, person, users["desa_a"])

    assert codes(nominee) == {("prior_kube", "hard")}


def test_a_membership_is_found_when_the_village_types_the_kk_in(village_list, users):
    husband = PersonFactory(household__village=village_list.village)
    membership(husband)

    nominee = type_in(village_list, users["desa_a"], kk_number=husband.household.kk_number)

    assert ("same_kk", "hard") in codes(nominee)


# A person typed in becomes a registry person ----------------------------------------------------------------------


def test_a_person_typed_in_becomes_a_registry_person_of_the_village(village_list, users):
    nominee = type_in(village_list, users["desa_a"])

    person = Person.objects.get(nik=NEW_NIK)
    assert nominee.person == person
    assert (person.name, person.sex, person.household.kk_number) == ("Siti Aminah", "P", NEW_KK)
    assert person.household.village == village_list.village


def test_a_person_typed_in_is_still_flagged_as_not_in_the_register(village_list, users):
    nominee = type_in(village_list, users["desa_a"])

    assert codes(nominee) == {("not_in_register", "hard")}


def test_a_person_typed_in_joins_the_registered_household_of_the_kk(village_list, users):
    household = HouseholdFactory(village=village_list.village)

    nominee = type_in(village_list, users["desa_a"], kk_number=household.kk_number)

    assert nominee.person.household == household
    assert Household.objects.count() == 1


def test_a_registered_nik_typed_in_links_the_registered_person(village_list, users):
    person = PersonFactory(household__village=village_list.village)

    nominee = type_in(village_list, users["desa_a"], nik=person.nik, kk_number=person.household.kk_number)

    assert nominee.person == person
    assert Person.objects.count() == 1


def test_a_refused_nomination_leaves_no_registry_person(village_list, users, today):
    today.move_to(dt.datetime(2027, 4, 1, 10, 0, tzinfo=ZoneInfo("Asia/Makassar")))

    with pytest.raises(NominationError, match="deadline"):
        type_in(village_list, users["desa_a"])

    assert not Person.objects.filter(nik=NEW_NIK).exists()
    assert not Household.objects.filter(kk_number=NEW_KK).exists()


# Nobody is approved or decreed who could not join a group ---------------------------------------------------------


def test_approval_is_refused_while_the_household_has_a_kube_member(village_list, users):
    household = HouseholdFactory(village=village_list.village)
    membership(PersonFactory(household=household, name="Pak Darto"))
    nominee = approve(village_list, users, [pick(village_list, PersonFactory(household=household), users["desa_a"])])[0]

    with pytest.raises(
        TransitionError, match=r"Pak Darto of the same household is already a KUBE member \(KUBE Mawar\)"
    ):
        services.approve_nominee(nominee=nominee, by=users["officer"])

    assert Nominee.objects.get(pk=nominee.pk).status == Nominee.Status.VERIFIED


def test_approval_is_refused_for_a_second_nominee_of_one_household(village_list, users):
    household = HouseholdFactory(village=village_list.village)
    first, second = approve(
        village_list,
        users,
        [pick(village_list, PersonFactory(household=household), users["desa_a"]) for _ in range(2)],
    )
    services.approve_nominee(nominee=first, by=users["officer"])

    with pytest.raises(TransitionError, match="only one member per household"):
        services.approve_nominee(nominee=second, by=users["officer"])


def test_a_nominee_typed_in_before_nominations_linked_them_is_linked_on_approval(village_list, users):
    nominee = approve(village_list, users, [type_in(village_list, users["desa_a"])])[0]
    Nominee.objects.filter(pk=nominee.pk).update(person=None)
    Person.objects.filter(nik=NEW_NIK).delete()

    services.approve_nominee(nominee=Nominee.objects.get(pk=nominee.pk), by=users["officer"])

    assert Nominee.objects.get(pk=nominee.pk).person == Person.objects.get(nik=NEW_NIK)


def test_the_decree_is_refused_while_an_approved_nominee_could_not_join_a_group(village_list, users, cycle):
    household = HouseholdFactory(village=village_list.village)
    nominee = approve(village_list, users, [pick(village_list, PersonFactory(household=household), users["desa_a"])])[0]
    services.approve_nominee(nominee=nominee, by=users["officer"])
    membership(PersonFactory(household=household, name="Pak Darto"))  # he joined a group after her approval

    with pytest.raises(CycleError, match=re.escape(f"{nominee.name}: Pak Darto of the same household")):
        services.issue_decree(cycle=cycle, by=users["officer"])

    cycle.refresh_from_db()
    assert (cycle.status, cycle.sk_number) == ("open", "")
