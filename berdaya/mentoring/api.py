"""Mentoring over the API: the facilitators' visits, the groups' meetings and problems, bina lingkungan records."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext as _
from ninja import ModelSchema, Router, Status

from berdaya.groups.models import Kube
from berdaya.lib.api import (
    WRITE_ERRORS,
    Created,
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
from .forms import (
    EnvironmentForm,
    EnvironmentRecordForm,
    EscalateForm,
    MeetingForm,
    ProblemForm,
    ProblemUpdateForm,
    ResolveForm,
    ReviewForm,
    VisitForm,
)
from .models import EnvironmentRecord, Meeting, MonthlyReport, Problem, Visit

router = Router(tags=["mentoring"])


class VisitOut(ModelSchema):
    class Meta:
        model = Visit
        fields = ["id", "kube", "visited_on", "purpose", "topics", "notes", "latitude", "longitude", "by", "created_at"]


class MeetingOut(ModelSchema):
    class Meta:
        model = Meeting
        fields = ["id", "kube", "held_on", "agenda", "decisions", "minutes", "by"]


class ProblemOut(ModelSchema):
    class Meta:
        model = Problem
        fields = [
            "id",
            "kube",
            "reported_on",
            "origin",
            "category",
            "severity",
            "description",
            "handler",
            "steps",
            "resolved_on",
            "escalated_on",
            "escalation_note",
            "by",
        ]


class EnvironmentOut(ModelSchema):
    class Meta:
        model = EnvironmentRecord
        fields = [
            "id",
            "kube",
            "recorded_on",
            "visit",
            "practices",
            "neighbours_employed",
            "neighbour_days",
            "neighbour_wages",
            "social_activities",
            "community_contribution",
            "complaints",
            "notes",
            "by",
            "created_at",
        ]


kube_records(
    router,
    path="visits",
    name="mentoring_visits",
    model=Visit,
    schema=VisitOut,
    permission="mentoring.view_visit",
    dated="visited_on",
    label="visits",
)
kube_records(
    router,
    path="meetings",
    name="mentoring_meetings",
    model=Meeting,
    schema=MeetingOut,
    permission="mentoring.view_meeting",
    dated="held_on",
    label="meetings",
)
kube_records(
    router,
    path="problems",
    name="mentoring_problems",
    model=Problem,
    schema=ProblemOut,
    permission="mentoring.view_problem",
    dated="reported_on",
    label="problems",
)
kube_records(
    router,
    path="environment",
    name="mentoring_environment",
    model=EnvironmentRecord,
    schema=EnvironmentOut,
    permission="mentoring.view_environmentrecord",
    dated="recorded_on",
    label="bina lingkungan records",
)


# Writes: the field records, posted as their pages post them (multipart, photos included) -------------------------


class VisitCreated(VisitOut, Created):
    pass


class MeetingCreated(MeetingOut, Created):
    pass


class ProblemCreated(ProblemOut, Created):
    pass


class EnvironmentCreated(EnvironmentOut, Created):
    pass


def _kube(request: AuthedRequest, permission: str, pk: int) -> Kube:
    """The group of the caller's scope the record is for, as the page finds it: the role first (403), then the
    scope (404)."""
    require(request, permission)
    return get_visible(Kube.objects.visible_to(request.user).select_related("village__parent"), pk)


_KEY = (
    " `client_key` (a UUID the client makes once per report) makes a report sent twice be stored once: the second"
    " post answers the record the first stored."
)


@router.post(
    "/kubes/{kube}/visits",
    response={201: VisitCreated, **WRITE_ERRORS},
    operation_id="mentoring_visits_create",
    url_name="mentoring_visits_create",
    summary="Record a visit",
    description="The visit form of the group's page, with its photos (`photo`, repeated) and its bina lingkungan"
    " section (`env-…`)." + _KEY,
    openapi_extra=form_body((VisitForm, ""), (EnvironmentForm, "env")),
)
def visit_create(request: AuthedRequest, kube: int) -> Status[Visit]:
    group = _kube(request, "mentoring.add_visit", kube)
    form = VisitForm(request.POST, request.FILES, kube=group)
    sections = (form.environment,) if form.environment.has_data() else ()
    return Status(
        201,
        submit(request, services.record_visit, form=form, sections=sections, kube=group, success=_("Visit recorded.")),
    )


@router.post(
    "/kubes/{kube}/meetings",
    response={201: MeetingCreated, **WRITE_ERRORS},
    operation_id="mentoring_meetings_create",
    url_name="mentoring_meetings_create",
    summary="Record a meeting",
    description="The meeting form of the group's page." + _KEY,
    openapi_extra=form_body((MeetingForm, "")),
)
def meeting_create(request: AuthedRequest, kube: int) -> Status[Meeting]:
    group = _kube(request, "mentoring.add_meeting", kube)
    form = MeetingForm(request.POST, kube=group)
    return Status(201, submit(request, services.record_meeting, form=form, kube=group))


@router.post(
    "/kubes/{kube}/problems",
    response={201: ProblemCreated, **WRITE_ERRORS},
    operation_id="mentoring_problems_create",
    url_name="mentoring_problems_create",
    summary="Log a problem",
    description="The problem form of the group's page." + _KEY,
    openapi_extra=form_body((ProblemForm, "")),
)
def problem_create(request: AuthedRequest, kube: int) -> Status[Problem]:
    group = _kube(request, "mentoring.add_problem", kube)
    form = ProblemForm(request.POST)
    return Status(201, submit(request, services.report_problem, form=form, kube=group, success=_("Problem logged.")))


@router.post(
    "/kubes/{kube}/environment",
    response={201: EnvironmentCreated, **WRITE_ERRORS},
    operation_id="mentoring_environment_create",
    url_name="mentoring_environment_create",
    summary="Record bina lingkungan",
    description="The bina lingkungan form of the group's page (without a visit)." + _KEY,
    openapi_extra=form_body((EnvironmentRecordForm, "")),
)
def environment_create(request: AuthedRequest, kube: int) -> Status[EnvironmentRecord]:
    group = _kube(request, "mentoring.add_environmentrecord", kube)
    form = EnvironmentRecordForm(request.POST, kube=group)
    return Status(
        201, submit(request, services.record_environment, form=form, kube=group, success=_("Bina lingkungan recorded."))
    )


# State actions: what a problem's or a monthly report's page offers the caller (selectors.actions_for) ------------


class ReportOut(ModelSchema):
    class Meta:
        model = MonthlyReport
        fields = ["id", "facilitator", "month", "status", "submitted_at", "review_note"]


def _problem(request: AuthedRequest, pk: int) -> Problem:
    require(request, "mentoring.change_problem")
    return get_visible(Problem.objects.visible_to(request.user).select_related("kube__village"), pk)


_PROBLEM_ACTIONS: dict[str, tuple[type[forms.Form], Callable[..., Problem], str]] = {
    "update": (ProblemUpdateForm, services.update_problem, "Record who handles an open problem and the steps taken"),
    "resolve": (ResolveForm, services.resolve_problem, "Close an open problem with the day it was solved and how"),
    "escalate": (EscalateForm, services.escalate_problem, "Pass an open problem to the Dinas (its facilitator, once)"),
}


def _problem_action(action: str, form_class: type[forms.Form], service: Callable[..., Problem], what: str) -> None:
    @router.post(
        f"/problems/{{pk}}/{action}",
        response={200: ProblemOut, **WRITE_ERRORS},
        operation_id=f"mentoring_problems_{action}",
        url_name=f"mentoring_problems_{action}",
        summary=what,
        description=f"{what}: the problem page's action, refused (403) when the page would not offer it to you.",
        openapi_extra=action_body(form_class),
    )
    def run(request: AuthedRequest, pk: int) -> Problem:
        problem = _problem(request, pk)
        allowed = selectors.actions_for(request.user, problem)
        return state_action(request, action, allowed, service, form=form_class(posted(request)), problem=problem)


for _action, (_form, _service, _what) in _PROBLEM_ACTIONS.items():
    _problem_action(_action, _form, _service, _what)


def _report(request: AuthedRequest, permission: str, pk: int) -> MonthlyReport:
    require(request, permission)
    return get_visible(MonthlyReport.objects.visible_to(request.user).select_related("facilitator"), pk)


@router.post(
    "/reports/{pk}/submit",
    response={200: ReportOut, **WRITE_ERRORS},
    operation_id="mentoring_reports_submit",
    url_name="mentoring_reports_submit",
    summary="Submit a monthly report",
    description="Its facilitator sends a draft or returned report (narrative and next month's plan written) to the"
    " Dinas.",
)
def report_submit(request: AuthedRequest, pk: int) -> MonthlyReport:
    report = _report(request, "mentoring.add_monthlyreport", pk)
    allowed = selectors.actions_for(request.user, report)
    return state_action(request, "edit", allowed, services.submit_report, report=report)


_REVIEWS: dict[str, tuple[Callable[..., MonthlyReport], str]] = {
    "acknowledge": (services.acknowledge_report, "Accept a submitted monthly report"),
    "return": (services.return_report, "Return a submitted monthly report, saying what to change (`note`)"),
}


def _review(decision: str, service: Callable[..., MonthlyReport], what: str) -> None:
    @router.post(
        f"/reports/{{pk}}/{decision}",
        response={200: ReportOut, **WRITE_ERRORS},
        operation_id=f"mentoring_reports_{decision}",
        url_name=f"mentoring_reports_{decision}",
        summary=what,
        description=f"{what}: the Dinas's review of a report awaiting it.",
        openapi_extra=action_body(ReviewForm),
    )
    def run(request: AuthedRequest, pk: int) -> MonthlyReport:
        report = _report(request, "mentoring.review_monthlyreport", pk)
        allowed = selectors.actions_for(request.user, report)
        return state_action(request, decision, allowed, service, form=ReviewForm(posted(request)), report=report)


for _decision, (_reviewing, _what) in _REVIEWS.items():
    _review(_decision, _reviewing, _what)
