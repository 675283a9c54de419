"""The dashboard's figures: exact ints, reversed sales taken back, capital against the initial aid."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import charts, selectors, services
from berdaya.business.tests.factories import AidStageFactory, AssetFactory, CashEntryFactory, ExpenseFactory
from berdaya.groups.tests.factories import KubeFactory

pytestmark = pytest.mark.django_db


def _ints(value: object) -> bool:
    if isinstance(value, bool | str | dt.date) or value is None:
        return True
    if isinstance(value, int):
        return True
    if isinstance(value, list | tuple):
        return all(_ints(v) for v in value)
    if dataclasses.is_dataclass(value):
        return all(_ints(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "kube")
    return False


@pytest.fixture
def kube():
    kube = KubeFactory()
    AidStageFactory(kube=kube, number=1, amount=2_000_000, paid_on=dt.date(2027, 8, 1), transfer_reference="T")
    CashEntryFactory(
        kube=kube, entry_date=dt.date(2027, 8, 1), category="aid", amount=2_000_000, product="", channel=""
    )
    AssetFactory(kube=kube, value=1_000_000, received_on=dt.date(2027, 8, 5))
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3), amount=900_000, product="Amplang", channel="online")
    ExpenseFactory(kube=kube, entry_date=dt.date(2027, 9, 4), amount=300_000)
    return kube


def test_every_figure_on_the_dashboard_is_an_int(kube):
    dashboard = selectors.business_dashboard(kube=kube)

    assert _ints(dashboard)


def test_capital_grows_against_the_initial_aid_cash_and_in_kind(kube):
    dashboard = selectors.business_dashboard(kube=kube)

    assert (dashboard.initial_aid, dashboard.capital, dashboard.growth_percent) == (3_000_000, 3_600_000, 20)


def test_a_reversed_sale_leaves_revenue_and_the_top_products(kube):
    sale = CashEntryFactory(kube=kube, entry_date=dt.date(2027, 10, 3), amount=5_000_000, product="Dodol")
    services.reverse_cash_entry(entry=sale, reason="salah ketik", by=UserFactory(username="bendahara"))

    dashboard = selectors.business_dashboard(kube=kube)

    assert dashboard.revenue_total == 900_000
    assert [(p.name, p.amount) for p in dashboard.products][:1] == [("Amplang", 900_000)]


def test_a_loss_hangs_below_the_zero_line():
    chart = charts.bar_chart([100, -50], ["09/27", "10/27"])

    up, down = chart.bars
    assert up.y + up.height == chart.baseline == down.y
    assert down.negative and not up.negative
