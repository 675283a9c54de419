"""Group work waiting for the Dinas, in its scope only."""

from __future__ import annotations

from django.urls import reverse

from berdaya.groups.models import Kube
from berdaya.groups.selectors import waiting_for
from berdaya.groups.tests.factories import KubeFactory
from berdaya.regions.tests.factories import RegionFactory


def kinds(user) -> dict[str, object]:
    return {item.kind: item for item in waiting_for(user)}


def test_a_running_group_without_a_facilitator_waits_for_the_dinas(users, regions):
    orphan = KubeFactory(village=regions["village_a"], status=Kube.Status.ACTIVE)
    KubeFactory(village=regions["village_a"], status=Kube.Status.ACTIVE, facilitator=users["facilitator"])
    KubeFactory(village=regions["village_a"], status=Kube.Status.DISSOLVED)
    KubeFactory(village=RegionFactory(code="64.02.01.2001"), status=Kube.Status.ACTIVE)  # another regency

    item = kinds(users["officer"])["groups.assign"]

    assert (item.count, item.url) == (1, reverse("groups:kube-detail", args=[orphan.pk]))


def test_groups_being_formed_lead_to_the_filtered_list(users, regions):
    KubeFactory(village=regions["village_a"], facilitator=users["facilitator"])
    KubeFactory(village=regions["village_c"], facilitator=users["facilitator"])
    KubeFactory(village=RegionFactory(code="64.02.01.2001"))

    item = kinds(users["admin"])["groups.forming"]

    assert (item.count, item.url) == (2, reverse("groups:kube-list") + "?status=forming")


def test_group_work_is_the_dinas_only(users, regions):
    KubeFactory(village=regions["village_a"])

    for role in ("camat", "desa_a", "facilitator", "monitor"):
        assert waiting_for(users[role]) == [], role
