"""Every change to a group names who made it, also when no request is running (a task, a command, the demo)."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.accounts.tests.factories import UserFactory
from berdaya.groups.models import Kube, Membership
from berdaya.groups.services import change_status, form_kube, set_officers
from berdaya.regions.tests.factories import RegionFactory
from berdaya.targeting.tests.factories import CycleFactory

from .factories import ApprovedNomineeFactory, KubeFactory, MembershipFactory, VillageListFactory

pytestmark = pytest.mark.django_db


def test_forming_a_group_outside_a_request_names_the_user_in_every_history_row():
    cycle = CycleFactory(status="decided", group_min=3, group_max=5)
    village = RegionFactory(code="64.01.04.2004")
    nominees = ApprovedNomineeFactory.create_batch(3, nomination_list=VillageListFactory(cycle=cycle, village=village))
    officer = UserFactory(username="officer1")

    kube = form_kube(cycle=cycle, village=village, name="KUBE Mandiri", sector="trade", nominees=nominees, by=officer)

    rows = [*Kube.history.filter(id=kube.pk), *Membership.history.filter(kube_id=kube.pk)]
    assert len(rows) == 4
    assert {row.history_user for row in rows} == {officer}


def test_electing_officers_gives_each_changed_membership_the_reason_officers():
    kube = KubeFactory()
    chair, secretary, treasurer = MembershipFactory.create_batch(3, kube=kube)
    officer = UserFactory(username="officer1")

    set_officers(kube=kube, chair=chair, secretary=secretary, treasurer=treasurer, by=officer)

    latest = [m.history.latest() for m in (chair, secretary, treasurer)]
    assert {(row.history_user, row.history_change_reason) for row in latest} == {(officer, "officers")}


def test_a_status_change_without_a_reason_records_the_new_status_as_its_reason():
    kube = KubeFactory(status=Kube.Status.ACTIVE)
    officer = UserFactory(username="officer1")

    change_status(kube=kube, to=Kube.Status.INACTIVE, on=dt.date(2027, 8, 1), reason="Paused for harvest", by=officer)

    latest = kube.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (officer, "Paused for harvest")
