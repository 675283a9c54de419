"""The group pages: forming a group from approved nominees, officers who must be members, the PDFs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from berdaya.groups.models import Kube, Membership
from berdaya.targeting.tests.factories import CycleFactory

from .factories import ApprovedNomineeFactory, KubeFactory, MembershipFactory, VillageListFactory

pytestmark = pytest.mark.django_db


def test_an_officer_forms_a_group_from_approved_nominees(client, users, regions):
    cycle = CycleFactory(region=regions["regency"], status="decided", group_min=3, group_max=5)
    nominees = ApprovedNomineeFactory.create_batch(
        3, nomination_list=VillageListFactory(cycle=cycle, village=regions["village_a"])
    )
    client.force_login(users["officer"])
    url = reverse("groups:kube-create") + f"?cycle={cycle.pk}&kecamatan=64.01.04"

    response = client.post(
        url,
        {
            "name": "KUBE Sejahtera",
            "sector": "trade",
            "village": "64.01.04.2004",
            "nominees": [n.pk for n in nominees],
            "facilitator": users["facilitator"].pk,
        },
    )

    kube = Kube.objects.get()
    assert response.status_code == 302
    assert (kube.memberships.count(), kube.facilitator, kube.assignments.count()) == (3, users["facilitator"], 1)


@pytest.mark.parametrize("cycle", ["abc", "1.5", "-1", "99999999999999999999", "\u00b2"])
def test_the_formation_form_treats_a_cycle_that_is_not_an_id_as_none_chosen(client, users, regions, cycle):
    CycleFactory(region=regions["regency"], status="decided")
    client.force_login(users["officer"])

    response = client.get(reverse("groups:kube-create"), {"cycle": cycle, "kecamatan": "64.01.04"})

    assert response.status_code == 200
    assert response.context["cycle"] is None


def test_an_officer_who_is_not_a_member_is_refused_with_a_message(client, users, regions):
    kube = KubeFactory(village=regions["village_a"])
    chair, secretary = MembershipFactory.create_batch(2, kube=kube)
    outsider = MembershipFactory(kube=KubeFactory(cycle=kube.cycle, village=regions["village_b"]))
    client.force_login(users["officer"])

    client.cookies["django_language"] = "en"  # the UI is Indonesian unless the user picks English
    response = client.post(
        reverse("groups:kube-officers", args=[kube.pk]),
        {"chair": chair.pk, "secretary": secretary.pk, "treasurer": outsider.pk},
        follow=True,
    )

    assert "is not a member of" in " ".join(str(m) for m in response.context["messages"])
    assert not Membership.objects.exclude(role="member").exists()


def test_the_formation_minutes_pdf_is_a_pdf(client, users, regions):
    kube = KubeFactory(village=regions["village_a"])
    MembershipFactory.create_batch(2, kube=kube)
    client.force_login(users["officer"])

    response = client.get(reverse("groups:kube-minutes-pdf", args=[kube.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
