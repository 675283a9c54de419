"""The training pages: inviting groups and saving attendance say what happened."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.training.models import Training

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(users, regions):
    return Training.objects.create(
        title="Pembukuan",
        kind="bookkeeping",
        starts_on=dt.date(2027, 7, 1),
        ends_on=dt.date(2027, 7, 2),
        trainer="Dinas",
        place="Aula",
        region=regions["kec_a"],
        created_by=users["admin"],
    )


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_inviting_a_group_says_how_many_members_were_invited(client, settings, users, regions, training):
    kube = KubeFactory(village=regions["village_a"], status=Kube.Status.ACTIVE)
    MembershipFactory.create_batch(3, kube=kube)
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("training:training-invite", args=[training.pk]), {"kubes": [kube.pk]}, follow=True)

    assert messages_of(response) == ["3 members invited."]
    assert training.participants.count() == 3


def test_inviting_without_choosing_a_group_says_so_and_invites_no_one(client, settings, users, training):
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(reverse("training:training-invite", args=[training.pk]), {}, follow=True)

    assert messages_of(response) == ["Groups: This field is required."]
    assert not training.participants.exists()


def test_saving_attendance_marks_who_came(client, settings, users, regions, training):
    came, stayed = MembershipFactory.create_batch(2, kube=KubeFactory(village=regions["village_a"]))
    training.participants.create(membership=came)
    training.participants.create(membership=stayed)
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("training:training-attendance", args=[training.pk]),
        {"attended": [came.pk], f"skills-{came.pk}": "Mencatat kas"},
        follow=True,
    )

    assert messages_of(response) == ["Attendance saved."]
    assert list(training.participants.filter(attended=True).values_list("membership", "skills")) == [
        (came.pk, "Mencatat kas")
    ]


def test_skills_longer_than_the_field_are_refused_and_nothing_is_saved(client, settings, users, regions, training):
    came = MembershipFactory(kube=KubeFactory(village=regions["village_a"]))
    training.participants.create(membership=came)
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("training:training-attendance", args=[training.pk]),
        {"attended": [came.pk], f"skills-{came.pk}": "x" * 256},
        follow=True,
    )

    assert messages_of(response) == ["Skills gained: Ensure this value has at most 255 characters (it has 256)."]
    assert not training.participants.filter(attended=True).exists()
