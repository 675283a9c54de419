"""Revolving fund, business plan and access to capital: each rule with its message."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import selectors, services
from berdaya.business.models import BusinessPlan, CashEntry
from berdaya.business.tests.factories import BusinessPlanFactory, CashEntryFactory, LoanFactory
from berdaya.groups.tests.factories import KubeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def by():
    return UserFactory(username="pendamping")


def test_lending_needs_a_group_that_runs_a_revolving_fund(by):
    kube = KubeFactory()
    BusinessPlanFactory(kube=kube, revolving_fund=False)
    CashEntryFactory(kube=kube, amount=1_000_000)

    with pytest.raises(services.LoanError, match="does not run a revolving fund"):
        services.lend(
            kube=kube,
            borrower="Bu Ani",
            is_member=True,
            principal=300_000,
            issued_on=dt.date(2027, 11, 1),
            instalments=3,
            by=by,
        )


def lend_from_a_fund_of_a_million(by):
    kube = KubeFactory()
    BusinessPlanFactory(kube=kube, revolving_fund=True)
    CashEntryFactory(kube=kube, amount=1_000_000)
    services.lend(
        kube=kube,
        borrower="Bu Ani",
        is_member=False,
        principal=300_000,
        issued_on=dt.date(2027, 11, 1),
        instalments=3,
        by=by,
    )
    return kube


def test_a_loan_leaves_the_cash_book(by):
    kube = lend_from_a_fund_of_a_million(by)

    assert selectors.cash_balance(kube=kube) == 700_000


def test_the_books_line_of_a_loan_is_written_in_the_offices_language(by):
    lend_from_a_fund_of_a_million(by)  # in English: the autouse `english` fixture, as if the facilitator chose it

    assert CashEntry.objects.get(category=CashEntry.Category.LOAN_ISSUED).description == "Pinjaman kepada Bu Ani"


def test_a_repayment_cannot_exceed_what_is_owed(by):
    loan = LoanFactory(principal=600_000)
    services.repay(loan=loan, paid_on=dt.date(2027, 10, 1), amount=500_000, by=by)

    with pytest.raises(services.LoanError, match="owes Rp 100,000"):
        services.repay(loan=loan, paid_on=dt.date(2027, 11, 1), amount=100_001, by=by)


def test_arrears_are_the_instalments_due_minus_what_was_repaid(by):
    loan = LoanFactory(principal=600_000, instalments=6, issued_on=dt.date(2027, 9, 1))
    services.repay(loan=loan, paid_on=dt.date(2027, 10, 1), amount=100_000, by=by)

    (status,) = selectors.revolving_fund(kube=loan.kube, today=dt.date(2027, 12, 15))

    assert (status.repaid, status.outstanding, status.due_by_now, status.arrears) == (
        100_000,
        500_000,
        300_000,
        200_000,
    )


def test_a_budget_line_total_is_quantity_times_unit_price(by):
    plan = BusinessPlanFactory()

    line = services.add_budget_line(plan=plan, item="Tepung terigu", quantity=25, unit="kg", unit_price=12_500, by=by)

    assert line.total == 312_500
    assert type(selectors.budget_total(plan)) is int


def test_an_approved_plan_is_fixed(by):
    plan = BusinessPlanFactory()
    services.add_budget_line(plan=plan, item="Oven", quantity=1, unit="unit", unit_price=3_500_000, by=by)
    services.submit_business_plan(plan=plan, by=by)
    services.approve_business_plan(plan=plan, by=UserFactory(username="kabid"))

    with pytest.raises(services.PlanError, match="approved"):
        services.add_budget_line(plan=plan, item="Mixer", quantity=1, unit="unit", unit_price=900_000, by=by)

    assert BusinessPlan.objects.get().status == BusinessPlan.Status.APPROVED


def test_only_a_submitted_plan_is_approved(by):
    with pytest.raises(services.PlanError, match="Only a submitted plan"):
        services.approve_business_plan(plan=BusinessPlanFactory(), by=by)


def test_a_returned_plan_is_a_draft_again_with_the_reason_in_its_history(by):
    plan = BusinessPlanFactory(status=BusinessPlan.Status.SUBMITTED)

    services.return_business_plan(plan=plan, reason="Rincikan harga bahan baku.", by=UserFactory(username="kabid"))

    plan.refresh_from_db()
    assert plan.status == BusinessPlan.Status.DRAFT
    assert plan.history.first().history_change_reason == "Rincikan harga bahan baku."


def test_a_plan_is_not_returned_without_saying_what_to_change(by):
    plan = BusinessPlanFactory(status=BusinessPlan.Status.SUBMITTED)

    with pytest.raises(services.PlanError, match="Say what the group should change"):
        services.return_business_plan(plan=plan, reason="  ", by=by)

    assert BusinessPlan.objects.get().status == BusinessPlan.Status.SUBMITTED


def test_only_a_submitted_plan_is_returned(by):
    with pytest.raises(services.PlanError, match="Only a submitted plan can be returned"):
        services.return_business_plan(plan=BusinessPlanFactory(), reason="Ubah.", by=by)


def test_a_credit_decision_is_recorded_once(by):
    application = services.apply_for_credit(
        kube=KubeFactory(),
        scheme="kur",
        lender="BRI Unit Tanah Grogot",
        amount_requested=25_000_000,
        applied_on=dt.date(2027, 10, 1),
        by=by,
    )
    services.decide_credit(
        application=application, outcome="approved", decided_on=dt.date(2027, 10, 20), amount_approved=20_000_000, by=by
    )

    with pytest.raises(services.BusinessError, match="already decided"):
        services.decide_credit(
            application=application, outcome="rejected", decided_on=dt.date(2027, 10, 21), amount_approved=None, by=by
        )


def test_credit_received_is_not_capital(by):
    kube = KubeFactory()
    services.record_cash_entry(
        kube=kube,
        entry_date=dt.date(2027, 11, 1),
        kind="income",
        category="credit",
        amount=20_000_000,
        description="KUR",
        by=by,
    )

    dashboard = selectors.business_dashboard(kube=kube)

    assert dashboard.capital == 0
    assert CashEntry.objects.get().amount == 20_000_000
