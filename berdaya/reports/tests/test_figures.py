"""The figures: drill-down sums, the state on a past date, the scope, and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from berdaya.groups.tests.factories import MembershipFactory
from berdaya.lib.months import month_end, months_back
from berdaya.monitoring.models import RuleSet
from berdaya.reports.dashboard import CARDS
from berdaya.reports.figures import INDICATORS, Period, aid_by_source, breakdown, trend, trends

from .conftest import AS_OF, PERIOD, make_group

pytestmark = pytest.mark.django_db

ADDITIVE = [code for code, indicator in INDICATORS.items() if indicator.additive]
TREND_CODES = [code for code, _url, _permission, with_trend in CARDS if with_trend]


def figures(user, root, as_of=AS_OF, period=PERIOD):
    return breakdown(user=user, root=root, as_of=as_of, period=period)


# Drill-down sums -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["regency", "kec_a", "kec_c", "village_a", "village_c"])
def test_an_additive_total_is_the_sum_of_its_rows(programme, users, regions, level):
    data = figures(users["admin"], regions[level])

    for code in ADDITIVE:
        assert data.total.values[code] == sum(row.values[code] or 0 for row in data.rows), code


@pytest.mark.parametrize(("parent", "child"), [("regency", "kec_a"), ("regency", "kec_c"), ("kec_a", "village_a")])
def test_a_parents_row_equals_the_childs_own_total(programme, users, regions, parent, child):
    row = next(r for r in figures(users["admin"], regions[parent]).rows if r.key == regions[child].code)
    own = figures(users["admin"], regions[child]).total

    for code in INDICATORS:
        assert row.values[code] == own.values[code], code


def test_the_fixture_fills_every_additive_indicator_somewhere(programme, users, regions):
    total = figures(users["admin"], regions["regency"]).total

    assert [code for code in ADDITIVE if not total.values[code] and not code.startswith(("level_", "status_"))] == []


def test_trainings_attended_from_two_kecamatan_count_once_in_the_regency(programme, users, regions):
    data = figures(users["admin"], regions["regency"])

    assert [row.values["trainings"] for row in data.rows] == [1, 1]
    assert data.total.values["trainings"] == 1


def test_a_percentage_is_worked_out_again_from_its_parts(programme, users, regions):
    data = figures(users["admin"], regions["regency"])
    by_code = {row.key: row for row in data.rows}

    assert by_code["64.01.04"].values["visit_coverage"] == Decimal("33.3")  # a1 of a1, a2, b1
    assert by_code["64.01.05"].values["visit_coverage"] == Decimal("50.0")  # c1 of c1, c2
    assert data.total.values["visit_coverage"] == Decimal("40.0")  # 2 of 5, not the mean of the rows


# The state on a date ---------------------------------------------------------------------------------------------


def test_the_state_on_as_of_matches_the_hand_computed_figures(programme, users, regions):
    total = figures(users["admin"], regions["regency"]).total.values

    assert total["kubes"] == 5  # the group dissolved on 2027-10-15 still counts
    assert total["members"] == 8  # a1 lost a member on 2027-08-31; c2's second joined 2027-10-02
    assert total["households"] == 8
    assert total["aid_budgeted"] == 6_000_000
    assert total["aid_approved"] == 2_000_000  # a1's plan; b1's was approved after as_of, c1's is a draft
    assert total["aid_paid"] == 3_000_000  # a1's second stage was paid after as_of, c2's before the period
    assert total["revenue"] == 420_000  # a reversed sale takes itself back; b1's October sale is later
    assert total["profit"] == 320_000  # member savings are not profit
    assert total["iks_balance"] == 70_000
    assert total["fund_outstanding"] == 500_000  # the October repayment is later
    assert total["members_trained"] == 3
    assert total["groups_visited"] == 2
    assert (total["reports_due"], total["reports_on_time"]) == (16, 2)  # January-August for a1 and b1
    assert total["reports_on_time_share"] == Decimal("12.5")
    assert total["problems_open"] == 2  # b1's was resolved after as_of
    assert total["warnings_open"] == 2  # a2's cleared after as_of; the handled one is not open


def test_levels_come_from_the_snapshot_of_as_ofs_month_or_the_latest_before(programme, users, regions):
    total = figures(users["admin"], regions["regency"]).total.values

    assert (total["level_tumbuh"], total["level_berkembang"], total["level_mandiri"]) == (1, 1, 0)
    assert total["level_unassessed"] == 3  # c1 was first judged in October


def test_a_month_earlier_the_levels_and_members_were_those_of_then(programme, users, regions):
    total = figures(users["admin"], regions["regency"], as_of=dt.date(2027, 8, 15)).total.values

    assert (total["level_tumbuh"], total["level_berkembang"]) == (2, 0)
    assert total["members"] == 9  # the member of a1 had not left yet


def test_a_group_dissolved_after_as_of_counts_with_the_status_it_had_then(programme, users, regions):
    total = figures(users["admin"], regions["kec_c"]).total.values

    assert (total["status_active"], total["kubes"]) == (2, 2)


def test_after_the_dissolution_the_group_no_longer_counts(programme, users, regions):
    later = dt.date(2027, 10, 20)
    total = figures(users["admin"], regions["kec_c"], as_of=later, period=Period(later.replace(day=1), later)).total

    assert total.values["kubes"] == 1


def test_a_stage_paid_after_as_of_counts_once_the_date_passes(programme, users, regions):
    later = dt.date(2027, 10, 31)
    total = figures(users["admin"], regions["village_a"], as_of=later, period=PERIOD).total

    assert total.values["aid_paid"] == 2_000_000


def test_a_warning_cleared_after_as_of_was_open_on_as_of_and_not_after(programme, users, regions):
    assert figures(users["admin"], regions["village_a"]).total.values["warnings_open"] == 1
    after = figures(users["admin"], regions["village_a"], as_of=dt.date(2027, 10, 6)).total.values

    assert after["warnings_open"] == 0


def test_aid_by_source_and_year_sums_to_the_dashboards_aid(programme, users, regions):
    lines = aid_by_source(user=users["admin"], root=regions["regency"], as_of=AS_OF, period=PERIOD)
    total = figures(users["admin"], regions["regency"]).total.values

    assert sum(line.budgeted for line in lines) == total["aid_budgeted"]
    assert sum(line.paid for line in lines) == total["aid_paid"]


def test_the_trend_gives_a_flow_month_by_month(programme, users, regions):
    points = trend(user=users["admin"], root=regions["regency"], indicator="aid_paid", months=9, as_of=AS_OF)

    assert [p.month.month for p in points] == list(range(1, 10))
    assert [p.value for p in points if p.value] == [1_000_000, 2_000_000]  # March and April


def test_the_trend_gives_a_stock_at_each_months_end(programme, users, regions):
    points = trend(user=users["admin"], root=regions["regency"], indicator="members", months=3, as_of=AS_OF)

    assert [p.value for p in points] == [9, 8, 8]  # July, August (one left on the 31st), September


# Scope -----------------------------------------------------------------------------------------------------------


def test_a_kecamatan_operator_sees_no_group_outside_its_kecamatan(programme, users, regions):
    data = figures(users["camat"], regions["regency"])

    assert data.total.values["kubes"] == 3
    assert next(row for row in data.rows if row.key == "64.01.05").values["kubes"] == 0


def test_a_facilitator_sees_only_its_own_groups(programme, users, regions):
    total = figures(users["facilitator"], regions["regency"]).total.values

    assert (total["kubes"], total["members"], total["aid_paid"]) == (1, 2, 1_000_000)


# Queries ---------------------------------------------------------------------------------------------------------


def test_a_breakdown_costs_the_same_queries_whatever_the_number_of_groups(
    programme, users, regions, django_assert_max_num_queries
):
    for n in range(6):
        kube = make_group(regions["village_b"], f"KUBE Tambahan {n}")
        MembershipFactory(kube=kube)

    with django_assert_max_num_queries(20):
        figures(users["admin"], regions["regency"])


def test_a_report_is_on_time_by_the_regencys_own_due_date(programme, users, regions):
    RuleSet.objects.create(
        region=regions["regency"],
        effective_from=dt.date(2027, 1, 1),
        rules={"report_due_days": 20},
        note="Laporan sampai tanggal 20",
        created_by=users["admin"],
    )

    total = figures(users["admin"], regions["regency"]).total.values

    # August's report, sent on 15 September, is now on time (due on the 20th, not the 10th).
    assert (total["reports_due"], total["reports_on_time"]) == (16, 3)


def test_a_group_entered_from_paper_records_counts_from_its_formation(users, regions):
    # Both rows are created today; only one was formed (on paper) before the date asked.
    make_group(regions["village_a"], "KUBE Lama", formed_on=dt.date(2025, 3, 1))
    make_group(regions["village_a"], "KUBE Baru", formed_on=None)
    earlier = dt.date(2025, 6, 30)

    total = figures(users["admin"], regions["regency"], as_of=earlier, period=Period.year_to(earlier)).total.values

    assert total["kubes"] == 1


# Trends: every month as its own breakdown, in a constant number of queries ---------------------------------------

TREND_AS_OF = dt.date(2027, 10, 20)  # a month cut short, after c2 was dissolved (2027-10-15)


@pytest.mark.parametrize("who", ["admin", "camat", "facilitator"])
def test_each_month_of_a_trend_is_the_total_of_that_months_breakdown(programme, users, regions, who):
    series = trends(user=users[who], root=regions["regency"], codes=list(INDICATORS), months=14, as_of=TREND_AS_OF)

    for index, month in enumerate(months_back(TREND_AS_OF.replace(day=1), back) for back in range(13, -1, -1)):
        day = min(month_end(month), TREND_AS_OF)
        expected = figures(users[who], regions["regency"], as_of=day, period=Period(month, month_end(month)))
        assert {code: points[index].value for code, points in series.items()} == expected.total.values, month


def test_a_trend_costs_the_same_queries_whatever_the_number_of_months(programme, users, regions):
    def queries(months):
        with CaptureQueriesContext(connection) as context:
            trends(user=users["admin"], root=regions["regency"], codes=TREND_CODES, months=months, as_of=AS_OF)
        return len(context.captured_queries)

    assert queries(24) == queries(3)


def test_a_breakdown_two_levels_down_has_the_rows_of_its_childrens_breakdowns(programme, users, regions):
    root = regions["regency"]
    villages = breakdown(user=users["admin"], root=root, as_of=AS_OF, period=PERIOD, level=root.level + 2)

    expected = [
        row
        for child in root.children.order_by("code")
        for row in breakdown(user=users["admin"], root=child, as_of=AS_OF, period=PERIOD).rows
    ]
    assert [(row.key, row.values) for row in villages.rows] == [(row.key, row.values) for row in expected]
    assert villages.total.values == figures(users["admin"], root).total.values
