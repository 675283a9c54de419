from __future__ import annotations

import datetime as dt

import factory

from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.models import Kube, Membership
from berdaya.regions.tests.factories import RegionFactory
from berdaya.registry.tests.factories import PersonFactory
from berdaya.targeting.models import Nominee
from berdaya.targeting.tests.factories import CycleFactory, NominationListFactory, NomineeFactory


class VillageListFactory(NominationListFactory):
    """A village's list in a cycle, reused when the village already has one (one list per village and cycle)."""

    class Meta:
        django_get_or_create = ("cycle", "village")


class ApprovedNomineeFactory(NomineeFactory):
    """An approved nominee linked to a registry person living in the list's village."""

    status = Nominee.Status.APPROVED
    person = factory.SubFactory(PersonFactory, household__village=factory.SelfAttribute("...nomination_list.village"))
    nik = factory.SelfAttribute("person.nik")
    name = factory.SelfAttribute("person.name")
    kk_number = factory.SelfAttribute("person.household.kk_number")


class KubeFactory(factory.django.DjangoModelFactory):
    """A KUBE being formed in Tanah Periuk, in a decided cycle of Paser."""

    class Meta:
        model = Kube

    name = factory.Sequence(lambda n: f"KUBE Maju Bersama {n + 1}")
    cycle = factory.SubFactory(CycleFactory, status="decided")
    village = factory.SubFactory(RegionFactory, code="64.01.04.2004")
    sector = Kube.Sector.HOME_INDUSTRY
    business_type = "Kue basah"
    created_by = factory.SubFactory(UserFactory, username="kube-maker")


class MembershipFactory(factory.django.DjangoModelFactory):
    """A current member, nominated and approved in the group's cycle from the group's village."""

    class Meta:
        model = Membership

    kube = factory.SubFactory(KubeFactory)
    nominee = factory.SubFactory(
        ApprovedNomineeFactory,
        nomination_list=factory.SubFactory(
            VillageListFactory,
            cycle=factory.SelfAttribute("...kube.cycle"),
            village=factory.SelfAttribute("...kube.village"),
        ),
    )
    person = factory.SelfAttribute("nominee.person")
    household = factory.SelfAttribute("person.household")
    joined_on = dt.date(2027, 7, 1)
    added_by = factory.SubFactory(UserFactory, username="member-adder")
