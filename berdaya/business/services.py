"""Every write a business rule governs, one function per business action.

Each action that reads a balance before writing locks the group row first (select_for_update), so two people
acting on the same group's books at once queue instead of both passing a check that only one of them should.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, Case, F, Q, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from simple_history.utils import update_change_reason

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.errors import DomainError
from berdaya.lib.images import prepare_photo
from berdaya.lib.stored_text import in_office_language

from .models import (
    AidStage,
    Asset,
    AssetCheck,
    BudgetLine,
    BusinessPlan,
    CashEntry,
    CashMonth,
    CreditApplication,
    IksEntry,
    Loan,
    MarketEvent,
    MarketParticipation,
    Partnership,
    ProfitAllocation,
    Repayment,
    month_end,
    month_start,
    next_month,
)
from .money import allocate, percent_of, whole


class BusinessError(DomainError):
    pass


class CashBookError(BusinessError):
    pass


class AidError(BusinessError):
    pass


class PlanError(BusinessError):
    pass


class IksError(BusinessError):
    pass


class LoanError(BusinessError):
    pass


Kind = CashEntry.Kind
Category = CashEntry.Category
# Entries another action writes together with its own record (a stage, a loan, an allocation): reversing one
# here would leave that record disagreeing with the book.
DERIVED = (
    Category.AID,
    Category.LOAN_ISSUED,
    Category.LOAN_REPAYMENT,
    Category.MEMBER_SHARE,
    Category.IKS_TRANSFER,
)


def _lock(kube: Kube) -> Kube:
    return Kube.objects.select_for_update().select_related("cycle").get(pk=kube.pk)


def _check_amount(amount: object, *, field: str = "amount") -> int:
    """A positive whole number of Rupiah below the absurd-amount ceiling; a clear message otherwise."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise BusinessError(_("The amount must be a whole number of Rupiah."))
    if amount <= 0:
        raise BusinessError(_("The amount must be more than zero."))
    ceiling = settings.BERDAYA_CASH_ENTRY_MAX
    if amount > ceiling:
        raise BusinessError(
            _("Rp %(amount)s is more than the limit of Rp %(limit)s for one entry: check for extra zeros.")
            % {"amount": f"{amount:,}", "limit": f"{ceiling:,}"}
        )
    return amount


def _signed(income: str = Kind.INCOME) -> Sum:
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
    return (last[1] if last else 0) + whole(entries.aggregate(total=_signed())["total"])


def last_closed_month(kube: Kube) -> dt.date | None:
    return CashMonth.objects.filter(kube=kube).order_by("-month").values_list("month", flat=True).first()


def locked_until(kube: Kube) -> dt.date | None:
    """The last day of the last closed month: entries on or before it can no longer be added."""
    last = last_closed_month(kube)
    return month_end(last) if last else None


def _check_open(kube: Kube, day: dt.date) -> None:
    lock_end = locked_until(kube)
    if lock_end is not None and day <= lock_end:
        raise CashBookError(
            _("%(month)s is closed: record a correction in an open month instead.") % {"month": f"{day:%m/%Y}"}
        )


def _create_entry(*, kube: Kube, by: User, **values: Any) -> CashEntry:
    entry = CashEntry(kube=kube, entered_by=by, **values)
    entry.save()
    return entry


