"""The rules of forming a KUBE and changing its members, each stated as a test."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from berdaya.accounts.models import User
from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.models import FacilitatorAssignment, Kube, Membership
from berdaya.groups.services import (
    KubeError,
    LifecycleError,
    MembershipError,
    add_member,
    change_status,
    form_kube,
    remove_member,
    replace_member,
    set_officers,
    set_rules,
)
from berdaya.regions.tests.factories import RegionFactory
from berdaya.registry.tests.factories import PersonFactory
from berdaya.targeting.models import Nominee
from berdaya.targeting.tests.factories import CycleFactory

from .factories import ApprovedNomineeFactory, KubeFactory, MembershipFactory, VillageListFactory

pytestmark = pytest.mark.django_db


def approved(cycle, count, village="64.01.04.2004", **kwargs):
    village_list = VillageListFactory(cycle=cycle, village=RegionFactory(code=village))
    return ApprovedNomineeFactory.create_batch(count, nomination_list=village_list, **kwargs)


def form(cycle, nominees, village="64.01.04.2004"):
    return form_kube(
        cycle=cycle,
        village=RegionFactory(code=village),
        name="KUBE Sejahtera",
        sector=Kube.Sector.TRADE,
        nominees=nominees,
        by=UserFactory(username="officer1"),
    )


def test_a_group_is_formed_from_approved_nominees_of_one_kecamatan():
    cycle = CycleFactory(status="decided", group_min=3, group_max=5)
    nominees = approved(cycle, 2) + approved(cycle, 1, village="64.01.04.2005")

    kube = form(cycle, nominees)

    assert kube.status == Kube.Status.FORMING
    assert sorted(kube.memberships.values_list("nominee_id", flat=True)) == sorted(n.pk for n in nominees)


def test_a_group_smaller_than_the_cycles_minimum_is_refused():
    cycle = CycleFactory(status="decided", group_min=5, group_max=20)

    with pytest.raises(MembershipError, match="needs 5 to 20 members; 4 chosen"):
        form(cycle, approved(cycle, 4))

    assert not Kube.objects.exists()


def test_a_group_larger_than_the_cycles_maximum_is_refused():
    cycle = CycleFactory(status="decided", group_min=2, group_max=3)

    with pytest.raises(MembershipError, match="needs 2 to 3 members; 4 chosen"):
        form(cycle, approved(cycle, 4))

    assert not Kube.objects.exists()


def test_members_from_another_kecamatan_are_refused_and_nothing_is_stored():
    cycle = CycleFactory(status="decided", group_min=2, group_max=5)
    nominees = approved(cycle, 2) + approved(cycle, 1, village="64.01.05.2001")

    with pytest.raises(MembershipError, match="lives outside"):
        form(cycle, nominees)

    assert not Kube.objects.exists()
    assert not Membership.objects.exists()


@pytest.mark.parametrize("status", [Nominee.Status.VERIFIED, Nominee.Status.REJECTED, Nominee.Status.ENDORSED])
def test_only_approved_nominees_can_be_members(status):
    cycle = CycleFactory(status="decided", group_min=2, group_max=5)
    nominees = approved(cycle, 2)
    nominees[1].status = status
    nominees[1].save()

    with pytest.raises(MembershipError, match="not an approved nominee"):
        form(cycle, nominees)

    assert not Kube.objects.exists()


def test_approved_nominees_of_another_cycle_are_refused():
    cycle = CycleFactory(status="decided", group_min=2, group_max=5)
    other = CycleFactory(status="decided")

    with pytest.raises(MembershipError, match="not an approved nominee"):
        form(cycle, approved(cycle, 1) + approved(other, 1))


def test_two_nominees_of_one_household_cannot_form_a_group_together():
    cycle = CycleFactory(status="decided", group_min=2, group_max=5)
    first = approved(cycle, 1)[0]
    second = approved(cycle, 1, person=PersonFactory(household=first.person.household))[0]

    with pytest.raises(MembershipError, match="same household"):
        form(cycle, [first, second, *approved(cycle, 1)])


def test_a_household_already_in_a_kube_cannot_join_another():
    existing = MembershipFactory()
    cycle = existing.kube.cycle
    kube = KubeFactory(cycle=cycle)
    nominee = approved(cycle, 1, person=PersonFactory(household=existing.household))[0]

    with pytest.raises(MembershipError, match="already a KUBE member"):
        add_member(kube=kube, nominee=nominee, by=UserFactory())

    assert not kube.memberships.exists()


def test_the_database_holds_one_current_member_per_household():
    existing = MembershipFactory()
    other = MembershipFactory.build(kube=KubeFactory(cycle=existing.kube.cycle))

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            kube=other.kube,
            person=PersonFactory(household=existing.household),
            household=existing.household,
            nominee=existing.nominee,
            joined_on=dt.date(2027, 8, 1),
            added_by=existing.added_by,
        )


def test_a_kube_stops_at_the_cycles_maximum():
    kube = KubeFactory(cycle__group_max=2, cycle__group_min=1)
    MembershipFactory.create_batch(2, kube=kube)

    with pytest.raises(MembershipError, match="already has 2 members"):
        add_member(kube=kube, nominee=approved(kube.cycle, 1)[0], by=UserFactory())

    assert kube.memberships.count() == 2


def test_officers_are_three_different_members():
    kube = KubeFactory()
    chair, secretary, treasurer = MembershipFactory.create_batch(3, kube=kube)

    set_officers(kube=kube, chair=chair, secretary=secretary, treasurer=treasurer, by=UserFactory())

    roles = dict(kube.memberships.values_list("pk", "role"))
    assert roles == {chair.pk: "chair", secretary.pk: "secretary", treasurer.pk: "treasurer"}


def test_one_member_cannot_hold_two_offices():
    kube = KubeFactory()
    chair, secretary = MembershipFactory.create_batch(2, kube=kube)

    with pytest.raises(MembershipError, match="three different members"):
        set_officers(kube=kube, chair=chair, secretary=secretary, treasurer=chair, by=UserFactory())

    assert set(kube.memberships.values_list("role", flat=True)) == {"member"}


def test_an_officer_must_be_a_member_of_the_group():
    kube = KubeFactory()
    chair, secretary = MembershipFactory.create_batch(2, kube=kube)
    outsider = MembershipFactory()

    with pytest.raises(MembershipError, match="is not a member of"):
        set_officers(kube=kube, chair=chair, secretary=secretary, treasurer=outsider, by=UserFactory())

    assert set(kube.memberships.values_list("role", flat=True)) == {"member"}


def test_the_database_allows_one_chair_per_group():
    kube = KubeFactory()
    first, second = MembershipFactory.create_batch(2, kube=kube)
    Membership.objects.filter(pk=first.pk).update(role="chair")

    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=second.pk).update(role="chair")


def test_a_group_starts_only_with_exactly_one_of_each_officer():
    kube = KubeFactory(cycle__group_min=3, formed_on=dt.date(2027, 7, 1), bank_name="BRI")
    kube.bank_account_number, kube.bank_account_holder = "0123", "KUBE Maju"
    kube.save()
    MembershipFactory.create_batch(3, kube=kube)

    with pytest.raises(LifecycleError, match="exactly one ketua"):
        change_status(kube=kube, to=Kube.Status.ACTIVE, on=dt.date(2027, 8, 1), reason="", by=UserFactory())

    kube.refresh_from_db()
    assert kube.status == Kube.Status.FORMING


def test_profit_shares_must_add_up_to_100():
    kube = KubeFactory()

    with pytest.raises(KubeError, match="add up to 100"):
        set_rules(
            kube=kube,
            rules_text="AD/ART",
            share_capital=Decimal("50"),
            share_members=Decimal("40"),
            share_iks=Decimal("5"),
            by=UserFactory(),
        )

    kube.refresh_from_db()
    assert (kube.share_capital, kube.share_iks) == (Decimal("50"), Decimal("10"))


def test_the_lifecycle_refuses_a_skipped_step():
    kube = KubeFactory()

    with pytest.raises(LifecycleError, match="cannot become"):
        change_status(kube=kube, to=Kube.Status.GRADUATED, on=dt.date(2027, 8, 1), reason="mandiri", by=UserFactory())


def test_a_dissolved_group_records_its_reason_and_date():
    kube = KubeFactory(status=Kube.Status.INACTIVE)

    change_status(
        kube=kube, to=Kube.Status.DISSOLVED, on=dt.date(2027, 7, 30), reason="Members moved away", by=UserFactory()
    )

    kube.refresh_from_db()
    assert (kube.status, kube.status_since, kube.status_reason) == (
        "dissolved",
        dt.date(2027, 7, 30),
        "Members moved away",
    )
    assert kube.history.first().history_change_reason == "Members moved away"


@pytest.mark.parametrize("to", [Kube.Status.GRADUATED, Kube.Status.DISSOLVED])
def test_an_ending_group_closes_its_facilitators_assignment_on_the_same_day(to):
    kube = KubeFactory(status=Kube.Status.ACTIVE, facilitator=UserFactory(role=User.Role.FACILITATOR))
    assignment = FacilitatorAssignment.objects.create(
        kube=kube, facilitator=kube.facilitator, started_on=dt.date(2027, 1, 5), by=kube.facilitator
    )

    change_status(kube=kube, to=to, on=dt.date(2027, 7, 30), reason="Done", by=UserFactory())

    assignment.refresh_from_db()
    assert assignment.ended_on == dt.date(2027, 7, 30)


def test_a_group_going_quiet_keeps_its_facilitators_assignment_open():
    kube = KubeFactory(status=Kube.Status.ACTIVE, facilitator=UserFactory(role=User.Role.FACILITATOR))
    assignment = FacilitatorAssignment.objects.create(
        kube=kube, facilitator=kube.facilitator, started_on=dt.date(2027, 1, 5), by=kube.facilitator
    )

    change_status(kube=kube, to=Kube.Status.INACTIVE, on=dt.date(2027, 7, 30), reason="Harvest", by=UserFactory())

    assignment.refresh_from_db()
    assert assignment.ended_on is None


def test_a_member_cannot_leave_a_group_at_its_minimum():
    kube = KubeFactory(cycle__group_min=2)
    first, _ = MembershipFactory.create_batch(2, kube=kube)

    with pytest.raises(MembershipError, match="replace the member instead"):
        remove_member(membership=first, on=dt.date(2027, 8, 1), reason="Moved", by=UserFactory())


def test_a_replacement_takes_the_leavers_place_and_the_change_is_audited():
    kube = KubeFactory(cycle__group_min=2)
    leaver, _ = MembershipFactory.create_batch(2, kube=kube)
    newcomer_nominee = approved(kube.cycle, 1)[0]
    by = UserFactory(username="replacer")

    newcomer = replace_member(membership=leaver, nominee=newcomer_nominee, on=dt.date(2027, 8, 1), reason="Died", by=by)

    leaver.refresh_from_db()
    assert (leaver.left_on, leaver.replaced_by) == (dt.date(2027, 8, 1), newcomer)
    assert kube.memberships.current().count() == 2
    assert leaver.history.first().history_user == by


def test_a_replacement_from_another_kecamatan_is_refused_and_the_leaver_stays():
    kube = KubeFactory(cycle__group_min=2)
    leaver, _ = MembershipFactory.create_batch(2, kube=kube)
    outsider = approved(kube.cycle, 1, village="64.01.05.2001")[0]

    with pytest.raises(MembershipError, match="lives outside"):
        replace_member(membership=leaver, nominee=outsider, on=dt.date(2027, 8, 1), reason="Moved", by=UserFactory())

    leaver.refresh_from_db()
    assert leaver.left_on is None


def test_a_replacement_who_is_not_approved_is_refused():
    kube = KubeFactory(cycle__group_min=2)
    leaver, _ = MembershipFactory.create_batch(2, kube=kube)
    candidate = approved(kube.cycle, 1, status=Nominee.Status.REJECTED)[0]

    with pytest.raises(MembershipError, match="not an approved nominee"):
        replace_member(membership=leaver, nominee=candidate, on=dt.date(2027, 8, 1), reason="Moved", by=UserFactory())

    assert kube.memberships.current().count() == 2


def test_groups_are_formed_only_after_the_decree():
    cycle = CycleFactory(status="open", group_min=2, group_max=5)

    with pytest.raises(KubeError, match="decree has been issued"):
        form(cycle, approved(cycle, 2))

    assert not Kube.objects.exists()
