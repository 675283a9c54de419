"""Every write a KUBE rule governs: formation, members and officers, rules, lifecycle, facilitator.

The lifecycle is the state machine of models.TRANSITIONS: forming → active ↔ inactive → graduated or dissolved. Each
move checks its starting state under a row lock and records a reason and a date; django-simple-history keeps who
and when (every write runs inside `acting_as(by)`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.lib.audit import acting_as, because
from berdaya.lib.errors import DomainError
from berdaya.lib.images import prepare_photo
from berdaya.regions.models import Region
from berdaya.targeting.models import Cycle, Nominee

from .models import FacilitatorAssignment, Kube, Membership
from .selectors import readiness_problems


class KubeError(DomainError):
    pass


class MembershipError(KubeError):
    pass


class LifecycleError(KubeError):
    pass


def _locked(kube: Kube) -> Kube:
    return Kube.objects.select_for_update(of=("self",)).select_related("cycle", "village__parent").get(pk=kube.pk)


# Eligibility -----------------------------------------------------------------------------------------------------


def check_eligible(*, kube: Kube, nominee: Nominee) -> None:
    """Refuse a nominee who may not join this group; the same checks for founders, new members and replacements."""
    if nominee.cycle_id != kube.cycle_id or nominee.status != Nominee.Status.APPROVED:
        raise MembershipError(
            _("%(name)s is not an approved nominee of %(cycle)s.") % {"name": nominee.name, "cycle": kube.cycle}
        )
    person = nominee.person
    if person is None:
        raise MembershipError(
            _("%(name)s is not linked to a person in the registry; link the nominee first.") % {"name": nominee.name}
        )
    if not kube.kecamatan.contains(person.household.village):
        raise MembershipError(_("%(name)s lives outside %(kec)s.") % {"name": nominee.name, "kec": kube.kecamatan.name})
    if Membership.objects.current().filter(household_id=person.household_id).exists():
        raise MembershipError(
            _("Someone from the household of %(name)s is already a KUBE member.") % {"name": nominee.name}
        )


def _join(kube: Kube, nominee: Nominee, by: User, *, on: dt.date) -> Membership:
    person = nominee.person
    assert person is not None  # check_eligible refused nominees without a person
    return Membership.objects.create(
        kube=kube, person=person, household_id=person.household_id, nominee=nominee, joined_on=on, added_by=by
    )


# Formation -------------------------------------------------------------------------------------------------------


def form_kube(
    *,
    cycle: Cycle,
    village: Region,
    name: str,
    sector: str,
    nominees: Sequence[Nominee],
    by: User,
    business_type: str = "",
    address: str = "",
    facilitator: User | None = None,
) -> Kube:
    """Form a group from approved nominees of one cycle living in one kecamatan, within the cycle's size bounds."""
    if cycle.status != Cycle.Status.DECIDED:
        # The decree (SK penetapan) fixes who is approved; groups are formed from that fixed list only.
        raise KubeError(_("Groups are formed once the cycle's decree has been issued."))
    if village.level != Region.Level.VILLAGE:
        raise KubeError(_("Choose the village where the group is based."))
    count = len({n.pk for n in nominees})
    if count < cycle.group_min or count > cycle.group_max:
        raise MembershipError(
            _("A group needs %(min)d to %(max)d members; %(count)d chosen.")
            % {"min": cycle.group_min, "max": cycle.group_max, "count": count}
        )
    households = [n.person.household_id for n in nominees if n.person is not None]
    if len(set(households)) != len(households):
        raise MembershipError(_("Two of the chosen nominees are from the same household."))
    with acting_as(by):
        kube = Kube.objects.create(
            name=name,
            cycle=cycle,
            village=village,
            sector=sector,
            business_type=business_type,
            address=address,
            facilitator=facilitator,
            created_by=by,
            status_since=timezone.localdate(),
        )
        kube = _locked(kube)
        today = timezone.localdate()
        for nominee in nominees:
            check_eligible(kube=kube, nominee=nominee)
            _join(kube, nominee, by, on=today)
        if facilitator is not None:
            FacilitatorAssignment.objects.create(kube=kube, facilitator=facilitator, started_on=today, by=by)
    return kube