def record_cash_entry(
    *,
    kube: Kube,
    entry_date: dt.date,
    kind: str,
    category: str,
    amount: int,
    description: str,
    receipt: UploadedFile[bytes] | None = None,
    product: str = "",
    quantity: int | None = None,
    unit_price: int | None = None,
    buyer_type: str = "",
    channel: str = "",
    by: User,
) -> CashEntry:
    """Write one income or expense line in the group's cash book."""
    amount = _check_amount(amount)
    if kind not in Kind.values:
        raise CashBookError(_("Say whether the money came in or went out."))
    if not description.strip():
        raise CashBookError(_("Describe the entry."))
    if kind == Kind.INCOME and category not in CashEntry.INCOME_CATEGORIES:
        raise CashBookError(_("This category is not a kind of income."))
    if kind == Kind.EXPENSE and category not in CashEntry.EXPENSE_CATEGORIES:
        raise CashBookError(_("This category is not a kind of expense."))
    if category == Category.AID:
        raise CashBookError(_("Aid enters the book when a disbursement stage is recorded as paid."))
    if entry_date > timezone.localdate():
        raise CashBookError(_("The date is in the future."))
    if category == Category.SALES:
        if not product.strip() or not channel:
            raise CashBookError(_("A sale needs the product and the market channel."))
        if quantity is not None and unit_price is not None and quantity * unit_price != amount:
            raise CashBookError(
                _("%(quantity)s × Rp %(price)s is Rp %(total)s, not Rp %(amount)s.")
                % {
                    "quantity": quantity,
                    "price": f"{unit_price:,}",
                    "total": f"{quantity * unit_price:,}",
                    "amount": f"{amount:,}",
                }
            )
    else:
        product, quantity, unit_price, buyer_type, channel = "", None, None, "", ""
    # Checked before the transaction so that a bad photo never leaves a half-written entry.
    photo = prepare_photo(receipt).content if receipt else None
    with transaction.atomic():
        kube = _lock(kube)
        _check_open(kube, entry_date)
        entry = CashEntry(
            kube=kube,
            entry_date=entry_date,
            kind=kind,
            category=category,
            amount=amount,
            description=description.strip(),
            product=product.strip(),
            quantity=quantity,
            unit_price=unit_price,
            buyer_type=buyer_type,
            channel=channel,
            entered_by=by,
        )
        if photo is not None:
            entry.receipt.save(photo.name or "receipt.jpg", photo, save=False)
        entry.save()
        return entry


def reverse_cash_entry(*, entry: CashEntry, reason: str, by: User, on: dt.date | None = None) -> CashEntry:
    """Cancel an entry with an opposite entry of the same amount, dated in an open month."""
    on = on or timezone.localdate()
    if not reason.strip():
        raise CashBookError(_("Say why the entry is being reversed."))
    with transaction.atomic():
        kube = _lock(entry.kube)
        entry = CashEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.reverses_id is not None:
            raise CashBookError(_("A reversal cannot itself be reversed; record a new entry instead."))
        if CashEntry.objects.filter(reverses=entry).exists():
            raise CashBookError(_("This entry has already been reversed."))
        if entry.category in DERIVED:
            raise CashBookError(
                _("This entry was written by the %(source)s page; correct it there.")
                % {"source": entry.get_category_display()}
            )
        _check_open(kube, on)
        return _create_entry(
            kube=kube,
            by=by,
            entry_date=on,
            kind=Kind.EXPENSE if entry.kind == Kind.INCOME else Kind.INCOME,
            category=Category.REVERSAL,
            amount=entry.amount,
            description=in_office_language(
                N_("Reversal of %(date)s %(description)s: %(reason)s"),
                date=f"{entry.entry_date:%d/%m/%Y}",
                description=entry.description,
                reason=reason.strip(),
            ),
            reverses=entry,
        )


def next_month_to_close(kube: Kube) -> dt.date | None:
    """The month after the last closed one; for a book never closed, the month of its first entry."""
    last = last_closed_month(kube)
    if last is not None:
        return next_month(last)
    first = CashEntry.objects.filter(kube=kube).order_by("entry_date").values_list("entry_date", flat=True).first()
    return month_start(first) if first else None


