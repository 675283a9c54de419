from __future__ import annotations

import datetime as dt

import factory

from berdaya.accounts.tests.factories import UserFactory
from berdaya.regions.tests.factories import RegionFactory
from berdaya.targeting.models import CallRelay, Cycle, NominationList, Nominee, Quota


class CycleFactory(factory.django.DjangoModelFactory):
    """A draft cycle of Kabupaten Paser with the programme's default rules."""

    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"KUBE 2027 Tahap {n + 1}")
    region = factory.SubFactory(RegionFactory, code="64.01")
    year = 2027
    funding_source = Cycle.FundingSource.APBD_REGENCY
    budget = 400_000_000
    nomination_deadline = dt.date(2027, 3, 31)
    endorsement_deadline = dt.date(2027, 4, 15)
    verval_deadline = dt.date(2027, 5, 15)
    decision_deadline = dt.date(2027, 6, 1)
    created_by = factory.SubFactory(UserFactory, username="cycle-maker")


class OpenCycleFactory(CycleFactory):
    status = Cycle.Status.OPEN


class QuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quota

    cycle = factory.SubFactory(CycleFactory)
    kecamatan = factory.SubFactory(RegionFactory, code="64.01.04")
    households = 20


class CallRelayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CallRelay

    cycle = factory.SubFactory(OpenCycleFactory)
    kecamatan = factory.SubFactory(RegionFactory, code="64.01.04")
    note = "Mohon usulan paling lambat akhir Maret."
    by = factory.SubFactory(UserFactory, username="relayer")


class NominationListFactory(factory.django.DjangoModelFactory):
    """A draft list of Tanah Periuk in an open cycle whose call has reached the village."""

    class Meta:
        model = NominationList

    cycle = factory.SubFactory(OpenCycleFactory)
    village = factory.SubFactory(RegionFactory, code="64.01.04.2004")
    created_by = factory.SubFactory(UserFactory, username="lister")


class NomineeFactory(factory.django.DjangoModelFactory):
    """A nominee typed in by the village (not linked to the registry unless `person` is given)."""

    class Meta:
        model = Nominee

    nomination_list = factory.SubFactory(NominationListFactory)
    cycle = factory.SelfAttribute("nomination_list.cycle")
    name = factory.Faker("name", locale="id_ID")
    nik = factory.Sequence(lambda n: f"640104120385{n % 10000:04d}")
    kk_number = factory.Sequence(lambda n: f"640104010115{n % 10000:04d}")
    birth_date = dt.date(1985, 3, 12)
    sex = "L"
    reason = Nominee.Reason.NO_INCOME
    created_by = factory.SubFactory(UserFactory, username="nominator")
