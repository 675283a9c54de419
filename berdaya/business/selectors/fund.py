"""Reads of IKS and the fund: a period's profit, the IKS ledger and balance, the revolving fund's loans."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone

from berdaya.groups.models import Kube

from ..models import CashEntry, IksEntry, Loan, ProfitAllocation, Repayment, next_month
from ..money import whole
from .cashbook import first_entry_month, last_closed_month, signed_sum

Category = CashEntry.Category


def period_profit(*, kube: Kube, start: dt.date, end: dt.date) -> int:
    """Sales and other business income minus business costs; aid, loans and distributions are not profit.

    A reversal counts against the category of the entry it reverses.
    """
    entries = CashEntry.objects.filter(kube=kube, entry_date__gte=start, entry_date__lte=end)
    operating = entries.exclude(category__in=CashEntry.NOT_PROFIT).exclude(
        category=Category.REVERSAL, reverses__category__in=CashEntry.NOT_PROFIT
    )
    return whole(operating.aggregate(total=signed_sum())["total"])


def period_allocated(*, kube: Kube, start: dt.date, end: dt.date) -> bool:
    """Part of the period's profit has already been allocated."""
    return ProfitAllocation.objects.filter(kube=kube, period_start__lte=end, period_end__gte=start).exists()


def iks_balance(*, kube: Kube) -> int:
    return whole(IksEntry.objects.filter(kube=kube).aggregate(total=signed_sum(IksEntry.Kind.CONTRIBUTION))["total"])


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
    start = next_month(allocations[0].period_end) if allocations else first_entry_month(kube)
    return IksLedger(
        entries=list(IksEntry.objects.filter(kube=kube).select_related("by").order_by("-entry_date", "-pk")[:200]),
        balance=iks_balance(kube=kube),
        allocations=allocations,
        closed_until=closed,
        next_period_start=start if start and closed and start <= closed else None,
    )


def loan_repaid(loan: Loan) -> int:
    return whole(Repayment.objects.filter(loan=loan).aggregate(t=Sum("amount"))["t"])


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
    return revolving_funds(kube_ids=[kube.pk], today=today).get(kube.pk, [])


def revolving_funds(*, kube_ids: Iterable[int], today: dt.date | None = None) -> dict[int, list[LoanStatus]]:
    """The revolving fund of many groups at once (one query): kube id -> its loans, newest first, as
    `revolving_fund` gives them; groups without a loan are left out."""
    today = today or timezone.localdate()
    loans = (
        Loan.objects.filter(kube_id__in=list(kube_ids))
        .annotate(repaid_sum=Sum("repayments__amount"))
        .order_by("kube_id", "-issued_on", "-pk")
    )
    result: dict[int, list[LoanStatus]] = {}
    for loan in loans:
        repaid = whole(loan.repaid_sum)  # type: ignore[attr-defined]
        due = _due_by(loan, today)
        status = LoanStatus(loan, repaid, loan.principal - repaid, due, max(0, due - repaid))
        result.setdefault(loan.kube_id, []).append(status)
    return result