def close_cash_month(*, kube: Kube, month: dt.date, by: User) -> CashMonth:
    """Close a month of the cash book: its totals are fixed and nothing can be entered on or before it."""
    month = month_start(month)
    if month_end(month) >= timezone.localdate():
        raise CashBookError(_("A month can be closed only after it has ended."))
    try:
        with transaction.atomic():
            # Two treasurers closing the same month at once: the second waits here, then finds it closed.
            kube = _lock(kube)
            if CashMonth.objects.filter(kube=kube, month=month).exists():
                raise CashBookError(_("%(month)s is already closed.") % {"month": f"{month:%m/%Y}"})
            expected = next_month_to_close(kube)
            if expected is None:
                raise CashBookError(_("The cash book has no entries yet."))
            if month != expected:
                raise CashBookError(
                    _("Months are closed in order: close %(month)s first.") % {"month": f"{expected:%m/%Y}"}
                )
            opening = cash_balance(kube=kube, until=month - dt.timedelta(days=1))
            totals = CashEntry.objects.filter(kube=kube, entry_date__gte=month, entry_date__lte=month_end(month))
            sums = totals.aggregate(
                income=Sum("amount", filter=Q(kind=Kind.INCOME)), expense=Sum("amount", filter=Q(kind=Kind.EXPENSE))
            )
            income, expense = whole(sums["income"]), whole(sums["expense"])
            return CashMonth.objects.create(
                kube=kube,
                month=month,
                opening_balance=opening,
                income=income,
                expense=expense,
                closing_balance=opening + income - expense,
                closed_by=by,
            )
    except IntegrityError as error:
        # The unique (kube, month) constraint: only reached if the lock was bypassed.
        raise CashBookError(_("%(month)s is already closed.") % {"month": f"{month:%m/%Y}"}) from error


# Business plan ---------------------------------------------------------------------------------------------------


def save_business_plan(
    *,
    kube: Kube,
    summary: str,
    products: str,
    expected_monthly_revenue: int,
    revolving_fund: bool = False,
    by: User,
) -> BusinessPlan:
    """Draft or update the group's business plan; an approved plan is fixed."""
    if isinstance(expected_monthly_revenue, bool) or not isinstance(expected_monthly_revenue, int):
        raise PlanError(_("The amount must be a whole number of Rupiah."))
    if expected_monthly_revenue < 0:
        raise PlanError(_("The expected revenue cannot be negative."))
    with transaction.atomic():
        kube = _lock(kube)
        plan = BusinessPlan.objects.filter(kube=kube).first()
        if plan is None:
            plan = BusinessPlan(kube=kube, created_by=by)
        elif plan.status == BusinessPlan.Status.APPROVED:
            raise PlanError(_("The plan is approved and can no longer be changed."))
        plan.summary = summary
        plan.products = products
        plan.expected_monthly_revenue = expected_monthly_revenue
        plan.revolving_fund = revolving_fund
        plan.status = BusinessPlan.Status.DRAFT
        plan.save()
        return plan


def _editable(plan: BusinessPlan) -> BusinessPlan:
    plan = BusinessPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status == BusinessPlan.Status.APPROVED:
        raise PlanError(_("The plan is approved and can no longer be changed."))
    return plan


def add_budget_line(
    *, plan: BusinessPlan, item: str, quantity: int, unit: str, unit_price: int, by: User
) -> BudgetLine:
    """Add an item to the plan's budget (RAB); its total is quantity × unit price."""
    if quantity <= 0:
        raise PlanError(_("The quantity must be more than zero."))
    _check_amount(unit_price)
    with transaction.atomic():
        plan = _editable(plan)
        line = BudgetLine.objects.create(plan=plan, item=item, quantity=quantity, unit=unit, unit_price=unit_price)
        if plan.status != BusinessPlan.Status.DRAFT:
            plan.status = BusinessPlan.Status.DRAFT
            plan.save(update_fields=["status"])
        return line


def remove_budget_line(*, line: BudgetLine, by: User) -> None:
    """Take a line out of a plan that is not yet approved."""
    with transaction.atomic():
        _editable(line.plan)
        line.delete()


def submit_business_plan(*, plan: BusinessPlan, by: User) -> BusinessPlan:
    """Send the drafted plan to the Dinas for approval."""
    with transaction.atomic():
        plan = _editable(plan)
        if not plan.lines.exists():
            raise PlanError(_("Add at least one budget line before submitting the plan."))
        plan.status = BusinessPlan.Status.SUBMITTED
        plan.save()
        return plan


