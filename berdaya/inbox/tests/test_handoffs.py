"""Every hand-off tells the next responsible person, with a subject that names the record."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.accounts.models import User
from berdaya.business import services as business
from berdaya.business.models import BusinessPlan
from berdaya.business.tests.factories import AidStageFactory, BusinessPlanFactory, kube_with_members
from berdaya.groups.models import Kube
from berdaya.inbox.models import Notification
from berdaya.mentoring import services as mentoring
from berdaya.mentoring.models import MonthlyReport
from berdaya.mentoring.tests.factories import ProblemFactory
from berdaya.targeting import services as targeting
from berdaya.targeting.models import Cycle
from berdaya.targeting.tests.test_workflow import CHECKED, submitted, verified

pytestmark = pytest.mark.django_db

# The keys of the shared `users` fixture (berdaya/conftest.py).
PEOPLE = ["admin", "officer", "monitor", "camat", "camat_c", "desa_a", "desa_b", "desa_c", "facilitator"]


def told(kind):
    """Who of the shared `users` got notifications of this kind, and their subjects (factories make more admins)."""
    notes = Notification.objects.filter(kind=kind, recipient_user__username__in=PEOPLE).select_related("recipient_user")
    return {n.recipient_user.username for n in notes}, {n.shown_subject for n in notes}


# Nomination lists -------------------------------------------------------------------------------------------------


def test_a_submitted_list_goes_to_the_kecamatan_over_the_village(users, village_list, cycle):
    submitted(village_list, users, 1)

    assert told("list.submitted") == ({"camat"}, {f"Tanah Periuk submitted its list for {cycle.name}"})


def test_an_endorsed_list_goes_to_the_dinas(users, village_list, cycle):
    submitted(village_list, users, 1)

    targeting.endorse_list(nomination_list=village_list, by=users["camat"])

    assert told("list.endorsed") == (
        {"officer", "admin"},
        {f"The kecamatan endorsed the list of Tanah Periuk for {cycle.name}"},
    )


def test_a_list_returned_to_the_village_tells_its_operator_why(users, village_list, cycle):
    submitted(village_list, users, 1)

    targeting.return_to_village(nomination_list=village_list, reason="Lengkapi alamat", by=users["camat"])

    assert told("list.returned_to_village") == ({"desa_a"}, {f"Your list for {cycle.name} was returned"})
    assert Notification.objects.get(kind="list.returned_to_village").shown_body == "Lengkapi alamat"


def test_a_list_returned_to_the_kecamatan_tells_its_operator(users, village_list):
    submitted(village_list, users, 1)
    targeting.endorse_list(nomination_list=village_list, by=users["camat"])

    targeting.return_to_kecamatan(nomination_list=village_list, reason="Kuota terlampaui", by=users["officer"])

    assert told("list.returned_to_kecamatan") == ({"camat"}, {"The list of Tanah Periuk was returned"})


# Nominees ---------------------------------------------------------------------------------------------------------


def test_a_verval_goes_to_the_dinas_who_decide(users, village_list):
    nominee = submitted(village_list, users, 1)[0]
    targeting.endorse_list(nomination_list=village_list, by=users["camat"])

    targeting.verify_nominee(nominee=nominee, visit_date=dt.date(2027, 3, 1), checklist=CHECKED, by=users["officer"])

    # The officer who visited knows; the other decider is told.
    assert told("nominee.verified") == (
        {"admin"},
        {f"Verval of {nominee.name} (Tanah Periuk) recorded: ready for a decision"},
    )


def test_an_approval_goes_to_the_village_and_the_kecamatan(users, village_list, cycle):
    nominee = verified(village_list, users, 1)[0]

    targeting.approve_nominee(nominee=nominee, by=users["officer"])

    assert told("nominee.approved") == (
        {"desa_a", "camat"},
        {f"{nominee.name} (Tanah Periuk) was approved for {cycle.name}"},
    )


def test_approving_the_clean_ones_at_once_tells_each_village_once(users, village_list, cycle):
    verified(village_list, users, 2)

    approved = targeting.approve_verified_clean(cycle=cycle, by=users["officer"])

    assert len(approved) == 2
    assert told("nominee.approved") == (
        {"desa_a", "camat"},
        {f"2 households of Tanah Periuk were approved for {cycle.name}"},
    )
    assert Notification.objects.filter(kind="nominee.approved", recipient_user=users["camat"]).count() == 1


def test_a_rejection_goes_to_the_village_and_the_kecamatan_with_its_reason(users, village_list, cycle):
    nominee = verified(village_list, users, 1)[0]

    targeting.reject_nominee(nominee=nominee, reason="Pegawai honorer", by=users["officer"])

    assert told("nominee.rejected") == (
        {"desa_a", "camat"},
        {f"{nominee.name} (Tanah Periuk) was rejected for {cycle.name}"},
    )
    assert {n.body for n in Notification.objects.filter(kind="nominee.rejected")} == {"Pegawai honorer"}


def test_the_decree_goes_to_the_operators_of_the_villages_it_names(users, village_list, cycle):
    nominee = verified(village_list, users, 1)[0]
    targeting.approve_nominee(nominee=nominee, by=users["officer"])

    targeting.issue_decree(cycle=cycle, by=users["admin"])

    number = Cycle.objects.get(pk=cycle.pk).sk_number
    assert told("cycle.decree") == ({"camat", "desa_a"}, {f"The decree for {cycle.name} was issued: {number}"})


# Business plan and aid --------------------------------------------------------------------------------------------


@pytest.fixture
def kube(users):
    return kube_with_members(2, facilitator=users["facilitator"], village__code="64.01.04.2004")


def test_a_submitted_plan_goes_to_the_dinas(users, kube):
    plan = BusinessPlanFactory(kube=kube)
    plan.lines.create(item="Oven", quantity=1, unit="unit", unit_price=3_000_000)

    business.submit_business_plan(plan=plan, by=users["facilitator"])

    assert told("plan.submitted") == (
        {"officer", "admin"},
        {f"Business plan of {kube.name} (Tanah Periuk) submitted for approval"},
    )


def test_an_approved_plan_goes_to_the_facilitator(users, kube):
    plan = BusinessPlanFactory(kube=kube, status=BusinessPlan.Status.SUBMITTED)

    business.approve_business_plan(plan=plan, by=users["officer"])

    assert told("plan.approved") == ({"facilitator"}, {f"The business plan of {kube.name} was approved"})


def test_a_returned_plan_goes_to_the_facilitator_with_what_to_change(users, kube):
    plan = BusinessPlanFactory(kube=kube, status=BusinessPlan.Status.SUBMITTED)

    business.return_business_plan(plan=plan, reason="Harga oven terlalu tinggi.", by=users["officer"])

    assert told("plan.returned") == ({"facilitator"}, {f"The business plan of {kube.name} was returned"})
    assert Notification.objects.get(kind="plan.returned").body == "Harga oven terlalu tinggi."


def test_a_planned_aid_stage_goes_to_the_facilitator(users, kube):
    business.add_aid_stage(
        kube=kube, planned_on=dt.date(2027, 4, 1), condition="plan_approved", amount=1_000_000, by=users["officer"]
    )

    assert told("aid.planned") == ({"facilitator"}, {f"Aid stage 1 of {kube.name} planned"})


def test_a_met_condition_goes_to_the_dinas_who_pay(users, kube):
    stage = AidStageFactory(kube=kube, number=1, condition="plan_approved")

    business.mark_condition_met(stage=stage, met_on=dt.date(2027, 3, 1), by=users["officer"])

    assert told("aid.condition_met") == (
        {"admin"},
        {f"Aid stage 1 of {kube.name} (Tanah Periuk) may be paid: its condition is met"},
    )


def test_a_paid_aid_stage_goes_to_the_facilitator(users, kube):
    stage = AidStageFactory(kube=kube, number=1)

    business.pay_aid_stage(stage=stage, paid_on=dt.date(2027, 3, 1), transfer_reference="TRX-1", by=users["officer"])

    assert told("aid.paid") == ({"facilitator"}, {f"Aid stage 1 of {kube.name} was paid"})


# Monthly reports and problems -------------------------------------------------------------------------------------


@pytest.fixture
def report(users):
    facilitator = users["facilitator"]
    draft = mentoring.draft_monthly_report(facilitator=facilitator, month=dt.date(2027, 2, 1), by=facilitator)
    return mentoring.save_report_text(report=draft, narrative="Baik", next_plan="Lanjut", by=facilitator)


def test_a_submitted_report_goes_to_the_dinas_who_review(users, report):
    mentoring.submit_report(report=report, by=users["facilitator"])

    assert told("report.submitted") == (
        {"officer", "admin"},
        {f"Monthly report Feb 2027 of {users['facilitator']} to review"},
    )


def test_a_returned_report_goes_back_to_its_facilitator_with_the_note(users, report):
    mentoring.submit_report(report=report, by=users["facilitator"])

    mentoring.return_report(report=report, note="Tambahkan foto kunjungan", by=users["officer"])

    assert told("report.returned") == ({"facilitator"}, {"Your monthly report Feb 2027 was returned"})
    assert Notification.objects.get(kind="report.returned").body == "Tambahkan foto kunjungan"


def test_an_accepted_report_goes_back_to_its_facilitator(users, report):
    mentoring.submit_report(report=report, by=users["facilitator"])

    mentoring.acknowledge_report(report=MonthlyReport.objects.get(pk=report.pk), by=users["officer"])

    assert told("report.acknowledged") == ({"facilitator"}, {"Your monthly report Feb 2027 was accepted"})


def test_an_escalated_problem_goes_to_the_dinas(users, kube):
    problem = ProblemFactory(kube=kube, reported_on=dt.date(2027, 2, 10), by=users["facilitator"])

    mentoring.escalate_problem(problem=problem, note="Perlu bantuan modal", by=users["facilitator"])

    assert told("problem.escalated") == (
        {"officer", "admin"},
        {f"A problem of {kube.name} (Tanah Periuk) was passed up to the Dinas"},
    )


def test_a_problem_resolved_by_the_dinas_goes_to_the_facilitator(users, kube):
    problem = ProblemFactory(kube=kube, reported_on=dt.date(2027, 2, 10), by=users["facilitator"])

    mentoring.resolve_problem(
        problem=problem, resolved_on=dt.date(2027, 3, 1), steps="Dilatih ulang", by=users["officer"]
    )

    assert told("problem.resolved") == ({"facilitator"}, {f"A problem of {kube.name} was resolved"})


def test_a_facilitator_is_not_told_of_what_they_did_themselves(users, kube):
    problem = ProblemFactory(kube=kube, reported_on=dt.date(2027, 2, 10), by=users["facilitator"])

    mentoring.resolve_problem(problem=problem, resolved_on=dt.date(2027, 3, 1), steps="", by=users["facilitator"])

    assert not Notification.objects.filter(kind="problem.resolved").exists()


def test_an_inactive_facilitator_is_not_told(users, kube):
    User.objects.filter(username="facilitator").update(is_active=False)
    plan = BusinessPlanFactory(kube=Kube.objects.get(pk=kube.pk), status=BusinessPlan.Status.SUBMITTED)

    business.approve_business_plan(plan=plan, by=users["officer"])

    assert not Notification.objects.filter(kind="plan.approved").exists()
