"""Reads of the cash book: its balance, its closed months, and one page of it with a running balance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import BigIntegerField, Case, Count, F, Q, QuerySet, Sum, When
from django.urls import reverse
from django.utils import timezone

from berdaya.accounts.models import User
from berdaya.groups.models import Kube

from ..models import CashEntry, CashMonth, month_end, month_start, next_month
from ..money import whole

PER_PAGE = 50


def signed_sum(income: str = CashEntry.Kind.INCOME) -> Sum:
    """Income (or IKS contribution) counts plus, everything else minus: the balance in one aggregate."""
    return Sum(Case(When(kind=income, then=F("amount")), default=-F("amount"), output_field=BigIntegerField()))


def cash_balance(*, kube: Kube, until: dt.date | None = None) -> int:
    """The cash book's balance: every income minus every expense (up to and including `until`).

    Starts from the last closed month's closing balance, so the cost is that of the open months, not of the book.
    """
    closed = CashMonth.objects.filter(kube=kube)
    if until is not None:
        closed = closed.filter(month__lt=month_start(until))
    last = closed.order_by("-month").values_list("month", "closing_balance").first()
    entries = CashEntry.objects.filter(kube=kube)
    if last is not None:
        entries = entries.filter(entry_date__gt=month_end(last[0]))
    if until is not None:
        entries = entries.filter(entry_date__lte=until)
    return (last[1] if last else 0) + whole(entries.aggregate(total=signed_sum())["total"])


def month_totals(*, kube: Kube, month: dt.date) -> tuple[int, int]:
    """A month's income and expenses."""
    totals = CashEntry.objects.filter(kube=kube, entry_date__gte=month, entry_date__lte=month_end(month))
    sums = totals.aggregate(
        income=Sum("amount", filter=Q(kind=CashEntry.Kind.INCOME)),
        expense=Sum("amount", filter=Q(kind=CashEntry.Kind.EXPENSE)),
    )
    return whole(sums["income"]), whole(sums["expense"])


@dataclass(frozen=True)
class MonthClosing:
    """The figures closing a month fixes: its opening balance, income, expenses and closing balance."""

    month: dt.date
    opening: int
    income: int
    expense: int

    @property
    def closing(self) -> int:
        return self.opening + self.income - self.expense


def month_closing(*, kube: Kube, month: dt.date) -> MonthClosing:
    """What `close_cash_month` records for `month` (the first day of a month); its confirmation page shows the same."""
    opening = cash_balance(kube=kube, until=month - dt.timedelta(days=1))
    income, expense = month_totals(kube=kube, month=month)
    return MonthClosing(month=month, opening=opening, income=income, expense=expense)


def is_month_closed(*, kube: Kube, month: dt.date) -> bool:
    return CashMonth.objects.filter(kube=kube, month=month).exists()


def last_closed_month(kube: Kube) -> dt.date | None:
    return CashMonth.objects.filter(kube=kube).order_by("-month").values_list("month", flat=True).first()


def locked_until(kube: Kube) -> dt.date | None:
    """The last day of the last closed month: entries on or before it can no longer be added."""
    last = last_closed_month(kube)
    return month_end(last) if last else None


def first_entry_month(kube: Kube) -> dt.date | None:
    first = CashEntry.objects.filter(kube=kube).order_by("entry_date").values_list("entry_date", flat=True).first()
    return month_start(first) if first else None


def next_month_to_close(kube: Kube) -> dt.date | None:
    """The month after the last closed one; for a book never closed, the month of its first entry."""
    last = last_closed_month(kube)
    if last is not None:
        return next_month(last)
    return first_entry_month(kube)


def is_closable(month: dt.date | None, *, today: dt.date | None = None) -> bool:
    """A month can be closed once it has ended (the rule close_cash_month applies)."""
    return month is not None and month_end(month) < (today or timezone.localdate())


def existing_entry_keys(kube: Kube) -> set[tuple[dt.date, str, int, str]]:
    """What identifies an entry already in the book for an import: date, direction, amount and description."""
    rows = CashEntry.objects.filter(kube=kube).values_list("entry_date", "kind", "amount", "description")
    return set(rows)


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
        opening = (closed[1] if closed else 0) + whole(before.aggregate(total=signed_sum())["total"])
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
        locked = lock_end is not None and entry.entry_date <= lock_end
        rows.append(
            CashRow(
                entry=entry,
                balance=running,
                locked=locked,
                reversed=entry.is_reversed,
                category=categories.get(entry.category, entry.category),
                channel=channels.get(entry.channel, ""),
                reversible=not locked and entry.can_be_reversed,
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
        closable=is_closable(to_close),
        months=months,
    )
