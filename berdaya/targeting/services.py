"""Every write of the targeting workflow: one function per business action, each in a transaction.

The workflow is a state machine that lives here, not in views: a nominee moves draft → submitted → endorsed →
verified → approved / rejected, a village list draft → submitted → endorsed, with returns back one step. Each move
checks the state it starts from under a row lock (so two officers acting at once cannot both succeed) and writes a
`Transition` with who, when and why.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.inbox.services import notify
from berdaya.lib import formats
from berdaya.lib.audit import acting_as, because
from berdaya.lib.errors import DomainError
from berdaya.lib.nik import check_kk, check_nik
from berdaya.lib.scoping import can_see_region, kecamatan_code, region_q
from berdaya.lib.stored_text import keep
from berdaya.regions.models import Region
from berdaya.registry.models import Person
from berdaya.registry.services import RegistryError, register_person

from .checks import check_nominees, decision_obstacles
from .models import (
    CallRelay,
    Cycle,
    Flag,
    Letterhead,
    NominationList,
    Nominee,
    Quota,
    Transition,
    Verval,
    validate_number_format,
)
from .selectors import clean_verified, decreed_nominees, letterhead_for, letterhead_of

MAX_MINUTES_BYTES = 10 * 1024 * 1024
# What a minutes file may be, by extension and by its first bytes (the extension alone is easy to fake).
MINUTES_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG",),
}


class TargetingError(DomainError):
    pass


class CycleError(TargetingError):
    pass


class NominationError(TargetingError):
    pass


class TransitionError(TargetingError):
    pass


def _check_scope(code: str, by: User) -> None:
    """The acting user's region holds the record's: the views already ask visible_to, tasks and commands too."""
    if not can_see_region(by, code):
        raise TargetingError(_("This record is outside your region."))


# Cycles and the call ---------------------------------------------------------------------------------------------


def create_cycle(*, by: User, **fields: Any) -> Cycle:
    """Create a draft cycle in the Dinas's region; its rules can be edited until nominations open."""
    if by.region is None:
        raise CycleError(_("Your account has no region."))
    with acting_as(by):
        cycle = Cycle(region=by.region, created_by=by, **fields)
        cycle.full_clean()
        cycle.save()
    return cycle


def update_cycle(*, cycle: Cycle, by: User, **fields: Any) -> Cycle:
    """Change a cycle; its rules are frozen once nominations open."""
    with acting_as(by):
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        changed_rules = [name for name in fields if name in Cycle.RULE_FIELDS and getattr(cycle, name) != fields[name]]
        if cycle.is_frozen and changed_rules:
            raise CycleError(_("Nominations are open: the rules of this cycle can no longer change."))
        for name, value in fields.items():
            setattr(cycle, name, value)
        cycle.full_clean()
        cycle.save()
    return cycle


def set_quota(*, cycle: Cycle, kecamatan: Region, households: int, by: User) -> Quota:
    """Set how many households a kecamatan may propose; fixed once nominations open."""
    if cycle.is_frozen:
        raise CycleError(_("Nominations are open: the quotas of this cycle can no longer change."))
    if kecamatan.level != Region.Level.KECAMATAN or not kecamatan.code_within(cycle.region_id):
        raise CycleError(_("Choose a kecamatan of %(region)s.") % {"region": cycle.region})
    with acting_as(by):
        quota, _created = Quota.objects.update_or_create(
            cycle=cycle, kecamatan=kecamatan, defaults={"households": households}
        )
    return quota


def open_cycle(*, cycle: Cycle, by: User) -> Cycle:
    """Open nominations: the rules freeze and every kecamatan with a quota gets the call in its inbox."""
    with acting_as(by):
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if cycle.is_frozen:
            raise CycleError(_("This cycle is already open."))
        quotas = list(cycle.quotas.select_related("kecamatan"))
        if not quotas:
            raise CycleError(_("Set a quota for at least one kecamatan before opening the cycle."))
        cycle.status = Cycle.Status.OPEN
        cycle.opened_at = timezone.now()
        because(cycle, "opened")
        cycle.save()
        url = cycle.get_absolute_url()
        for quota in quotas:
            notify(
                kind="cycle.opened",
                region=quota.kecamatan,
                roles=[User.Role.KECAMATAN_OPERATOR],
                subject=keep(N_("Call for KUBE nominations: %(cycle)s"), cycle=cycle.name),
                body=keep(
                    N_("Quota for %(kecamatan)s: %(quota)s households. Villages submit their lists by %(deadline)s."),
                    kecamatan=quota.kecamatan.name,
                    quota=quota.households,
                    deadline=cycle.nomination_deadline.isoformat(),
                ),
                url=url,
                by=by,
            )
    return cycle


