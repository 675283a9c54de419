"""Business work waiting for the Dinas (plans to approve, aid to pay) and for the facilitator (plans to write, cash
book files to import), in each one's scope only. The package's conftest puts every test on 15 December 2027."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from berdaya.business.models import AidStage, BusinessPlan, CashImport
from berdaya.business.selectors import waiting_for
from berdaya.business.tests.factories import AidStageFactory, BusinessPlanFactory
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.regions.tests.factories import RegionFactory


@pytest.fixture
def kube(users, regions):
    return KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)


@pytest.fixture
def far_kube(users):
    """A group of another regency: outside Paser's Dinas and its facilitators."""
    return KubeFactory(village=RegionFactory(code="64.02.01.2001"), status=Kube.Status.ACTIVE)


def kinds(user) -> dict[str, object]:
    return {item.kind: item for item in waiting_for(user)}


def test_a_submitted_plan_waits_for_the_dinas_and_leads_to_it(users, kube, far_kube):
    BusinessPlanFactory(kube=kube, status=BusinessPlan.Status.SUBMITTED)
    BusinessPlanFactory(kube=far_kube, status=BusinessPlan.Status.SUBMITTED)

    item = kinds(users["officer"])["business.approve_plan"]

    assert (item.count, item.url) == (1, reverse("business:plan", args=[kube.pk]))


def test_a_draft_or_approved_plan_does_not_wait_for_the_dinas(users, kube, regions):
    BusinessPlanFactory(kube=kube, status=BusinessPlan.Status.APPROVED)
    BusinessPlanFactory(kube=KubeFactory(village=regions["village_b"]), status=BusinessPlan.Status.DRAFT)

    assert "business.approve_plan" not in kinds(users["officer"])


def test_an_unpaid_stage_planned_by_next_week_waits_for_the_dinas(users, kube, far_kube):
    AidStageFactory(kube=kube, planned_on=dt.date(2027, 12, 1), condition=AidStage.Condition.MONITORING_PASSED)
    AidStageFactory(kube=kube, planned_on=dt.date(2027, 12, 20))
    AidStageFactory(kube=kube, planned_on=dt.date(2028, 3, 1))  # not yet
    AidStageFactory(kube=kube, planned_on=dt.date(2027, 11, 1), paid_on=dt.date(2027, 11, 2))
    AidStageFactory(kube=far_kube, planned_on=dt.date(2027, 12, 1))

    item = kinds(users["admin"])["business.pay_aid"]

    assert (item.count, item.url, item.due, item.urgent) == (
        2,
        reverse("business:aid", args=[kube.pk]),
        dt.date(2027, 12, 1),
        True,
    )
    assert "(1 awaiting" in item.text


def test_the_dinas_work_is_not_the_village_or_the_monitor(users, kube):
    BusinessPlanFactory(kube=kube, status=BusinessPlan.Status.SUBMITTED)
    AidStageFactory(kube=kube, planned_on=dt.date(2027, 12, 1))

    assert waiting_for(users["desa_a"]) == []
    assert waiting_for(users["monitor"]) == []


def test_a_group_without_a_plan_or_with_a_draft_waits_for_its_facilitator(users, kube, regions):
    second = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    BusinessPlanFactory(kube=second, status=BusinessPlan.Status.DRAFT)
    done = KubeFactory(village=regions["village_a"], facilitator=users["facilitator"], status=Kube.Status.ACTIVE)
    BusinessPlanFactory(kube=done, status=BusinessPlan.Status.SUBMITTED)
    KubeFactory(village=regions["village_a"], facilitator=users["other_facilitator"])

    item = kinds(users["facilitator"])["business.write_plan"]

    assert (item.count, item.url) == (2, reverse("business:kube-list"))
    assert "business.write_plan" not in kinds(users["officer"])  # the Dinas approves; it does not write plans


def test_one_plan_to_write_leads_to_its_group(users, kube):
    assert kinds(users["facilitator"])["business.write_plan"].url == reverse("business:plan", args=[kube.pk])


def test_a_checked_cash_book_file_waits_for_whoever_uploaded_it(users, kube):
    CashImport.objects.create(
        kube=kube, file="business/imports/x.xlsx", filename="x.xlsx", by=users["facilitator"], status="checked"
    )
    CashImport.objects.create(
        kube=kube, file="business/imports/y.xlsx", filename="y.xlsx", by=users["facilitator"], status="committed"
    )

    item = kinds(users["facilitator"])["business.cash_import"]

    assert (item.count, item.url) == (1, reverse("business:cash-import", args=[kube.pk]))
    assert "business.cash_import" not in kinds(users["other_facilitator"])
