"""IKS and the fund: sharing a period's profit, the solidarity fund (IKS), and the revolving fund's loans."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib import formats
from berdaya.lib.audit import acting_as
from berdaya.lib.formats import number
from berdaya.lib.stored_text import in_office_language

from .. import selectors
from ..models import CashEntry, IksEntry, Loan, ProfitAllocation, Repayment, month_end, month_start
from ..money import allocate
from .cashbook import ensure_open, write_cash_entries
from .common import IksError, LoanError, check_amount, lock_kube

Kind = CashEntry.Kind
Category = CashEntry.Category


# Profit allocation and IKS ---------------------------------------------------------------------------------------


def allocate_profit(*, kube: Kube, period_start: dt.date, period_end: dt.date, by: User) -> ProfitAllocation:
    """Share a closed period's profit between capital, members and IKS by the group's percentages, exactly."""
    start, end = month_start(period_start), month_end(period_end)
    if start > end:
        raise IksError(_("The period ends before it starts."))
    today = timezone.localdate()
    with acting_as(by):
        kube = lock_kube(kube)
        lock_end = selectors.locked_until(kube)
        if lock_end is None or end > lock_end:
            raise IksError(_("Close every month of the period before allocating its profit."))
        if selectors.period_allocated(kube=kube, start=start, end=end):
            raise IksError(_("Part of this period's profit has already been allocated."))
        profit = selectors.period_profit(kube=kube, start=start, end=end)
        if profit <= 0:
            raise IksError(
                _("The period made no profit (Rp %(profit)s): there is nothing to allocate.")
                % {"profit": number(profit)}
            )
        to_capital, to_members, to_iks = allocate(profit, [kube.share_capital, kube.share_members, kube.share_iks])
        allocation = ProfitAllocation.objects.create(
            kube=kube,
            period_start=start,
            period_end=end,
            profit=profit,
            share_capital=kube.share_capital,
            share_members=kube.share_members,
            share_iks=kube.share_iks,
            to_capital=to_capital,
            to_members=to_members,
            to_iks=to_iks,
            members=selectors.current_members(kube),
            allocated_on=today,
            by=by,
        )
        with translation.override(settings.LANGUAGE_CODE):  # the description is written in the office's language
            period = f"{formats.month(start)}–{formats.month(end)}"
        if to_members:
            _expense(
                kube, today, Category.MEMBER_SHARE, to_members, N_("Profit paid to members for %(period)s"), period, by
            )
        if to_iks:
            _expense(kube, today, Category.IKS_TRANSFER, to_iks, N_("IKS contribution for %(period)s"), period, by)
            IksEntry.objects.create(
                kube=kube,
                entry_date=today,
                kind=IksEntry.Kind.CONTRIBUTION,
                amount=to_iks,
                description=in_office_language(N_("From profit of %(period)s"), period=period),
                allocation=allocation,
                by=by,
            )
        return allocation


def _expense(kube: Kube, day: dt.date, category: str, amount: int, msgid: str, period: str, by: User) -> CashEntry:
    entry = CashEntry(
        entry_date=day,
        kind=Kind.EXPENSE,
        category=category,
        amount=amount,
        description=in_office_language(msgid, period=period),
        entered_by=by,
    )
    return write_cash_entries(kube=kube, entries=[entry], by=by)[0]


def record_iks_contribution(*, kube: Kube, entry_date: dt.date, amount: int, description: str, by: User) -> IksEntry:
    """Members' direct contribution to the solidarity fund (besides the share of profit)."""
    amount = check_amount(amount)
    with acting_as(by):
        return IksEntry.objects.create(
            kube=kube,
            entry_date=entry_date,
            kind=IksEntry.Kind.CONTRIBUTION,
            amount=amount,
            description=description,
            by=by,
        )


def use_iks(
    *, kube: Kube, entry_date: dt.date, purpose: str, amount: int, beneficiary: str, description: str, by: User
) -> IksEntry:
    """Give from the solidarity fund to a member in hardship, another poor family or the community."""
    amount = check_amount(amount)
    if purpose not in IksEntry.Purpose.values:
        raise IksError(_("Choose what the IKS money is for."))
    with acting_as(by):
        kube = lock_kube(kube)
        balance = selectors.iks_balance(kube=kube)
        if amount > balance:
            raise IksError(
                _("The IKS fund holds Rp %(balance)s; it cannot give Rp %(amount)s.")
                % {"balance": number(balance), "amount": number(amount)}
            )
        return IksEntry.objects.create(
            kube=kube,
            entry_date=entry_date,
            kind=IksEntry.Kind.USE,
            purpose=purpose,
            amount=amount,
            beneficiary=beneficiary,
            description=description,
            by=by,
        )


# Revolving fund --------------------------------------------------------------------------------------------------


def lend(
    *,
    kube: Kube,
    borrower: str,
    is_member: bool,
    principal: int,
    issued_on: dt.date,
    instalments: int,
    purpose: str = "",
    by: User,
) -> Loan:
    """Lend from the revolving fund; the money leaves the cash book."""
    principal = check_amount(principal)
    if instalments <= 0:
        raise LoanError(_("The loan needs at least one instalment."))
    with acting_as(by):
        kube = lock_kube(kube)
        if not selectors.runs_revolving_fund(kube):
            raise LoanError(_("This group does not run a revolving fund."))
        ensure_open(kube, issued_on)
        balance = selectors.cash_balance(kube=kube)
        if principal > balance:
            raise LoanError(
                _("The cash book holds Rp %(balance)s; it cannot lend Rp %(amount)s.")
                % {"balance": number(balance), "amount": number(principal)}
            )
        entry = CashEntry(
            entry_date=issued_on,
            kind=Kind.EXPENSE,
            category=Category.LOAN_ISSUED,
            amount=principal,
            description=in_office_language(N_("Loan to %(borrower)s"), borrower=borrower),
            entered_by=by,
        )
        return Loan.objects.create(
            kube=kube,
            borrower=borrower,
            is_member=is_member,
            principal=principal,
            issued_on=issued_on,
            instalments=instalments,
            purpose=purpose,
            cash_entry=write_cash_entries(kube=kube, entries=[entry], by=by)[0],
            by=by,
        )


def repay(*, loan: Loan, paid_on: dt.date, amount: int, by: User) -> Repayment:
    """Record an instalment paid back; it cannot exceed what is still owed."""
    amount = check_amount(amount)
    with acting_as(by):
        kube = lock_kube(loan.kube)
        outstanding = loan.principal - selectors.loan_repaid(loan)
        if amount > outstanding:
            raise LoanError(
                _("%(borrower)s owes Rp %(outstanding)s; Rp %(amount)s is too much.")
                % {"borrower": loan.borrower, "outstanding": number(outstanding), "amount": number(amount)}
            )
        entry = CashEntry(
            entry_date=paid_on,
            kind=Kind.INCOME,
            category=Category.LOAN_REPAYMENT,
            amount=amount,
            description=in_office_language(N_("Repayment from %(borrower)s"), borrower=loan.borrower),
            entered_by=by,
        )
        cash_entry = write_cash_entries(kube=kube, entries=[entry], by=by)[0]
        return Repayment.objects.create(loan=loan, paid_on=paid_on, amount=amount, cash_entry=cash_entry, by=by)
