"""Reads that feed the business pages, dashboard and exports. Callers pass a group already got through visible_to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Sum, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.groups.models import Kube

from . import charts
from .models import (
    AidStage,
    Asset,
    BusinessPlan,
    CashEntry,
    CashMonth,
    IksEntry,
    Loan,
    ProfitAllocation,
    month_end,
    month_start,
    next_month,
)
from .money import whole
from .services import DERIVED, cash_balance, group_aid, iks_balance, last_closed_month, next_month_to_close

PER_PAGE = 50
Category = CashEntry.Category
# Not the group's own capital: money lent out is still the group's; a bank loan is owed back.
NOT_CAPITAL = (Category.LOAN_ISSUED, Category.LOAN_REPAYMENT, Category.CREDIT, Category.CREDIT_REPAYMENT)


def kubes_for_business(*, user: User) -> QuerySet[Kube]:
    """The groups whose business the user may follow, with their cash balance."""
    signed = Case(
        When(cash_entries__kind=CashEntry.Kind.INCOME, then=F("cash_entries__amount")),
        When(cash_entries__kind=CashEntry.Kind.EXPENSE, then=-F("cash_entries__amount")),
        default=0,
        output_field=BigIntegerField(),
    )
    return (
        Kube.objects.visible_to(user)
        .select_related("village", "facilitator")
        .annotate(balance=Sum(signed), entries=Count("cash_entries"))
        .order_by("name", "pk")
    )


@dataclass(frozen=True)
class CashRow:
    """One line of the cash-book page, with what the template would otherwise look up per row."""

    entry: CashEntry
    balance: int
    locked: bool
    reversed: bool
    category: str
    channel: str
    reversible: bool
    reverse_url: str


@dataclass(frozen=True)
class CashBook:
    kube: Kube
    page: Page[CashEntry]
    rows: list[CashRow]
    opening_balance: int  # before the first row of the page
    balance: int  # of the whole book
    locked_until: dt.date | None
    next_to_close: dt.date | None
    closable: bool
    months: list[CashMonth]


def cash_book(*, kube: Kube, page_number: str | int | None = None, per_page: int = PER_PAGE) -> CashBook:
    """One page of the cash book with its running balance; the newest page unless another is asked for.

    The running balance costs one aggregate for the page's opening balance, however long the book is.
    """
    entries = CashEntry.objects.filter(kube=kube).order_by("entry_date", "pk")
    paginator = Paginator(entries.select_related("entered_by", "reversed_by"), per_page)
    page = paginator.get_page(page_number or paginator.num_pages)
    rows_on_page = list(page.object_list)
    opening = 0
    if rows_on_page:
        first = rows_on_page[0]
        # Start from the closing balance of the last closed month before the page: a month's worth of rows to add,
        # not the whole book (closed months never change, so their closing balance stays right).
        closed = (
            CashMonth.objects.filter(kube=kube, month__lt=month_start(first.entry_date))
            .order_by("-month")
            .values_list("month", "closing_balance")
            .first()
        )
        before = entries.filter(Q(entry_date__lt=first.entry_date) | Q(entry_date=first.entry_date, pk__lt=first.pk))
        if closed is not None:
            before = before.filter(entry_date__gt=month_end(closed[0]))
        total = before.aggregate(
            total=Sum(
                Case(
                    When(kind=CashEntry.Kind.INCOME, then=F("amount")),
                    default=-F("amount"),
                    output_field=BigIntegerField(),
                )
            )
        )
        opening = (closed[1] if closed else 0) + whole(total["total"])
    months = list(CashMonth.objects.filter(kube=kube).select_related("closed_by").order_by("-month")[:12])
    lock_end = month_end(months[0].month) if months else None
    running = opening
    rows = []
    # Labels translated once per page, not once per row; the URL pattern reversed once.
    categories = {code: str(label) for code, label in CashEntry.Category.choices}
    channels = {code: str(label) for code, label in CashEntry.Channel.choices}
    reverse_pattern = reverse("business:cashentry-reverse", args=[kube.pk, 0]).replace("/0/", "/{}/")
    for entry in rows_on_page:
        running += entry.signed_amount
        reversed_ = hasattr(entry, "reversed_by")
        locked = lock_end is not None and entry.entry_date <= lock_end
        rows.append(
            CashRow(
                entry=entry,
                balance=running,
                locked=locked,
                reversed=reversed_,
                category=categories.get(entry.category, entry.category),
                channel=channels.get(entry.channel, ""),
                reversible=not (locked or reversed_ or entry.reverses_id or entry.category in DERIVED),
                reverse_url=reverse_pattern.format(entry.pk),
            )
        )
    to_close = next_month(months[0].month) if months else next_month_to_close(kube)
    return CashBook(
        kube=kube,
        page=page,
        rows=rows,
        opening_balance=opening,
        balance=running if not page.has_next() else cash_balance(kube=kube),
        locked_until=lock_end,
        next_to_close=to_close,
        closable=to_close is not None and month_end(to_close) < timezone.localdate(),
        months=months,
    )


@dataclass(frozen=True)
class AidOverview:
    aid: int
    planned: int
    paid: int
    stages: list[AidStage]
    assets: list[Asset]
    assets_value: int

    @property
    def reconciled(self) -> bool:
        return self.planned == self.aid


def aid_overview(*, kube: Kube) -> AidOverview:
    """The group's aid, its stages and what was paid, and its assets with their checks."""
    stages = list(AidStage.objects.filter(kube=kube).select_related("paid_by").order_by("number"))
    assets = list(Asset.objects.filter(kube=kube).prefetch_related("checks__by"))
    return AidOverview(
        aid=group_aid(kube),
        planned=sum((s.amount for s in stages), 0),
        paid=sum((s.amount for s in stages if s.is_paid), 0),
        stages=stages,
        assets=assets,
        assets_value=sum((a.value for a in assets if a.condition != Asset.Condition.LOST), 0),
    )


