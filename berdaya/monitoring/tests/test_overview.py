"""The monitoring roll-ups: groups per level and average scores per child region, drill-down, per cycle, as of a
month, inside the user's scope only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.monitoring.models import Level, LevelSnapshot
from berdaya.monitoring.progress import Rollup, monitoring_overview
from berdaya.regions.models import Region
from berdaya.regions.tests.factories import RegionFactory
from berdaya.targeting.tests.factories import CycleFactory

JULY = dt.date(2027, 7, 1)
AUGUST = dt.date(2027, 8, 1)


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def judged(village: str, level: int, month: dt.date = AUGUST, total: int = 50, **kube: Any) -> Kube:
    group = KubeFactory(status=Kube.Status.ACTIVE, village=RegionFactory(code=village), **kube)
    LevelSnapshot.objects.create(
        kube=group,
        month=month,
        level=level,
        computed_level=level,
        scores={"manusia": total, "usaha": total, "lingkungan": total, "kelembagaan": total, "total": total},
    )
    return group


@pytest.fixture
def groups(users: dict[str, User]) -> list[Kube]:
    """Five groups in Tanah Grogot (two villages), two in Kuaro, one in another regency; and an older month."""
    made = [
        judged("64.01.04.2004", Level.TUMBUH, total=40, facilitator=users["facilitator"]),
        judged("64.01.04.2004", Level.BERKEMBANG, total=60),
        judged("64.01.04.2005", Level.BERKEMBANG, total=61),
        judged("64.01.04.2005", Level.MANDIRI, total=90),
        judged("64.01.04.2005", Level.NONE, total=10),
        judged("64.01.05.2001", Level.TUMBUH, total=30),
        judged("64.01.05.2001", Level.MANDIRI, total=80),
        judged("64.02.01.2001", Level.MANDIRI, total=99),
    ]
    judged("64.01.04.2004", Level.NONE, month=JULY)
    return made


def by_key(rows: list[Rollup]) -> dict[str, Rollup]:
    return {row.key: row for row in rows}


def test_the_regency_shows_its_kecamatan_with_groups_per_level_from_the_latest_month(users, groups):
    overview = monitoring_overview(user=users["admin"], root=None)

    rows = by_key(overview.rows)
    assert overview.month == AUGUST
    assert list(rows) == ["64.01.04", "64.01.05"]
    assert rows["64.01.04"].name == "Tanah Grogot"
    assert rows["64.01.04"].levels == [1, 1, 2, 1]
    assert rows["64.01.05"].levels == [0, 1, 0, 1]
    assert overview.total.groups == 7  # not the other regency's group


def test_counts_by_level_sum_to_the_parents_at_every_level_of_the_drill_down(users, groups):
    regency = monitoring_overview(user=users["admin"], root=None)
    kecamatan = Region.objects.get(code="64.01.04")
    villages = monitoring_overview(user=users["admin"], root=kecamatan)

    assert [sum(col) for col in zip(*(row.levels for row in regency.rows), strict=True)] == regency.total.levels
    assert villages.total.levels == by_key(regency.rows)["64.01.04"].levels
    assert [sum(col) for col in zip(*(row.levels for row in villages.rows), strict=True)] == villages.total.levels
    for row in villages.rows:
        groups_there = monitoring_overview(user=users["admin"], root=Region.objects.get(code=row.key))
        assert groups_there.total.levels == row.levels
        assert len(groups_there.rows) == row.groups


def test_average_scores_are_per_child_region(users, groups):
    overview = monitoring_overview(user=users["admin"], root=Region.objects.get(code="64.01.04"))

    rows = by_key(overview.rows)
    assert rows["64.01.04.2004"].averages == [50, 50, 50, 50, 50]  # (40 + 60) / 2
    assert rows["64.01.04.2005"].averages[-1] == 54  # (61 + 90 + 10) / 3 = 53.67
    assert overview.total.averages[-1] == 52  # (40 + 60 + 61 + 90 + 10) / 5 = 52.2


def test_a_village_lists_its_groups_with_their_own_pages(users, groups):
    overview = monitoring_overview(user=users["admin"], root=Region.objects.get(code="64.01.04.2004"))

    assert overview.rows_are_groups
    assert sorted(row.url for row in overview.rows) == sorted(
        reverse("monitoring:kube-progress", args=[group.pk]) for group in groups[:2]
    )


def test_as_of_an_earlier_month_counts_that_months_snapshots(users, groups):
    overview = monitoring_overview(user=users["admin"], root=None, month=JULY)

    assert overview.total.levels == [1, 0, 0, 0]
    assert overview.months == [AUGUST, JULY]


def test_by_cycle_groups_the_scope_per_targeting_cycle(users, groups):
    later = CycleFactory(name="KUBE 2027 Tahap II", status="decided")
    judged("64.01.05.2001", Level.TUMBUH, cycle=later)

    overview = monitoring_overview(user=users["admin"], root=None, by="cycle")

    names = {row.name: row.groups for row in overview.rows}
    assert names["KUBE 2027 Tahap II"] == 1
    assert sum(names.values()) == overview.total.groups == 8


def test_a_village_operator_sees_only_its_village(users, groups):
    overview = monitoring_overview(user=users["desa_b"], root=None)

    assert overview.total.groups == 3
    assert overview.rows_are_groups


def test_a_facilitator_sees_only_its_own_groups(users, groups):
    overview = monitoring_overview(user=users["facilitator"], root=None)

    assert overview.total.groups == 1
    assert overview.total.levels == [0, 1, 0, 0]


def test_the_page_drills_down_into_a_region_of_the_scope(client, users, groups):
    client.force_login(users["camat"])

    html = client.get(reverse("monitoring:overview")).content.decode()

    assert "?region=64.01.04.2005" in html
    assert 'id="rollup-total"' in html
    assert "Kuaro" not in html.split('id="rollup">')[1]


@pytest.mark.parametrize(("username", "status"), [("admin", 200), ("camat", 200), ("camat_c", 404), ("desa_a", 404)])
def test_drilling_into_a_region_outside_the_scope_is_a_404(client, users, groups, username, status):
    client.force_login(users[username])

    assert client.get(reverse("monitoring:overview"), {"region": "64.01.04"}).status_code == status


def test_a_region_of_another_regency_is_a_404_even_for_the_dinas(client, users, groups):
    client.force_login(users["admin"])

    assert client.get(reverse("monitoring:overview"), {"region": "64.02"}).status_code == 404


def test_the_overview_is_in_the_menu(client, users, groups):
    client.force_login(users["monitor"])

    html = client.get(reverse("monitoring:overview")).content.decode()

    assert f'href="{reverse("monitoring:overview")}"' in html


def test_the_overview_asks_a_bounded_number_of_queries(client, users, groups, django_assert_max_num_queries):
    for number in range(20):
        judged(f"64.01.05.{2002 + number}", Level.TUMBUH)
    client.force_login(users["admin"])

    with django_assert_max_num_queries(15):
        assert client.get(reverse("monitoring:overview")).status_code == 200
