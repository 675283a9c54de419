"""Trainings: inviting groups of the training's region, attendance and skills, each member's history."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.mentoring.selectors import kube_timeline
from berdaya.mentoring.tests.factories import VisitFactory
from berdaya.regions.tests.factories import RegionFactory
from berdaya.training.selectors import member_training_history
from berdaya.training.services import TrainingError, create_training, invite_groups, record_attendance

pytestmark = pytest.mark.django_db


def training(region="64.01.04", **kwargs):
    fields = {
        "title": "Pelatihan pembukuan",
        "kind": "bookkeeping",
        "starts_on": dt.date(2027, 7, 1),
        "ends_on": dt.date(2027, 7, 2),
        "trainer": "Dinas Sosial",
        "place": "Aula",
        "region": RegionFactory(code=region),
        "by": UserFactory(),
    }
    return create_training(**(fields | kwargs))


def test_a_training_cannot_end_before_it_starts():
    with pytest.raises(TrainingError, match="end before it starts"):
        training(ends_on=dt.date(2027, 6, 30))


def test_inviting_a_group_invites_its_current_members_once():
    kube = KubeFactory()
    MembershipFactory.create_batch(3, kube=kube)
    event = training()

    invite_groups(training=event, kubes=[kube], by=UserFactory())
    again = invite_groups(training=event, kubes=[kube], by=UserFactory())

    assert (event.participants.count(), again) == (3, [])


def test_a_group_outside_the_trainings_region_is_refused():
    kube = KubeFactory(village=RegionFactory(code="64.01.05.2001"))

    with pytest.raises(TrainingError, match="is outside"):
        invite_groups(training=training(), kubes=[kube], by=UserFactory())


def test_attendance_and_skills_make_up_each_members_training_history():
    kube = KubeFactory()
    came, stayed_home = MembershipFactory.create_batch(2, kube=kube)
    event = training()
    invite_groups(training=event, kubes=[kube], by=UserFactory())

    record_attendance(training=event, attended=[came], skills={came.pk: "Mencatat kas"}, by=UserFactory())

    history = member_training_history(membership=came, user=UserFactory(username="dinas-reader"))
    assert [(p.training, p.attended, p.skills) for p in history] == [(event, True, "Mencatat kas")]
    assert (
        member_training_history(membership=stayed_home, user=UserFactory(username="dinas-reader")).get().attended
        is False
    )


def test_the_timeline_lists_visits_and_trainings_newest_first():
    kube = KubeFactory()
    MembershipFactory(kube=kube)
    event = training(starts_on=dt.date(2027, 7, 1))
    invite_groups(training=event, kubes=[kube], by=UserFactory())
    VisitFactory(kube=kube, visited_on=dt.date(2027, 7, 20), purpose="Monitoring")

    entries = kube_timeline(kube=kube)

    assert [(e.day, e.kind) for e in entries] == [(dt.date(2027, 7, 20), "visit"), (dt.date(2027, 7, 1), "training")]
