"""Reads that feed the training pages, and what a user may do to a training."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from berdaya.accounts.models import User
from berdaya.groups.models import Kube, Membership
from berdaya.lib.scoping import region_q
from berdaya.regions.models import Region

from .models import Participant, Training


def training_list(*, user: User, kind: str = "") -> QuerySet[Training]:
    """Trainings the user may see, with how many of the participants the user may see were invited and came.

    A training is shared by the groups of several villages and facilitators: its counts are over the participants
    the user sees, like its page (docs/architecture.md, "Inside pages").
    """
    seen = Q(participants__in=Participant.objects.visible_to(user))
    trainings = (
        Training.objects.visible_to(user)
        .select_related("region")
        .annotate(
            invited=Count("participants", filter=seen),
            present=Count("participants", filter=seen & Q(participants__attended=True)),
        )
    )
    if kind:
        trainings = trainings.filter(kind=kind)
    return trainings.order_by("-starts_on", "title")


def participants_of(*, training: Training, user: User) -> QuerySet[Participant]:
    """A training's participants the user may see (a facilitator: its own groups' members)."""
    return (
        Participant.objects.visible_to(user)
        .filter(training=training)
        .select_related("membership__person", "membership__kube")
    )


def member_training_history(*, membership: Membership, user: User) -> QuerySet[Participant]:
    """Every training a person was invited to, in any of their KUBE memberships the user sees, newest first."""
    return (
        Participant.objects.visible_to(user)
        .filter(membership__person_id=membership.person_id)
        .select_related("training", "membership__kube")
        .order_by("-training__starts_on")
    )


def training_regions(*, user: User) -> QuerySet[Region]:
    """The regions a user may organise a training for: its regency and kecamatan."""
    return (
        Region.objects.visible_to(user)
        .filter(level__in=[Region.Level.REGENCY, Region.Level.KECAMATAN])
        .order_by("code")
    )


def invitable_kubes(*, training: Training, user: User) -> QuerySet[Kube]:
    """Running groups in the training's region that the user may see: the ones it can invite."""
    return (
        Kube.objects.visible_to(user).running().filter(region_q("village__code", training.region_id)).order_by("name")
    )


def actions_for(user: User, training: Training) -> frozenset[str]:
    """What the user may do to a training: invite groups' members, record who came (a training has no states)."""
    if user.has_perm("training.change_training"):
        return frozenset({"invite", "record_attendance"})
    return frozenset()
