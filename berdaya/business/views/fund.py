"""Pages of IKS and the fund: profit allocation, the IKS ledger, the revolving fund's loans and repayments."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.lib.actions import act
from berdaya.lib.http import AuthedRequest

from .. import selectors, services
from ..forms import AllocationForm, IksContributionForm, IksUseForm, LoanForm, RepaymentForm
from ..models import Loan
from .common import VIEW, child, group


@permission_required(VIEW, raise_exception=True)
def iks(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    ledger = selectors.iks_ledger(kube=kube)
    today = timezone.localdate()
    context = {
        "kube": kube,
        "tab": "iks",
        "ledger": ledger,
        "allocation_form": AllocationForm(
            initial={"period_start": ledger.next_period_start, "period_end": ledger.closed_until}
        ),
        "use_form": IksUseForm(initial={"entry_date": today}),
        "contribution_form": IksContributionForm(initial={"entry_date": today}),
    }
    return render(request, "business/iks.html", context)


@require_POST
@permission_required("business.add_profitallocation", raise_exception=True)
def profit_allocate(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return act(
        request,
        services.allocate_profit,
        back=reverse("business:iks", args=[kube.pk]),
        form=AllocationForm(request.POST),
        kube=kube,
        success=_("Profit allocated."),
    )


@require_POST
@permission_required("business.add_iksentry", raise_exception=True)
def iks_use(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return act(
        request,
        services.use_iks,
        back=reverse("business:iks", args=[kube.pk]),
        form=IksUseForm(request.POST),
        kube=kube,
        success=_("IKS use recorded."),
    )


@require_POST
@permission_required("business.add_iksentry", raise_exception=True)
def iks_contribute(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return act(
        request,
        services.record_iks_contribution,
        back=reverse("business:iks", args=[kube.pk]),
        form=IksContributionForm(request.POST),
        kube=kube,
        success=_("Contribution recorded."),
    )


@permission_required(VIEW, raise_exception=True)
def fund(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    plan = selectors.business_plan(kube=kube)
    today = timezone.localdate()
    loans = selectors.revolving_fund(kube=kube, today=today)
    context = {
        "kube": kube,
        "tab": "fund",
        "enabled": bool(plan and plan.revolving_fund),
        "loans": loans,
        "outstanding": sum((s.outstanding for s in loans), 0),
        "arrears": sum((s.arrears for s in loans), 0),
        "loan_form": LoanForm(initial={"issued_on": today}),
        "repayment_form": RepaymentForm(initial={"paid_on": today}),
    }
    return render(request, "business/fund.html", context)


@require_POST
@permission_required("business.add_loan", raise_exception=True)
def loan_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = group(request, pk)
    return act(
        request,
        services.lend,
        back=reverse("business:fund", args=[kube.pk]),
        form=LoanForm(request.POST),
        kube=kube,
        success=_("Loan recorded."),
    )


@require_POST
@permission_required("business.add_loan", raise_exception=True)
def loan_repay(request: AuthedRequest, pk: int, loan_pk: int) -> HttpResponse:
    kube = group(request, pk)
    loan = child(request, Loan, kube, loan_pk)
    return act(
        request,
        services.repay,
        back=reverse("business:fund", args=[kube.pk]),
        form=RepaymentForm(request.POST),
        loan=loan,
        success=_("Repayment recorded."),
    )
