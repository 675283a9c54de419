"""Business over the API: plans, aid stages, assets, the cash book, IKS and the revolving fund of each group."""

from __future__ import annotations

from ninja import ModelSchema, Router, Status

from berdaya.groups.models import Kube
from berdaya.lib.api import WRITE_ERRORS, form_body, get_visible, kube_records, require, submit
from berdaya.lib.http import AuthedRequest

from . import services
from .forms import CashEntryForm
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