def relay_call(*, cycle: Cycle, kecamatan: Region, note: str, by: User) -> CallRelay:
    """Pass the cycle's call on to every village of the kecamatan, with a note (the Dinas may do it directly)."""
    with acting_as(by):
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if not cycle.is_open:
            raise CycleError(_("Only an open cycle's call can be relayed."))
        if not cycle.quotas.filter(kecamatan=kecamatan).exists():
            raise CycleError(_("%(kecamatan)s has no quota in this cycle.") % {"kecamatan": kecamatan.name})
        if not kecamatan.code_within(by.region_id):
            raise CycleError(_("%(kecamatan)s is outside your region.") % {"kecamatan": kecamatan.name})
        if CallRelay.objects.filter(cycle=cycle, kecamatan=kecamatan).exists():
            raise CycleError(
                _("The call has already been relayed to the villages of %(kecamatan)s.") % {"kecamatan": kecamatan.name}
            )
        relay = CallRelay.objects.create(cycle=cycle, kecamatan=kecamatan, note=note, by=by)
        for village in Region.objects.filter(parent=kecamatan, level=Region.Level.VILLAGE):
            notify(
                kind="cycle.relayed",
                region=village,
                roles=[User.Role.VILLAGE_OPERATOR],
                subject=keep(N_("Call for KUBE nominations: %(cycle)s"), cycle=cycle.name),
                body=note,
                url=cycle.get_absolute_url(),
                by=by,
            )
    return relay


# Nomination by the village ---------------------------------------------------------------------------------------


def start_list(*, cycle: Cycle, village: Region, by: User) -> NominationList:
    """The village's list for this cycle, made on first use once the call has reached the village."""
    if not cycle.is_open:
        raise NominationError(_("This cycle is not open for nominations."))
    if village.level != Region.Level.VILLAGE or not village.code_within(by.region_id):
        raise NominationError(_("Choose a village in your region."))
    if not CallRelay.objects.filter(cycle=cycle, kecamatan_id=village.parent_id).exists():
        raise NominationError(_("The kecamatan has not relayed the call to its villages yet."))
    with acting_as(by):
        nomination_list, _created = NominationList.objects.get_or_create(
            cycle=cycle, village=village, defaults={"created_by": by}
        )
    return nomination_list


def _check_editable(nomination_list: NominationList, *, today: dt.date | None = None) -> None:
    if not nomination_list.can("edit"):
        raise NominationError(_("The list has been submitted: it can no longer be changed."))
    if nomination_list.cycle.nominations_closed(today):
        raise NominationError(
            _("The deadline for nominations (%(deadline)s) has passed.")
            % {"deadline": formats.day(nomination_list.cycle.nomination_deadline)}
        )


def _add(nomination_list: NominationList, nominee: Nominee, by: User) -> Nominee:
    with acting_as(by):
        nomination_list = NominationList.objects.select_for_update().select_related("cycle").get(pk=nomination_list.pk)
        _check_scope(nomination_list.village_id, by)
        _check_editable(nomination_list)
        if nomination_list.nominees.filter(nik=nominee.nik).exists():
            raise NominationError(_("%(nik)s is already on this list.") % {"nik": nominee.nik})
        nominee.nomination_list = nomination_list
        nominee.cycle = nomination_list.cycle
        nominee.created_by = by
        nominee.save()
        Transition.objects.create(
            nomination_list=nomination_list,
            nominee=nominee,
            from_status="",
            to_status=nominee.status,
            action="add",
            by=by,
        )
        # The new nominee may create a flag on another village's nominee (same NIK or KK): check those again too.
        related = (
            Nominee.objects.filter(cycle=nomination_list.cycle)
            .filter(_same_person_or_household(nominee))
            .exclude(pk=nominee.pk)
            .select_related("nomination_list__village")
        )
        refresh_flags(nominees=[nominee, *related])
    return nominee


