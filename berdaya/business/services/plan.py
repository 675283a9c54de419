"""Plan and aid: the business plan and its budget, the aid's disbursement stages, and the group's assets."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.inbox.services import notify
from berdaya.lib.audit import acting_as, because
from berdaya.lib.formats import number
from berdaya.lib.images import prepare_photo
from berdaya.lib.stored_text import in_office_language, keep

from .. import selectors
from ..models import AidStage, Asset, AssetCheck, BudgetLine, BusinessPlan, CashEntry
from ..money import percent_of
from .cashbook import ensure_open, write_cash_entries
from .common import AidError, PlanError, check_amount, lock_kube

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
    with acting_as(by):
        kube = lock_kube(kube)
        plan = BusinessPlan.objects.select_for_update().filter(kube=kube).first()
        if plan is None:
            plan = BusinessPlan(kube=kube, created_by=by)
        elif not plan.is_editable:
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
    if not plan.is_editable:
        raise PlanError(_("The plan is approved and can no longer be changed."))
    return plan


def add_budget_line(
    *, plan: BusinessPlan, item: str, quantity: int, unit: str, unit_price: int, by: User
) -> BudgetLine:
    """Add an item to the plan's budget (RAB); its total is quantity × unit price."""
    if quantity <= 0:
        raise PlanError(_("The quantity must be more than zero."))
    check_amount(unit_price)
    with acting_as(by):
        plan = _editable(plan)
        line = BudgetLine.objects.create(plan=plan, item=item, quantity=quantity, unit=unit, unit_price=unit_price)
        if plan.status != BusinessPlan.Status.DRAFT:
            plan.status = BusinessPlan.Status.DRAFT
            plan.save(update_fields=["status"])
        return line


def remove_budget_line(*, line: BudgetLine, by: User) -> None:
    """Take a line out of a plan that is not yet approved."""
    with acting_as(by):
        _editable(line.plan)
        line.delete()


def submit_business_plan(*, plan: BusinessPlan, by: User) -> BusinessPlan:
    """Send the drafted plan to the Dinas for approval."""
    with acting_as(by):
        plan = _editable(plan)
        if not plan.can_be_submitted:
            raise PlanError(_("Only a draft plan can be submitted."))
        if not plan.lines.exists():
            raise PlanError(_("Add at least one budget line before submitting the plan."))
        plan.status = BusinessPlan.Status.SUBMITTED
        plan.save()
        kube = plan.kube
        notify(
            kind="plan.submitted",
            region=kube.village_id,
            roles=[User.Role.OFFICER, User.Role.ADMIN],
            subject=keep(
                N_("Business plan of %(kube)s (%(village)s) submitted for approval"),
                kube=kube.name,
                village=kube.village.name,
            ),
            url=reverse("business:plan", args=[kube.pk]),
            by=by,
        )
        return plan


def approve_business_plan(*, plan: BusinessPlan, by: User) -> BusinessPlan:
    """The Dinas approves a submitted plan; from then on it is fixed."""
    with acting_as(by):
        plan = BusinessPlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.can_be_approved:
            raise PlanError(_("Only a submitted plan can be approved."))
        plan.status = BusinessPlan.Status.APPROVED
        plan.approved_by = by
        plan.approved_at = timezone.now()
        plan.save()
        kube = plan.kube
        notify(
            kind="plan.approved",
            region=kube.village_id,
            users=[kube.facilitator],
            subject=keep(N_("The business plan of %(kube)s was approved"), kube=kube.name),
            url=reverse("business:plan", args=[kube.pk]),
            by=by,
        )
        return plan


def return_business_plan(*, plan: BusinessPlan, reason: str, by: User) -> BusinessPlan:
    """The Dinas sends a submitted plan back to the facilitator to change, saying what; it is a draft again."""
    if not reason.strip():
        raise PlanError(_("Say what the group should change in the plan."))
    with acting_as(by):
        plan = BusinessPlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.can_be_approved:
            raise PlanError(_("Only a submitted plan can be returned."))
        plan.status = BusinessPlan.Status.DRAFT
        because(plan, reason.strip())
        plan.save()
        kube = plan.kube
        notify(
            kind="plan.returned",
            region=kube.village_id,
            users=[kube.facilitator],
            subject=keep(N_("The business plan of %(kube)s was returned"), kube=kube.name),
            body=reason.strip(),
            url=reverse("business:plan", args=[kube.pk]),
            by=by,
        )
        return plan


