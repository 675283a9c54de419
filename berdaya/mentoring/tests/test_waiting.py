"""Mentoring work waiting for the Dinas and for the facilitator, in each one's scope only.

The package's conftest puts every test on 2 August 2027: last month's report is July's.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.mentoring.models import MonthlyReport, Problem
from berdaya.mentoring.selectors import waiting_for
from berdaya.mentoring.tests.factories import ProblemFactory
from berdaya.regions.tests.factories import RegionFactory

JULY = dt.date(2027, 7, 1)


@pytest.fixture
def kube(users, regions):
    return KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)


def kinds(user) -> dict[str, object]:
    return {item.kind: item for item in waiting_for(user)}


# The Dinas ----------------------------------------------------------------------------------------------------------


def test_a_submitted_report_waits_for_the_dinas_and_leads_to_it(users, regions):
    report = MonthlyReport.objects.create(facilitator=users["facilitator"], month=JULY, status="submitted")
    outsider = users["facilitator"].__class__.objects.create(
        username="far", role="facilitator", region=RegionFactory(code="64.02")
    )
    MonthlyReport.objects.create(facilitator=outsider, month=JULY, status="submitted")  # another regency's

    item = kinds(users["officer"])["mentoring.review"]

    assert (item.count, item.url) == (1, reverse("mentoring:report-detail", args=[report.pk]))


def test_reports_not_submitted_do_not_wait_for_the_dinas(users, regions):
    MonthlyReport.objects.create(facilitator=users["facilitator"], month=JULY, status="draft")
    MonthlyReport.objects.create(facilitator=users["facilitator"], month=dt.date(2027, 6, 1), status="acknowledged")

    assert "mentoring.review" not in kinds(users["officer"])


def test_only_escalated_open_problems_wait_for_the_dinas(users, kube):
    ProblemFactory(kube=kube)  # the facilitator's to handle
    escalated = ProblemFactory(kube=kube, escalated_on=dt.date(2027, 7, 12), severity=Problem.Severity.HIGH)
    ProblemFactory(kube=kube, escalated_on=dt.date(2027, 7, 12), resolved_on=dt.date(2027, 7, 20))
    other_regency = KubeFactory(village=RegionFactory(code="64.02.01.2001"))
    ProblemFactory(kube=other_regency, escalated_on=dt.date(2027, 7, 12))

    item = kinds(users["admin"])["mentoring.escalated"]

    assert (item.count, item.url, item.urgent) == (
        1,
        reverse("mentoring:problem-detail", args=[escalated.pk]),
        True,
    )


def test_the_monitor_has_no_mentoring_work(users, kube):
    ProblemFactory(kube=kube, escalated_on=dt.date(2027, 7, 12))
    MonthlyReport.objects.create(facilitator=users["facilitator"], month=JULY, status="submitted")

    assert waiting_for(users["monitor"]) == []


# The facilitator ----------------------------------------------------------------------------------------------------


def test_last_month_report_waits_for_a_facilitator_with_groups(users, kube):
    item = kinds(users["facilitator"])["mentoring.report"]

    assert (item.count, item.url) == (1, reverse("mentoring:report-list"))
    assert "2027" in item.text


def test_a_draft_of_last_month_leads_to_the_draft(users, kube):
    draft = MonthlyReport.objects.create(facilitator=users["facilitator"], month=JULY)

    assert kinds(users["facilitator"])["mentoring.report"].url == reverse("mentoring:report-detail", args=[draft.pk])


def test_a_submitted_report_for_last_month_no_longer_waits(users, kube):
    MonthlyReport.objects.create(facilitator=users["facilitator"], month=JULY, status="submitted")

    assert "mentoring.report" not in kinds(users["facilitator"])


def test_a_facilitator_without_groups_owes_no_report(users, kube):
    assert "mentoring.report" not in kinds(users["other_facilitator"])


def test_a_returned_report_is_urgent_for_its_own_facilitator_only(users, kube):
    returned = MonthlyReport.objects.create(
        facilitator=users["facilitator"], month=dt.date(2027, 6, 1), status="returned"
    )

    item = kinds(users["facilitator"])["mentoring.returned"]

    assert (item.count, item.url, item.urgent) == (1, reverse("mentoring:report-detail", args=[returned.pk]), True)
    assert "mentoring.returned" not in kinds(users["other_facilitator"])


def test_open_problems_of_the_facilitator_groups_wait_for_it_only(users, kube, regions):
    ProblemFactory(kube=kube)
    ProblemFactory(kube=kube, resolved_on=dt.date(2027, 7, 20))
    someone_else = KubeFactory(village=regions["village_a"], facilitator=users["other_facilitator"])
    ProblemFactory(kube=someone_else)

    item = kinds(users["facilitator"])["mentoring.open"]

    assert (item.count, item.urgent) == (1, False)
    assert kinds(users["other_facilitator"])["mentoring.open"].count == 1
