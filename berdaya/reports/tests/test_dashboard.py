"""The dashboard page: the user's scope, drill-down by region, the period and the date, scope and queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from berdaya.groups.tests.factories import MembershipFactory
from berdaya.reports import dashboard

from .conftest import make_group

pytestmark = pytest.mark.django_db

DATES = {"start": "2027-01-01", "end": "2027-12-31", "as_of": "2027-09-30"}


def get(client, user, url, data=None):
    client.force_login(user)
    return client.get(url, data or {})


def total(response, code):
    return response.context["page"].breakdown.total.values[code]


def test_the_dashboard_shows_the_figures_of_the_users_scope(client, programme, users):
    response = get(client, users["admin"], reverse("dashboard"), DATES)

    assert response.status_code == 200
    assert total(response, "kubes") == 5
    assert 'id="figure-cards"' in response.content.decode()


def test_a_region_row_links_to_its_own_dashboard(client, programme, users):
    html = get(client, users["admin"], reverse("dashboard"), DATES).content.decode()

    assert reverse("reports:dashboard-region", args=["64.01.04"]) in html


def test_the_region_page_answers_the_figures_of_the_region(client, programme, users):
    response = get(client, users["admin"], reverse("reports:dashboard-region", args=["64.01.04"]), DATES)

    assert total(response, "kubes") == 3
    assert [row.key for row in response.context["page"].breakdown.rows] == ["64.01.04.2004", "64.01.04.2005"]


def test_a_village_page_lists_its_groups_with_links_to_them(client, programme, users):
    response = get(client, users["admin"], reverse("reports:dashboard-region", args=["64.01.04.2004"]), DATES)

    assert reverse("groups:kube-detail", args=[programme.a1.pk]) in response.content.decode()


def test_the_as_of_date_changes_the_state_shown(client, programme, users):
    response = get(client, users["admin"], reverse("dashboard"), {**DATES, "as_of": "2027-08-15"})

    assert total(response, "members") == 9


def test_a_period_that_ends_before_it_starts_is_refused_with_a_message(client, programme, users, settings):
    settings.LANGUAGE_CODE = "en"
    response = get(client, users["admin"], reverse("dashboard"), {"start": "2027-09-01", "end": "2027-01-01"})

    assert response.status_code == 200
    assert "The period must start before it ends." in response.content.decode()


def test_a_kecamatan_operators_dashboard_holds_nothing_outside_its_kecamatan(client, programme, users):
    response = get(client, users["camat"], reverse("dashboard"), DATES)
    html = response.content.decode()

    assert total(response, "kubes") == 3
    assert "KUBE Damar" not in html and "Kuaro" not in html


def test_a_region_outside_the_scope_answers_404(client, programme, users):
    response = get(client, users["camat"], reverse("reports:dashboard-region", args=["64.01.05"]))

    assert response.status_code == 404


def test_a_facilitator_sees_only_its_own_groups(client, programme, users):
    response = get(client, users["facilitator"], reverse("reports:dashboard-region", args=["64.01.04.2004"]), DATES)

    assert [row.name for row in response.context["page"].breakdown.rows] == ["KUBE Anggrek"]


def test_the_monitor_reads_the_dashboard_of_its_region(client, programme, users):
    response = get(client, users["monitor"], reverse("dashboard"), DATES)

    assert total(response, "kubes") == 5


def test_an_account_without_a_region_sees_a_dashboard_without_figures(client, users):
    response = get(client, users["no_region"], reverse("dashboard"))

    assert response.status_code == 200
    assert "page" not in response.context


def test_the_page_costs_the_same_queries_whatever_the_number_of_groups(
    client, programme, users, regions, django_assert_max_num_queries
):
    client.force_login(users["admin"])
    for n in range(8):
        MembershipFactory(kube=make_group(regions["village_b"], f"KUBE Tambahan {n}"))

    # The breakdown's sixteen, the trend bars' ten (every month in the same queries), the aid by source, the
    # session, the menu: none per group, per region or per month.
    with django_assert_max_num_queries(45):
        client.get(reverse("dashboard"), DATES)


def test_the_page_costs_the_same_queries_whatever_the_number_of_months_in_the_trends(
    client, programme, users, monkeypatch
):
    client.force_login(users["admin"])

    def queries(months):
        monkeypatch.setattr(dashboard, "TREND_MONTHS", months)
        with CaptureQueriesContext(connection) as context:
            client.get(reverse("dashboard"), DATES)
        return len(context.captured_queries)

    client.get(reverse("dashboard"), DATES)  # the menu's task count is worked out once, then kept for a minute

    assert queries(36) == queries(3)


def test_a_region_page_leaves_the_users_tasks_to_their_own_dashboard(client, programme, users, monkeypatch):
    from berdaya import worklist

    client.force_login(users["admin"])
    client.get(reverse("dashboard"), DATES)  # works the tasks out; the menu keeps their count
    gathered = []
    real = worklist.gather
    monkeypatch.setattr(worklist, "gather", lambda user, **kwargs: gathered.append(user) or real(user, **kwargs))

    html = client.get(reverse("reports:dashboard-region", args=["64.01.04"]), DATES).content.decode()

    assert gathered == []
    assert 'id="dashboard-tasks"' not in html
