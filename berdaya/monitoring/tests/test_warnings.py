"""Early warnings: each fires on the day its condition becomes true and not one day before, clears when the condition
is gone, is raised once, is handled only with a note, and tells the person responsible.

Thresholds are the defaults of berdaya/monitoring/rules.py unless a test sets a rule set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from berdaya.business.models import Asset, CashEntry, CashMonth
from berdaya.business.models.fund import Repayment
from berdaya.business.tests.factories import (
    AidStageFactory,
    AssetFactory,
    CashEntryFactory,
    ExpenseFactory,
    LoanFactory,
)
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.inbox.models import Notification
from berdaya.lib.months import add_months
from berdaya.mentoring.models import Problem
from berdaya.mentoring.tests.factories import ProblemFactory, VisitFactory
from berdaya.monitoring.models import EarlyWarning, Level, LevelSnapshot, RuleSet
from berdaya.monitoring.warnings import WarningError, check_warnings, handle_warning

Kind = EarlyWarning.Kind
D = dt.date


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def kube(users: dict[str, Any], regions: dict[str, Any]) -> Kube:
    """An active group formed on 1 July 2027 and visited that day."""
    kube = KubeFactory(
        village=regions["village_a"],
        facilitator=users["facilitator"],
        status=Kube.Status.ACTIVE,
        formed_on=D(2027, 7, 1),
        status_since=D(2027, 7, 1),
    )
    VisitFactory(kube=kube, visited_on=D(2027, 7, 1))
    return kube


def check(on: dt.date, by: Any, kube: Kube | None = None) -> Any:
    return check_warnings(today=on, kube_ids=[kube.pk] if kube else None, by=by)


def open_keys(kube: Kube, kind: str) -> set[str]:
    return set(EarlyWarning.objects.open().filter(kube=kube, kind=kind).values_list("key", flat=True))


def fires_on(kube: Kube, kind: str, day: dt.date, by: Any, key: str = "") -> tuple[bool, bool]:
    """(open the day before, open on the day)."""
    check(day - dt.timedelta(days=1), by, kube)
    before = key in open_keys(kube, kind)
    check(day, by, kube)
    return before, key in open_keys(kube, kind)


# The conditions --------------------------------------------------------------------------------------------------


def test_not_visited_fires_on_the_45th_day_after_the_last_visit(kube, users):
    assert fires_on(kube, Kind.NOT_VISITED, D(2027, 8, 15), users["admin"]) == (False, True)


def test_a_group_never_visited_counts_from_its_formation(kube, users):
    kube.visits.all().delete()
    kube.formed_on = D(2027, 7, 10)
    kube.save()

    assert fires_on(kube, Kind.NOT_VISITED, D(2027, 8, 24), users["admin"]) == (False, True)


def test_not_visited_clears_when_a_visit_is_recorded(kube, users):
    check(D(2027, 8, 20), users["admin"], kube)
    VisitFactory(kube=kube, visited_on=D(2027, 8, 21))

    result = check(D(2027, 8, 21), users["admin"], kube)

    assert open_keys(kube, Kind.NOT_VISITED) == set()
    assert EarlyWarning.objects.get(kube=kube, kind=Kind.NOT_VISITED).cleared_on == D(2027, 8, 21)
    assert result.cleared == 1


def test_a_rule_set_changes_the_threshold_from_its_effective_date(kube, users, regions):
    RuleSet.objects.create(
        region=regions["regency"],
        effective_from=D(2027, 7, 15),
        rules={"not_visited_days": 10},
        note="Visits every ten days",
        created_by=users["admin"],
    )

    assert fires_on(kube, Kind.NOT_VISITED, D(2027, 7, 15), users["admin"]) == (False, True)


def test_no_cash_entry_fires_two_months_after_the_last_entry_clamped_to_the_month_end(kube, users):
    CashEntryFactory(kube=kube, entry_date=D(2027, 7, 31))

    assert add_months(D(2027, 7, 31), 2) == D(2027, 9, 30)
    assert fires_on(kube, Kind.NO_CASH_ENTRY, D(2027, 9, 30), users["admin"]) == (False, True)


def test_a_book_never_started_counts_from_the_first_aid_paid(kube, users):
    AidStageFactory(kube=kube, paid_on=D(2027, 7, 10))

    assert fires_on(kube, Kind.NO_CASH_ENTRY, D(2027, 9, 10), users["admin"]) == (False, True)


def test_no_cash_entry_clears_with_a_new_entry(kube, users):
    CashEntryFactory(kube=kube, entry_date=D(2027, 7, 1))
    check(D(2027, 9, 5), users["admin"], kube)
    CashEntryFactory(kube=kube, entry_date=D(2027, 9, 6))

    check(D(2027, 9, 6), users["admin"], kube)

    assert open_keys(kube, Kind.NO_CASH_ENTRY) == set()


def test_a_month_left_open_fires_the_day_after_its_grace_days(kube, users):
    CashEntryFactory(kube=kube, entry_date=D(2027, 7, 10))

    # July ends on the 31st; 30 days later is 30 August: still in time that day, late from the 31st.
    assert fires_on(kube, Kind.MONTH_UNCLOSED, D(2027, 8, 31), users["admin"], key="2027-07") == (False, True)


def test_each_unclosed_month_has_its_own_warning_and_closing_clears_it(kube, users):
    CashEntryFactory(kube=kube, entry_date=D(2027, 7, 10))
    check(D(2027, 10, 1), users["admin"], kube)
    assert open_keys(kube, Kind.MONTH_UNCLOSED) == {"2027-07", "2027-08"}
    CashMonth.objects.create(
        kube=kube,
        month=D(2027, 7, 1),
        opening_balance=0,
        income=150_000,
        expense=0,
        closing_balance=150_000,
        closed_by=users["facilitator"],
    )

    check(D(2027, 10, 2), users["admin"], kube)

    assert open_keys(kube, Kind.MONTH_UNCLOSED) == {"2027-08"}


def _sales(kube: Kube, amounts: dict[dt.date, int]) -> None:
    for day, amount in amounts.items():
        CashEntryFactory(kube=kube, entry_date=day, amount=amount)


def test_sales_falling_three_months_in_a_row_fires_when_the_third_month_is_complete(kube, users):
    _sales(kube, {D(2027, 7, 5): 400_000, D(2027, 8, 5): 300_000, D(2027, 9, 5): 200_000, D(2027, 10, 5): 100_000})

    # On 31 October the last complete month is September, and June had no sales: July did not fall.
    assert fires_on(kube, Kind.SALES_FALLING, D(2027, 11, 1), users["admin"], key="2027-10") == (False, True)


def test_a_reversed_sale_counts_against_the_month_it_is_reversed_in(kube, users):
    _sales(kube, {D(2027, 7, 5): 400_000, D(2027, 8, 5): 500_000, D(2027, 9, 5): 200_000, D(2027, 10, 5): 100_000})
    sale = CashEntry.objects.get(kube=kube, entry_date=D(2027, 8, 5))
    CashEntryFactory(
        kube=kube,
        entry_date=D(2027, 8, 20),
        kind=CashEntry.Kind.EXPENSE,
        category=CashEntry.Category.REVERSAL,
        amount=200_000,
        reverses=sale,
    )

    check(D(2027, 11, 1), users["admin"], kube)

    assert open_keys(kube, Kind.SALES_FALLING) == {"2027-10"}


def test_sales_that_rose_once_do_not_warn(kube, users):
    _sales(kube, {D(2027, 7, 5): 400_000, D(2027, 8, 5): 300_000, D(2027, 9, 5): 350_000, D(2027, 10, 5): 100_000})

    check(D(2027, 11, 1), users["admin"], kube)

    assert open_keys(kube, Kind.SALES_FALLING) == set()


def test_fund_arrears_above_twenty_percent_fire_when_the_second_instalment_falls_due(kube, users):
    # 600,000 in six monthly instalments from 1 September: on 1 October 100,000 is due (17 % of what is owed), on
    # 1 November 200,000 (33 %).
    LoanFactory(kube=kube, principal=600_000, issued_on=D(2027, 9, 1), instalments=6)

    assert fires_on(kube, Kind.FUND_ARREARS, D(2027, 11, 1), users["admin"]) == (False, True)


def test_fund_arrears_clear_when_the_instalments_are_paid(kube, users):
    loan = LoanFactory(kube=kube, principal=600_000, issued_on=D(2027, 9, 1), instalments=6)
    check(D(2027, 11, 1), users["admin"], kube)
    Repayment.objects.create(loan=loan, paid_on=D(2027, 11, 2), amount=200_000, by=users["facilitator"])

    check(D(2027, 11, 2), users["admin"], kube)

    assert open_keys(kube, Kind.FUND_ARREARS) == set()


def test_a_high_problem_is_overdue_the_day_after_its_14_day_deadline(kube, users):
    problem = ProblemFactory(kube=kube, reported_on=D(2027, 8, 1), severity=Problem.Severity.HIGH)

    assert fires_on(kube, Kind.PROBLEM_OVERDUE, D(2027, 8, 16), users["admin"], key=str(problem.pk)) == (False, True)
    warning = EarlyWarning.objects.get(kube=kube, kind=Kind.PROBLEM_OVERDUE)
    assert warning.evidence_url == reverse("mentoring:problem-detail", args=[problem.pk])


def test_an_overdue_problem_clears_when_it_is_resolved(kube, users):
    problem = ProblemFactory(kube=kube, reported_on=D(2027, 8, 1), severity=Problem.Severity.LOW)
    check(D(2027, 10, 5), users["admin"], kube)
    problem.resolved_on = D(2027, 10, 6)
    problem.save()

    check(D(2027, 10, 6), users["admin"], kube)

    assert open_keys(kube, Kind.PROBLEM_OVERDUE) == set()


def test_members_leaving_fires_when_the_second_member_leaves_within_90_days(kube, users):
    first, second = MembershipFactory.create_batch(2, kube=kube)
    first.left_on = D(2027, 8, 1)
    first.save()
    second.left_on = D(2027, 8, 10)
    second.save()

    assert fires_on(kube, Kind.MEMBERS_LEAVING, D(2027, 8, 10), users["admin"]) == (False, True)


def test_members_leaving_clears_once_the_first_departure_is_90_days_old(kube, users):
    for membership, left in zip(
        MembershipFactory.create_batch(2, kube=kube), [D(2027, 8, 1), D(2027, 8, 10)], strict=True
    ):
        membership.left_on = left
        membership.save()
    check(D(2027, 10, 29), users["admin"], kube)
    assert open_keys(kube, Kind.MEMBERS_LEAVING) == {""}

    check(D(2027, 10, 30), users["admin"], kube)

    assert open_keys(kube, Kind.MEMBERS_LEAVING) == set()


def test_aid_unspent_fires_30_days_after_payment_without_a_purchase(kube, users):
    stage = AidStageFactory(kube=kube, paid_on=D(2027, 8, 1))

    assert fires_on(kube, Kind.AID_UNSPENT, D(2027, 8, 31), users["admin"], key=str(stage.pk)) == (False, True)


def test_a_purchase_before_the_payment_does_not_count(kube, users):
    stage = AidStageFactory(kube=kube, paid_on=D(2027, 8, 1))
    ExpenseFactory(kube=kube, entry_date=D(2027, 7, 20))

    check(D(2027, 8, 31), users["admin"], kube)

    assert open_keys(kube, Kind.AID_UNSPENT) == {str(stage.pk)}


@pytest.mark.parametrize("purchase", ["materials", "asset"])
def test_aid_unspent_clears_with_a_purchase_or_an_asset_received(kube, users, purchase):
    AidStageFactory(kube=kube, paid_on=D(2027, 8, 1))
    check(D(2027, 9, 1), users["admin"], kube)
    if purchase == "materials":
        ExpenseFactory(kube=kube, entry_date=D(2027, 9, 2))
    else:
        AssetFactory(kube=kube, received_on=D(2027, 9, 2))

    check(D(2027, 9, 2), users["admin"], kube)

    assert open_keys(kube, Kind.AID_UNSPENT) == set()


def test_a_broken_asset_warns_until_it_is_repaired(kube, users):
    asset = AssetFactory(kube=kube, received_on=D(2027, 7, 5), condition=Asset.Condition.BROKEN)
    check(D(2027, 8, 2), users["admin"], kube)
    assert open_keys(kube, Kind.ASSET_DAMAGED) == {str(asset.pk)}
    asset.condition = Asset.Condition.GOOD
    asset.save()

    check(D(2027, 8, 3), users["admin"], kube)

    assert open_keys(kube, Kind.ASSET_DAMAGED) == set()


def _snapshot(kube: Kube, month: dt.date, level: Level) -> None:
    LevelSnapshot.objects.create(kube=kube, month=month, level=level, computed_level=level)


def test_a_level_dropped_fires_in_the_month_of_the_lower_snapshot(kube, users):
    _snapshot(kube, D(2027, 7, 1), Level.BERKEMBANG)
    _snapshot(kube, D(2027, 8, 1), Level.TUMBUH)

    assert fires_on(kube, Kind.LEVEL_DROPPED, D(2027, 8, 1), users["admin"], key="2027-08") == (False, True)


def test_a_level_that_held_does_not_warn(kube, users):
    _snapshot(kube, D(2027, 7, 1), Level.TUMBUH)
    _snapshot(kube, D(2027, 8, 1), Level.TUMBUH)

    check(D(2027, 8, 15), users["admin"], kube)

    assert open_keys(kube, Kind.LEVEL_DROPPED) == set()


# Raising, clearing and handling ----------------------------------------------------------------------------------


def test_a_condition_that_lasts_is_raised_once(kube, users):
    first = check(D(2027, 8, 15), users["admin"], kube)
    second = check(D(2027, 8, 16), users["admin"], kube)

    assert (first.raised, second.raised) == (1, 0)
    assert EarlyWarning.objects.filter(kube=kube, kind=Kind.NOT_VISITED).count() == 1


def test_a_handled_warning_is_not_raised_again_while_its_condition_lasts(kube, users):
    check(D(2027, 8, 15), users["admin"], kube)
    warning = EarlyWarning.objects.get(kube=kube, kind=Kind.NOT_VISITED)
    handle_warning(warning=warning, note="Visit planned for next week", by=users["facilitator"])

    check(D(2027, 8, 16), users["admin"], kube)

    assert EarlyWarning.objects.filter(kube=kube, kind=Kind.NOT_VISITED).count() == 1


def test_a_warning_returns_after_its_condition_went_and_came_back(kube, users):
    check(D(2027, 8, 15), users["admin"], kube)
    VisitFactory(kube=kube, visited_on=D(2027, 8, 16))
    check(D(2027, 8, 16), users["admin"], kube)

    check(D(2027, 9, 30), users["admin"], kube)

    assert EarlyWarning.objects.filter(kube=kube, kind=Kind.NOT_VISITED).count() == 2
    assert open_keys(kube, Kind.NOT_VISITED) == {""}


def test_an_open_warning_follows_the_group_to_its_new_facilitator(kube, users):
    check(D(2027, 8, 15), users["admin"], kube)
    kube.facilitator = users["other_facilitator"]
    kube.save()

    check(D(2027, 8, 16), users["admin"], kube)

    assert EarlyWarning.objects.get(kube=kube, kind=Kind.NOT_VISITED).responsible == users["other_facilitator"]


def test_warnings_of_a_group_that_ended_are_cleared(kube, users):
    check(D(2027, 8, 15), users["admin"], kube)
    kube.status = Kube.Status.GRADUATED
    kube.save()

    check(D(2027, 8, 16), users["admin"], kube)

    assert EarlyWarning.objects.open().filter(kube=kube).count() == 0


def test_handling_a_warning_needs_a_note(kube, users):
    check(D(2027, 8, 15), users["admin"], kube)
    warning = EarlyWarning.objects.get(kube=kube, kind=Kind.NOT_VISITED)

    with pytest.raises(WarningError, match="Say what was done"):
        handle_warning(warning=warning, note="  ", by=users["facilitator"])

    warning.refresh_from_db()
    assert warning.is_open


def test_handling_a_warning_is_audited_with_its_note(kube, users):
    check(D(2027, 8, 15), users["admin"], kube)
    warning = EarlyWarning.objects.get(kube=kube, kind=Kind.NOT_VISITED)

    handle_warning(warning=warning, note="Visited by phone; visit on Monday", by=users["facilitator"])

    warning.refresh_from_db()
    assert (warning.is_open, warning.handled_by, warning.handled_note) == (
        False,
        users["facilitator"],
        "Visited by phone; visit on Monday",
    )
    latest = warning.history.first()
    assert (latest.history_user, latest.handled_note) == (users["facilitator"], "Visited by phone; visit on Monday")


def test_every_warning_written_by_the_check_names_who_ran_it(kube, users):
    check(D(2027, 8, 15), users["admin"], kube)

    assert set(EarlyWarning.history.values_list("history_user", flat=True)) == {users["admin"].pk}


# Delivery ----------------------------------------------------------------------------------------------------------


def test_the_facilitator_gets_one_notification_listing_its_new_warnings(kube, users, regions):
    other = KubeFactory(
        village=regions["village_b"],
        facilitator=users["facilitator"],
        status=Kube.Status.ACTIVE,
        formed_on=D(2027, 6, 1),
        name="KUBE Sumber Rezeki",
    )
    AssetFactory(kube=other, condition=Asset.Condition.LOST)

    result = check_warnings(today=D(2027, 8, 15), kube_ids=[kube.pk, other.pk], by=users["admin"])

    notes = Notification.objects.filter(recipient_user=users["facilitator"], kind="monitoring.warnings")
    assert result.raised == 3 and notes.count() == 1
    assert notes.get().shown_subject == f"New early warnings: 3, for {kube.name}, KUBE Sumber Rezeki"
    assert notes.get().url == reverse("monitoring:warning-list") + "?mine=1"


def test_warnings_of_a_group_without_a_facilitator_go_to_the_dinas_officers(users, regions):
    kube = KubeFactory(village=regions["village_a"], status=Kube.Status.ACTIVE, formed_on=D(2027, 6, 1))

    check(D(2027, 8, 15), users["admin"], kube)

    assert EarlyWarning.objects.get(kube=kube, kind=Kind.NOT_VISITED).responsible is None
    assert Notification.objects.filter(recipient_user=users["officer"], kind="monitoring.warnings").count() == 1
    assert not Notification.objects.filter(recipient_user=users["facilitator"]).exists()


def test_no_notification_when_nothing_is_new(kube, users):
    check(D(2027, 8, 15), users["admin"], kube)

    check(D(2027, 8, 16), users["admin"], kube)

    assert Notification.objects.filter(kind="monitoring.warnings").count() == 1


# Cost ---------------------------------------------------------------------------------------------------------------


def _busy_group(users: dict[str, Any], regions: dict[str, Any]) -> Kube:
    kube = KubeFactory(
        village=regions["village_a"],
        facilitator=users["facilitator"],
        status=Kube.Status.ACTIVE,
        formed_on=D(2027, 5, 1),
    )
    CashEntryFactory(kube=kube, entry_date=D(2027, 6, 10))
    AidStageFactory(kube=kube, paid_on=D(2027, 6, 1))
    LoanFactory(kube=kube, issued_on=D(2027, 6, 1))
    ProblemFactory(kube=kube, reported_on=D(2027, 6, 1))
    AssetFactory(kube=kube, condition=Asset.Condition.BROKEN, received_on=D(2027, 5, 1))
    _snapshot(kube, D(2027, 7, 1), Level.TUMBUH)
    _snapshot(kube, D(2027, 8, 1), Level.NONE)
    return kube


def test_the_check_costs_the_same_queries_for_three_groups_as_for_one(users, regions):
    _busy_group(users, regions)
    with CaptureQueriesContext(connection) as one:
        check_warnings(today=D(2027, 8, 20), by=users["admin"])
    for _ in range(2):
        _busy_group(users, regions)
    EarlyWarning.objects.all().delete()
    Notification.objects.all().delete()

    with CaptureQueriesContext(connection) as three:
        result = check_warnings(today=D(2027, 8, 20), by=users["admin"])

    assert result.raised == 3 * 8
    assert len(three.captured_queries) == len(one.captured_queries)
