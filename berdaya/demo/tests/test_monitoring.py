"""The small demo's monitoring: groups at every level for different reasons, one that moved up and one that dropped,
a warning of each kind, monev visits of each verdict, bina lingkungan records and two years of snapshots."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test.utils import override_settings

from berdaya.business.models import AidStage
from berdaya.demo.scenario import Demo, create_demo
from berdaya.groups.models import Kube
from berdaya.mentoring.models import EnvironmentRecord
from berdaya.monitoring.models import EarlyWarning, Level, LevelSnapshot, ManualLevel, MonevVisit
from berdaya.regions.tests.factories import RegionFactory

from .conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> Iterator[Demo]:
    """The small demo, made once for this module's tests (each reads it) and rolled back after them."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media, time_machine.travel(TODAY, tick=False), transaction.atomic():
        for code, name in [("64.01", "Kabupaten Paser"), ("64.01.04", "Tanah Grogot"), ("64.01.05", "Kuaro")]:
            RegionFactory(code=code, name=name)
        for code, name in [("64.01.04.2004", "Tanah Periuk"), ("64.01.04.2005", "Tapis"), ("64.01.05.2001", "Kuaro")]:
            RegionFactory(code=code, name=name)
        yield create_demo(seed=2027, scale="small")
        transaction.set_rollback(True)


def levels_by_group() -> dict[int, list[tuple[Any, int]]]:
    history: dict[int, list[tuple[Any, int]]] = defaultdict(list)
    for kube_id, month, level in LevelSnapshot.objects.order_by("month").values_list("kube_id", "month", "level"):
        history[kube_id].append((month, level))
    return history


def test_groups_sit_at_every_level_this_month(demo):
    month = TODAY.date().replace(day=1)

    computed = set(LevelSnapshot.objects.filter(month=month).values_list("computed_level", flat=True))

    assert computed == set(Level.values)


def test_each_level_is_held_for_its_own_reason(demo):
    month = TODAY.date().replace(day=1)
    blocked_by: dict[int, set[str]] = defaultdict(set)
    for snapshot in LevelSnapshot.objects.filter(month=month):
        next_level = snapshot.computed_level + 1
        blocked_by[snapshot.computed_level] |= {
            i["code"] for i in snapshot.indicators if i["level"] == next_level and not i["holds"]
        }

    assert "officers" in blocked_by[Level.NONE]
    assert "books_kept" in blocked_by[Level.TUMBUH]
    assert "problems_solved" in blocked_by[Level.BERKEMBANG]


def test_a_group_moved_up_this_month_and_one_dropped(demo):
    moves = []
    for history in levels_by_group().values():
        if len(history) >= 2:
            (_before_month, before), (_month, now) = history[-2], history[-1]
            moves.append(now - before)

    assert any(move > 0 for move in moves)
    assert any(move < 0 for move in moves)


def test_two_years_of_snapshots_are_kept(demo):
    months = LevelSnapshot.objects.values_list("month", flat=True).distinct()

    assert 12 <= months.count() <= 24


def test_an_early_warning_of_every_kind_is_open(demo):
    kinds = set(EarlyWarning.objects.open().values_list("kind", flat=True))

    assert kinds == set(EarlyWarning.Kind.values)


def test_monev_visits_pass_need_guidance_or_find_a_group_inactive(demo):
    verdicts = set(MonevVisit.objects.values_list("verdict", flat=True))

    assert verdicts == set(MonevVisit.Verdict.values)


def test_a_passed_monev_made_a_second_aid_stage_payable(demo):
    released = AidStage.objects.filter(
        condition="monitoring_passed", paid_on__isnull=False, override_reason="", condition_met_on__isnull=False
    )

    assert released.exists()
    for stage in released:
        assert MonevVisit.objects.passed().filter(kube=stage.kube, visited_on=stage.condition_met_on).exists()


def test_most_running_groups_have_bina_lingkungan_records(demo):
    running = Kube.objects.running().filter(aid_stages__paid_on__isnull=False).distinct()

    recorded = running.filter(pk__in=EnvironmentRecord.objects.values("kube_id"))

    assert recorded.count() * 2 > running.count()


def test_one_level_is_set_by_hand_with_a_reason(demo):
    manual = ManualLevel.objects.get(ended_on__isnull=True)

    assert manual.reason.strip()
    snapshot = LevelSnapshot.objects.get(kube=manual.kube, month=TODAY.date().replace(day=1))
    assert snapshot.is_manual and snapshot.level == manual.level != snapshot.computed_level
