"""A training is shared by the groups of several villages and facilitators: each user counts, sees and records
only the participants it may see (docs/architecture.md, "Inside pages")."""

from __future__ import annotations

import datetime as dt

import pytest

from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.training.models import Participant, Training
from berdaya.training.selectors import member_training_history, training_list
from berdaya.training.services import record_attendance

pytestmark = pytest.mark.django_db


def _training(region, by, title="Pelatihan pembukuan"):
    return Training.objects.create(
        title=title,
        kind=Training.Kind.BOOKKEEPING,
        starts_on=dt.date(2027, 7, 1),
        ends_on=dt.date(2027, 7, 2),
        trainer="Dinas",
        place="Aula",
        region=region,
        created_by=by,
    )


@pytest.fixture
def members(users, regions):
    """A member of facilitator A's group in Tanah Periuk and one of facilitator B's group in Kuaro Desa."""
    ours = MembershipFactory(kube=KubeFactory(village=regions["village_a"], facilitator=users["facilitator"]))
    theirs = MembershipFactory(kube=KubeFactory(village=regions["village_c"], facilitator=users["other_facilitator"]))
    return ours, theirs


@pytest.fixture
def shared(users, regions, members):
    """The regency's training, to which both members were invited and came."""
    training = _training(regions["regency"], users["admin"])
    for membership in members:
        Participant.objects.create(training=training, membership=membership, attended=True)
    return training


@pytest.mark.parametrize(("username", "counted"), [("admin", 2), ("facilitator", 1), ("camat", 1), ("desa_a", 1)])
def test_a_training_list_counts_only_the_participants_the_user_may_see(users, shared, username, counted):
    [training] = training_list(user=users[username])

    assert (training.invited, training.present) == (counted, counted)


def test_recording_attendance_leaves_the_participants_the_user_may_not_see_as_they_were(users, shared, members):
    ours, theirs = members

    record_attendance(training=shared, attended=[], skills={}, by=users["camat"])

    assert Participant.objects.get(membership=ours).attended is False
    assert Participant.objects.get(membership=theirs).attended is True


def test_a_members_history_leaves_out_a_training_of_an_earlier_group_the_user_may_not_see(users, regions, members):
    ours, theirs = members
    earlier = MembershipFactory(
        kube=KubeFactory(village=regions["village_c"], facilitator=users["other_facilitator"]),
        nominee=ours.nominee,
        person=ours.person,
        household=ours.household,
        joined_on=dt.date(2026, 1, 1),
        left_on=dt.date(2026, 12, 31),
    )
    Participant.objects.create(
        training=_training(regions["kec_c"], users["admin"], "Pelatihan Kuaro"), membership=earlier
    )
    Participant.objects.create(training=_training(regions["kec_a"], users["admin"]), membership=ours)

    seen = [p.training.title for p in member_training_history(membership=ours, user=users["facilitator"])]

    assert seen == ["Pelatihan pembukuan"]
