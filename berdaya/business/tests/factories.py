from __future__ import annotations

import datetime as dt

import factory

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business.models import AidStage, Asset, BusinessPlan, CashEntry, IksEntry, Loan
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory


def kube_with_members(members: int = 2, **kwargs: object) -> Kube:
    """An active group with `members` current members (aid: 2,000,000 each by the cycle's default)."""
    kube = KubeFactory(status=Kube.Status.ACTIVE, **kwargs)
    MembershipFactory.create_batch(members, kube=kube)
    return kube


class BusinessPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessPlan

    kube = factory.SubFactory(KubeFactory)
    summary = "Produksi kue basah untuk pasar dan warung desa."
    products = "Kue lapis, bingka"
    expected_monthly_revenue = 3_000_000
    created_by = factory.SubFactory(UserFactory, username="planner")


class AidStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AidStage

    kube = factory.SubFactory(KubeFactory)
    number = factory.Sequence(lambda n: n + 1)
    amount = 1_000_000
    planned_on = dt.date(2027, 8, 1)
    created_by = factory.SubFactory(UserFactory, username="stager")


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset

    kube = factory.SubFactory(KubeFactory)
    item = "Oven gas"
    quantity = 1
    value = 3_500_000
    received_on = dt.date(2027, 8, 5)
    created_by = factory.SubFactory(UserFactory, username="stager")


class CashEntryFactory(factory.django.DjangoModelFactory):
    """A sale of cakes at the local market (written directly: tests of the rules go through the services)."""

    class Meta:
        model = CashEntry

    kube = factory.SubFactory(KubeFactory)
    entry_date = dt.date(2027, 9, 10)
    kind = CashEntry.Kind.INCOME
    category = CashEntry.Category.SALES
    amount = 150_000
    description = "Penjualan kue"
    product = "Kue lapis"
    quantity = 30
    unit_price = 5_000
    buyer_type = CashEntry.BuyerType.CONSUMER
    channel = CashEntry.Channel.LOCAL_MARKET
    entered_by = factory.SubFactory(UserFactory, username="treasurer")


class ExpenseFactory(CashEntryFactory):
    kind = CashEntry.Kind.EXPENSE
    category = CashEntry.Category.MATERIALS
    amount = 60_000
    description = "Tepung dan gula"
    product = ""
    quantity = None
    unit_price = None
    buyer_type = ""
    channel = ""


class IksEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IksEntry

    kube = factory.SubFactory(KubeFactory)
    entry_date = dt.date(2027, 10, 1)
    kind = IksEntry.Kind.CONTRIBUTION
    amount = 100_000
    by = factory.SubFactory(UserFactory, username="treasurer")


class LoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Loan

    kube = factory.SubFactory(KubeFactory)
    borrower = factory.Faker("name", locale="id_ID")
    principal = 600_000
    issued_on = dt.date(2027, 9, 1)
    instalments = 6
    by = factory.SubFactory(UserFactory, username="treasurer")
