"""A market event is shared by the groups of several villages and facilitators: each user sees its own stands."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.business.models import MarketEvent, MarketParticipation
from berdaya.business.selectors import events_for_user
from berdaya.groups.tests.factories import KubeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(users, regions):
    """Paser's bazaar with a stand of facilitator A's group in Tanah Periuk and of facilitator B's in Kuaro Desa."""
    bazaar = MarketEvent.objects.create(
        region=regions["regency"], name="Bazar UMKM", held_on=dt.date(2027, 8, 17), by=users["admin"]
    )
    for village, facilitator, name, sales in [
        ("village_a", "facilitator", "KUBE Periuk", 300_000),
        ("village_c", "other_facilitator", "KUBE Kuaro", 500_000),
    ]:
        kube = KubeFactory(name=name, village=regions[village], facilitator=users[facilitator])
        MarketParticipation.objects.create(event=bazaar, kube=kube, sales=sales, by=users["admin"])
    return bazaar


def _stands(user):
    [seen] = events_for_user(user)
    return [(stand.kube.name, stand.sales) for stand in seen.stands], seen.stand_sales


def test_a_facilitator_sees_only_its_own_groups_stands_and_their_total(users, event):
    assert _stands(users["facilitator"]) == ([("KUBE Periuk", 300_000)], 300_000)


def test_the_dinas_sees_every_stand_of_its_regencys_event_and_their_total(users, event):
    assert _stands(users["admin"]) == ([("KUBE Kuaro", 500_000), ("KUBE Periuk", 300_000)], 800_000)


def test_a_village_operator_sees_the_event_its_groups_sold_at_with_its_groups_stands_only(users, event):
    assert _stands(users["desa_a"]) == ([("KUBE Periuk", 300_000)], 300_000)


def test_a_village_without_a_stand_at_the_event_does_not_see_it(users, regions, event):
    KubeFactory(village=regions["village_b"])

    assert list(events_for_user(users["desa_b"])) == []


def test_the_events_page_names_no_group_the_facilitator_may_not_see(client, users, event):
    client.force_login(users["facilitator"])

    page = client.get("/business/events/").content.decode()

    assert "KUBE Periuk" in page
    assert "KUBE Kuaro" not in page
