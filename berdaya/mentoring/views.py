"""Thin views: parse, call one service or selector, render. Every record comes from `visible_to(user)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from berdaya.groups.models import Kube
from berdaya.lib.actions import act, perform
from berdaya.lib.files import protected_file_response
from berdaya.lib.history import record_history
from berdaya.lib.http import AuthedRequest
from berdaya.lib.middleware import allows_devices

from . import documents, selectors, services
from .forms import (
    EnvironmentRecordForm,
    EscalateForm,
    MeetingForm,
    MonthForm,
    ProblemForm,
    ProblemUpdateForm,
    ProfileForm,
    ReportTextForm,
    ResolveForm,
    ReviewForm,
    VisitForm,
)
from .models import (
    EnvironmentRecord,
    FacilitatorProfile,
    FollowUp,
    Meeting,
    MonthlyReport,
    Problem,
    Visit,
    VisitPhoto,
)


def _kube(request: AuthedRequest, pk: int) -> Kube:
    return get_object_or_404(Kube.objects.visible_to(request.user).select_related("village__parent"), pk=pk)


def _history(request: AuthedRequest, record: Any) -> Any:
    return record_history(record) if request.user.has_perm("accounts.view_history") else None


# Caseload and timeline -------------------------------------------------------------------------------------------


@permission_required("groups.view_kube", raise_exception=True)
def caseload(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = selectors.facilitator_caseload(user=request.user, today=today)
    context = {
        "rows": rows,
        "attention": sum(1 for row in rows if row.needs_attention),
        "overdue_days": settings.BERDAYA_VISIT_OVERDUE_DAYS,
        "last_month": selectors.previous_month(today),
    }
    return render(request, "mentoring/caseload.html", context)


@permission_required("groups.view_kube", raise_exception=True)
def kube_timeline(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    return render(request, "mentoring/timeline.html", {"kube": kube, "entries": selectors.kube_timeline(kube=kube)})


# Visits ----------------------------------------------------------------------------------------------------------


@permission_required("mentoring.add_visit", raise_exception=True)
@allows_devices("camera", "geolocation")  # photos of the visit, and where it took place
def visit_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """The visit form; a phone's outbox posts the same form to the API (api.py) when it cannot be sent at once."""
    kube = _kube(request, pk)
    form = VisitForm(request.POST or None, request.FILES or None, kube=kube)
    if request.method == "POST" and (recorded := perform(request, services.record_visit, form=form, kube=kube)):
        messages.success(request, _("Visit recorded."))
        return redirect(recorded.value)
    return render(request, "mentoring/visit_form.html", {"kube": kube, "form": form})


@permission_required("mentoring.view_visit", raise_exception=True)
def visit_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(Visit.objects.visible_to(request.user).select_related("kube", "by"), pk=pk)
    context = {
        "visit": visit,
        "kube": visit.kube,
        "attendees": visit.attendees.select_related("person"),
        "photos": visit.photos.all(),
        "follow_ups": visit.follow_ups.all(),
        "environment": EnvironmentRecord.objects.filter(visit=visit).first(),
        "today": timezone.localdate(),
        "history": _history(request, visit),
    }
    return render(request, "mentoring/visit_detail.html", context)


@require_POST
@permission_required("mentoring.add_visit", raise_exception=True)
def follow_up_done(request: AuthedRequest, pk: int) -> HttpResponse:
    follow_up = get_object_or_404(FollowUp.objects.visible_to(request.user).select_related("visit"), pk=pk)
    return act(
        request, services.complete_follow_up, back=follow_up.visit, follow_up=follow_up, done_on=timezone.localdate()
    )


@permission_required("mentoring.view_visit", raise_exception=True)
def photo(request: AuthedRequest, pk: int) -> HttpResponseBase:
    stored = get_object_or_404(VisitPhoto.objects.visible_to(request.user), pk=pk)
    return protected_file_response(stored.image)


# Bina lingkungan -------------------------------------------------------------------------------------------------


