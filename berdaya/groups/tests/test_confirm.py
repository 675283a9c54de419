"""A second look before a group ends for good (graduated or dissolved); the moves that can be made back ask nothing."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from berdaya.groups.models import Kube

from .factories import KubeFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kube(regions):
    made = KubeFactory(village=regions["village_a"], status=Kube.Status.ACTIVE, name="KUBE Sumber Rezeki")
    MembershipFactory.create_batch(3, kube=made)
    return made


@pytest.fixture
def officer(client, users):
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def status_post(client, kube, to, **extra):
    data = {"to": to, "on": "2027-03-01", "reason": "Usaha berhenti, anggota pindah.", **extra}
    return client.post(reverse("groups:kube-status", args=[kube.pk]), data)


def test_dissolving_first_shows_the_group_its_members_and_reason_and_changes_nothing(officer, kube):
    response = status_post(officer, kube, Kube.Status.DISSOLVED)

    text = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "KUBE Sumber Rezeki, with 3 current members, becomes Dissolved" in text
    assert "Usaha berhenti, anggota pindah." in text
    assert Kube.objects.get(pk=kube.pk).status == Kube.Status.ACTIVE


def test_a_confirmed_dissolution_dissolves(officer, kube):
    status_post(officer, kube, Kube.Status.DISSOLVED, confirmed="1")

    assert Kube.objects.get(pk=kube.pk).status == Kube.Status.DISSOLVED


def test_cancel_goes_back_to_the_group(officer, kube):
    response = status_post(officer, kube, Kube.Status.GRADUATED)

    assert response.context["cancel"] == kube.get_absolute_url()


def test_a_move_that_can_be_made_back_is_not_asked_about(officer, kube):
    response = status_post(officer, kube, Kube.Status.INACTIVE)

    assert response.status_code == 302
    assert Kube.objects.get(pk=kube.pk).status == Kube.Status.INACTIVE


def test_dissolving_without_a_reason_is_refused_without_asking(officer, kube):
    response = status_post(officer, kube, Kube.Status.DISSOLVED, reason="")

    assert response.status_code == 302
    assert Kube.objects.get(pk=kube.pk).status == Kube.Status.ACTIVE