def _same_person_or_household(nominee: Nominee) -> Q:
    query = Q(nik=nominee.nik) | Q(kk_number=nominee.kk_number)
    if nominee.person_id:
        query |= Q(person_id=nominee.person_id)
    return query


def nominate_person(
    *, nomination_list: NominationList, person: Person, reason: str, reason_note: str = "", by: User
) -> Nominee:
    """Put a registered person of the village on the list."""
    if not Person.objects.visible_to(by).filter(pk=person.pk, household__village=nomination_list.village).exists():
        raise NominationError(_("%(name)s is not registered in this village.") % {"name": person.name})
    household = person.household
    nominee = Nominee(
        person=person,
        nik=person.nik,
        name=person.name,
        kk_number=household.kk_number,
        birth_date=person.birth_date,
        sex=person.sex,
        address=household.address,
        reason=reason,
        reason_note=reason_note,
    )
    return _add(nomination_list, nominee, by)


def nominate_new(
    *,
    nomination_list: NominationList,
    nik: str,
    name: str,
    kk_number: str,
    birth_date: dt.date | None,
    sex: str,
    address: str,
    reason: str,
    reason_note: str = "",
    by: User,
) -> Nominee:
    """Put someone on the list by NIK and KK as the village typed them; a NIK that is not a NIK at all is refused.

    Someone the registry does not know yet becomes a registry person of the village (the household found or made by
    the KK number), so that an approved nominee can always join a group. Nothing of the register is invented: the
    checks still flag a nominee whose household did not come from the register (DTSEN), and the screening compares
    what the village typed, as for every nominee.
    """
    today = timezone.localdate()
    nik_check = check_nik(nik, today=today, birth_date=birth_date, sex=sex or None)
    if not nik_check.ok:
        raise NominationError(str(_(nik_check.errors[0].message)) % nik_check.errors[0].params)
    kk_check = check_kk(kk_number)
    if not kk_check.ok:
        raise NominationError(str(_(kk_check.errors[0].message)) % kk_check.errors[0].params)
    nominee = Nominee(
        nik=nik_check.nik,
        name=name.strip(),
        kk_number=kk_check.kk_number,
        birth_date=birth_date,
        sex=sex,
        address=address,
        reason=reason,
        reason_note=reason_note,
    )
    # One transaction: a nomination the list refuses (deadline, the same NIK twice) leaves no person behind.
    with acting_as(by):
        _check_scope(nomination_list.village_id, by)
        nominee.person = _registry_person(nominee, village=nomination_list.village, by=by)
        return _add(nomination_list, nominee, by)


def _registry_person(nominee: Nominee, *, village: Region, by: User) -> Person:
    """The registry person of a nominee typed in by hand: found by NIK, or entered now (see registry's service)."""
    try:
        return register_person(
            nik=nominee.nik,
            name=nominee.name,
            kk_number=nominee.kk_number,
            village=village,
            birth_date=nominee.birth_date,
            sex=nominee.sex,
            address=nominee.address,
            reason="entered with a nomination",
            by=by,
        )
    except RegistryError as error:
        raise NominationError(error.message) from error


def _link_to_registry(nominees: Iterable[Nominee], *, by: User) -> None:
    """Give each nominee still without a registry person one (nominees typed in before nominations made them)."""
    for nominee in nominees:
        if nominee.person_id is None:
            village = Region.objects.get(pk=nominee.nomination_list.village_id)
            nominee.person = _registry_person(nominee, village=village, by=by)
            nominee.save(update_fields=["person"])


def remove_nominee(*, nominee: Nominee, by: User) -> None:
    """Take a nominee off a draft list."""
    with acting_as(by):
        nomination_list = (
            NominationList.objects.select_for_update().select_related("cycle").get(pk=nominee.nomination_list_id)
        )
        _check_scope(nomination_list.village_id, by)
        _check_editable(nomination_list)
        others = list(
            Nominee.objects.filter(cycle_id=nominee.cycle_id)
            .filter(_same_person_or_household(nominee))
            .exclude(pk=nominee.pk)
            .select_related("nomination_list__village")
        )
        because(nominee, "removed")
        nominee.delete()
        refresh_flags(nominees=others)