def approve_business_plan(*, plan: BusinessPlan, by: User) -> BusinessPlan:
    """The Dinas approves a submitted plan; from then on it is fixed."""
    with transaction.atomic():
        plan = BusinessPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != BusinessPlan.Status.SUBMITTED:
            raise PlanError(_("Only a submitted plan can be approved."))
        plan.status = BusinessPlan.Status.APPROVED
        plan.approved_by = by
        plan.approved_at = timezone.now()
        plan.save()
        return plan


def budget_total(plan: BusinessPlan) -> int:
    return sum((line.total for line in plan.lines.all()), 0)


# Aid ---------------------------------------------------------------------------------------------------------------


def group_aid(kube: Kube) -> int:
    """The group's aid: the cycle's aid per member for each current member."""
    return kube.cycle.aid_per_member * kube.memberships.filter(left_on__isnull=True).count()


def add_aid_stage(
    *,
    kube: Kube,
    planned_on: dt.date,
    condition: str,
    amount: int | None = None,
    share: Decimal | None = None,
    by: User,
) -> AidStage:
    """Plan the next disbursement stage by amount or by share of the aid; the stages never exceed the aid."""
    if (amount is None) == (share is None):
        raise AidError(_("Give either the amount or the share of the aid, not both."))
    with transaction.atomic():
        kube = _lock(kube)
        aid = group_aid(kube)
        stages = list(AidStage.objects.filter(kube=kube))
        planned = sum((s.amount for s in stages), 0)
        if share is not None:
            if isinstance(share, float) or not Decimal(0) < share <= Decimal(100):
                raise AidError(_("The share must be more than 0 % and at most 100 %."))
            shares = sum((s.share or Decimal(0) for s in stages), Decimal(0)) + share
            # The stage that completes 100 % takes what is left, so shares never lose a Rupiah to rounding.
            amount = aid - planned if shares == Decimal(100) else percent_of(aid, share)
        assert amount is not None
        _check_amount(amount)
        if planned + amount > aid:
            raise AidError(
                _("The stages would total Rp %(total)s, more than the group's aid of Rp %(aid)s.")
                % {"total": f"{planned + amount:,}", "aid": f"{aid:,}"}
            )
        return AidStage.objects.create(
            kube=kube,
            number=len(stages) + 1,
            amount=amount,
            share=share,
            planned_on=planned_on,
            condition=condition,
            created_by=by,
        )


def mark_condition_met(*, stage: AidStage, met_on: dt.date, by: User) -> AidStage:
    """Record that a stage's condition (monitoring passed, ...) has been met."""
    with transaction.atomic():
        stage = AidStage.objects.select_for_update().get(pk=stage.pk)
        stage.condition_met_on = met_on
        stage.save()
        return stage


