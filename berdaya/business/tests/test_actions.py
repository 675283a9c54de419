"""Pages offer what the services allow: actions_for reads the same state predicates the services check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from berdaya.business import selectors, services
from berdaya.business.models import BusinessPlan, CreditApplication
from berdaya.business.tests.factories import AidStageFactory, BusinessPlanFactory
from berdaya.groups.tests.factories import KubeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("status", "username", "expected"),
    [
        ("draft", "facilitator", {"edit", "submit"}),
        ("submitted", "facilitator", {"edit"}),
        ("submitted", "officer", {"edit", "approve", "return"}),
        ("approved", "officer", set()),
        ("submitted", "desa_a", set()),
    ],
)
def test_a_plan_offers_what_its_state_and_the_role_allow(users, status, username, expected):
    plan = BusinessPlanFactory(status=status)

    assert selectors.actions_for(users[username], plan) == expected


def test_a_submitted_plan_cannot_be_submitted_again(users):
    plan = BusinessPlanFactory(status=BusinessPlan.Status.SUBMITTED)
    plan.lines.create(item="Oven", quantity=1, unit_price=500_000)

    with pytest.raises(services.PlanError, match="Only a draft plan"):
        services.submit_business_plan(plan=plan, by=users["facilitator"])


def test_a_stage_awaiting_its_condition_offers_the_condition_and_the_payment(users):
    stage = AidStageFactory(condition="training_done")

    assert selectors.actions_for(users["officer"], stage) == {"condition_met", "pay"}


def test_a_paid_stage_offers_nothing(users):
    stage = AidStageFactory(paid_on=dt.date(2027, 9, 1), transfer_reference="SP2D-1")

    assert selectors.actions_for(users["officer"], stage) == frozenset()


def test_a_decided_credit_application_offers_no_decision(users):
    application = CreditApplication.objects.create(
        kube=KubeFactory(),
        lender="BRI",
        amount_requested=5_000_000,
        applied_on=dt.date(2027, 9, 1),
        outcome=CreditApplication.Outcome.REJECTED,
        by=users["officer"],
    )

    assert selectors.actions_for(users["facilitator"], application) == frozenset()


def test_the_plan_page_shows_the_officer_the_approval_of_a_submitted_plan(client, users):
    kube = KubeFactory(village__code="64.01.04.2004", facilitator=users["facilitator"])
    BusinessPlanFactory(kube=kube, status=BusinessPlan.Status.SUBMITTED)
    client.force_login(users["officer"])

    content = client.get(reverse("business:plan", args=[kube.pk])).content.decode()

    assert 'id="approve-plan"' in content
    assert reverse("business:plan-submit", args=[kube.pk]) not in content


def test_the_officer_returns_a_submitted_plan_from_its_page_saying_why(client, users):
    kube = KubeFactory(village__code="64.01.04.2004", facilitator=users["facilitator"])
    plan = BusinessPlanFactory(kube=kube, status=BusinessPlan.Status.SUBMITTED)
    client.force_login(users["officer"])

    page = client.get(reverse("business:plan", args=[kube.pk])).content.decode()
    client.post(reverse("business:plan-return", args=[kube.pk]), {"reason": "Tambahkan biaya kemasan."})

    assert reverse("business:plan-return", args=[kube.pk]) in page
    plan.refresh_from_db()
    assert plan.status == BusinessPlan.Status.DRAFT
