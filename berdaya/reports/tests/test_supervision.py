"""Facilitator supervision: visits against the target, reports on time, problems, warnings, lagging, scope."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from berdaya.accounts.models import User
from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.models import FacilitatorAssignment, Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.lib.stored_text import keep
from berdaya.mentoring.models import MonthlyReport, Problem
from berdaya.mentoring.tests.factories import ProblemFactory, VisitFactory
from berdaya.monitoring.models import EarlyWarning, RuleSet
from berdaya.regions.models import Region
from berdaya.reports.supervision import FacilitatorRow, Months, export_row, supervision

# Today is 15 October 2027; the period is July to September, so September's report (due 10 October) is missing.
TODAY = dt.datetime(2027, 10, 15, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))
PERIOD = Months(dt.date(2027, 7, 1), dt.date(2027, 9, 1))
QUERY = {"from": "2027-07", "to": "2027-09"}


@pytest.fixture(autouse=True)
def today() -> Iterator[Any]:
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _kube(village: Region, facilitator: User, since: dt.date, name: str) -> Kube:
    kube = KubeFactory(name=name, village=village, facilitator=facilitator, status=Kube.Status.ACTIVE)
    FacilitatorAssignment.objects.create(kube=kube, facilitator=facilitator, started_on=since, by=facilitator)
    return kube


def _visits(kube: Kube, by: User, *days: str) -> None:
    for day in days:
        VisitFactory(kube=kube, by=by, visited_on=dt.date.fromisoformat(day))


def _report(facilitator: User, month: str, submitted: str | None) -> MonthlyReport:
    at = dt.datetime.fromisoformat(f"{submitted}T09:00+08:00") if submitted else None
    return MonthlyReport.objects.create(
        facilitator=facilitator,
        month=dt.date.fromisoformat(f"{month}-01"),
        status=MonthlyReport.Status.SUBMITTED if submitted else MonthlyReport.Status.DRAFT,
        submitted_at=at,
    )


@pytest.fixture
def world(users: dict[str, User], regions: dict[str, Region]) -> dict[str, Any]:
    """Facilitator "facilitator": Maju in Tanah Periuk (kecamatan A) all year, Sejahtera in Kuaro Desa (kecamatan C)
    from August. Six visits in five group-months; reports July on time, August late, September missing; four
    problems, one past its deadline; one warning open since 20 August."""
    facilitator = users["facilitator"]
    maju = _kube(regions["village_a"], facilitator, dt.date(2027, 1, 1), "KUBE Maju")
    sejahtera = KubeFactory(
        name="KUBE Sejahtera", village=regions["village_c"], facilitator=facilitator, status=Kube.Status.ACTIVE
    )
    other = users["other_facilitator"]
    FacilitatorAssignment.objects.create(
        kube=sejahtera, facilitator=other, started_on=dt.date(2027, 1, 1), ended_on=dt.date(2027, 7, 31), by=other
    )
    FacilitatorAssignment.objects.create(
        kube=sejahtera, facilitator=facilitator, started_on=dt.date(2027, 8, 1), by=facilitator
    )
    _visits(maju, facilitator, "2027-07-03", "2027-07-20", "2027-08-05", "2027-08-25", "2027-09-10")
    _visits(sejahtera, facilitator, "2027-08-12")
    # Not counted: an officer's visit, and the facilitator's visit before Sejahtera was in its care.
    _visits(maju, users["officer"], "2027-09-20")
    _visits(sejahtera, facilitator, "2027-07-15")
    _report(facilitator, "2027-07", "2027-08-05")
    _report(facilitator, "2027-08", "2027-09-20")
    _report(facilitator, "2027-09", None)
    problem = {"by": facilitator}
    ProblemFactory(
        kube=maju, severity=Problem.Severity.HIGH, reported_on=dt.date(2027, 7, 1), resolved_on=dt.date(2027, 7, 10)
    )
    ProblemFactory(
        kube=maju, severity=Problem.Severity.MEDIUM, reported_on=dt.date(2027, 8, 1), resolved_on=dt.date(2027, 9, 15)
    )
    ProblemFactory(kube=sejahtera, severity=Problem.Severity.LOW, reported_on=dt.date(2027, 8, 10), **problem)
    overdue = ProblemFactory(kube=maju, severity=Problem.Severity.HIGH, reported_on=dt.date(2027, 9, 1), **problem)
    for raised, cleared in [(dt.date(2027, 8, 20), None), (dt.date(2027, 7, 5), dt.date(2027, 7, 20))]:
        EarlyWarning.objects.create(
            kube=maju,
            kind=EarlyWarning.Kind.NOT_VISITED,
            key=str(raised),
            raised_on=raised,
            cleared_on=cleared,
            message=keep("Not visited"),
            evidence_url=maju.get_absolute_url(),
            responsible=facilitator,
        )
    return {"facilitator": facilitator, "maju": maju, "sejahtera": sejahtera, "overdue": overdue}


def _row(user: User, facilitator: User, **kwargs: Any) -> FacilitatorRow:
    rows = supervision(user=user, period=PERIOD, **kwargs).rows
    return next(row for row in rows if row.facilitator == facilitator)


def test_visits_per_group_month_count_the_facilitators_own_visits_to_groups_in_its_care(users, world):
    row = _row(users["admin"], world["facilitator"])

    assert (row.visits, row.group_months) == (6, 5)
    assert row.visits_per_group_month == Decimal("1.20")
    assert row.below_target


def test_the_share_of_groups_visited_is_worked_out_each_month(users, world):
    row = _row(users["admin"], world["facilitator"])

    assert [(m.groups, m.visited, m.visits) for m in row.months] == [(1, 1, 2), (2, 2, 3), (2, 1, 1)]
    assert row.visited_percent == Decimal("80.0")


def test_groups_in_care_are_counted_at_the_end_of_the_period(users, world):
    assert _row(users["admin"], world["facilitator"]).groups == 2
    assert _row(users["admin"], users["other_facilitator"]).groups == 0


def test_last_visit_is_the_facilitators_latest_visit(users, world):
    assert _row(users["admin"], world["facilitator"]).last_visit == dt.date(2027, 9, 10)


def test_reports_are_on_time_late_or_missing_against_the_due_day(users, world):
    row = _row(users["admin"], world["facilitator"])

    assert [(r.month.month, r.due_on, r.state) for r in row.reports] == [
        (7, dt.date(2027, 8, 10), "on_time"),
        (8, dt.date(2027, 9, 10), "late"),
        (9, dt.date(2027, 10, 10), "missing"),
    ]
    assert (row.reports_due, row.reports_submitted, row.reports_on_time) == (3, 2, 1)


def test_a_report_whose_due_day_has_not_come_is_neither_late_nor_missing(users, world, today):
    today.move_to(dt.datetime(2027, 10, 5, 10, 0, tzinfo=ZoneInfo("Asia/Makassar")))

    row = _row(users["admin"], world["facilitator"])

    assert row.reports[-1].state == "pending"
    assert (row.reports_due, row.reports_missing) == (2, 0)


def test_the_report_due_day_is_a_regency_setting(users, world, regions):
    RuleSet.objects.create(
        region=regions["regency"],
        effective_from=dt.date(2027, 1, 1),
        rules={"report_due_days": 25},
        note="Laporan sampai tanggal 25",
        created_by=users["admin"],
    )

    row = _row(users["admin"], world["facilitator"])

    assert [r.state for r in row.reports] == ["on_time", "on_time", "pending"]


def test_problems_opened_solved_on_time_and_past_their_deadline(users, world):
    row = _row(users["admin"], world["facilitator"])

    assert (row.problems_opened, row.problems_solved, row.problems_solved_on_time) == (4, 2, 1)
    assert row.problems_overdue == 1
    assert [p.pk for p in row.problems if p.overdue] == [world["overdue"].pk]


def test_warnings_open_at_the_end_and_the_oldest(users, world):
    row = _row(users["admin"], world["facilitator"])

    assert (row.warnings_open, row.oldest_warning) == (1, dt.date(2027, 8, 20))


def test_a_lagging_facilitator_is_flagged_with_each_reason(users, world):
    row = _row(users["admin"], world["facilitator"])

    assert row.lagging
    assert row.reasons == [
        "1.20 visits per group per month, target 2",
        "monthly reports: 1 late, 1 missing",
        "1 problem past its deadline",
    ]


def test_a_facilitator_meeting_the_target_is_not_lagging(users, regions):
    facilitator = UserFactory(username="rajin", role=User.Role.FACILITATOR, region=regions["regency"])
    kube = _kube(regions["village_a"], facilitator, dt.date(2027, 1, 1), "KUBE Rajin")
    _visits(kube, facilitator, "2027-07-01", "2027-07-15", "2027-08-01", "2027-08-15", "2027-09-01", "2027-09-15")
    for month in ("2027-07", "2027-08", "2027-09"):
        _report(facilitator, month, f"{month}-28")

    row = _row(users["admin"], facilitator)

    assert row.visits_per_group_month == Decimal("2.00")
    assert not row.below_target
    assert row.reasons == []


def test_the_visit_target_is_a_regency_setting(users, world, regions):
    RuleSet.objects.create(
        region=regions["regency"],
        effective_from=dt.date(2027, 1, 1),
        rules={"visits_per_month": 1},
        note="Target kunjungan sebulan sekali",
        created_by=users["admin"],
    )

    row = _row(users["admin"], world["facilitator"])

    assert (row.target, row.below_target) == (1, False)


def test_lagging_facilitators_come_first(users, world, regions):
    facilitator = UserFactory(username="aaa", first_name="Aaa", role=User.Role.FACILITATOR, region=regions["regency"])

    rows = supervision(user=users["admin"], period=PERIOD).rows

    assert rows[0].facilitator == world["facilitator"]
    assert facilitator in [row.facilitator for row in rows[1:]]


# Scope ------------------------------------------------------------------------------------------------------------


def test_a_kecamatan_operator_sees_only_the_facilitators_groups_in_its_kecamatan(users, world):
    rows = supervision(user=users["camat"], period=PERIOD).rows

    row = next(row for row in rows if row.facilitator == world["facilitator"])
    assert (row.groups, row.group_months, row.visits) == (1, 3, 5)
    assert row.reports_known is False  # a kecamatan operator does not read monthly reports
    assert users["other_facilitator"] not in [row.facilitator for row in rows]


def test_the_kecamatan_filter_keeps_only_that_kecamatans_groups(users, world, regions):
    row = _row(users["admin"], world["facilitator"], kecamatan=regions["kec_c"].code)

    assert (row.groups, row.group_months, row.visits) == (1, 2, 1)


def test_a_facilitators_page_shows_only_the_groups_the_kecamatan_operator_sees(client, users, world):
    client.force_login(users["camat"])

    response = client.get(reverse("reports:supervision-facilitator", args=[world["facilitator"].pk]), QUERY)

    assert response.status_code == 200
    assert [group.name for group in response.context["groups"]] == ["KUBE Maju"]
    assert "KUBE Sejahtera" not in response.content.decode()


def test_a_facilitator_opens_its_own_page(client, users, world):
    client.force_login(world["facilitator"])

    response = client.get(reverse("reports:supervision-facilitator", args=[world["facilitator"].pk]), QUERY)

    assert response.status_code == 200
    assert response.context["row"].visits == 6


def test_a_facilitator_cannot_open_another_facilitators_page(client, users, world):
    client.force_login(users["other_facilitator"])

    response = client.get(reverse("reports:supervision-facilitator", args=[world["facilitator"].pk]))

    assert response.status_code == 404


def test_a_facilitator_outside_the_kecamatan_is_not_found_by_its_operator(client, users, regions):
    elsewhere = UserFactory(username="kuaro", role=User.Role.FACILITATOR, region=regions["kec_c"])
    _kube(regions["village_c"], elsewhere, dt.date(2027, 1, 1), "KUBE Kuaro")
    client.force_login(users["camat"])

    response = client.get(reverse("reports:supervision-facilitator", args=[elsewhere.pk]))

    assert response.status_code == 404


def test_a_village_operator_may_not_use_supervision(client, users, world):
    client.force_login(users["desa_a"])

    assert client.get(reverse("reports:supervision")).status_code == 403


def test_the_menu_offers_supervision_to_the_kecamatan_operator_not_to_the_village(client, users):
    url = reverse("reports:supervision")
    client.force_login(users["camat"])
    assert f'href="{url}"' in client.get(reverse("dashboard")).content.decode()

    client.force_login(users["desa_a"])
    assert f'href="{url}"' not in client.get(reverse("dashboard")).content.decode()


# The page, its export, its cost ------------------------------------------------------------------------------------


def test_the_list_shows_lagging_facilitators_with_their_reasons(client, users, world):
    client.force_login(users["admin"])

    page = client.get(reverse("reports:supervision"), QUERY).content.decode()

    assert f'data-facilitator="{world["facilitator"].pk}" class="urgent"' in page
    assert "monthly reports: 1 late, 1 missing" in page


def test_the_csv_has_the_same_rows_as_the_page(client, users, world):
    client.force_login(users["admin"])
    url = reverse("reports:supervision")

    shown = client.get(url, QUERY).context["result"].rows
    response = client.get(url, {**QUERY, "format": "csv"})
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))

    expected = [["" if cell is None else str(cell) for cell in export_row(row)] for row in shown]
    assert lines[1:] == expected
    assert lines[1][0] == str(world["facilitator"])
    assert lines[1][3] == "1.20"


def test_the_xlsx_has_the_same_rows_as_the_page(client, users, world):
    from openpyxl import load_workbook

    client.force_login(users["admin"])
    url = reverse("reports:supervision")

    shown = client.get(url, QUERY).context["result"].rows
    response = client.get(url, {**QUERY, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = [list(line) for line in sheet.iter_rows(min_row=3, values_only=True)]

    expected = [
        [
            str(row.facilitator),
            row.groups,
            row.visits,
            row.visits_per_group_month,
            row.reports_late if row.reports_known else None,
        ]
        for row in shown
    ]
    assert [[*line[:3], line[3] if line[3] is None else Decimal(str(line[3])), line[8]] for line in lines] == expected


def test_the_monitoring_settings_page_shows_the_supervision_settings(client, users):
    client.force_login(users["admin"])

    page = client.get(reverse("monitoring:settings")).content.decode()

    assert "Visits per group per month (target)" in page
    assert "Monthly report due this many days after the month&#x27;s end" in page


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, QUERY).status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_more_facilitators(client, users, world, regions):
    client.force_login(users["admin"])
    url = reverse("reports:supervision")
    client.get(url, QUERY)  # the menu's task count is then kept in the session for both requests
    few = _queries(client, url)
    for number in range(3):
        extra = UserFactory(username=f"extra{number}", role=User.Role.FACILITATOR, region=regions["regency"])
        kube = _kube(regions["village_b"], extra, dt.date(2027, 1, 1), f"KUBE Extra {number}")
        _visits(kube, extra, "2027-07-10", "2027-08-10")
        _report(extra, "2027-07", "2027-08-02")
        ProblemFactory(kube=kube, by=extra, reported_on=dt.date(2027, 8, 1))

    assert _queries(client, url) == few


def test_the_facilitator_page_has_a_bounded_number_of_queries(client, users, world, django_assert_max_num_queries):
    client.force_login(users["admin"])

    with django_assert_max_num_queries(30):
        client.get(reverse("reports:supervision-facilitator", args=[world["facilitator"].pk]), QUERY)
