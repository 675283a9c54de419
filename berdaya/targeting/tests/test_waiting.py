"""What waits in targeting: each kind counted for the user whose step it is, inside the user's scope only.

The package's conftest puts every test on 1 March 2027, inside the factories' nomination window (until 31 March).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from berdaya.regions.tests.factories import RegionFactory
from berdaya.targeting.models import Cycle, NominationList, Nominee, Transition
from berdaya.targeting.selectors import waiting_for
from berdaya.targeting.tests.factories import (
    CallRelayFactory,
    CycleFactory,
    NominationListFactory,
    NomineeFactory,
    QuotaFactory,
)


def kinds(user) -> dict[str, object]:
    return {item.kind: item for item in waiting_for(user)}


# Village operator ---------------------------------------------------------------------------------------------------


def test_a_relayed_call_without_the_village_list_waits_for_the_village(cycle, users):
    item = kinds(users["desa_a"])["targeting.start"]

    assert (item.count, item.url, item.due) == (
        1,
        reverse("targeting:cycle-detail", args=[cycle.pk]),
        dt.date(2027, 3, 31),
    )
    assert not item.urgent


def test_a_call_not_relayed_to_the_village_kecamatan_waits_for_no_village(cycle, users):
    # Kuaro (kec_c) has a quota but has not relayed the call: its village has nothing to do yet.
    assert waiting_for(users["desa_c"]) == []


def test_a_draft_list_waits_to_be_submitted_by_its_own_village_only(village_list, users):
    item = kinds(users["desa_a"])["targeting.submit"]

    assert (item.count, item.url) == (1, reverse("targeting:list-detail", args=[village_list.pk]))
    assert "targeting.start" not in kinds(users["desa_a"])
    # Tapis (same kecamatan) still has its own list to start, and does not see Tanah Periuk's draft.
    assert set(kinds(users["desa_b"])) == {"targeting.start"}


def test_a_list_returned_by_the_kecamatan_is_urgent_for_the_village(village_list, users):
    Transition.objects.create(
        nomination_list=village_list,
        from_status="submitted",
        to_status="draft",
        action=Transition.Action.RETURN,
        reason="Lengkapi berita acara",
        by=users["camat"],
    )

    item = kinds(users["desa_a"])["targeting.returned"]

    assert (item.count, item.urgent) == (1, True)
    assert "targeting.submit" not in kinds(users["desa_a"])


def test_a_submitted_list_no_longer_waits_for_the_village(village_list, users):
    NominationList.objects.filter(pk=village_list.pk).update(status=NominationList.Status.SUBMITTED)

    assert waiting_for(users["desa_a"]) == []


def test_a_deadline_within_three_days_is_urgent_and_a_closed_one_drops_the_work(cycle, users):
    Cycle.objects.filter(pk=cycle.pk).update(nomination_deadline=dt.date(2027, 3, 3))
    assert kinds(users["desa_a"])["targeting.start"].urgent

    Cycle.objects.filter(pk=cycle.pk).update(nomination_deadline=dt.date(2027, 2, 28))
    assert waiting_for(users["desa_a"]) == []


# Kecamatan operator -------------------------------------------------------------------------------------------------


def test_a_call_not_yet_relayed_waits_for_its_kecamatan_only(cycle, users):
    item = kinds(users["camat_c"])["targeting.relay"]

    assert (item.count, item.url) == (1, reverse("targeting:cycle-detail", args=[cycle.pk]))
    # Tanah Grogot has relayed it already.
    assert "targeting.relay" not in kinds(users["camat"])


def test_relaying_is_not_counted_as_the_dinas_work(cycle, users):
    assert "targeting.relay" not in kinds(users["officer"])


def test_a_submitted_list_waits_for_the_kecamatan_it_belongs_to(village_list, users):
    NominationList.objects.filter(pk=village_list.pk).update(status=NominationList.Status.SUBMITTED)

    item = kinds(users["camat"])["targeting.endorse"]

    assert (item.count, item.url) == (1, reverse("targeting:list-detail", args=[village_list.pk]))
    assert "targeting.endorse" not in kinds(users["camat_c"])


def test_several_lists_to_endorse_lead_to_their_cycle(cycle, users, regions):
    for village in ("village_a", "village_b"):
        NominationListFactory(cycle=cycle, village=regions[village], status=NominationList.Status.SUBMITTED)

    item = kinds(users["camat"])["targeting.endorse"]

    assert (item.count, item.url) == (2, reverse("targeting:cycle-detail", args=[cycle.pk]))


# Dinas --------------------------------------------------------------------------------------------------------------


def other_regency_nominee(status: str) -> Nominee:
    """A nominee of a cycle of another regency: outside Paser's Dinas scope."""
    other = CycleFactory(region=RegionFactory(code="64.02"), status=Cycle.Status.OPEN)
    QuotaFactory(cycle=other, kecamatan=RegionFactory(code="64.02.01"))
    CallRelayFactory(cycle=other, kecamatan=RegionFactory(code="64.02.01"))
    listed = NominationListFactory(cycle=other, village=RegionFactory(code="64.02.01.2001"))
    return NomineeFactory(nomination_list=listed, status=status)


