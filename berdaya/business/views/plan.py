"""Pages of the plan and the aid: the plan and its budget, the disbursement stages and the assets."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.groups.models import Kube
from berdaya.lib.actions import act
from berdaya.lib.confirm import Confirmation
from berdaya.lib.files import protected_file_response
from berdaya.lib.formats import day, number, rupiah
from berdaya.lib.http import AuthedRequest

from .. import selectors, services
from ..forms import (
    AidStageForm,
    AssetCheckForm,
    AssetForm,
    BudgetLineForm,
    ConditionMetForm,
    PayStageForm,
    PlanForm,
)
from ..models import AidStage, Asset, BudgetLine, BusinessPlan
from .common import VIEW, child, group


def _back(kube: Kube, page: str) -> str:
    return reverse(f"business:{page}", args=[kube.pk])


@permission_required(VIEW, raise_exception=True)
def plan(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    if request.method == "POST":
        if not request.user.has_perm("business.change_businessplan"):
            raise Http404
        form = PlanForm(request.POST)
        return act(
            request,
            services.save_business_plan,
            back=_back(kube, "plan"),
            form=form,
            kube=kube,
            success=_("The plan is saved."),
        )
    current = selectors.business_plan(kube=kube)
    initial = (
        {
            "summary": current.summary,
            "products": current.products,
            "expected_monthly_revenue": current.expected_monthly_revenue,
            "revolving_fund": current.revolving_fund,
        }
        if current
        else {}
    )
    context = {
        "kube": kube,
        "tab": "plan",
        "plan": current,
        # A group without a plan yet may draft one: asked of a new, unsaved plan.
        "actions": selectors.actions_for(request.user, current or BusinessPlan(kube=kube)),
        "lines": list(current.lines.all()) if current else [],
        "total": selectors.budget_total(current) if current else 0,
        "form": PlanForm(initial=initial),
        "line_form": BudgetLineForm(),
    }
    return render(request, "business/plan.html", context)


def _plan(kube: Kube) -> BusinessPlan:
    found = selectors.business_plan(kube=kube)
    if found is None:
        raise Http404
    return found


@require_POST
@permission_required("business.change_businessplan", raise_exception=True)
def plan_line_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    form = BudgetLineForm(request.POST)
    return act(
        request,
        services.add_budget_line,
        back=_back(kube, "plan"),
        form=form,
        plan=_plan(kube),
        success=_("Budget line added."),
    )


@require_POST
@permission_required("business.change_businessplan", raise_exception=True)
def plan_line_remove(request: AuthedRequest, pk: int, line_pk: int) -> HttpResponse:
    kube = group(request, pk)
    line = get_object_or_404(BudgetLine.objects.visible_to(request.user).filter(plan__kube=kube), pk=line_pk)
    return act(request, services.remove_budget_line, back=_back(kube, "plan"), line=line)


@require_POST
@permission_required("business.change_businessplan", raise_exception=True)
def plan_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return act(
        request,
        services.submit_business_plan,
        back=_back(kube, "plan"),
        plan=_plan(kube),
        success=_("Sent to the Dinas."),
    )


@require_POST
@permission_required("business.approve_businessplan", raise_exception=True)
def plan_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    plan = _plan(kube)
    return act(
        request,
        services.approve_business_plan,
        back=_back(kube, "plan"),
        plan=plan,
        success=_("The plan is approved."),
        confirm=lambda: _approve_confirmation(request, kube, plan),
    )


@require_POST
@permission_required("business.approve_businessplan", raise_exception=True)
def plan_return(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return act(
        request,
        services.return_business_plan,
        back=_back(kube, "plan"),
        plan=_plan(kube),
        reason=request.POST.get("reason", ""),
        success=_("The plan went back to the facilitator."),
    )


def _approve_confirmation(request: AuthedRequest, kube: Kube, plan: BusinessPlan) -> Confirmation | None:
    if "approve" not in selectors.actions_for(request.user, plan):
        return None
    return Confirmation(
        title=_("Approve the business plan of %(kube)s?") % {"kube": kube.name},
        effects=[
            _("The plan with %(lines)s budget lines, %(total)s in all, is approved.")
            % {"lines": number(plan.lines.count()), "total": rupiah(selectors.budget_total(plan))},
            _("Expected monthly revenue: %(revenue)s.") % {"revenue": rupiah(plan.expected_monthly_revenue)},
        ],
        rows=[(line.item, rupiah(line.total)) for line in plan.lines.all()],
        rows_title=_("Budget"),
        final=_("The group can no longer change the plan or its budget."),
        button=_("Approve the plan"),
    )


# Aid and assets --------------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def aid(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    today = timezone.localdate()
    overview = selectors.aid_overview(kube=kube)
    context = {
        "kube": kube,
        "tab": "aid",
        "aid": overview,
        "stages": [(stage, selectors.actions_for(request.user, stage)) for stage in overview.stages],
        "stage_form": AidStageForm(initial={"planned_on": today}),
        "met_form": ConditionMetForm(initial={"met_on": today}),
        "pay_form": PayStageForm(initial={"paid_on": today}),
        "asset_form": AssetForm(initial={"received_on": today}),
        "check_form": AssetCheckForm(initial={"checked_on": today}),
    }
    return render(request, "business/aid.html", context)


@require_POST
@permission_required("business.add_aidstage", raise_exception=True)
def aid_stage_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    form = AidStageForm(request.POST)
    return act(
        request, services.add_aid_stage, back=_back(kube, "aid"), form=form, kube=kube, success=_("Stage planned.")
    )


@require_POST
@permission_required("business.add_aidstage", raise_exception=True)
def aid_stage_met(request: AuthedRequest, pk: int, stage_pk: int) -> HttpResponse:
    kube = group(request, pk)
    stage = child(request, AidStage, kube, stage_pk)
    form = ConditionMetForm(request.POST)
    return act(
        request,
        services.mark_condition_met,
        back=_back(kube, "aid"),
        form=form,
        stage=stage,
        success=_("Condition recorded."),
    )


@require_POST
@permission_required("business.pay_aidstage", raise_exception=True)
def aid_stage_pay(request: AuthedRequest, pk: int, stage_pk: int) -> HttpResponse:
    kube = group(request, pk)
    stage = child(request, AidStage, kube, stage_pk)
    form = PayStageForm(request.POST, request.FILES)
    return act(
        request,
        services.pay_aid_stage,
        back=_back(kube, "aid"),
        form=form,
        stage=stage,
        success=_("Payment recorded."),
        confirm=lambda: _pay_confirmation(request, kube, stage, form),
    )


def _pay_confirmation(request: AuthedRequest, kube: Kube, stage: AidStage, form: PayStageForm) -> Confirmation | None:
    """Releasing a stage: how much goes to the group, what is then paid of its aid, and the transfer it names."""
    if "pay" not in selectors.actions_for(request.user, stage):
        return None
    aid, paid = selectors.group_aid(kube), selectors.aid_paid(kube)
    if paid + stage.amount > aid or (stage.awaits_condition and not form.cleaned_data["override_reason"].strip()):
        return None  # the service says why it cannot be paid
    return Confirmation(
        title=_("Record the payment of stage %(number)s?") % {"number": stage.number},
        effects=[
            _("%(amount)s paid to %(kube)s on %(date)s, transfer %(reference)s; it enters the cash book as income.")
            % {
                "amount": rupiah(stage.amount),
                "kube": kube.name,
                "date": day(form.cleaned_data["paid_on"]),
                "reference": form.cleaned_data["transfer_reference"],
            }
        ],
        rows=[
            (_("Aid of the group"), rupiah(aid)),
            (_("Paid before"), rupiah(paid)),
            (_("Paid after this stage"), rupiah(paid + stage.amount)),
        ],
        quote=form.cleaned_data["override_reason"] if stage.awaits_condition else "",
        quote_label=_("Reason for paying before the condition is met"),
        final=_("A paid stage cannot be paid again or changed; a wrong amount is corrected in the cash book."),
        button=_("Record the payment"),
        files=[("proof", _("Proof of transfer"))],
    )


@permission_required(VIEW, raise_exception=True)
def aid_stage_proof(request: AuthedRequest, pk: int, stage_pk: int) -> HttpResponseBase:
    stage = child(request, AidStage, group(request, pk), stage_pk)
    return protected_file_response(stage.proof, as_attachment=True)


@require_POST
@permission_required("business.add_asset", raise_exception=True)
def asset_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    form = AssetForm(request.POST, request.FILES)
    return act(request, services.add_asset, back=_back(kube, "aid"), form=form, kube=kube, success=_("Asset recorded."))


@require_POST
@permission_required("business.add_asset", raise_exception=True)
def asset_check(request: AuthedRequest, pk: int, asset_pk: int) -> HttpResponse:
    kube = group(request, pk)
    asset = child(request, Asset, kube, asset_pk)
    form = AssetCheckForm(request.POST, request.FILES)
    return act(
        request,
        services.check_asset,
        back=_back(kube, "aid"),
        form=form,
        asset=asset,
        success=_("Condition check recorded."),
    )