def update_kube(*, kube: Kube, by: User, signboard: UploadedFile[bytes] | None = None, **fields: Any) -> Kube:
    """Change the group's profile: name, business, address, bank account, stamp, formation minutes, signboard."""
    photo = prepare_photo(signboard) if signboard is not None else None  # refused before anything is written
    with acting_as(by):
        kube = _locked(kube)
        if kube.is_ended:
            raise KubeError(_("A graduated or dissolved group can no longer be changed."))
        for name, value in fields.items():
            setattr(kube, name, value)
        if photo is not None:
            kube.signboard_photo.save(photo.content.name or "signboard.jpg", photo.content, save=False)
        kube.save()
    return kube


def set_rules(
    *, kube: Kube, rules_text: str, share_capital: Decimal, share_members: Decimal, share_iks: Decimal, by: User
) -> Kube:
    """Record the group rules (AD/ART) and how profit is shared between capital, members and the IKS."""
    shares = (share_capital, share_members, share_iks)
    if any(share < 0 for share in shares) or sum(shares) != Decimal("100"):
        raise KubeError(
            _("The shares to capital, members and IKS must add up to 100%%; they add up to %(total)s%%.")
            % {"total": sum(shares)}
        )
    with acting_as(by, "rules"):
        kube = _locked(kube)
        kube.rules_text = rules_text
        kube.share_capital, kube.share_members, kube.share_iks = shares
        kube.save()
    return kube


def set_officers(*, kube: Kube, chair: Membership, secretary: Membership, treasurer: Membership, by: User) -> Kube:
    """Elect the ketua, sekretaris and bendahara: three different current members of this group."""
    chosen = {Membership.Role.CHAIR: chair, Membership.Role.SECRETARY: secretary, Membership.Role.TREASURER: treasurer}
    with acting_as(by, "officers"):
        kube = _locked(kube)
        current = {m.pk: m for m in kube.memberships.current().select_related("person")}
        for membership in chosen.values():
            if membership.pk not in current:
                raise MembershipError(
                    _("%(name)s is not a member of %(kube)s.") % {"name": membership.person, "kube": kube}
                )
        if len({m.pk for m in chosen.values()}) != 3:
            raise MembershipError(_("The ketua, sekretaris and bendahara must be three different members."))
        # Step everyone down first so that the one-per-office constraint never sees two chairs at once.
        for membership in current.values():
            if membership.is_officer:
                membership.role = Membership.Role.MEMBER
                membership.save(update_fields=["role"])
        for role, membership in chosen.items():
            elected = current[membership.pk]
            elected.role = role
            elected.save(update_fields=["role"])
    return kube


def add_member(*, kube: Kube, nominee: Nominee, by: User) -> Membership:
    """Add an approved nominee to a group that is not yet graduated or dissolved."""
    with acting_as(by):
        # Lock the group so that two operators taking the last free place at once cannot both succeed.
        kube = _locked(kube)
        if kube.is_ended:
            raise MembershipError(_("A graduated or dissolved group takes no new members."))
        if kube.memberships.current().count() >= kube.cycle.group_max:
            raise MembershipError(_("The group already has %(max)d members.") % {"max": kube.cycle.group_max})
        check_eligible(kube=kube, nominee=nominee)
        return _join(kube, nominee, by, on=timezone.localdate())


