"""Business over the API: plans, aid stages, assets, the cash book, IKS and the revolving fund of each group."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from ninja import ModelSchema, Router, Status

from berdaya.groups.models import Kube
from berdaya.lib.api import (
    WRITE_ERRORS,
    action_body,
    form_body,
    get_visible,
    kube_records,
    posted,
    require,
    state_action,
    submit,
)
from berdaya.lib.http import AuthedRequest

from . import selectors, services
from .forms import CashEntryForm, ConditionMetForm, PayStageForm
from .models import AidStage, Asset, BusinessPlan, CashEntry, IksEntry, Loan, ProfitAllocation, Repayment

router = Router(tags=["business"])
VIEW = "business.view_cashentry"  # the permission every business page asks (views/common.py)


class PlanOut(ModelSchema):
    class Meta:
        model = BusinessPlan
        fields = [
            "id",
            "kube",
            "summary",
            "products",
            "expected_monthly_revenue",
            "revolving_fund",
            "status",
            "approved_by",
            "approved_at",
        ]


class AidStageOut(ModelSchema):
    class Meta:
        model = AidStage
        fields = [
            "id",
            "kube",
            "number",
            "amount",
            "share",
            "planned_on",
            "condition",
            "condition_met_on",
            "paid_on",
            "transfer_reference",
        ]


class AssetOut(ModelSchema):
    class Meta:
        model = Asset
        fields = ["id", "kube", "item", "quantity", "value", "from_aid", "received_on", "location", "condition"]


class CashEntryOut(ModelSchema):
    class Meta:
        model = CashEntry
        fields = [
            "id",
            "kube",
            "entry_date",
            "month",
            "kind",
            "category",
            "amount",
            "description",
            "product",
            "quantity",
            "unit_price",
            "buyer_type",
            "channel",
            "reverses",
            "aid_stage",
            "entered_by",
            "entered_at",
        ]


class IksEntryOut(ModelSchema):
    class Meta:
        model = IksEntry
        fields = ["id", "kube", "entry_date", "kind", "purpose", "amount", "beneficiary", "description", "allocation"]


class AllocationOut(ModelSchema):
    class Meta:
        model = ProfitAllocation
        fields = [
            "id",
            "kube",
            "period_start",
            "period_end",
            "profit",
            "share_capital",
            "share_members",
            "share_iks",
            "to_capital",
            "to_members",
            "to_iks",
            "members",
            "allocated_on",
        ]


class LoanOut(ModelSchema):
    class Meta:
        model = Loan
        fields = ["id", "kube", "borrower", "is_member", "principal", "issued_on", "instalments", "purpose"]


class RepaymentOut(ModelSchema):
    class Meta:
        model = Repayment
        fields = ["id", "loan", "paid_on", "amount"]


kube_records(
    router,
    path="plans",
    name="business_plans",
    model=BusinessPlan,
    schema=PlanOut,
    permission=VIEW,
    dated="approved_at",
    label="business plans",
)
kube_records(
    router,
    path="aid-stages",
    name="business_aid_stages",
    model=AidStage,
    schema=AidStageOut,
    permission=VIEW,
    dated="planned_on",
    label="aid stages",
)
kube_records(
    router,
    path="assets",
    name="business_assets",
    model=Asset,
    schema=AssetOut,
    permission=VIEW,
    dated="received_on",
    label="assets",
)
kube_records(
    router,
    path="cash-entries",
    name="business_cash_entries",
    model=CashEntry,
    schema=CashEntryOut,
    permission=VIEW,
    dated="entry_date",
    label="cash-book entries",
)
kube_records(
    router,
    path="iks-entries",
    name="business_iks_entries",
    model=IksEntry,
    schema=IksEntryOut,
    permission=VIEW,
    dated="entry_date",
    label="IKS entries",
)
kube_records(
    router,
    path="allocations",
    name="business_allocations",
    model=ProfitAllocation,
    schema=AllocationOut,
    permission=VIEW,
    dated="allocated_on",
    label="profit allocations",
)
kube_records(
    router,
    path="loans",
    name="business_loans",
    model=Loan,
    schema=LoanOut,
    permission=VIEW,
    dated="issued_on",
    label="revolving-fund loans",
)
kube_records(
    router,
    path="repayments",
    name="business_repayments",
    model=Repayment,
    schema=RepaymentOut,
    permission=VIEW,
    dated="paid_on",
    kube_path="loan__kube_id",
    label="revolving-fund repayments",
)


@router.post(
    "/kubes/{kube}/cash-entries",
    response={201: CashEntryOut, **WRITE_ERRORS},
    operation_id="business_cash_entries_create",
    url_name="business_cash_entries_create",
    summary="Write a cash-book entry",
    description="The entry form of the group's cash book (multipart, with its `receipt` photo): one income or"
    " expense line, refused in a month already closed.",
    openapi_extra=form_body((CashEntryForm, "")),
)
def cash_entry_create(request: AuthedRequest, kube: int) -> Status[CashEntry]:
    require(request, "business.add_cashentry")
    group = get_visible(Kube.objects.visible_to(request.user).select_related("cycle", "village", "facilitator"), kube)
    form = CashEntryForm(request.POST, request.FILES)
    return Status(201, submit(request, services.record_cash_entry, form=form, kube=group))


# --- State actions: what a group's plan and aid pages offer the caller (selectors.actions_for) --------------------
# The page's permission (403), the record in the caller's scope (404), a step the page would not offer now (403
# `not_allowed`), the page's form (422), `"confirm": true` where the page confirms (400 `confirm_required`), then the
# page's service (its refusal: 400 with the page's message).


def _plan(request: AuthedRequest, permission: str, pk: int) -> BusinessPlan:
    require(request, permission)
    return get_visible(BusinessPlan.objects.visible_to(request.user).select_related("kube"), pk)


_REASON = {"reason": forms.CharField(label="Reason", required=False)}

# action: (permission, service, confirmed, takes a reason, summary)
_PLAN_ACTIONS: dict[str, tuple[str, Callable[..., BusinessPlan], bool, bool, str]] = {
    "submit": (
        "business.change_businessplan",
        services.submit_business_plan,
        False,
        False,
        "Send a drafted business plan to the Dinas for approval",
    ),
    "approve": (
        "business.approve_businessplan",
        services.approve_business_plan,
        True,
        False,
        "Approve a submitted business plan: from then on it is fixed",
    ),
    "return": (
        "business.approve_businessplan",
        services.return_business_plan,
        False,
        True,
        "Send a submitted business plan back to the facilitator, saying what to change (`reason`)",
    ),
}


def _plan_action(
    action: str, permission: str, service: Callable[..., BusinessPlan], confirm: bool, reason: bool, what: str
) -> None:
    @router.post(
        f"/plans/{{pk}}/{action}",
        response={200: PlanOut, **WRITE_ERRORS},
        operation_id=f"business_plans_{action}",
        url_name=f"business_plans_{action}",
        summary=what,
        description=f"{what}: the plan page's action, refused (403) when the page would not offer it to you."
        + (' The page confirms it first: send `"confirm": true`.' if confirm else ""),
        openapi_extra=action_body(fields=_REASON if reason else None, confirm=confirm),
    )
    def run(request: AuthedRequest, pk: int) -> BusinessPlan:
        plan = _plan(request, permission, pk)
        allowed = selectors.actions_for(request.user, plan)
        data: dict[str, Any] = {"reason": str(posted(request).get("reason") or "")} if reason else {}
        return state_action(request, action, allowed, service, confirm=confirm, data=data, plan=plan)


for _action, (_permission, _service, _confirm, _reason, _what) in _PLAN_ACTIONS.items():
    _plan_action(_action, _permission, _service, _confirm, _reason, _what)


def _stage(request: AuthedRequest, permission: str, pk: int) -> AidStage:
    require(request, permission)
    return get_visible(AidStage.objects.visible_to(request.user).select_related("kube"), pk)


@router.post(
    "/aid-stages/{pk}/condition-met",
    response={200: AidStageOut, **WRITE_ERRORS},
    operation_id="business_aid_stages_condition_met",
    url_name="business_aid_stages_condition_met",
    summary="Record the day a stage's condition was met",
    description="The aid page's action for a stage awaiting its condition (plan approved, members trained); a"
    " monitoring condition is met only by a passing monev, never here.",
    openapi_extra=action_body(ConditionMetForm),
)
def stage_condition_met(request: AuthedRequest, pk: int) -> AidStage:
    stage = _stage(request, "business.add_aidstage", pk)
    allowed = selectors.actions_for(request.user, stage)
    form = ConditionMetForm(posted(request))
    return state_action(request, "condition_met", allowed, services.mark_condition_met, form=form, stage=stage)


@router.post(
    "/aid-stages/{pk}/pay",
    response={200: AidStageOut, **WRITE_ERRORS},
    operation_id="business_aid_stages_pay",
    url_name="business_aid_stages_pay",
    summary="Record the payment of an aid stage",
    description="The aid page's payment of a stage: its day, transfer reference and, before its condition is met,"
    " the reason (`override_reason`); as JSON, or as a form (multipart) with the `proof`. The page confirms it first"
    ' (a paid stage cannot be changed): send `"confirm": true`.',
    openapi_extra=action_body(PayStageForm, confirm=True),
)
def stage_pay(request: AuthedRequest, pk: int) -> AidStage:
    stage = _stage(request, "business.pay_aidstage", pk)
    allowed = selectors.actions_for(request.user, stage)
    form = PayStageForm(posted(request), request.FILES)
    return state_action(request, "pay", allowed, services.pay_aid_stage, form=form, confirm=True, stage=stage)
