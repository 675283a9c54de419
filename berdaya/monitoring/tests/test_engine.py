"""The maturity engine: levels from a group's records, each indicator at its threshold, and the scorecard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from berdaya.accounts.models import User
from berdaya.accounts.tests.factories import UserFactory
from berdaya.business.models import CashEntry, CreditApplication, Partnership
from berdaya.business.tests.factories import (
    AidStageFactory,
    AssetFactory,
    BusinessPlanFactory,
    CashEntryFactory,
    ExpenseFactory,
    IksEntryFactory,
)
from berdaya.groups.models import FacilitatorAssignment, Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.mentoring.models import MonthlyReport, Problem
from berdaya.mentoring.tests.factories import ProblemFactory
from berdaya.monitoring.engine import evaluate, evaluate_months, evaluate_one
from berdaya.monitoring.models import Level
from berdaya.monitoring.tests.factories import (
    EnvironmentRecordFactory,
    MeetingFactory,
    ParticipantFactory,
    RuleSetFactory,
    TrainingFactory,
)
from berdaya.monitoring.tests.groups import (
    MONTH,
    TODAY,
    allocate,
    berkembang_group,
    close_month,
    indicator,
    judge,
    mandiri_group,
    members,
    tumbuh_group,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def holds(kube: Kube, code: str, month: dt.date = MONTH, today: dt.date = TODAY) -> bool:
    return indicator(judge(kube, month, today), code).holds


def active_group() -> Kube:
    return KubeFactory(status=Kube.Status.ACTIVE, formed_on=dt.date(2027, 1, 10))


# Levels -------------------------------------------------------------------------------------------------------------


def test_a_group_with_officers_training_aid_and_sales_is_tumbuh():
    evaluation = judge(tumbuh_group())

    assert evaluation.computed_level == Level.TUMBUH
    assert {i.code for i in evaluation.holding()} == {
        "facilitator",
        "officers",
        "members_trained",
        "aid_received",
        "business_started",
    }


def test_a_group_without_sales_is_not_yet_growing_and_the_sales_block_it():
    kube = tumbuh_group()
    CashEntry.objects.filter(kube=kube, category="sales").delete()

    evaluation = judge(kube)

    assert evaluation.computed_level == Level.NONE
    assert [i.code for i in evaluation.blocking()] == ["business_started"]


def test_it_is_berkembang_because_it_meets_keeps_books_closes_months_and_allocates_profit():
    evaluation = judge(berkembang_group())

    assert evaluation.computed_level == Level.BERKEMBANG
    assert {"meetings", "books_kept", "months_closed", "profit_allocated", "members"} <= {
        i.code for i in evaluation.holding()
    }


def test_it_cannot_be_mandiri_because_capital_has_not_grown():
    kube = mandiri_group()
    # A big purchase in September: capital falls to 21.5 M, under the aid of 20 M plus 10 %.
    ExpenseFactory(kube=kube, entry_date=dt.date(2027, 9, 20), category="equipment", amount=5_000_000)

    evaluation = judge(kube)

    assert evaluation.computed_level == Level.BERKEMBANG
    assert [i.code for i in evaluation.blocking()] == ["capital_growth"]


def test_a_group_whose_capital_grew_with_sales_iks_and_a_partner_is_mandiri():
    evaluation = judge(mandiri_group())

    assert evaluation.computed_level == Level.MANDIRI
    assert evaluation.blocking() == []
    assert len(evaluation.holding()) == 15


def test_a_level_needs_the_levels_below_it():
    kube = mandiri_group()
    FacilitatorAssignment.objects.filter(kube=kube).delete()  # no facilitator on record in September

    evaluation = judge(kube)

    assert evaluation.computed_level == Level.NONE
    assert [i.code for i in evaluation.blocking()] == ["facilitator"]


def test_a_regency_rule_set_raises_the_threshold():
    kube = berkembang_group()
    RuleSetFactory(effective_from=dt.date(2027, 1, 1), rules={"meeting_months": 6})
    MeetingFactory(kube=kube, held_on=dt.date(2027, 9, 5)).delete()
    kube.meetings.filter(held_on__month=4).delete()

    evaluation = judge(kube)

    assert indicator(evaluation, "meetings").threshold == 6
    assert evaluation.computed_level == Level.TUMBUH


# Each indicator at its threshold --------------------------------------------------------------------------------


def test_facilitator_in_a_past_month_comes_from_the_assignment_covering_its_end():
    kube = active_group()
    facilitator = UserFactory(username="pendamping", role=User.Role.FACILITATOR)
    FacilitatorAssignment.objects.create(
        kube=kube,
        facilitator=facilitator,
        started_on=dt.date(2027, 2, 1),
        ended_on=dt.date(2027, 9, 29),
        by=facilitator,
    )

    assert holds(kube, "facilitator", dt.date(2027, 8, 1))
    assert not holds(kube, "facilitator", dt.date(2027, 9, 1))


def test_facilitator_in_the_current_month_is_the_groups_facilitator():
    kube = active_group()
    kube.facilitator = UserFactory(username="pendamping", role=User.Role.FACILITATOR)
    kube.save()

    assert holds(kube, "facilitator", dt.date(2028, 1, 1))


def test_officers_need_chair_secretary_and_treasurer():
    kube = active_group()
    members(kube, count=2)

    result = indicator(judge(kube), "officers")

    assert not result.holds
    assert result.value == "2 of 3 offices filled"


def test_members_trained_holds_at_eighty_percent():
    assert holds(tumbuh_group(trained=8), "members_trained")


def test_members_trained_fails_just_under_eighty_percent():
    result = indicator(judge(tumbuh_group(trained=7)), "members_trained")

    assert not result.holds
    assert result.value == "7 of 10 members trained (70%)"


def test_a_training_that_ends_after_the_month_does_not_count_yet():
    kube = active_group()
    training = TrainingFactory(starts_on=dt.date(2027, 9, 29), ends_on=dt.date(2027, 10, 1))
    for membership in members(kube, count=5):
        ParticipantFactory(training=training, membership=membership)

    assert not holds(kube, "members_trained")
    assert holds(kube, "members_trained", dt.date(2027, 10, 1))


def test_aid_received_counts_a_stage_paid_by_the_months_end():
    kube = active_group()
    AidStageFactory(kube=kube, paid_on=dt.date(2027, 10, 1))

    assert not holds(kube, "aid_received")
    assert holds(kube, "aid_received", dt.date(2027, 10, 1))


def test_a_reversed_sale_is_no_business_started():
    kube = active_group()
    sale = CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3))
    CashEntryFactory(
        kube=kube, entry_date=dt.date(2027, 9, 4), kind="expense", category="reversal", reverses=sale, channel=""
    )

    assert not holds(kube, "business_started")


def test_meetings_hold_with_four_months_of_six():
    kube = active_group()
    for month in (4, 6, 8, 9):
        MeetingFactory(kube=kube, held_on=dt.date(2027, month, 2))

    assert holds(kube, "meetings")


def test_meetings_without_minutes_do_not_count():
    kube = active_group()
    for month in (4, 6, 8):
        MeetingFactory(kube=kube, held_on=dt.date(2027, month, 2))
    MeetingFactory(kube=kube, held_on=dt.date(2027, 9, 2), minutes="")

    result = indicator(judge(kube), "meetings")

    assert not result.holds
    assert result.value == "3 of 6 months"


def test_books_kept_hold_with_five_months_of_six():
    kube = active_group()
    for month in (4, 5, 6, 7, 9):
        CashEntryFactory(kube=kube, entry_date=dt.date(2027, month, 2))

    assert holds(kube, "books_kept")


def test_books_kept_fail_with_four_months_of_six():
    kube = active_group()
    for month in (3, 5, 6, 7, 9):  # March is outside the last six months
        CashEntryFactory(kube=kube, entry_date=dt.date(2027, month, 2))

    assert not holds(kube, "books_kept")


def test_a_month_closed_on_the_last_grace_day_is_on_time():
    kube = active_group()
    for month in (4, 5, 6, 7):
        close_month(kube, dt.date(2027, month, 1), dt.date(2027, month + 1, 15))

    result = indicator(judge(kube), "months_closed")

    assert result.holds
    assert result.value == "4 of 5 due months closed on time (1 not yet due, counted as neither)"


def test_a_month_closed_a_day_after_the_grace_is_late():
    kube = active_group()
    for month in (4, 5, 6):
        close_month(kube, dt.date(2027, month, 1), dt.date(2027, month + 1, 15))
    close_month(kube, dt.date(2027, 7, 1), dt.date(2027, 8, 16))

    assert not holds(kube, "months_closed")


def test_a_profit_allocation_without_an_iks_share_does_not_count():
    kube = active_group()
    allocate(kube, dt.date(2027, 7, 5), to_iks=0)

    assert not holds(kube, "profit_allocated")


def test_a_profit_allocation_counts_for_twelve_months():
    kube = active_group()
    allocate(kube, dt.date(2026, 10, 1))

    assert holds(kube, "profit_allocated")
    assert not holds(kube, "profit_allocated", dt.date(2027, 10, 1))


def test_members_hold_with_five_and_fail_when_one_has_left():
    kube = active_group()
    people = members(kube, count=5)

    assert holds(kube, "members")

    people[4].left_on = dt.date(2027, 9, 20)
    people[4].save()
    assert not holds(kube, "members")


def _aid_and_capital(kube: Kube, capital: int) -> None:
    AidStageFactory(kube=kube, amount=10_000_000, paid_on=dt.date(2027, 2, 1))
    AssetFactory(kube=kube, value=10_000_000, received_on=dt.date(2027, 2, 3))
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 2, 1), category="aid", amount=10_000_000, channel="")
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 5, 1), amount=capital - 20_000_000)


def test_capital_growth_holds_at_exactly_the_aid_plus_ten_percent():
    kube = active_group()
    _aid_and_capital(kube, 22_000_000)

    assert holds(kube, "capital_growth")


def test_capital_growth_fails_one_rupiah_short():
    kube = active_group()
    _aid_and_capital(kube, 21_999_999)

    result = indicator(judge(kube), "capital_growth")

    assert not result.holds
    assert result.number == 9


def test_a_lost_asset_is_no_longer_capital_but_still_aid_received():
    kube = active_group()
    _aid_and_capital(kube, 22_000_000)
    kube.assets.update(condition="lost")

    assert not holds(kube, "capital_growth")


def test_a_bank_loan_is_not_capital():
    kube = active_group()
    _aid_and_capital(kube, 21_000_000)
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 6, 1), category="credit", amount=5_000_000, channel="")

    assert not holds(kube, "capital_growth")


def _sales(kube: Kube, prior: int, recent: int) -> None:
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 3, 5), amount=prior)
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 5), amount=recent)


def test_revenue_trend_holds_at_five_percent_growth():
    kube = active_group()
    _sales(kube, 1_000_000, 1_050_000)

    assert holds(kube, "revenue_trend")


def test_revenue_trend_fails_under_five_percent_growth():
    kube = active_group()
    _sales(kube, 1_000_000, 1_049_999)

    assert not holds(kube, "revenue_trend")


def test_revenue_trend_needs_sales_in_the_six_months_before():
    kube = active_group()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 5))

    assert not holds(kube, "revenue_trend")


def test_iks_for_a_member_in_hardship_does_not_reach_non_members():
    kube = active_group()
    IksEntryFactory(kube=kube, kind="use", purpose="member_hardship", entry_date=dt.date(2027, 8, 1))

    assert not holds(kube, "iks_non_members")


def test_iks_for_the_community_reaches_non_members():
    kube = active_group()
    IksEntryFactory(kube=kube, kind="use", purpose="community", entry_date=dt.date(2027, 8, 1))

    assert holds(kube, "iks_non_members")


def test_an_ended_partnership_does_not_count_but_an_approved_credit_does():
    kube = active_group()
    Partnership.objects.create(
        kube=kube,
        partner="Koperasi",
        kind="cooperative",
        started_on=dt.date(2027, 1, 1),
        ended_on=dt.date(2027, 6, 1),
        by=kube.created_by,
    )
    assert not holds(kube, "partnership")

    CreditApplication.objects.create(
        kube=kube,
        lender="BRI",
        amount_requested=10_000_000,
        applied_on=dt.date(2027, 8, 1),
        outcome="approved",
        decided_on=dt.date(2027, 9, 1),
        by=kube.created_by,
    )
    assert holds(kube, "partnership")


def test_a_high_severity_problem_is_overdue_only_after_fourteen_days():
    kube = active_group()
    ProblemFactory(kube=kube, reported_on=dt.date(2027, 9, 16), severity=Problem.Severity.HIGH)
    assert holds(kube, "problems_solved")  # its deadline is the 30th, the month's last day

    ProblemFactory(kube=kube, reported_on=dt.date(2027, 9, 15), severity=Problem.Severity.HIGH)
    result = indicator(judge(kube), "problems_solved")
    assert not result.holds
    assert result.value == "1 open past their deadline"
    assert result.sources[0].url.startswith("/")


def test_a_problem_solved_after_the_month_is_still_open_in_it():
    kube = active_group()
    ProblemFactory(kube=kube, reported_on=dt.date(2027, 6, 1), resolved_on=dt.date(2027, 10, 2))

    assert not holds(kube, "problems_solved")
    assert holds(kube, "problems_solved", dt.date(2027, 10, 1))


# Sources ------------------------------------------------------------------------------------------------------------


def test_every_indicator_links_to_its_records():
    kube = mandiri_group()

    evaluation = judge(kube)

    assert all(i.sources for i in evaluation.indicators)
    assert indicator(evaluation, "books_kept").sources[0].url == reverse("business:cash-book", args=[kube.pk])


# Scorecard ---------------------------------------------------------------------------------------------------------


def test_the_scorecard_of_a_hand_computed_group():
    kube = berkembang_group()
    # Bina manusia: 8/10 trained (0.8); 6 meetings with 5 of 10 attending (0.5); 4/10 technical (0.4).
    technical = TrainingFactory(kind="technical", starts_on=dt.date(2027, 3, 1), ends_on=dt.date(2027, 3, 2))
    people = list(kube.memberships.order_by("pk"))
    for membership in people[:4]:
        ParticipantFactory(training=technical, membership=membership)
    for meeting in kube.meetings.all():
        meeting.attendees.set(people[:5])
    # Bina usaha: sales 6 M against a plan of 6 × 2 M (0.5); six profitable months (1); capital 26.5 M ≥ 22 M (1);
    # one channel (1/3); no partnership or credit (0).
    BusinessPlanFactory(kube=kube, expected_monthly_revenue=2_000_000)
    # Bina lingkungan: 3 of 4 practices (0.75); one neighbour employed (0.5); no community contribution (0).
    EnvironmentRecordFactory(kube=kube, recorded_on=dt.date(2027, 9, 20), neighbours_employed=1)
    # Bina kelembagaan: meetings 6/6 (1); officers 3/3 (1); 5 of 5 due months closed (1); no problems (1);
    # the facilitator sent reports for 3 of 6 months (0.5).
    for month in (4, 5, 6):
        MonthlyReport.objects.create(facilitator=kube.facilitator, month=dt.date(2027, month, 1), status="submitted")

    evaluation = judge(kube)

    values = {c.code: c.value for c in evaluation.components}
    assert values["attendance"] == Decimal("0.5")
    assert values["revenue"] == Decimal("0.5")
    assert values["channels"] == Decimal("0.3333")
    assert values["reports"] == Decimal("0.5")
    # manusia (40·0.8 + 30·0.5 + 30·0.4) / 100 = 0.59; usaha (25·0.5 + 20 + 25 + 15·0.3333 + 0) / 100 = 0.625
    # lingkungan (40·0.75 + 30·0.5 + 0) / 100 = 0.45; kelembagaan (25 + 15 + 25 + 20 + 15·0.5) / 100 = 0.925
    assert evaluation.scores == {
        "manusia": 59,
        "usaha": 62,
        "lingkungan": 45,
        "kelembagaan": 93,
        # (25·0.59 + 35·0.624995 + 15·0.45 + 25·0.925) / 100
        "total": 66,
    }


def test_each_component_says_how_it_was_computed():
    evaluation = judge(berkembang_group())

    formulas = {c.code: c.formula for c in evaluation.components}
    assert formulas["meetings"] == "6 of 6 months with a meeting"
    assert formulas["training_coverage"] == "8 of 10 current members attended a training"


def test_weights_come_from_the_rule_set():
    kube = berkembang_group()
    RuleSetFactory(rules={"w_skills": 0, "w_attendance": 0})

    evaluation = judge(kube)

    assert evaluation.scores["manusia"] == 80


# The public entry points ---------------------------------------------------------------------------------------------


def test_evaluate_one_is_the_current_month_as_of_today():
    kube = tumbuh_group()

    evaluation = evaluate_one(kube, today=dt.date(2027, 9, 14))

    assert evaluation.month == dt.date(2027, 9, 1)
    assert evaluation.computed_level == Level.TUMBUH


def test_many_groups_and_months_cost_the_same_queries_as_one(django_assert_max_num_queries):
    kubes = [berkembang_group()] + [active_group() for _ in range(3)]
    months = [dt.date(2027, m, 1) for m in range(1, 13)]

    with django_assert_max_num_queries(25):
        results = evaluate_months([k.pk for k in kubes], months, today=TODAY)

    assert len(results) == 48
    assert results[(kubes[0].pk, MONTH)].computed_level == Level.BERKEMBANG


def test_evaluate_answers_every_group_asked():
    kubes = [active_group(), active_group()]

    assert set(evaluate([k.pk for k in kubes], MONTH, today=TODAY)) == {k.pk for k in kubes}
