"""Profit of closed months is shared exactly by the group's percentages; the IKS fund never goes negative."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import selectors, services
from berdaya.business.models import CashEntry, IksEntry, ProfitAllocation
from berdaya.business.tests.factories import CashEntryFactory, ExpenseFactory, IksEntryFactory, kube_with_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def treasurer():
    return UserFactory(username="bendahara")


def _closed_quarter(kube, by, *, sales=1_000_001, costs=0):
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 5), amount=sales)
    if costs:
        ExpenseFactory(kube=kube, entry_date=dt.date(2027, 9, 6), amount=costs)
    for month in (9, 10, 11):
        services.close_cash_month(kube=kube, month=dt.date(2027, month, 1), by=by)


def test_profit_is_shared_exactly_by_the_groups_percentages(treasurer):
    kube = kube_with_members(
        3, share_capital=Decimal("33.33"), share_members=Decimal("33.33"), share_iks=Decimal("33.34")
    )
    _closed_quarter(kube, treasurer, sales=1_000_001)

    allocation = services.allocate_profit(
        kube=kube, period_start=dt.date(2027, 9, 1), period_end=dt.date(2027, 11, 1), by=treasurer
    )

    parts = (allocation.to_capital, allocation.to_members, allocation.to_iks)
    assert sum(parts) == allocation.profit == 1_000_001
    assert all(type(part) is int for part in parts)


def test_aid_and_distributions_are_not_profit(treasurer):
    kube = kube_with_members(2)
    CashEntryFactory(
        kube=kube, entry_date=dt.date(2027, 9, 1), category="aid", amount=4_000_000, product="", channel=""
    )
    _closed_quarter(kube, treasurer, sales=500_000, costs=200_000)

    assert selectors.period_profit(kube=kube, start=dt.date(2027, 9, 1), end=dt.date(2027, 11, 30)) == 300_000


def test_allocation_pays_members_and_feeds_the_iks_fund(treasurer):
    kube = kube_with_members(2)  # 50 / 40 / 10
    _closed_quarter(kube, treasurer, sales=1_000_000)

    services.allocate_profit(kube=kube, period_start=dt.date(2027, 9, 1), period_end=dt.date(2027, 11, 1), by=treasurer)

    assert CashEntry.objects.get(kube=kube, category="member_share").amount == 400_000
    assert CashEntry.objects.get(kube=kube, category="iks_transfer").amount == 100_000
    assert selectors.iks_balance(kube=kube) == 100_000
    assert selectors.cash_balance(kube=kube) == 500_000


def test_only_closed_months_are_allocated(treasurer):
    kube = kube_with_members(2)
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 5))
    services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=treasurer)

    with pytest.raises(services.IksError, match="Close every month"):
        services.allocate_profit(
            kube=kube, period_start=dt.date(2027, 9, 1), period_end=dt.date(2027, 10, 1), by=treasurer
        )


def test_a_period_is_allocated_once(treasurer):
    kube = kube_with_members(2)
    _closed_quarter(kube, treasurer)
    services.allocate_profit(kube=kube, period_start=dt.date(2027, 9, 1), period_end=dt.date(2027, 9, 1), by=treasurer)

    with pytest.raises(services.IksError, match="already been allocated"):
        services.allocate_profit(
            kube=kube, period_start=dt.date(2027, 9, 1), period_end=dt.date(2027, 11, 1), by=treasurer
        )

    assert ProfitAllocation.objects.count() == 1


def test_a_loss_is_not_allocated(treasurer):
    kube = kube_with_members(2)
    _closed_quarter(kube, treasurer, sales=100_000, costs=300_000)

    with pytest.raises(services.IksError, match="no profit"):
        services.allocate_profit(
            kube=kube, period_start=dt.date(2027, 9, 1), period_end=dt.date(2027, 11, 1), by=treasurer
        )


def test_the_iks_fund_cannot_give_more_than_it_holds(treasurer):
    kube = kube_with_members(1)
    IksEntryFactory(kube=kube, amount=100_000)

    with pytest.raises(services.IksError, match="holds Rp 100,000"):
        services.use_iks(
            kube=kube,
            entry_date=dt.date(2027, 11, 1),
            purpose="member_hardship",
            amount=100_001,
            beneficiary="Pak Udin",
            description="Berobat",
            by=treasurer,
        )

    assert IksEntry.objects.count() == 1


def test_an_iks_use_for_another_poor_family_is_recorded(treasurer):
    kube = kube_with_members(1)
    IksEntryFactory(kube=kube, amount=100_000)

    services.use_iks(
        kube=kube,
        entry_date=dt.date(2027, 11, 1),
        purpose="poor_family",
        amount=60_000,
        beneficiary="Keluarga Ibu Sari",
        description="Sembako",
        by=treasurer,
    )

    assert selectors.iks_balance(kube=kube) == 40_000
