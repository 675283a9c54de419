"""Mentoring's history names who acted also outside a request; what may happen to a problem or a report now."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.models import FollowUp, MonthlyReport, Visit
from berdaya.mentoring.selectors import actions_for
from berdaya.mentoring.services import (
    draft_monthly_report,
    escalate_problem,
    record_visit,
    resolve_problem,
    save_report_text,
    submit_report,
)

from .factories import ProblemFactory

pytestmark = pytest.mark.django_db


def test_a_visit_recorded_outside_a_request_names_the_facilitator_in_its_history():
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    facilitator = UserFactory(username="pendamping1", role="facilitator")

    visit = record_visit(
        kube=kube,
        visited_on=dt.date(2027, 8, 1),
        purpose="Monitoring usaha",
        attendees=[MembershipFactory(kube=kube)],
        follow_ups=[("Isi buku kas", dt.date(2027, 8, 10))],
        by=facilitator,
    )

    rows = [*Visit.history.filter(id=visit.pk), *FollowUp.history.filter(visit_id=visit.pk)]
    assert len(rows) == 2
    assert {row.history_user for row in rows} == {facilitator}


def test_escalating_and_resolving_a_problem_keep_their_reasons_and_who():
    problem = ProblemFactory()
    facilitator = UserFactory(username="pendamping1", role="facilitator")
    officer = UserFactory(username="officer1", role="officer")

    escalate_problem(problem=problem, note="Mohon bantuan modal.", by=facilitator)
    resolve_problem(problem=problem, resolved_on=dt.date(2027, 8, 1), steps="Modal dibantu", by=officer)

    rows = problem.history.order_by("history_date")
    assert [(r.history_user, r.history_change_reason) for r in rows][1:] == [
        (facilitator, "escalated"),
        (officer, "resolved"),
    ]


def test_a_submitted_report_names_its_facilitator_and_the_move_as_the_reason():
    facilitator = UserFactory(username="pendamping1", role="facilitator")
    report = draft_monthly_report(facilitator=facilitator, month=dt.date(2027, 7, 1), by=facilitator)
    save_report_text(report=report, narrative="Baik", next_plan="Lanjut", by=facilitator)

    submit_report(report=report, by=facilitator)

    latest = report.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (facilitator, "submitted")


def test_only_a_facilitator_may_escalate_an_open_problem(users):
    problem = ProblemFactory()

    assert actions_for(users["facilitator"], problem) == {"update", "resolve", "escalate"}
    assert actions_for(users["officer"], problem) == {"update", "resolve"}


def test_a_resolved_problem_offers_nothing(users):
    problem = ProblemFactory(resolved_on=dt.date(2027, 7, 20))

    assert actions_for(users["facilitator"], problem) == frozenset()


def test_the_dinas_reviews_a_submitted_report_and_its_facilitator_no_longer_edits_it(users):
    report = MonthlyReport.objects.create(
        facilitator=users["facilitator"], month=dt.date(2027, 7, 1), status=MonthlyReport.Status.SUBMITTED
    )

    assert actions_for(users["officer"], report) == {"acknowledge", "return"}
    assert actions_for(users["facilitator"], report) == frozenset()


def test_a_returned_report_is_edited_by_its_own_facilitator_only(users):
    report = MonthlyReport.objects.create(
        facilitator=users["facilitator"], month=dt.date(2027, 7, 1), status=MonthlyReport.Status.RETURNED
    )

    assert actions_for(users["facilitator"], report) == {"edit", "refresh"}
    assert actions_for(users["other_facilitator"], report) == frozenset()


def test_a_review_of_a_report_not_submitted_is_refused_with_a_message(client, settings, users):
    report = MonthlyReport.objects.create(facilitator=users["facilitator"], month=dt.date(2027, 7, 1))
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the UI is Indonesian unless the user picks English

    response = client.post(reverse("mentoring:report-acknowledge", args=[report.pk]), follow=True)

    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.DRAFT
    assert "cannot become" in " ".join(str(m) for m in response.context["messages"])