def attach_minutes(
    *, nomination_list: NominationList, file: UploadedFile[bytes], meeting_date: dt.date | None, by: User
) -> NominationList:
    """Attach the signed minutes of the village meeting: a PDF or a photo (JPEG/PNG) of at most 10 MB."""
    name = (file.name or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    if extension not in MINUTES_SIGNATURES:
        raise NominationError(_("The minutes must be a PDF or a photo (JPG or PNG)."))
    if file.size is not None and file.size > MAX_MINUTES_BYTES:
        raise NominationError(
            _("The file is %(size)s MB; the limit is 10 MB. Scan at a lower resolution or photograph the pages.")
            % {"size": f"{file.size / 1024 / 1024:.1f}"}
        )
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head.startswith(MINUTES_SIGNATURES[extension]):
        raise NominationError(_("The file's content is not a %(kind)s file.") % {"kind": extension[1:].upper()})
    with acting_as(by):
        nomination_list = NominationList.objects.select_for_update().select_related("cycle").get(pk=nomination_list.pk)
        _check_scope(nomination_list.village_id, by)
        _check_editable(nomination_list)
        nomination_list.minutes = file
        nomination_list.meeting_date = meeting_date
        because(nomination_list, "minutes attached")
        nomination_list.save()
    return nomination_list


def refresh_flags(*, nominees: Iterable[Nominee]) -> dict[int, list[Flag]]:
    """Run the automatic checks again on these nominees and store what they find."""
    by_cycle: dict[int, list[Nominee]] = {}
    for nominee in nominees:
        by_cycle.setdefault(nominee.cycle_id, []).append(nominee)
    stored: dict[int, list[Flag]] = {}
    for cycle_id, group in by_cycle.items():
        cycle = Cycle.objects.get(pk=cycle_id)
        findings = check_nominees(group, cycle=cycle)
        with transaction.atomic():
            Flag.objects.filter(nominee__in=[n.pk for n in group]).delete()
            flags = [
                Flag(nominee_id=pk, code=f.code, severity=f.severity, message=f.message, params=f.params)
                for pk, found in findings.items()
                for f in found
            ]
            Flag.objects.bulk_create(flags)
        for flag in flags:
            stored.setdefault(flag.nominee_id, []).append(flag)
    return stored


def override_flags(*, nominee: Nominee, justification: str, by: User) -> Nominee:
    """Let a nominee with hard flags be submitted, on a written justification kept in the audit trail."""
    justification = justification.strip()
    if len(justification) < 10:
        raise NominationError(_("Write why the flags should be overridden (at least 10 characters)."))
    with acting_as(by):
        nominee = Nominee.objects.select_for_update().select_related("nomination_list__cycle").get(pk=nominee.pk)
        _check_scope(nominee.nomination_list.village_id, by)
        _check_editable(nominee.nomination_list)
        nominee.override_justification = justification
        because(nominee, "flags overridden")
        nominee.save()
        Transition.objects.create(
            nomination_list=nominee.nomination_list,
            nominee=nominee,
            from_status=nominee.status,
            to_status=nominee.status,
            action="override",
            reason=justification,
            by=by,
        )
    return nominee


# The state machine -----------------------------------------------------------------------------------------------


def _move_nominee(nominee: Nominee, *, to: str, action: str, by: User, reason: str = "") -> Nominee:
    """Record one nominee's step; the caller holds the row lock and has checked the starting state."""
    Transition.objects.create(
        nomination_list_id=nominee.nomination_list_id,
        nominee=nominee,
        from_status=nominee.status,
        to_status=to,
        action=action,
        reason=reason,
        by=by,
    )
    nominee.status = to
    because(nominee, action)
    nominee.save()
    return nominee


def _move_list(nomination_list: NominationList, *, to: str, action: str, by: User, reason: str = "") -> None:
    Transition.objects.create(
        nomination_list=nomination_list,
        from_status=nomination_list.status,
        to_status=to,
        action=action,
        reason=reason,
        by=by,
    )
    nomination_list.status = to
    because(nomination_list, action)
    nomination_list.save()


def _check_cycle_open(cycle: Cycle) -> None:
    """Once the decree is issued, no list or nominee of the cycle moves (what the decree's confirmation promises)."""
    if not cycle.is_open:
        raise TransitionError(_("The decree of this cycle is issued: its lists and nominees can no longer change."))


def _locked_list(nomination_list: NominationList, step: str, by: User) -> NominationList:
    locked = NominationList.objects.select_for_update().select_related("cycle", "village").get(pk=nomination_list.pk)
    _check_scope(locked.village_id, by)
    _check_cycle_open(locked.cycle)
    if not locked.can(step):
        raise TransitionError(
            _("The list is %(status)s; this step needs it %(expected)s.")
            % {"status": locked.get_status_display(), "expected": NominationList.Status(locked.STEPS[step]).label}
        )
    return locked


def submit_list(*, nomination_list: NominationList, by: User) -> NominationList:
    """Send the village's list to the kecamatan: before the deadline, with minutes, and no unjustified hard flag."""
    with acting_as(by):
        nomination_list = _locked_list(nomination_list, "submit", by)
        _check_editable(nomination_list)
        if not nomination_list.minutes:
            raise NominationError(_("Attach the minutes of the village meeting before submitting."))
        nominees = list(nomination_list.nominees.select_for_update().select_related("nomination_list__village"))
        if not nominees:
            raise NominationError(_("The list has no nominees."))
        flags = refresh_flags(nominees=nominees)
        blocked = [
            n.name
            for n in nominees
            if any(f.is_hard for f in flags.get(n.pk, [])) and not n.override_justification.strip()
        ]
        if blocked:
            raise NominationError(
                _("Resolve or justify the blocking flags of: %(names)s.") % {"names": ", ".join(blocked)}
            )
        for nominee in nominees:
            _move_nominee(nominee, to=Nominee.Status.SUBMITTED, action="submit", by=by)
        nomination_list.submitted_at = timezone.now()
        _move_list(nomination_list, to=NominationList.Status.SUBMITTED, action="submit", by=by)
        notify(
            kind="list.submitted",
            region=nomination_list.village,
            roles=[User.Role.KECAMATAN_OPERATOR],
            subject=keep(
                N_("%(village)s submitted its list for %(cycle)s"),
                village=nomination_list.village.name,
                cycle=nomination_list.cycle.name,
            ),
            body=keep(
                N_("%(count)s households proposed. Endorse the list, or return it to the village saying why."),
                count=len(nominees),
            ),
            url=nomination_list.get_absolute_url(),
            by=by,
        )
    return nomination_list


def return_to_village(*, nomination_list: NominationList, reason: str, by: User) -> NominationList:
    """The kecamatan sends a submitted list back to the village to correct, saying why."""
    if not reason.strip():
        raise TransitionError(_("Say why the list goes back."))
    with acting_as(by):
        nomination_list = _locked_list(nomination_list, "return_to_village", by)
        for nominee in nomination_list.nominees.select_for_update().filter(status=Nominee.Status.SUBMITTED):
            _move_nominee(nominee, to=Nominee.Status.DRAFT, action="return", by=by, reason=reason)
        _move_list(nomination_list, to=NominationList.Status.DRAFT, action="return", by=by, reason=reason)
        notify(
            kind="list.returned_to_village",
            region=nomination_list.village,
            roles=[User.Role.VILLAGE_OPERATOR],
            subject=keep(N_("Your list for %(cycle)s was returned"), cycle=nomination_list.cycle.name),
            body=reason,
            url=nomination_list.get_absolute_url(),
            by=by,
        )
    return nomination_list


def endorse_list(*, nomination_list: NominationList, note: str = "", by: User) -> NominationList:
    """The kecamatan endorses a submitted village list: every nominee on it moves on, under the same rule."""
    with acting_as(by):
        nomination_list = _locked_list(nomination_list, "endorse", by)
        for nominee in nomination_list.nominees.select_for_update():
            endorse_nominee(nominee=nominee, by=by, note=note)
        _move_list(nomination_list, to=NominationList.Status.ENDORSED, action="endorse", by=by, reason=note)
        notify(
            kind="list.endorsed",
            region=nomination_list.village,
            roles=[User.Role.OFFICER, User.Role.ADMIN],
            subject=keep(
                N_("The kecamatan endorsed the list of %(village)s for %(cycle)s"),
                village=nomination_list.village.name,
                cycle=nomination_list.cycle.name,
            ),
            body=note or keep(N_("Its households await the field verification (verval).")),
            url=nomination_list.get_absolute_url(),
            by=by,
        )
    return nomination_list


def endorse_nominee(*, nominee: Nominee, by: User, note: str = "") -> Nominee:
    """One nominee endorsed by the kecamatan (the list endorsement applies this to each)."""
    with acting_as(by):
        nominee = _locked_nominee(nominee, "endorse", by)
        return _move_nominee(nominee, to=Nominee.Status.ENDORSED, action="endorse", by=by, reason=note)


def return_to_kecamatan(*, nomination_list: NominationList, reason: str, by: User) -> NominationList:
    """The Dinas sends an endorsed list back to the kecamatan, before anyone on it is decided."""
    if not reason.strip():
        raise TransitionError(_("Say why the list goes back."))
    with acting_as(by):
        nomination_list = _locked_list(nomination_list, "return_to_kecamatan", by)
        nominees = list(nomination_list.nominees.select_for_update())
        if any(n.status in (Nominee.Status.APPROVED, Nominee.Status.REJECTED) for n in nominees):
            raise TransitionError(_("Nominees on this list are already decided: it can no longer go back."))
        for nominee in nominees:
            if hasattr(nominee, "verval"):
                nominee.verval.delete()
            _move_nominee(nominee, to=Nominee.Status.SUBMITTED, action="return", by=by, reason=reason)
        _move_list(nomination_list, to=NominationList.Status.SUBMITTED, action="return", by=by, reason=reason)
        notify(
            kind="list.returned_to_kecamatan",
            region=nomination_list.kecamatan_code,
            roles=[User.Role.KECAMATAN_OPERATOR],
            subject=keep(N_("The list of %(village)s was returned"), village=nomination_list.village.name),
            body=reason,
            url=nomination_list.get_absolute_url(),
            by=by,
        )
    return nomination_list


def _locked_nominee(nominee: Nominee, step: str, by: User) -> Nominee:
    locked = Nominee.objects.select_for_update().select_related("nomination_list", "cycle").get(pk=nominee.pk)
    _check_scope(locked.nomination_list.village_id, by)
    _check_cycle_open(locked.cycle)
    if not locked.can(step):
        raise TransitionError(
            _("%(name)s is %(status)s; this step needs %(expected)s.")
            % {
                "name": locked.name,
                "status": locked.get_status_display(),
                "expected": Nominee.Status(locked.STEPS[step]).label,
            }
        )
    return locked


def _tell_about(nominee: Nominee, *, kind: str, roles: list[str], subject: str, body: str, by: User) -> None:
    """Notify the roles over the nominee's village of a step; `subject` names %(name)s, %(village)s, %(cycle)s."""
    nomination_list = NominationList.objects.select_related("village", "cycle").get(pk=nominee.nomination_list_id)
    notify(
        kind=kind,
        region=nomination_list.village,
        roles=roles,
        subject=keep(
            subject, name=nominee.name, village=nomination_list.village.name, cycle=nomination_list.cycle.name
        ),
        body=body,
        url=nominee.get_absolute_url(),
        by=by,
    )


def verify_nominee(
    *,
    nominee: Nominee,
    visit_date: dt.date,
    checklist: dict[str, bool],
    photo: UploadedFile[bytes] | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    notes: str = "",
    by: User,
) -> Verval:
    """Record the Dinas's field visit to an endorsed nominee."""
    if visit_date > timezone.localdate():
        raise TransitionError(_("The visit date cannot be in the future."))
    with acting_as(by):
        nominee = _locked_nominee(nominee, "verify", by)
        verval = Verval(
            nominee=nominee,
            visit_date=visit_date,
            checklist={key: bool(checklist.get(key)) for key in Verval.CHECKLIST},
            latitude=latitude,
            longitude=longitude,
            notes=notes,
            by=by,
        )
        if photo is not None:
            verval.photo = photo
        verval.save()
        _move_nominee(nominee, to=Nominee.Status.VERIFIED, action="verify", by=by, reason=notes)
        _tell_about(
            nominee,
            kind="nominee.verified",
            roles=[User.Role.OFFICER, User.Role.ADMIN],
            subject=N_("Verval of %(name)s (%(village)s) recorded: ready for a decision"),
            body=notes,
            by=by,
        )
    return verval


def approve_nominee(*, nominee: Nominee, by: User, reason: str = "") -> Nominee:
    """Approve a verified nominee, within the kecamatan's quota."""
    return _approve(nominee, by=by, reason=reason, tell=True)


def _approve(nominee: Nominee, *, by: User, reason: str, tell: bool) -> Nominee:
    """approve_nominee; `tell=False` leaves telling the village to the caller (one message for a batch)."""
    with acting_as(by):
        nominee = _locked_nominee(nominee, "approve", by)
        nomination_list = NominationList.objects.select_related("cycle").get(pk=nominee.nomination_list_id)
        kecamatan = nomination_list.kecamatan_code
        # Lock the quota row: two officers approving the last places in one kecamatan at once queue here.
        quota = Quota.objects.select_for_update().filter(cycle_id=nominee.cycle_id, kecamatan_id=kecamatan).first()
        approved = (
            Nominee.objects.filter(
                cycle_id=nominee.cycle_id,
                status=Nominee.Status.APPROVED,
            )
            .filter(region_q("nomination_list__village__code", kecamatan))
            .count()
        )
        if quota is None or approved >= quota.households:
            raise TransitionError(
                _("The quota of %(quota)d households for this kecamatan is used up.")
                % {"quota": quota.households if quota else 0}
            )
        _link_to_registry([nominee], by=by)
        # Whoever is approved is printed in the SK and must be able to join a group: refuse now, not at formation.
        obstacle = decision_obstacles([nominee], cycle=nomination_list.cycle).get(nominee.pk)
        if obstacle is not None:
            raise TransitionError(
                _("%(name)s could not join a group: %(reason)s Reject the nominee instead, saying why.")
                % {"name": nominee.name, "reason": obstacle.message}
            )
        nominee.decision_reason = reason
        _move_nominee(nominee, to=Nominee.Status.APPROVED, action="approve", by=by, reason=reason)
        if not tell:
            return nominee
        _tell_about(
            nominee,
            kind="nominee.approved",
            roles=[User.Role.VILLAGE_OPERATOR, User.Role.KECAMATAN_OPERATOR],
            subject=N_("%(name)s (%(village)s) was approved for %(cycle)s"),
            body=reason,
            by=by,
        )
        return nominee


def reject_nominee(*, nominee: Nominee, reason: str, by: User) -> Nominee:
    """Reject a verified nominee, saying why."""
    if not reason.strip():
        raise TransitionError(_("Say why the nominee is rejected."))
    with acting_as(by):
        nominee = _locked_nominee(nominee, "reject", by)
        nominee.decision_reason = reason
        _move_nominee(nominee, to=Nominee.Status.REJECTED, action="reject", by=by, reason=reason)
        _tell_about(
            nominee,
            kind="nominee.rejected",
            roles=[User.Role.VILLAGE_OPERATOR, User.Role.KECAMATAN_OPERATOR],
            subject=N_("%(name)s (%(village)s) was rejected for %(cycle)s"),
            body=reason,
            by=by,
        )
        return nominee


def approve_verified_clean(*, cycle: Cycle, by: User, nominees: Iterable[Nominee] | None = None) -> list[Nominee]:
    """Approve every verified nominee without flags and with a full verval checklist; the rest wait for a person.

    The candidates are `nominees` when given, else every nominee of the cycle the acting user may see.
    """
    clean = clean_verified(cycle=cycle, user=by)  # what its confirmation page counts
    if nominees is not None:
        clean = clean.filter(pk__in=[c.pk for c in nominees])
    approved = []
    for nominee in clean.order_by("pk"):
        try:
            approved.append(_approve(nominee, by=by, reason="", tell=False))
        except TargetingError:
            # Quota used up, someone else decided it first, or the nominee could not join a group: the same rule
            # per item, the rest still go.
            continue
    _tell_approved(cycle, approved, by=by)
    return approved


def _tell_approved(cycle: Cycle, approved: list[Nominee], *, by: User) -> None:
    """One message per village for a batch of approvals, to its village and kecamatan operators."""
    lists = NominationList.objects.select_related("village").in_bulk({n.nomination_list_id for n in approved})
    by_list: dict[int, list[str]] = {}
    for nominee in approved:
        by_list.setdefault(nominee.nomination_list_id, []).append(nominee.name)
    for pk, names in sorted(by_list.items()):
        nomination_list = lists[pk]
        notify(
            kind="nominee.approved",
            region=nomination_list.village,
            roles=[User.Role.VILLAGE_OPERATOR, User.Role.KECAMATAN_OPERATOR],
            subject=keep(
                N_("%(count)s households of %(village)s were approved for %(cycle)s"),
                count=len(names),
                village=nomination_list.village.name,
                cycle=cycle.name,
            ),
            body=", ".join(names),
            url=nomination_list.get_absolute_url(),
            by=by,
        )


# The decree ------------------------------------------------------------------------------------------------------


def save_letterhead(*, region: Region, by: User, **fields: Any) -> Letterhead:
    """Change the Dinas's letterhead, signatory and decree numbering."""
    letterhead = letterhead_of(region_id=region.code)
    for name, value in fields.items():
        setattr(letterhead, name, value)
    try:
        validate_number_format(letterhead.number_format)
    except ValidationError as error:
        raise TargetingError(error.messages[0]) from error
    with acting_as(by):
        letterhead.full_clean()
        letterhead.save()
    return letterhead


def issue_decree(*, cycle: Cycle, sk_date: dt.date | None = None, by: User) -> Cycle:
    """Fix the approved list by decree: number it, date it, and close the cycle to further decisions."""
    with acting_as(by):
        cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if not cycle.is_open:
            raise CycleError(_("The decree can only be issued once for an open cycle."))
        if not cycle.nominees.filter(status=Nominee.Status.APPROVED).exists():
            raise CycleError(_("No nominee is approved yet."))
        undecided = cycle.nominees.exclude(status__in=[Nominee.Status.APPROVED, Nominee.Status.REJECTED]).count()
        if undecided and cycle.nominees.filter(status=Nominee.Status.VERIFIED).exists():
            raise CycleError(_("Decide every verified nominee before issuing the decree."))
        # The decree names only families who can form a group (approval checked it; things may have changed since).
        approved = list(decreed_nominees(cycle=cycle).select_related("nomination_list").order_by("name"))
        _link_to_registry(approved, by=by)
        obstacles = decision_obstacles(approved, cycle=cycle)
        if obstacles:
            raise CycleError(
                _("The decree would name families who cannot join a group: %(names)s.")
                % {"names": "; ".join(f"{n.name}: {obstacles[n.pk].message}" for n in approved if n.pk in obstacles)}
            )
        sk_date = sk_date or timezone.localdate()
        issued = Cycle.objects.filter(region_id=cycle.region_id, sk_date__year=sk_date.year).exclude(sk_number="")
        seq = issued.count() + 1
        cycle.sk_number = letterhead_for(cycle).number_format.format(seq=seq, year=sk_date.year)
        cycle.sk_date = sk_date
        cycle.status = Cycle.Status.DECIDED
        because(cycle, "decree issued")
        cycle.save()
        _tell_decree(cycle, approved, by=by)
    return cycle


def _tell_decree(cycle: Cycle, approved: list[Nominee], *, by: User) -> None:
    """The village and kecamatan operators of the villages the decree names: how many of theirs are in it."""
    villages: dict[str, int] = {}
    kecamatans: dict[str, int] = {}
    for nominee in approved:
        village = nominee.nomination_list.village_id
        villages[village] = villages.get(village, 0) + 1
        kecamatans[kecamatan_code(village)] = kecamatans.get(kecamatan_code(village), 0) + 1
    names = dict(Region.objects.filter(code__in=[*villages, *kecamatans]).values_list("code", "name"))
    subject = keep(N_("The decree for %(cycle)s was issued: %(number)s"), cycle=cycle.name, number=cycle.sk_number)
    for code, count in sorted(kecamatans.items()):
        notify(
            kind="cycle.decree",
            region=code,
            roles=[User.Role.KECAMATAN_OPERATOR],
            subject=subject,
            body=keep(N_("It names %(count)s households of %(region)s."), count=count, region=names.get(code, code)),
            url=cycle.get_absolute_url(),
            by=by,
        )
    for code, count in sorted(villages.items()):
        notify(
            kind="cycle.decree",
            region=code,
            roles=[User.Role.VILLAGE_OPERATOR],
            subject=subject,
            body=keep(N_("It names %(count)s households of %(region)s."), count=count, region=names.get(code, code)),
            url=cycle.get_absolute_url(),
            by=by,
        )