def test_endorsed_nominees_wait_for_verval_in_the_dinas_scope_only(village_list, users):
    NomineeFactory(nomination_list=village_list, status=Nominee.Status.ENDORSED)
    NomineeFactory(nomination_list=village_list, status=Nominee.Status.ENDORSED)
    other_regency_nominee(Nominee.Status.ENDORSED)

    item = kinds(users["officer"])["targeting.verify"]

    assert (item.count, item.url, item.due) == (
        2,
        reverse("targeting:cycle-detail", args=[village_list.cycle_id]),
        dt.date(2027, 5, 15),
    )


def test_one_verified_nominee_leads_to_its_own_page(village_list, users):
    nominee = NomineeFactory(nomination_list=village_list, status=Nominee.Status.VERIFIED)
    other_regency_nominee(Nominee.Status.VERIFIED)

    item = kinds(users["admin"])["targeting.decide"]

    assert (item.count, item.url) == (1, reverse("targeting:nominee-detail", args=[nominee.pk]))


def test_nominee_steps_wait_only_for_those_who_may_take_them(village_list, users):
    NomineeFactory(nomination_list=village_list, status=Nominee.Status.ENDORSED)
    NomineeFactory(nomination_list=village_list, status=Nominee.Status.VERIFIED)

    assert not {"targeting.verify", "targeting.decide"} & set(kinds(users["camat"]))
    assert waiting_for(users["monitor"]) == []


def test_a_cycle_whose_nominees_are_all_decided_waits_for_its_decree(village_list, users):
    NomineeFactory(nomination_list=village_list, status=Nominee.Status.APPROVED)
    NomineeFactory(nomination_list=village_list, status=Nominee.Status.REJECTED)

    item = kinds(users["officer"])["targeting.decree"]

    assert (item.count, item.url) == (1, reverse("targeting:cycle-detail", args=[village_list.cycle_id]))


def test_a_cycle_with_a_nominee_still_undecided_does_not_wait_for_its_decree(village_list, users):
    NomineeFactory(nomination_list=village_list, status=Nominee.Status.APPROVED)
    NomineeFactory(nomination_list=village_list, status=Nominee.Status.VERIFIED)

    assert "targeting.decree" not in kinds(users["officer"])


def test_a_decided_cycle_of_another_regency_does_not_wait_for_this_dinas(users):
    other_regency_nominee(Nominee.Status.APPROVED)

    assert "targeting.decree" not in kinds(users["officer"])


def test_the_dinas_counts_take_one_query(village_list, users, django_assert_num_queries):
    for status in (Nominee.Status.ENDORSED, Nominee.Status.VERIFIED, Nominee.Status.APPROVED):
        NomineeFactory.create_batch(3, nomination_list=village_list, status=status)
    officer = users["officer"]
    officer.has_perm("targeting.decide")  # the permissions are cached once per user

    with django_assert_num_queries(1):
        found = waiting_for(officer)

    assert {item.kind: item.count for item in found} == {"targeting.verify": 3, "targeting.decide": 3}
