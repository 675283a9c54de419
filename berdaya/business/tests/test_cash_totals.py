"""Each group's revenue and profit per month (`CashMonthTotal`), kept as the cash book is written: the figures of the
dashboard, the map and the reports upward add these up instead of a year of entries."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import services
from berdaya.business.models import CashEntry, CashMonthTotal
from berdaya.business.tests.factories import CashEntryFactory, ExpenseFactory
from berdaya.groups.tests.factories import KubeFactory

pytestmark = pytest.mark.django_db


def totals(kube) -> dict[dt.date, tuple[int, int]]:
    return {t.month: (t.revenue, t.profit) for t in CashMonthTotal.objects.filter(kube=kube)}


def test_a_sale_and_an_expense_make_the_months_revenue_and_profit():
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 10), amount=150_000)
    ExpenseFactory(kube=kube, entry_date=dt.date(2027, 9, 12), amount=60_000)

    assert totals(kube) == {dt.date(2027, 9, 1): (150_000, 90_000)}


def test_a_capital_movement_is_neither_revenue_nor_profit():
    kube = KubeFactory()
    CashEntryFactory(kube=kube, category=CashEntry.Category.AID, amount=4_000_000, product="", channel="")

    assert totals(kube) == {dt.date(2027, 9, 1): (0, 0)}


def test_a_reversal_takes_back_what_its_entry_added_in_its_own_month(time_machine):
    time_machine.move_to(dt.datetime(2027, 10, 20, 9, tzinfo=dt.UTC))
    kube = KubeFactory()
    sale = CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 10), amount=150_000)

    services.reverse_cash_entry(entry=sale, reason="salah ketik", by=UserFactory())

    assert totals(kube) == {dt.date(2027, 9, 1): (150_000, 150_000), dt.date(2027, 10, 1): (-150_000, -150_000)}


def test_entries_written_in_bulk_keep_the_totals_too():
    kube = KubeFactory()
    by = UserFactory()
    CashEntry.objects.bulk_create(
        [
            CashEntry(
                kube=kube,
                entry_date=dt.date(2027, m, 3),
                kind="income",
                category="sales",
                amount=1_000 * m,
                description="x",
                entered_by=by,
            )
            for m in (7, 8, 8)
        ]
    )

    assert totals(kube) == {dt.date(2027, 7, 1): (7_000, 7_000), dt.date(2027, 8, 1): (16_000, 16_000)}


def test_rebuilding_gives_what_was_kept():
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 8, 10), amount=90_000)
    ExpenseFactory(kube=kube, entry_date=dt.date(2027, 9, 12), amount=60_000)
    kept = totals(kube)

    CashMonthTotal.rebuild([kube.pk])

    assert totals(kube) == kept == {dt.date(2027, 8, 1): (90_000, 90_000), dt.date(2027, 9, 1): (0, -60_000)}
