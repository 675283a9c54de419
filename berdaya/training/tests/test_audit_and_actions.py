"""Training's history names who acted also outside a request; who may invite and record attendance; the groups
a training can invite are those of its region."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.regions.tests.factories import RegionFactory
from berdaya.training.models import Participant, Training
from berdaya.training.selectors import actions_for, invitable_kubes
from berdaya.training.services import create_training, invite_groups, record_attendance

pytestmark = pytest.mark.django_db


def event(by, region="64.01.04"):
    return create_training(
        title="Pelatihan pembukuan",
        kind="bookkeeping",
        starts_on=dt.date(2027, 7, 1),
        ends_on=dt.date(2027, 7, 2),
        trainer="Dinas Sosial",
        place="Aula",
        region=RegionFactory(code=region),
        by=by,
    )


def test_a_training_run_outside_a_request_names_the_officer_in_every_history_row():
    officer = UserFactory(username="officer1")
    kube = KubeFactory()
    came, _stayed = MembershipFactory.create_batch(2, kube=kube)
    training = event(officer)

    invite_groups(training=training, kubes=[kube], by=officer)
    record_attendance(training=training, attended=[came], skills={came.pk: "Mencatat kas"}, by=officer)

    rows = [*Training.history.filter(id=training.pk), *Participant.history.filter(training_id=training.pk)]
    assert len(rows) == 5
    assert {row.history_user for row in rows} == {officer}


def test_only_a_role_that_changes_trainings_may_invite_and_record_attendance(users):
    training = event(users["admin"])

    assert actions_for(users["officer"], training) == {"invite", "record_attendance"}
    assert actions_for(users["monitor"], training) == frozenset()


def test_only_running_groups_inside_the_trainings_region_can_be_invited(users, regions):
    inside = KubeFactory(village=regions["village_a"], status=Kube.Status.ACTIVE)
    KubeFactory(village=regions["village_c"], status=Kube.Status.ACTIVE)
    KubeFactory(village=regions["village_b"], status=Kube.Status.DISSOLVED)
    training = event(users["admin"], region="64.01.04")

    assert list(invitable_kubes(training=training, user=users["officer"])) == [inside]
