"""Every write of trainings: the event, inviting groups' members, attendance and skills gained.

Every write runs inside `acting_as(by)`, so that its history names the user also outside a request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.groups.models import Kube, Membership
from berdaya.lib.audit import acting_as
from berdaya.lib.errors import DomainError
from berdaya.regions.models import Region

from .models import Participant, Training


class TrainingError(DomainError):
    pass


def create_training(
    *,
    title: str,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date,
    trainer: str,
    place: str,
    region: Region,
    by: User,
) -> Training:
    """Plan a training event for KUBE members."""
    if ends_on < starts_on:
        raise TrainingError(_("A training cannot end before it starts."))
    with acting_as(by):
        return Training.objects.create(
            title=title,
            kind=kind,
            starts_on=starts_on,
            ends_on=ends_on,
            trainer=trainer,
            place=place,
            region=region,
            created_by=by,
        )


def invite_groups(*, training: Training, kubes: Iterable[Kube], by: User) -> list[Participant]:
    """Invite the current members of groups inside the training's region; members already invited are skipped."""
    added = []
    with acting_as(by):
        for kube in kubes:
            if not training.region.contains(kube.village):
                raise TrainingError(
                    _("%(kube)s is outside %(region)s.") % {"kube": kube, "region": training.region.name}
                )
            invited = set(training.participants.values_list("membership_id", flat=True))
            for membership in kube.memberships.current():
                if membership.pk in invited:
                    continue
                added.append(Participant.objects.create(training=training, membership=membership))
    return added


def record_attendance(
    *, training: Training, attended: Sequence[Membership], skills: dict[int, str], by: User
) -> list[Participant]:
    """Mark who came and the skills each participant gained (by membership id), among the participants `by` sees.

    A training is shared by groups of several villages and facilitators: a kecamatan operator's list leaves out the
    other kecamatans' members, and must not mark them absent.
    """
    present = {m.pk for m in attended}
    participants = list(Participant.objects.visible_to(by).filter(training=training))
    known = {p.membership_id for p in participants}
    if present - known:
        raise TrainingError(_("Only invited members can be marked present."))
    with acting_as(by):
        for participant in participants:
            participant.attended = participant.membership_id in present
            participant.skills = skills.get(participant.membership_id, participant.skills).strip()
            participant.save()
    return participants
