"""Property-based tests of the ledger: whatever the sequence of entries, reversals and closings, the books add up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import selectors, services
from berdaya.business.models import CashEntry, CashMonth, CashMonthTotal, IksEntry
from berdaya.business.money import allocate
from berdaya.business.tests.factories import AidStageFactory, kube_with_members
from berdaya.lib.errors import DomainError

pytestmark = pytest.mark.django_db

DB_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# July to November 2027: all ended before "today" (15 December 2027), so any of them can be closed.
MONTHS = [dt.date(2027, m, 1) for m in range(7, 12)]

entry_op = st.tuples(
    st.just("entry"),
    st.integers(0, len(MONTHS) - 1),
    st.integers(1, 28),
    st.sampled_from(["sales", "materials", "wages", "other_income"]),
    st.integers(1, 50_000_000),
)
reverse_op = st.tuples(st.just("reverse"), st.integers(0, 1000))
close_op = st.tuples(st.just("close"))
operations = st.lists(st.one_of(entry_op, entry_op, reverse_op, close_op), max_size=25)


@pytest.fixture
def book(db: None) -> dict[str, Any]:
    """A group with two members whose first aid stage (Rp 4,000,000) opened the book on 1 July 2027."""
    kube = kube_with_members(2)
    treasurer = UserFactory(username="bendahara")
    stage = AidStageFactory(kube=kube, number=1, amount=4_000_000, planned_on=dt.date(2027, 7, 1))
    services.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 7, 1), transfer_reference="TRF-1", by=treasurer)
    return {"kube": kube, "by": treasurer, "opening": 4_000_000}


def _snapshot(kube: Any, month: dt.date) -> tuple[Any, ...]:
    closed = CashMonth.objects.get(kube=kube, month=month)
    entries = tuple(
        CashEntry.objects.filter(kube=kube, entry_date__lte=closed.last_day).values_list("pk", "kind", "amount")
    )
    return (closed.opening_balance, closed.income, closed.expense, closed.closing_balance, entries)


@DB_SETTINGS
@given(ops=operations)
def test_balance_is_opening_plus_income_minus_expenses_and_closed_months_never_change(
    book: dict[str, Any], ops: list[tuple[Any, ...]]
) -> None:
    kube, by = book["kube"], book["by"]
    with transaction.atomic():
        income = expense = 0
        closed: dict[dt.date, tuple[Any, ...]] = {}
        for op in ops:
            if op[0] == "entry":
                _, month, day, category, amount = op
                kind = "income" if category in ("sales", "other_income") else "expense"
                extra = {"product": "Kue", "channel": "local_market"} if category == "sales" else {}
                try:
                    services.record_cash_entry(
                        kube=kube,
                        entry_date=MONTHS[month].replace(day=day),
                        kind=kind,
                        category=category,
                        amount=amount,
                        description="x",
                        by=by,
                        **extra,
                    )
                except DomainError:
                    assert MONTHS[month] in closed  # the only refusal possible here: a locked month
                    continue
                if kind == "income":
                    income += amount
                else:
                    expense += amount
            elif op[0] == "reverse":
                entries = list(CashEntry.objects.filter(kube=kube).exclude(category="aid").order_by("pk"))
                if not entries:
                    continue
                target = entries[op[1] % len(entries)]
                try:
                    reversal = services.reverse_cash_entry(entry=target, reason="salah ketik", by=by)
                except DomainError:
                    continue
                if reversal.kind == "income":
                    income += reversal.amount
                else:
                    expense += reversal.amount
            else:
                month = selectors.next_month_to_close(kube)
                if month is None or month not in MONTHS:
                    continue
                services.close_cash_month(kube=kube, month=month, by=by)
                closed[month] = _snapshot(kube, month)

            balance = selectors.cash_balance(kube=kube)
            assert isinstance(balance, int)
            assert balance == book["opening"] + income - expense
            for month, snapshot in closed.items():
                assert _snapshot(kube, month) == snapshot
        for month in closed:
            row = CashMonth.objects.get(kube=kube, month=month)
            assert row.closing_balance == selectors.cash_balance(kube=kube, until=row.last_day)
        # The monthly revenue and profit kept as the entries were written equal those worked out again from them.
        kept = _month_totals(kube)
        CashMonthTotal.rebuild([kube.pk])
        assert kept == _month_totals(kube)
        transaction.set_rollback(True)


def _month_totals(kube: Any) -> list[tuple[dt.date, int, int]]:
    rows = CashMonthTotal.objects.filter(kube=kube).order_by("month").values_list("month", "revenue", "profit")
    return [row for row in rows if row[1] or row[2]]


@DB_SETTINGS
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["contribution", "use"]), st.integers(1, 5_000_000)), min_size=1, max_size=20
    )
)
def test_the_iks_balance_never_goes_negative(book: dict[str, Any], ops: list[tuple[str, int]]) -> None:
    kube, by = book["kube"], book["by"]
    with transaction.atomic():
        expected = 0
        for kind, amount in ops:
            if kind == "contribution":
                services.record_iks_contribution(
                    kube=kube, entry_date=dt.date(2027, 11, 1), amount=amount, description="iuran", by=by
                )
                expected += amount
            elif amount > expected:
                with pytest.raises(services.IksError):
                    services.use_iks(
                        kube=kube,
                        entry_date=dt.date(2027, 11, 2),
                        purpose=IksEntry.Purpose.POOR_FAMILY,
                        amount=amount,
                        beneficiary="Keluarga Ibu Sari",
                        description="sembako",
                        by=by,
                    )
            else:
                services.use_iks(
                    kube=kube,
                    entry_date=dt.date(2027, 11, 2),
                    purpose=IksEntry.Purpose.COMMUNITY,
                    amount=amount,
                    beneficiary="Masjid",
                    description="",
                    by=by,
                )
                expected -= amount
            balance = selectors.iks_balance(kube=kube)
            assert balance == expected
            assert balance >= 0
        transaction.set_rollback(True)


shares = st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)).filter(lambda t: t[0] + t[1] <= 10_000)


@settings(max_examples=500)
@given(profit=st.integers(1, 10**13), cents=shares)
def test_allocation_adds_up_to_the_profit_exactly(profit: int, cents: tuple[int, int]) -> None:
    weights = [Decimal(cents[0]) / 100, Decimal(cents[1]) / 100, Decimal(10_000 - cents[0] - cents[1]) / 100]

    parts = allocate(profit, weights)

    assert sum(parts) == profit
    assert all(type(part) is int for part in parts)
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(profit) * Fraction(weight) / 100
        assert abs(part - exact) < 1  # no part is more than a Rupiah from its exact share


@settings(max_examples=200)
@given(total=st.integers(0, 10**12), weights=st.lists(st.integers(1, 1000), min_size=1, max_size=12))
def test_allocation_among_members_loses_no_rupiah(total: int, weights: list[int]) -> None:
    assert sum(allocate(total, weights)) == total