def business_plan(*, kube: Kube) -> BusinessPlan | None:
    return BusinessPlan.objects.filter(kube=kube).select_related("approved_by").prefetch_related("lines").first()


@dataclass(frozen=True)
class IksLedger:
    entries: list[IksEntry]
    balance: int
    allocations: list[ProfitAllocation]
    closed_until: dt.date | None
    next_period_start: dt.date | None


def iks_ledger(*, kube: Kube) -> IksLedger:
    """The IKS fund's movements and balance, and the profit allocations so far."""
    allocations = list(ProfitAllocation.objects.filter(kube=kube).select_related("by").order_by("-period_start"))
    closed = last_closed_month(kube)
    if allocations:
        start: dt.date | None = next_month(allocations[0].period_end)
    else:
        first = CashEntry.objects.filter(kube=kube).order_by("entry_date").values_list("entry_date", flat=True).first()
        start = month_start(first) if first else None
    return IksLedger(
        entries=list(IksEntry.objects.filter(kube=kube).select_related("by").order_by("-entry_date", "-pk")[:200]),
        balance=iks_balance(kube=kube),
        allocations=allocations,
        closed_until=closed,
        next_period_start=start if start and closed and start <= closed else None,
    )


@dataclass(frozen=True)
class LoanStatus:
    loan: Loan
    repaid: int
    outstanding: int
    due_by_now: int
    arrears: int


def _due_by(loan: Loan, today: dt.date) -> int:
    """What equal monthly instalments make due by today (the last one takes the rounding remainder)."""
    months = (today.year - loan.issued_on.year) * 12 + today.month - loan.issued_on.month
    if today.day < loan.issued_on.day:
        months -= 1
    paid_instalments = max(0, min(loan.instalments, months))
    if paid_instalments == loan.instalments:
        return loan.principal
    return loan.principal * paid_instalments // loan.instalments


def revolving_fund(*, kube: Kube, today: dt.date | None = None) -> list[LoanStatus]:
    """Every loan of the group's revolving fund with what is repaid, still owed and in arrears."""
    today = today or timezone.localdate()
    loans = Loan.objects.filter(kube=kube).annotate(repaid_sum=Sum("repayments__amount")).order_by("-issued_on")
    result = []
    for loan in loans:
        repaid = whole(loan.repaid_sum)  # type: ignore[attr-defined]
        due = _due_by(loan, today)
        result.append(LoanStatus(loan, repaid, loan.principal - repaid, due, max(0, due - repaid)))
    return result


# Dashboard -------------------------------------------------------------------------------------------------------


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
    aid_paid = whole(AidStage.objects.filter(kube=kube, paid_on__isnull=False).aggregate(t=Sum("amount"))["t"])
    initial_aid = aid_paid + sum((a["value"] for a in assets), 0)

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
    labels = [f"{f.month:%m/%y}" for f in shown]

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

    members = kube.memberships.filter(left_on__isnull=True).count()
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