@permission_required("mentoring.add_environmentrecord", raise_exception=True)
def environment_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """A bina lingkungan record without a visit; like the visit form, a phone's outbox may post it to the API later."""
    kube = _kube(request, pk)
    form = EnvironmentRecordForm(request.POST or None, kube=kube)
    if request.method == "POST" and (recorded := perform(request, services.record_environment, form=form, kube=kube)):
        messages.success(request, _("Bina lingkungan recorded."))
        return redirect(recorded.value)
    return render(request, "mentoring/environment_form.html", {"kube": kube, "form": form})


@permission_required("mentoring.view_environmentrecord", raise_exception=True)
def environment_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(
        EnvironmentRecord.objects.visible_to(request.user).select_related("kube", "visit", "by"), pk=pk
    )
    context = {
        "record": record,
        "kube": record.kube,
        "practices": selectors.practice_answers(record),
        "cash_book": selectors.cash_book_wages(kube=record.kube, until=record.recorded_on),
        "history": _history(request, record),
    }
    return render(request, "mentoring/environment_detail.html", context)


@permission_required("mentoring.view_environmentrecord", raise_exception=True)
def environment_list(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    context = {"kube": kube, "records": selectors.environment_records(kube=kube)[:200]}
    return render(request, "mentoring/environment_list.html", context)


# Meetings --------------------------------------------------------------------------------------------------------


@permission_required("mentoring.add_meeting", raise_exception=True)
def meeting_create(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = MeetingForm(request.POST or None, kube=kube)
    if request.method == "POST" and (recorded := perform(request, services.record_meeting, form=form, kube=kube)):
        return redirect(recorded.value)
    return render(request, "mentoring/meeting_form.html", {"kube": kube, "form": form})


@permission_required("mentoring.view_meeting", raise_exception=True)
def meeting_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    meeting = get_object_or_404(Meeting.objects.visible_to(request.user).select_related("kube"), pk=pk)
    context = {
        "meeting": meeting,
        "kube": meeting.kube,
        "attendees": meeting.attendees.select_related("person"),
        "history": _history(request, meeting),
    }
    return render(request, "mentoring/meeting_detail.html", context)


# Problems --------------------------------------------------------------------------------------------------------


@permission_required("mentoring.view_problem", raise_exception=True)
def problem_list(request: AuthedRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    category = request.GET.get("category", "")
    problems = selectors.problem_register(user=request.user, state=state, category=category)
    context = {
        "problems": problems[:200],
        "state": state,
        "category": category,
        "categories": Problem.Category.choices,
        "today": timezone.localdate(),
    }
    return render(request, "mentoring/problem_list.html", context)


@permission_required("mentoring.add_problem", raise_exception=True)
def problem_create(request: AuthedRequest, pk: int) -> HttpResponse:
    kube = _kube(request, pk)
    form = ProblemForm(request.POST or None)
    if request.method == "POST" and (logged := perform(request, services.report_problem, form=form, kube=kube)):
        messages.success(request, _("Problem logged."))
        return redirect(logged.value)
    return render(request, "mentoring/problem_form.html", {"kube": kube, "form": form})


def _problem(request: AuthedRequest, pk: int) -> Problem:
    return get_object_or_404(Problem.objects.visible_to(request.user).select_related("kube__village"), pk=pk)


@permission_required("mentoring.view_problem", raise_exception=True)
def problem_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    problem = _problem(request, pk)
    actions = selectors.actions_for(request.user, problem)
    context: dict[str, Any] = {
        "problem": problem,
        "kube": problem.kube,
        "actions": actions,
        "history": _history(request, problem),
    }
    if "update" in actions:
        context["update_form"] = ProblemUpdateForm(
            initial={"handler": problem.handler, "severity": problem.severity, "steps": problem.steps}
        )
    if "resolve" in actions:
        context["resolve_form"] = ResolveForm()
    if "escalate" in actions:
        context["escalate_form"] = EscalateForm()
    return render(request, "mentoring/problem_detail.html", context)


@require_POST
@permission_required("mentoring.change_problem", raise_exception=True)
def problem_action(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    problem = _problem(request, pk)
    forms_and_services: dict[str, tuple[type[forms.Form], Callable[..., Problem]]] = {
        "update": (ProblemUpdateForm, services.update_problem),
        "resolve": (ResolveForm, services.resolve_problem),
        "escalate": (EscalateForm, services.escalate_problem),
    }
    form_class, service = forms_and_services[action]
    return act(request, service, back=problem, form=form_class(request.POST), problem=problem)


# Monthly reports -------------------------------------------------------------------------------------------------


@permission_required("mentoring.view_monthlyreport", raise_exception=True)
def report_list(request: AuthedRequest) -> HttpResponse:
    reports = selectors.reports_for(user=request.user)
    status = request.GET.get("status", "")
    if status:
        reports = reports.filter(status=status)
    context = {
        "reports": reports[:200],
        "month_form": MonthForm(initial={"month": selectors.previous_month(timezone.localdate())}),
        "statuses": MonthlyReport.Status.choices,
        "status": status,
    }
    return render(request, "mentoring/report_list.html", context)


@require_POST
@permission_required("mentoring.add_monthlyreport", raise_exception=True)
def report_draft(request: AuthedRequest) -> HttpResponse:
    form = MonthForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a month."))
        return redirect("mentoring:report-list")
    drafted = perform(request, services.draft_monthly_report, form=form, facilitator=request.user)
    return redirect(drafted.value if drafted else "mentoring:report-list")


def _report(request: AuthedRequest, pk: int) -> MonthlyReport:
    return get_object_or_404(MonthlyReport.objects.visible_to(request.user).select_related("facilitator"), pk=pk)


@permission_required("mentoring.view_monthlyreport", raise_exception=True)
def report_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    actions = selectors.actions_for(request.user, report)
    form = ReportTextForm(request.POST or None, instance=report) if "edit" in actions else None
    if request.method == "POST" and form is not None:
        saved = perform(request, services.save_report_text, form=form, report=report)
        if saved and "submit" in request.POST:
            perform(request, services.submit_report, report=report)
        if saved:
            return redirect(report)
    context = {
        "report": report,
        "actions": actions,
        "form": form,
        "review_form": ReviewForm() if "acknowledge" in actions or "return" in actions else None,
        "history": _history(request, report),
    }
    return render(request, "mentoring/report_detail.html", context)


@require_POST
@permission_required("mentoring.add_monthlyreport", raise_exception=True)
def report_refresh(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if report.facilitator_id != request.user.pk:
        return HttpResponse(status=403)
    return act(request, services.draft_monthly_report, back=report, facilitator=request.user, month=report.month)


@require_POST
@permission_required("mentoring.review_monthlyreport", raise_exception=True)
def report_review(request: AuthedRequest, pk: int, decision: str) -> HttpResponse:
    report = _report(request, pk)
    reviews: dict[str, Callable[..., MonthlyReport]] = {
        "acknowledge": services.acknowledge_report,
        "return": services.return_report,
    }
    return act(request, reviews[decision], back=report, form=ReviewForm(request.POST), report=report)


@permission_required("mentoring.view_monthlyreport", raise_exception=True)
def report_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    response = HttpResponse(documents.monthly_report_pdf(report=report), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="laporan-{report.facilitator.username}-{report.month:%Y-%m}.pdf"'
    )
    return response


# Facilitators ----------------------------------------------------------------------------------------------------


@permission_required("mentoring.view_facilitatorprofile", raise_exception=True)
def facilitator_list(request: AuthedRequest) -> HttpResponse:
    facilitators = selectors.facilitators_for(user=request.user)
    return render(request, "mentoring/facilitator_list.html", {"facilitators": facilitators})


@permission_required("mentoring.view_facilitatorprofile", raise_exception=True)
def facilitator_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    facilitator = get_object_or_404(selectors.facilitators_for(user=request.user), pk=pk)
    profile = FacilitatorProfile.objects.filter(user=facilitator).first()
    can_edit = request.user.has_perm("mentoring.change_facilitatorprofile")
    form = ProfileForm(request.POST or None, instance=profile) if can_edit else None
    if (
        request.method == "POST"
        and form is not None
        and perform(request, services.save_profile, form=form, facilitator=facilitator)
    ):
        return redirect("mentoring:facilitator-detail", pk=facilitator.pk)
    context = {
        "facilitator": facilitator,
        "profile": profile,
        "form": form,
        "kubes": selectors.facilitator_kubes(facilitator=facilitator, user=request.user),
    }
    return render(request, "mentoring/facilitator_detail.html", context)