def pay_aid_stage(
    *,
    stage: AidStage,
    paid_on: dt.date,
    transfer_reference: str,
    proof: UploadedFile[bytes] | None = None,
    override_reason: str = "",
    by: User,
) -> AidStage:
    """Record the transfer of a stage to the group's account; the aid enters the cash book as income."""
    if not transfer_reference.strip():
        raise AidError(_("Give the transfer reference."))
    if paid_on > timezone.localdate():
        raise AidError(_("The date is in the future."))
    with transaction.atomic():
        kube = _lock(stage.kube)
        stage = AidStage.objects.select_for_update().get(pk=stage.pk)
        if stage.is_paid:
            raise AidError(_("This stage has already been paid."))
        condition_met = stage.condition == AidStage.Condition.NONE or stage.condition_met_on is not None
        if not condition_met and not override_reason.strip():
            raise AidError(
                _("The condition “%(condition)s” is not met yet; paying now needs a justification.")
                % {"condition": stage.get_condition_display()}
            )
        aid = group_aid(kube)
        paid = whole(AidStage.objects.filter(kube=kube, paid_on__isnull=False).aggregate(t=Sum("amount"))["t"])
        if paid + stage.amount > aid:
            raise AidError(
                _("Paying Rp %(amount)s would bring the aid paid to Rp %(total)s, more than the Rp %(aid)s allowed.")
                % {"amount": f"{stage.amount:,}", "total": f"{paid + stage.amount:,}", "aid": f"{aid:,}"}
            )
        _check_open(kube, paid_on)
        stage.paid_on = paid_on
        stage.transfer_reference = transfer_reference.strip()
        stage.paid_by = by
        stage.override_reason = "" if condition_met else override_reason.strip()
        if proof is not None:
            stage.proof.save(proof.name or "proof", proof, save=False)
        stage._change_reason = (  # type: ignore[attr-defined]  # read by simple-history for the audit trail
            _("Paid before its condition was met: %(reason)s") % {"reason": stage.override_reason}
            if stage.override_reason
            else ""
        )
        stage.save()
        _create_entry(
            kube=kube,
            by=by,
            entry_date=paid_on,
            kind=Kind.INCOME,
            category=Category.AID,
            amount=stage.amount,
            description=in_office_language(
                N_("Aid stage %(number)s (%(reference)s)"), number=stage.number, reference=stage.transfer_reference
            ),
            aid_stage=stage,
        )
        return stage


def add_asset(
    *,
    kube: Kube,
    item: str,
    quantity: int,
    value: int,
    received_on: dt.date,
    location: str = "",
    from_aid: bool = True,
    photo: UploadedFile[bytes] | None = None,
    by: User,
) -> Asset:
    """Record equipment or materials the group received in kind or bought."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise AidError(_("The value must be a whole number of Rupiah, zero or more."))
    if quantity <= 0:
        raise AidError(_("The quantity must be more than zero."))
    prepared = prepare_photo(photo).content if photo else None
    asset = Asset(
        kube=kube,
        item=item,
        quantity=quantity,
        value=value,
        received_on=received_on,
        location=location,
        from_aid=from_aid,
        created_by=by,
    )
    if prepared is not None:
        asset.photo.save(prepared.name or "asset.jpg", prepared, save=False)
    asset.save()
    return asset


def check_asset(
    *,
    asset: Asset,
    checked_on: dt.date,
    condition: str,
    note: str = "",
    photo: UploadedFile[bytes] | None = None,
    by: User,
) -> AssetCheck:
    """Record an asset's condition on a visit; the asset shows its latest condition."""
    prepared = prepare_photo(photo).content if photo else None
    with transaction.atomic():
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        check = AssetCheck(asset=asset, checked_on=checked_on, condition=condition, note=note, by=by)
        if prepared is not None:
            check.photo.save(prepared.name or "check.jpg", prepared, save=False)
        check.save()
        latest = asset.checks.order_by("-checked_on", "-pk").first()
        if latest is not None and latest.condition != asset.condition:
            asset.condition = latest.condition
            asset.save()
            update_change_reason(asset, _("Condition check on %(date)s") % {"date": f"{checked_on:%d/%m/%Y}"})
        return check


# Profit allocation and IKS ---------------------------------------------------------------------------------------


def period_profit(*, kube: Kube, start: dt.date, end: dt.date) -> int:
    """Sales and other business income minus business costs; aid, loans and distributions are not profit.

    A reversal counts against the category of the entry it reverses.
    """
    entries = CashEntry.objects.filter(kube=kube, entry_date__gte=start, entry_date__lte=end)
    operating = entries.exclude(category__in=CashEntry.NOT_PROFIT).exclude(
        category=Category.REVERSAL, reverses__category__in=CashEntry.NOT_PROFIT
    )
    return whole(operating.aggregate(total=_signed())["total"])


