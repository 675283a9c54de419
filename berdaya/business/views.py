"""Thin views: parse, call one service or selector, render. Every group comes from `Kube.objects.visible_to(user)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Model
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.groups.models import Kube
from berdaya.lib.errors import DomainError
from berdaya.lib.http import AuthedRequest

from . import excel, selectors, services
from .forms import (
    AidStageForm,
    AllocationForm,
    AssetCheckForm,
    AssetForm,
    BudgetLineForm,
    CashEntryForm,
    ConditionMetForm,
    CreditDecisionForm,
    CreditForm,
    IksContributionForm,
    IksUseForm,
    ImportForm,
    LoanForm,
    MarketEventForm,
    MonthForm,
    ParticipationForm,
    PartnershipForm,
    PayStageForm,
    PlanForm,
    ReasonForm,
    RepaymentForm,
)
from .models import (
    AidStage,
    Asset,
    BudgetLine,
    BusinessPlan,
    CashEntry,
    CashImport,
    CreditApplication,
    Loan,
    MarketEvent,
)

VIEW = "business.view_cashentry"
_M = TypeVar("_M", bound=Model)


def _kube(request: AuthedRequest, pk: int) -> Kube:
    return get_object_or_404(
        Kube.objects.visible_to(request.user).select_related("cycle", "village", "facilitator"), pk=pk
    )


def _child(request: AuthedRequest, model: type[_M], kube: Kube, pk: int) -> _M:
    """A record of the group, itself got through visible_to (a record of another group is a 404)."""
    return get_object_or_404(model._default_manager.visible_to(request.user).filter(kube=kube), pk=pk)  # type: ignore[attr-defined,no-any-return]  # every business model has a ScopedQuerySet manager


def _act(
    request: AuthedRequest,
    form_class: type[forms.Form],
    action: Callable[..., Any],
    *,
    success: str,
    form_kwargs: dict[str, Any] | None = None,
    **kwargs: Any,
) -> bool:
    """Validate a posted form and call one service with its data; a refusal or a bad field becomes a message."""
    form = form_class(request.POST, request.FILES, **(form_kwargs or {}))
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(
                request, f"{label}: {' '.join(str(e) for e in errors)}" if label else " ".join(str(e) for e in errors)
            )
        return False
    try:
        action(by=request.user, **kwargs, **form.cleaned_data)
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


@permission_required(VIEW, raise_exception=True)
def kube_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "business/kube_list.html", {"kubes": selectors.kubes_for_business(user=request.user)})


@permission_required(VIEW, raise_exception=True)
def kube_home(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    context = {
        "kube": kube,
        "tab": "home",
        "plan": selectors.business_plan(kube=kube),
        "aid": selectors.aid_overview(kube=kube),
        "balance": services.cash_balance(kube=kube),
        "iks_balance": services.iks_balance(kube=kube),
    }
    return render(request, "business/kube_home.html", context)


# Cash book -------------------------------------------------------------------------------------------------------


def _cash_context(request: AuthedRequest, kube: Kube, form: CashEntryForm | None = None) -> dict[str, Any]:
    return {
        "kube": kube,
        "tab": "cash",
        "book": selectors.cash_book(kube=kube, page_number=request.GET.get("page")),
        "can_write": request.user.has_perm("business.add_cashentry"),
        "form": form or CashEntryForm(initial={"entry_date": timezone.localdate()}),
    }


@permission_required(VIEW, raise_exception=True)
def cash_book(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    return render(request, "business/cash_book.html", _cash_context(request, kube))


@require_POST
@permission_required("business.add_cashentry", raise_exception=True)
def cash_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = CashEntryForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.record_cash_entry(kube=kube, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if not request.htmx:
                messages.success(request, _("Entry recorded."))
                return redirect("business:cash-book", kube.pk)
            form = None  # type: ignore[assignment]  # a fresh form after a saved entry
    template = "business/_cash_book.html" if request.htmx else "business/cash_book.html"
    return render(request, template, _cash_context(request, kube, form))


@require_POST
@permission_required("business.add_cashentry", raise_exception=True)
def cash_reverse(request: AuthedRequest, pk: int, entry_pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    entry = _child(request, CashEntry, kube, entry_pk)
    _act(request, ReasonForm, services.reverse_cash_entry, entry=entry, success=_("The entry has been reversed."))
    return redirect("business:cash-book", kube.pk)


@require_POST
@permission_required("business.add_cashentry", raise_exception=True)
def cash_close(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    _act(request, MonthForm, services.close_cash_month, kube=kube, success=_("The month is closed."))
    return redirect("business:cash-book", kube.pk)


@permission_required(VIEW, raise_exception=True)
def cash_receipt(request: AuthedRequest, pk: int, entry_pk: int) -> FileResponse:
    entry = _child(request, CashEntry, _kube(request, pk), entry_pk)
    if not entry.receipt:
        raise Http404
    return FileResponse(entry.receipt.open("rb"), content_type="image/jpeg")


# Business plan ---------------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def plan(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    current = selectors.business_plan(kube=kube)
    if request.method == "POST":
        if not request.user.has_perm("business.change_businessplan"):
            raise Http404
        if _act(request, PlanForm, services.save_business_plan, kube=kube, success=_("The plan is saved.")):
            return redirect("business:plan", kube.pk)
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
        "lines": list(current.lines.all()) if current else [],
        "total": services.budget_total(current) if current else 0,
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
    kube = _kube(request, pk)
    _act(request, BudgetLineForm, services.add_budget_line, plan=_plan(kube), success=_("Budget line added."))
    return redirect("business:plan", kube.pk)


@require_POST
@permission_required("business.change_businessplan", raise_exception=True)
def plan_line_remove(request: AuthedRequest, pk: int, line_pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    line = get_object_or_404(BudgetLine.objects.visible_to(request.user).filter(plan__kube=kube), pk=line_pk)
    try:
        services.remove_budget_line(line=line, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("business:plan", kube.pk)


@require_POST
@permission_required("business.change_businessplan", raise_exception=True)
def plan_submit(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    _act(request, forms.Form, services.submit_business_plan, plan=_plan(kube), success=_("Sent to the Dinas."))
    return redirect("business:plan", kube.pk)


@require_POST
@permission_required("business.approve_businessplan", raise_exception=True)
def plan_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    _act(request, forms.Form, services.approve_business_plan, plan=_plan(kube), success=_("The plan is approved."))
    return redirect("business:plan", kube.pk)


# Aid and assets --------------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def aid(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    today = timezone.localdate()
    context = {
        "kube": kube,
        "tab": "aid",
        "aid": selectors.aid_overview(kube=kube),
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
    kube = _kube(request, pk)
    _act(request, AidStageForm, services.add_aid_stage, kube=kube, success=_("Stage planned."))
    return redirect("business:aid", kube.pk)


@require_POST
@permission_required("business.add_aidstage", raise_exception=True)
def aid_stage_met(request: AuthedRequest, pk: int, stage_pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    stage = _child(request, AidStage, kube, stage_pk)
    _act(request, ConditionMetForm, services.mark_condition_met, stage=stage, success=_("Condition recorded."))
    return redirect("business:aid", kube.pk)


@require_POST
@permission_required("business.pay_aidstage", raise_exception=True)
def aid_stage_pay(request: AuthedRequest, pk: int, stage_pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    stage = _child(request, AidStage, kube, stage_pk)
    _act(request, PayStageForm, services.pay_aid_stage, stage=stage, success=_("Payment recorded."))
    return redirect("business:aid", kube.pk)


@permission_required(VIEW, raise_exception=True)
def aid_stage_proof(request: AuthedRequest, pk: int, stage_pk: int) -> FileResponse:
    stage = _child(request, AidStage, _kube(request, pk), stage_pk)
    if not stage.proof:
        raise Http404
    return FileResponse(
        stage.proof.open("rb"), as_attachment=True, filename=(stage.proof.name or "proof").rsplit("/", 1)[-1]
    )


@require_POST
@permission_required("business.add_asset", raise_exception=True)
def asset_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    _act(request, AssetForm, services.add_asset, kube=kube, success=_("Asset recorded."))
    return redirect("business:aid", kube.pk)


@require_POST
@permission_required("business.add_asset", raise_exception=True)
def asset_check(request: AuthedRequest, pk: int, asset_pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    asset = _child(request, Asset, kube, asset_pk)
    _act(request, AssetCheckForm, services.check_asset, asset=asset, success=_("Condition check recorded."))
    return redirect("business:aid", kube.pk)


# IKS and profit allocation ---------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def iks(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
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
    kube = _kube(request, pk)
    _act(request, AllocationForm, services.allocate_profit, kube=kube, success=_("Profit allocated."))
    return redirect("business:iks", kube.pk)


@require_POST
@permission_required("business.add_iksentry", raise_exception=True)
def iks_use(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    _act(request, IksUseForm, services.use_iks, kube=kube, success=_("IKS use recorded."))
    return redirect("business:iks", kube.pk)


@require_POST
@permission_required("business.add_iksentry", raise_exception=True)
def iks_contribute(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    _act(request, IksContributionForm, services.record_iks_contribution, kube=kube, success=_("Contribution recorded."))
    return redirect("business:iks", kube.pk)


# Revolving fund --------------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def fund(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    plan_ = selectors.business_plan(kube=kube)
    today = timezone.localdate()
    loans = selectors.revolving_fund(kube=kube, today=today)
    context = {
        "kube": kube,
        "tab": "fund",
        "enabled": bool(plan_ and plan_.revolving_fund),
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
    kube = _kube(request, pk)
    _act(request, LoanForm, services.lend, kube=kube, success=_("Loan recorded."))
    return redirect("business:fund", kube.pk)


@require_POST
@permission_required("business.add_loan", raise_exception=True)
def loan_repay(request: AuthedRequest, pk: int, loan_pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    loan = _child(request, Loan, kube, loan_pk)
    _act(request, RepaymentForm, services.repay, loan=loan, success=_("Repayment recorded."))
    return redirect("business:fund", kube.pk)


# Access to capital and markets -----------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def access(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    today = timezone.localdate()
    context = {
        "kube": kube,
        "tab": "access",
        "credits": kube.credit_applications.order_by("-applied_on", "-pk"),
        "partnerships": kube.partnerships.order_by("-started_on", "-pk"),
        "participations": kube.market_participations.select_related("event").order_by("-event__held_on"),
        "credit_form": CreditForm(initial={"applied_on": today}),
        "decision_form": CreditDecisionForm(initial={"decided_on": today}),
        "partnership_form": PartnershipForm(initial={"started_on": today}),
        "participation_form": ParticipationForm(events=MarketEvent.objects.filter(region_id=kube.village.code[:5])),
    }
    return render(request, "business/access.html", context)


@require_POST
@permission_required("business.add_creditapplication", raise_exception=True)
def credit_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    _act(request, CreditForm, services.apply_for_credit, kube=kube, success=_("Application recorded."))
    return redirect("business:access", kube.pk)


@require_POST
@permission_required("business.add_creditapplication", raise_exception=True)
def credit_decide(request: AuthedRequest, pk: int, credit_pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    application = _child(request, CreditApplication, kube, credit_pk)
    _act(request, CreditDecisionForm, services.decide_credit, application=application, success=_("Decision recorded."))
    return redirect("business:access", kube.pk)


@require_POST
@permission_required("business.add_partnership", raise_exception=True)
def partnership_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    _act(request, PartnershipForm, services.add_partnership, kube=kube, success=_("Partnership recorded."))
    return redirect("business:access", kube.pk)


@require_POST
@permission_required("business.add_marketparticipation", raise_exception=True)
def participation_add(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    events = MarketEvent.objects.filter(region_id=kube.village.code[:5])
    _act(
        request,
        ParticipationForm,
        services.record_market_participation,
        kube=kube,
        form_kwargs={"events": events},
        success=_("Sales at the event recorded."),
    )
    return redirect("business:access", kube.pk)


@permission_required(VIEW, raise_exception=True)
def event_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.has_perm("business.add_marketevent") or request.user.region is None:
            raise Http404
        if _act(
            request, MarketEventForm, services.create_market_event, region=request.user.region, success=_("Saved.")
        ):
            return redirect("business:event-list")
    events = MarketEvent.objects.visible_to(request.user).prefetch_related("participations__kube")
    return render(request, "business/event_list.html", {"events": events, "form": MarketEventForm(), "tab": "events"})


# Dashboard -------------------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def dashboard(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    return render(
        request,
        "business/dashboard.html",
        {"kube": kube, "tab": "dashboard", "d": selectors.business_dashboard(kube=kube)},
    )


# Excel -----------------------------------------------------------------------------------------------------------


@permission_required(VIEW, raise_exception=True)
def cash_export(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="buku-kas-{kube.pk}.xlsx"'
    excel.write_cash_book(kube=kube, stream=response)  # type: ignore[arg-type]  # HttpResponse is file-like
    return response


@permission_required("business.add_cashentry", raise_exception=True)
def cash_import(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = CashImport(kube=kube, filename=upload.name[:255], by=request.user)
        job.file.save(upload.name, upload, save=False)
        try:
            report = excel.check_cash_book_file(kube=kube, path=job.file.path, by=request.user)
        except DomainError as error:
            job.file.delete(save=False)
            form.add_error("file", error.message)
        else:
            job.report = report.as_dict()
            job.save()
            return redirect("business:cashimport-detail", kube.pk, job.pk)
    imports = CashImport.objects.visible_to(request.user).filter(kube=kube)[:10]
    return render(request, "business/cash_import.html", {"kube": kube, "tab": "cash", "form": form, "imports": imports})


@permission_required("business.add_cashentry", raise_exception=True)
def cash_import_detail(request: AuthedRequest, pk: int, import_pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    job = _child(request, CashImport, kube, import_pk)
    report = excel.ImportReport.from_dict(job.report)
    context = {
        "kube": kube,
        "tab": "cash",
        "job": job,
        "report": report,
        "issues": [issue.text for issue in report.issues[:500]],
        "balance_after": excel.balance_after(kube=kube, report=report),
    }
    return render(request, "business/cash_import_detail.html", context)


@require_POST
@permission_required("business.add_cashentry", raise_exception=True)
def cash_import_commit(request: AuthedRequest, pk: int, import_pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    job = _child(request, CashImport, kube, import_pk)
    if job.status == CashImport.Status.COMMITTED:
        messages.error(request, _("This file has already been imported."))
        return redirect("business:cashimport-detail", kube.pk, job.pk)
    try:
        report = excel.check_cash_book_file(kube=kube, path=job.file.path, by=request.user, commit=True)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("business:cashimport-detail", kube.pk, job.pk)
    job.report = report.as_dict()
    job.status = CashImport.Status.COMMITTED
    job.save()
    messages.success(request, _("%(count)s entries imported.") % {"count": report.accepted})
    return redirect("business:cash-book", kube.pk)