def _leave(membership: Membership, *, on: dt.date, reason: str) -> Membership:
    if not reason.strip():
        raise MembershipError(_("Say why the member leaves."))
    if membership.left_on is not None:
        raise MembershipError(_("%(name)s has already left the group.") % {"name": membership.person})
    if membership.is_officer:
        raise MembershipError(
            _("%(name)s is an officer of the group: elect another officer first.") % {"name": membership.person}
        )
    if on < membership.joined_on or on > timezone.localdate():
        raise MembershipError(_("The leaving date must be between joining and today."))
    membership.left_on = on
    membership.leave_reason = reason
    because(membership, reason)
    membership.save()
    return membership


def remove_member(*, membership: Membership, on: dt.date, reason: str, by: User) -> Membership:
    """Record a member leaving; a group at its minimum size must replace the member instead."""
    with acting_as(by):
        kube = _locked(membership.kube)
        membership = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
        if not kube.is_ended and kube.memberships.current().count() <= kube.cycle.group_min:
            raise MembershipError(
                _("The group cannot have fewer than %(min)d members: replace the member instead.")
                % {"min": kube.cycle.group_min}
            )
        return _leave(membership, on=on, reason=reason)


def replace_member(*, membership: Membership, nominee: Nominee, on: dt.date, reason: str, by: User) -> Membership:
    """Replace a leaving member with another approved nominee, who must pass the same eligibility checks."""
    with acting_as(by):
        kube = _locked(membership.kube)
        if kube.is_ended:
            raise MembershipError(_("A graduated or dissolved group takes no new members."))
        membership = Membership.objects.select_for_update().select_related("person").get(pk=membership.pk)
        _leave(membership, on=on, reason=reason)
        check_eligible(kube=kube, nominee=nominee)
        newcomer = _join(kube, nominee, by, on=on)
        membership.replaced_by = newcomer
        because(membership, reason)
        membership.save(update_fields=["replaced_by"])
    return newcomer


# Lifecycle -------------------------------------------------------------------------------------------------------


def change_status(*, kube: Kube, to: str, on: dt.date, reason: str, by: User) -> Kube:
    """Move a group through its lifecycle, with the date and the reason for the move."""
    with acting_as(by):
        kube = _locked(kube)
        if to not in kube.next_statuses:
            raise LifecycleError(
                _("A group that is %(status)s cannot become %(to)s.")
                % {"status": kube.get_status_display(), "to": Kube.Status(to).label}
            )
        starting = to == Kube.Status.ACTIVE and kube.is_forming
        # Starting a group is its own reason; every other move needs one.
        if not starting and not reason.strip():
            raise LifecycleError(_("Say why the group's status changes."))
        if on > timezone.localdate():
            raise LifecycleError(_("The date cannot be in the future."))
        if starting:
            problems = readiness_problems(kube)
            if problems:
                raise LifecycleError(" ".join(problems))
        kube.status = to
        kube.status_since = on
        kube.status_reason = reason
        because(kube, reason or str(Kube.Status(to).label))
        kube.save()
        if kube.is_ended:
            # The mentoring ends with the group: its facilitator's period closes on the same day (supervision
            # counts a group in a facilitator's care only while an assignment is open).
            FacilitatorAssignment.objects.filter(kube=kube, ended_on__isnull=True).update(ended_on=on)
    return kube


# Facilitator -----------------------------------------------------------------------------------------------------


def assign_facilitator(*, kube: Kube, facilitator: User, by: User, note: str = "") -> Kube:
    """Give the group a facilitator; the previous assignment ends today and stays in the history."""
    if not facilitator.is_facilitator or not facilitator.is_active:
        raise KubeError(_("%(name)s is not an active facilitator.") % {"name": facilitator})
    with acting_as(by, note):
        kube = _locked(kube)
        if kube.facilitator_id == facilitator.pk:
            return kube
        today = timezone.localdate()
        FacilitatorAssignment.objects.filter(kube=kube, ended_on__isnull=True).update(ended_on=today)
        FacilitatorAssignment.objects.create(kube=kube, facilitator=facilitator, started_on=today, note=note, by=by)
        kube.facilitator = facilitator
        kube.save()
    return kube