def allocate_profit(*, kube: Kube, period_start: dt.date, period_end: dt.date, by: User) -> ProfitAllocation:
    """Share a closed period's profit between capital, members and IKS by the group's percentages, exactly."""
    start, end = month_start(period_start), month_end(period_end)
    if start > end:
        raise IksError(_("The period ends before it starts."))
    today = timezone.localdate()
    with transaction.atomic():
        kube = _lock(kube)
        lock_end = locked_until(kube)
        if lock_end is None or end > lock_end:
            raise IksError(_("Close every month of the period before allocating its profit."))
        if ProfitAllocation.objects.filter(kube=kube, period_start__lte=end, period_end__gte=start).exists():
            raise IksError(_("Part of this period's profit has already been allocated."))
        profit = period_profit(kube=kube, start=start, end=end)
        if profit <= 0:
            raise IksError(
                _("The period made no profit (Rp %(profit)s): there is nothing to allocate.")
                % {"profit": f"{profit:,}"}
            )
        to_capital, to_members, to_iks = allocate(profit, [kube.share_capital, kube.share_members, kube.share_iks])
        members = kube.memberships.filter(left_on__isnull=True).count()
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
            members=members,
            allocated_on=today,
            by=by,
        )
        period = f"{start:%m/%Y}–{end:%m/%Y}"
        if to_members:
            _create_entry(
                kube=kube,
                by=by,
                entry_date=today,
                kind=Kind.EXPENSE,
                category=Category.MEMBER_SHARE,
                amount=to_members,
                description=in_office_language(N_("Profit paid to members for %(period)s"), period=period),
            )
        if to_iks:
            _create_entry(
                kube=kube,
                by=by,
                entry_date=today,
                kind=Kind.EXPENSE,
                category=Category.IKS_TRANSFER,
                amount=to_iks,
                description=in_office_language(N_("IKS contribution for %(period)s"), period=period),
            )
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


def iks_balance(*, kube: Kube) -> int:
    return whole(IksEntry.objects.filter(kube=kube).aggregate(total=_signed(IksEntry.Kind.CONTRIBUTION))["total"])


def record_iks_contribution(*, kube: Kube, entry_date: dt.date, amount: int, description: str, by: User) -> IksEntry:
    """Members' direct contribution to the solidarity fund (besides the share of profit)."""
    amount = _check_amount(amount)
    return IksEntry.objects.create(
        kube=kube, entry_date=entry_date, kind=IksEntry.Kind.CONTRIBUTION, amount=amount, description=description, by=by
    )