# Aid -------------------------------------------------------------------------------------------------------------


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
    with acting_as(by):
        kube = lock_kube(kube)
        aid = selectors.group_aid(kube)
        planned = selectors.stages_planned(kube)
        if share is not None:
            if isinstance(share, float) or not Decimal(0) < share <= Decimal(100):
                raise AidError(_("The share must be more than 0 % and at most 100 %."))
            # The stage that completes 100 % takes what is left, so shares never lose a Rupiah to rounding.
            completes = planned.share + share == Decimal(100)
            amount = aid - planned.amount if completes else percent_of(aid, share)
        assert amount is not None
        check_amount(amount)
        if planned.amount + amount > aid:
            raise AidError(
                _("The stages would total Rp %(total)s, more than the group's aid of Rp %(aid)s.")
                % {"total": number(planned.amount + amount), "aid": number(aid)}
            )
        stage = AidStage.objects.create(
            kube=kube,
            number=planned.count + 1,
            amount=amount,
            share=share,
            planned_on=planned_on,
            condition=condition,
            created_by=by,
        )
        notify(
            kind="aid.planned",
            region=kube.village_id,
            users=[kube.facilitator],
            subject=keep(N_("Aid stage %(number)s of %(kube)s planned"), number=stage.number, kube=kube.name),
            body=keep(
                N_("Planned for %(date)s; it is paid once its condition is met.")
                if stage.awaits_condition
                else N_("Planned for %(date)s."),
                date=planned_on.isoformat(),
            ),
            url=reverse("business:aid", args=[kube.pk]),
            by=by,
        )
        return stage


def mark_condition_met(*, stage: AidStage, met_on: dt.date, by: User, by_monev: bool = False) -> AidStage:
    """Record that a stage's condition (plan approved, members trained, monitoring passed) has been met.

    "Monitoring passed" is met only by a monev visit with a passing verdict (berdaya/monitoring/monev.py, which
    passes `by_monev`), never by hand: paying before it takes the audited override of `pay_aid_stage`.
    """
    with acting_as(by):
        stage = AidStage.objects.select_for_update().get(pk=stage.pk)
        if not stage.awaits_condition or stage.is_paid:
            raise AidError(_("This stage has no condition waiting to be met."))
        if stage.needs_monev and not by_monev:
            raise AidError(
                _("“Monitoring passed” is met by recording a monev visit with the verdict “continue”, not by hand.")
            )
        stage.condition_met_on = met_on
        stage.save()
        kube = stage.kube
        notify(
            kind="aid.condition_met",
            region=kube.village_id,
            roles=[User.Role.OFFICER, User.Role.ADMIN],
            subject=keep(
                N_("Aid stage %(number)s of %(kube)s (%(village)s) may be paid: its condition is met"),
                number=stage.number,
                kube=kube.name,
                village=kube.village.name,
            ),
            url=reverse("business:aid", args=[kube.pk]),
            by=by,
        )
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
    with acting_as(by):
        kube = lock_kube(stage.kube)
        stage = AidStage.objects.select_for_update().get(pk=stage.pk)
        if stage.is_paid:
            raise AidError(_("This stage has already been paid."))
        if stage.awaits_condition and not override_reason.strip():
            raise AidError(
                _("The condition “%(condition)s” is not met yet; paying now needs a justification.")
                % {"condition": stage.get_condition_display()}
            )
        aid, paid = selectors.group_aid(kube), selectors.aid_paid(kube)
        if paid + stage.amount > aid:
            raise AidError(
                _("Paying Rp %(amount)s would bring the aid paid to Rp %(total)s, more than the Rp %(aid)s allowed.")
                % {"amount": number(stage.amount), "total": number(paid + stage.amount), "aid": number(aid)}
            )
        ensure_open(kube, paid_on)
        stage.paid_on = paid_on
        stage.transfer_reference = transfer_reference.strip()
        stage.paid_by = by
        stage.override_reason = override_reason.strip() if stage.awaits_condition else ""
        entry = CashEntry(
            entry_date=paid_on,
            kind=CashEntry.Kind.INCOME,
            category=CashEntry.Category.AID,
            amount=stage.amount,
            description=in_office_language(
                N_("Aid stage %(number)s (%(reference)s)"), number=stage.number, reference=stage.transfer_reference
            ),
            aid_stage=stage,
            entered_by=by,
        )
        if proof is not None:
            stage.proof.save(proof.name or "proof", proof, save=False)
        if stage.override_reason:
            # Stored in English as written; the history shows it in the reader's language (lib/history.py).
            because(stage, f"paid before its condition was met: {stage.override_reason}")
        stage.save()
        write_cash_entries(kube=kube, entries=[entry], by=by)
        notify(
            kind="aid.paid",
            region=kube.village_id,
            users=[kube.facilitator],
            subject=keep(N_("Aid stage %(number)s of %(kube)s was paid"), number=stage.number, kube=kube.name),
            body=keep(
                N_("Transferred on %(date)s (%(reference)s). Check with the group that it reached its account."),
                date=paid_on.isoformat(),
                reference=stage.transfer_reference,
            ),
            url=reverse("business:aid", args=[kube.pk]),
            by=by,
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
    with acting_as(by):
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
    with acting_as(by):
        asset = Asset.objects.select_for_update().get(pk=asset.pk)
        check = AssetCheck(asset=asset, checked_on=checked_on, condition=condition, note=note, by=by)
        if prepared is not None:
            check.photo.save(prepared.name or "check.jpg", prepared, save=False)
        check.save()
        latest = asset.checks.order_by("-checked_on", "-pk").first()
        if latest is not None and latest.condition != asset.condition:
            asset.condition = latest.condition
            because(asset, f"condition check on {checked_on.isoformat()}")  # shown translated, the date readable
            asset.save()
        return check
