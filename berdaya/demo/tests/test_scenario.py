"""The small demo as `make run` creates it: a real KUBE's amounts, and duplicates waiting on the Duplicates page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test.utils import override_settings

from berdaya.accounts.models import User
from berdaya.business import selectors
from berdaya.demo.registry import RECORDED_TWICE
from berdaya.demo.scenario import Demo, create_demo
from berdaya.groups.models import Kube
from berdaya.regions.tests.factories import RegionFactory
from berdaya.screening.selectors import candidates_for_queue

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


def books() -> list[Kube]:
    return list(Kube.objects.filter(cash_entries__isnull=False).distinct().select_related("cycle"))


def test_every_group_holds_between_half_and_three_times_the_aid_it_received(demo):
    assert books()
    for kube in books():
        paid = selectors.aid_paid(kube)
        assert paid // 2 <= selectors.cash_balance(kube=kube) <= 3 * paid, kube.name


def test_a_group_s_aid_is_rp_2_000_000_for_each_member(demo):
    for kube in books():
        assert kube.cycle.aid_per_member == 2_000_000
        assert selectors.aid_overview(kube=kube).planned == 2_000_000 * selectors.current_members(kube)


def test_a_group_sells_a_few_million_rupiah_a_month(demo):
    for kube in books():
        revenue = [month.revenue for month in selectors.business_dashboard(kube=kube).months if month.revenue]
        assert revenue and max(revenue) < 10_000_000, kube.name


def test_the_duplicates_page_lists_the_people_the_registry_recorded_twice(demo):
    pending = candidates_for_queue(user=User.objects.get(username="dinas"), status="pending")

    pairs = {frozenset((c.left.name, c.right.name)) for c in pending.select_related("left", "right")}
    assert {frozenset((first, again)) for first, again, _, _ in RECORDED_TWICE} <= pairs