def use_iks(
    *, kube: Kube, entry_date: dt.date, purpose: str, amount: int, beneficiary: str, description: str, by: User
) -> IksEntry:
    """Give from the solidarity fund to a member in hardship, another poor family or the community."""
    amount = _check_amount(amount)
    if purpose not in IksEntry.Purpose.values:
        raise IksError(_("Choose what the IKS money is for."))
    with transaction.atomic():
        kube = _lock(kube)
        balance = iks_balance(kube=kube)
        if amount > balance:
            raise IksError(
                _("The IKS fund holds Rp %(balance)s; it cannot give Rp %(amount)s.")
                % {"balance": f"{balance:,}", "amount": f"{amount:,}"}
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
    principal = _check_amount(principal)
    if instalments <= 0:
        raise LoanError(_("The loan needs at least one instalment."))
    with transaction.atomic():
        kube = _lock(kube)
        plan = BusinessPlan.objects.filter(kube=kube).first()
        if plan is None or not plan.revolving_fund:
            raise LoanError(_("This group does not run a revolving fund."))
        _check_open(kube, issued_on)
        balance = cash_balance(kube=kube)
        if principal > balance:
            raise LoanError(
                _("The cash book holds Rp %(balance)s; it cannot lend Rp %(amount)s.")
                % {"balance": f"{balance:,}", "amount": f"{principal:,}"}
            )
        entry = _create_entry(
            kube=kube,
            by=by,
            entry_date=issued_on,
            kind=Kind.EXPENSE,
            category=Category.LOAN_ISSUED,
            amount=principal,
            description=in_office_language(N_("Loan to %(borrower)s"), borrower=borrower),
        )
        return Loan.objects.create(
            kube=kube,
            borrower=borrower,
            is_member=is_member,
            principal=principal,
            issued_on=issued_on,
            instalments=instalments,
            purpose=purpose,
            cash_entry=entry,
            by=by,
        )


def repay(*, loan: Loan, paid_on: dt.date, amount: int, by: User) -> Repayment:
    """Record an instalment paid back; it cannot exceed what is still owed."""
    amount = _check_amount(amount)
    with transaction.atomic():
        kube = _lock(loan.kube)
        repaid = whole(Repayment.objects.filter(loan=loan).aggregate(t=Sum("amount"))["t"])
        outstanding = loan.principal - repaid
        if amount > outstanding:
            raise LoanError(
                _("%(borrower)s owes Rp %(outstanding)s; Rp %(amount)s is too much.")
                % {"borrower": loan.borrower, "outstanding": f"{outstanding:,}", "amount": f"{amount:,}"}
            )
        _check_open(kube, paid_on)
        entry = _create_entry(
            kube=kube,
            by=by,
            entry_date=paid_on,
            kind=Kind.INCOME,
            category=Category.LOAN_REPAYMENT,
            amount=amount,
            description=in_office_language(N_("Repayment from %(borrower)s"), borrower=loan.borrower),
        )
        return Repayment.objects.create(loan=loan, paid_on=paid_on, amount=amount, cash_entry=entry, by=by)


# Access to capital and markets -----------------------------------------------------------------------------------


def apply_for_credit(
    *, kube: Kube, scheme: str, lender: str, amount_requested: int, applied_on: dt.date, note: str = "", by: User
) -> CreditApplication:
    """Record a KUR or other loan application."""
    _check_amount(amount_requested)
    return CreditApplication.objects.create(
        kube=kube,
        scheme=scheme,
        lender=lender,
        amount_requested=amount_requested,
        applied_on=applied_on,
        note=note,
        by=by,
    )


def decide_credit(
    *, application: CreditApplication, outcome: str, decided_on: dt.date, amount_approved: int | None, by: User
) -> CreditApplication:
    """Record the bank's decision on an application."""
    if outcome == CreditApplication.Outcome.APPROVED:
        if amount_approved is None:
            raise BusinessError(_("Give the amount approved."))
        _check_amount(amount_approved)
    else:
        amount_approved = None
    with transaction.atomic():
        application = CreditApplication.objects.select_for_update().get(pk=application.pk)
        if application.outcome != CreditApplication.Outcome.PENDING:
            raise BusinessError(_("The bank has already decided on this application."))
        if decided_on < application.applied_on:
            raise BusinessError(_("The decision cannot come before the application."))
        application.outcome = outcome
        application.decided_on = decided_on
        application.amount_approved = amount_approved
        application.save()
        return application


def add_partnership(
    *, kube: Kube, partner: str, kind: str, started_on: dt.date, description: str = "", by: User
) -> Partnership:
    """Record a partnership with a buyer, cooperative, company or bank."""
    return Partnership.objects.create(
        kube=kube, partner=partner, kind=kind, started_on=started_on, description=description, by=by
    )


def create_market_event(*, region: Any, name: str, held_on: dt.date, location: str = "", by: User) -> MarketEvent:
    """The Dinas announces a bazaar, exhibition or outlet day."""
    return MarketEvent.objects.create(region=region, name=name, held_on=held_on, location=location, by=by)


def record_market_participation(
    *, event: MarketEvent, kube: Kube, sales: int, note: str = "", by: User
) -> MarketParticipation:
    """Record that a group sold at a market event, and how much."""
    if isinstance(sales, bool) or not isinstance(sales, int) or sales < 0:
        raise BusinessError(_("The sales must be a whole number of Rupiah, zero or more."))
    if MarketParticipation.objects.filter(event=event, kube=kube).exists():
        raise BusinessError(_("This group is already recorded at this event."))
    return MarketParticipation.objects.create(event=event, kube=kube, sales=sales, note=note, by=by)
