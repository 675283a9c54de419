"""The business dashboard: revenue, profit and capital over time, products, channels and income per member."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from berdaya.groups.models import Kube
from berdaya.lib import formats

from .. import charts
from ..models import Asset, CashEntry, ProfitAllocation, month_end
from ..money import whole
from .cashbook import cash_balance
from .plan import aid_paid, current_members

Category = CashEntry.Category
# Not the group's own capital: money lent out is still the group's; a bank loan is owed back.
NOT_CAPITAL = (Category.LOAN_ISSUED, Category.LOAN_REPAYMENT, Category.CREDIT, Category.CREDIT_REPAYMENT)


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date
    income: int
    expense: int
    revenue: int  # sales
    profit: int
    capital: int  # at the end of the month


@dataclass(frozen=True)
class Ranked:
    name: str
    amount: int
    quantity: int


@dataclass(frozen=True)
class Dashboard:
    kube: Kube
    months: list[MonthFigures]
    initial_aid: int
    capital: int
    growth_percent: int | None  # capital against the initial aid, whole per cent
    balance: int
    revenue_total: int
    profit_total: int
    products: list[Ranked]
    channels: list[Ranked]
    members: int
    income_per_member: int  # a month, estimated from the last twelve months' profit shares
    revenue_chart: charts.Chart
    profit_chart: charts.Chart
    capital_chart: charts.Chart


def business_dashboard(*, kube: Kube, months: int = 24) -> Dashboard:
    """The group's business over time: revenue, profit, capital against the aid, products, channels, income.

    Two grouped queries over the book (by month, direction and category; and the few reversals by what they
    reverse), folded into monthly figures in Python with exact ints; no per-row date function, no self-join.
    """
    today = timezone.localdate()
    entries = CashEntry.objects.filter(kube=kube)
    totals = (
        entries.exclude(category=Category.REVERSAL)
        .values_list("month", "kind", "category")
        .annotate(total=Sum("amount"))
    )
    reversals = (
        entries.filter(category=Category.REVERSAL)
        .values_list("month", "kind", "reverses__category")
        .annotate(total=Sum("amount"))
    )
    by_month: dict[dt.date, dict[str, int]] = {}
    for month, kind, category, total in [*totals, *reversals]:
        row = by_month.setdefault(month, {"income": 0, "expense": 0, "revenue": 0, "profit": 0, "capital": 0})
        amount = whole(total)
        signed = amount if kind == CashEntry.Kind.INCOME else -amount
        row[kind] += amount
        if category == Category.SALES:
            row["revenue"] += signed  # a reversed sale is an expense entry: it takes the sale back
        if category not in CashEntry.NOT_PROFIT:
            row["profit"] += signed
        if category not in NOT_CAPITAL:
            row["capital"] += signed
    assets = list(
        Asset.objects.filter(kube=kube).exclude(condition=Asset.Condition.LOST).values("received_on", "value")
    )
    initial_aid = aid_paid(kube) + sum((a["value"] for a in assets), 0)

    figures: list[MonthFigures] = []
    capital_cash = 0
    for month in sorted(by_month):
        row = by_month[month]
        capital_cash += row["capital"]
        in_kind = sum((a["value"] for a in assets if a["received_on"] <= month_end(month)), 0)
        figures.append(
            MonthFigures(
                month=month,
                income=row["income"],
                expense=row["expense"],
                revenue=row["revenue"],
                profit=row["profit"],
                capital=capital_cash + in_kind,
            )
        )
    capital = figures[-1].capital if figures else sum((a["value"] for a in assets), 0)
    shown = figures[-months:]
    labels = [formats.month(f.month) for f in shown]  # Sep 2027, as every month is written

    # Sales by product and channel, less the sales that were reversed (few rows, so the join is cheap there).
    sales: dict[tuple[str, str], list[int]] = {}
    for product, channel, amount, quantity in (
        entries.filter(category=Category.SALES)
        .values_list("product", "channel")
        .annotate(amount=Sum("amount"), quantity=Sum("quantity"))
    ):
        sales[(product, channel)] = [whole(amount), whole(quantity)]
    for product, channel, amount, quantity in (
        entries.filter(category=Category.REVERSAL, reverses__category=Category.SALES)
        .values_list("reverses__product", "reverses__channel")
        .annotate(amount=Sum("amount"), quantity=Sum("reverses__quantity"))
    ):
        if (product, channel) in sales:
            sales[(product, channel)][0] -= whole(amount)
            sales[(product, channel)][1] -= whole(quantity)
    per_product: dict[str, list[int]] = {}
    per_channel: dict[str, list[int]] = {}
    for (product, channel), (amount, quantity) in sales.items():
        p = per_product.setdefault(product or "—", [0, 0])
        p[0], p[1] = p[0] + amount, p[1] + quantity
        c = per_channel.setdefault(channel, [0, 0])
        c[0], c[1] = c[0] + amount, c[1] + quantity
    channel_names = dict(CashEntry.Channel.choices)
    products = sorted((Ranked(n, a, q) for n, (a, q) in per_product.items()), key=lambda r: (-r.amount, r.name))[:5]
    channels = sorted(
        (Ranked(str(channel_names.get(n, n or "—")), a, q) for n, (a, q) in per_channel.items()),
        key=lambda r: (-r.amount, r.name),
    )

    members = current_members(kube)
    year_ago = today.replace(year=today.year - 1)
    shares = ProfitAllocation.objects.filter(kube=kube, period_end__gt=year_ago, members__gt=0).values_list(
        "to_members", "members"
    )
    per_member_year = sum((to_members // paid for to_members, paid in shares), 0)

    return Dashboard(
        kube=kube,
        months=shown,
        initial_aid=initial_aid,
        capital=capital,
        growth_percent=(capital - initial_aid) * 100 // initial_aid if initial_aid else None,
        balance=cash_balance(kube=kube),
        revenue_total=sum((f.revenue for f in figures), 0),
        profit_total=sum((f.profit for f in figures), 0),
        products=products,
        channels=channels,
        members=members,
        income_per_member=per_member_year // 12,
        revenue_chart=charts.bar_chart([f.revenue for f in shown], labels),
        profit_chart=charts.bar_chart([f.profit for f in shown], labels),
        capital_chart=charts.line_chart(
            [(_("Capital"), [f.capital for f in shown]), (_("Initial aid"), [initial_aid] * len(shown))], labels
        ),
    )
