"""Reads for the targeting pages, dashboard and documents; every one starts from what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from berdaya.accounts.models import User
from berdaya.lib.scoping import kecamatan_code, region_ancestors, region_q
from berdaya.regions.models import Region
from berdaya.registry.models import Person

from .models import Cycle, Flag, Letterhead, NominationList, Nominee, Notification, Quota, Transition


def cycles_for_list(*, user: User) -> QuerySet[Cycle]:
    """The cycles a user follows, newest first."""
    return Cycle.objects.visible_to(user).select_related("region")


@dataclass
class Counts:
    """One row of the cycle dashboard: a kecamatan or a village and where its nominees stand."""

    code: str
    name: str
    quota: int | None = None
    nominated: int = 0
    flagged: int = 0
    submitted: int = 0
    endorsed: int = 0
    verified: int = 0
    approved: int = 0
    rejected: int = 0
    list_status: str = ""
    list_pk: int | None = None
    villages: list[Counts] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        for name in ("nominated", "flagged", "submitted", "endorsed", "verified", "approved", "rejected"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Dashboard:
    cycle: Cycle
    kecamatan: list[Counts]
    total: Counts
    days_left: dict[str, int]
    # Where the cycle stands, for what its page says: "draft", "nominating", "nominations_closed" or "decreed". A
    # deadline is counted down only while nominating; once the SK is issued the page says so and what comes next.
    phase: str = "nominating"


def cycle_phase(cycle: Cycle, today: dt.date | None = None) -> str:
    if cycle.sk_number or cycle.status == Cycle.Status.DECIDED:
        return "decreed"
    if not cycle.is_open:
        return "draft"
    return "nominations_closed" if cycle.nominations_closed(today) else "nominating"


def cycle_dashboard(*, cycle: Cycle, user: User, today: dt.date | None = None) -> Dashboard:
    """Per kecamatan and village of the user's scope: quota, nominated, flagged, verified, approved, rejected.

    A fixed number of queries whatever the size of the cycle: quotas, lists, and one grouped count of nominees.
    """
    today = today or timezone.localdate()
    quotas = list(Quota.objects.visible_to(user).filter(cycle=cycle).select_related("kecamatan"))
    # A village operator's scope is below its kecamatan's quota row: show it its kecamatan's quota all the same.
    if not quotas and user.region_id:
        quotas = list(
            cycle.quotas.filter(kecamatan_id__in=region_ancestors(user.region_id)).select_related("kecamatan")
        )
    lists = {
        item.village_id: item
        for item in NominationList.objects.visible_to(user).filter(cycle=cycle).select_related("village")
    }
    flagged = Flag.objects.filter(nominee=OuterRef("pk"))
    rows = (
        Nominee.objects.visible_to(user)
        .filter(cycle=cycle)
        .annotate(has_flag=Exists(flagged))
        .values("nomination_list__village")
        .annotate(
            nominated=Count("pk"),
            flagged=Count("pk", filter=Q(has_flag=True)),
            submitted=Count("pk", filter=Q(status=Nominee.Status.SUBMITTED)),
            endorsed=Count("pk", filter=Q(status=Nominee.Status.ENDORSED)),
            verified=Count("pk", filter=Q(status=Nominee.Status.VERIFIED)),
            approved=Count("pk", filter=Q(status=Nominee.Status.APPROVED)),
            rejected=Count("pk", filter=Q(status=Nominee.Status.REJECTED)),
        )
    )
    by_village: dict[str, dict[str, Any]] = {
        row["nomination_list__village"]: {k: v for k, v in row.items() if k != "nomination_list__village"}
        for row in rows
    }
    kecamatan: dict[str, Counts] = {
        q.kecamatan_id: Counts(code=q.kecamatan_id, name=q.kecamatan.name, quota=q.households) for q in quotas
    }
    for code, item in sorted(lists.items()):
        row = Counts(code=code, name=item.village.name, list_status=item.get_status_display(), list_pk=item.pk)
        for name, value in by_village.get(code, {}).items():
            setattr(row, name, value)
        parent = kecamatan.get(kecamatan_code(code))
        if parent is not None:
            parent.villages.append(row)
            parent.add(row)
    total = Counts(code="", name="", quota=sum(k.quota or 0 for k in kecamatan.values()))
    for row in kecamatan.values():
        total.add(row)
    deadlines = {
        "nomination": cycle.nomination_deadline,
        "endorsement": cycle.endorsement_deadline,
        "verval": cycle.verval_deadline,
        "decision": cycle.decision_deadline,
    }
    return Dashboard(
        cycle=cycle,
        kecamatan=list(kecamatan.values()),
        total=total,
        days_left={name: (day - today).days for name, day in deadlines.items()},
        phase=cycle_phase(cycle, today),
    )


def list_nominees(*, nomination_list: NominationList) -> QuerySet[Nominee]:
    """A village list's nominees with their flags and verval, for its page."""
    return nomination_list.nominees.select_related("verval", "person").prefetch_related(
        Prefetch("flags", queryset=Flag.objects.order_by("severity", "code", "pk"))
    )


def persons_to_nominate(*, nomination_list: NominationList, user: User, query: str = "") -> QuerySet[Person]:
    """Registered persons of the list's village the user may see, matching a name or NIK, not yet on the list."""
    persons = (
        Person.objects.visible_to(user)
        .filter(household__village=nomination_list.village)
        .exclude(nik__in=nomination_list.nominees.values("nik"))
        .select_related("household")
    )
    query = query.strip()
    if query:
        persons = persons.filter(Q(name__icontains=query) | Q(nik__startswith=query))
    return persons.order_by("name")[:20]


def approved_nominees(*, cycle: Cycle, user: User) -> QuerySet[Nominee]:
    """The by-name-by-address (BNBA) list of approved nominees, by kecamatan and village."""
    return (
        Nominee.objects.visible_to(user)
        .filter(cycle=cycle, status=Nominee.Status.APPROVED)
        .select_related("nomination_list__village__parent")
        .order_by("nomination_list__village__code", "name", "pk")
    )


def villages_of(*, kecamatan_code: str) -> QuerySet[Region]:
    return Region.objects.filter(parent_id=kecamatan_code, level=Region.Level.VILLAGE)


def cycle_kecamatan(*, cycle: Cycle, user: User) -> QuerySet[Region]:
    """The kecamatan of the cycle's region that the user may give a quota."""
    return Region.objects.visible_to(user).kecamatan().within(cycle.region_id).order_by("code")


def relay_kecamatan(*, cycle: Cycle, user: User) -> QuerySet[Region]:
    """The kecamatan with a quota in this cycle whose call the user may relay to their villages."""
    quotas = Quota.objects.visible_to(user).filter(cycle=cycle)
    return Region.objects.filter(code__in=quotas.values("kecamatan_id")).order_by("code")


def relayed_kecamatan(*, cycle: Cycle) -> set[str]:
    """The codes of the kecamatan that have relayed the cycle's call."""
    return set(cycle.relays.values_list("kecamatan_id", flat=True))


def own_list(*, cycle: Cycle, user: User) -> NominationList | None:
    """The village operator's own list in this cycle, if the village has started one."""
    if user.region_id is None:
        return None
    return NominationList.objects.filter(cycle=cycle, village_id=user.region_id).first()


def letterhead_of(*, region_id: str) -> Letterhead:
    """The letterhead of the Dinas of this region (an unsaved default one until the admin configures it)."""
    return Letterhead.objects.filter(region_id=region_id).first() or Letterhead(region_id=region_id)


def letterhead_for(cycle: Cycle) -> Letterhead:
    """The letterhead of the cycle's Dinas, printed on its decree and forms."""
    return letterhead_of(region_id=cycle.region_id)


def village_persons(*, nomination_list: NominationList, user: User) -> QuerySet[Person]:
    """Every registered person of the list's village the user may see: the choices a pick is checked against."""
    return Person.objects.visible_to(user).filter(household__village=nomination_list.village)


def list_steps(*, nomination_list: NominationList) -> QuerySet[Transition]:
    """The steps of the list itself (not of its nominees), oldest first."""
    return nomination_list.transitions.filter(nominee=None).select_related("by")


def nominee_steps(*, nominee: Nominee) -> QuerySet[Transition]:
    """The steps of one nominee, oldest first."""
    return nominee.transitions.select_related("by")


def inbox(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).select_related("cycle")


def unread_count(*, user: User) -> int:
    return Notification.objects.for_user(user).unread().count()


# What an action that cannot be undone will do (its confirmation page reads these; its service acts on the same) ----


@dataclass(frozen=True)
class Tally:
    """How many nominees an action names, and how many of them per village ("Kec. X · Desa Y", count)."""

    count: int
    by_village: list[tuple[str, int]]


def _tally(nominees: QuerySet[Nominee]) -> Tally:
    rows = (
        nominees.values("nomination_list__village__code", "nomination_list__village__name")
        .annotate(count=Count("pk"))
        .order_by("nomination_list__village__code")
    )
    by_village = [(row["nomination_list__village__name"], row["count"]) for row in rows]
    return Tally(count=sum(count for _, count in by_village), by_village=by_village)


def decreed_nominees(*, cycle: Cycle) -> QuerySet[Nominee]:
    """Whom the decree names: every approved nominee of the cycle (`issue_decree` fixes exactly these)."""
    return cycle.nominees.filter(status=Nominee.Status.APPROVED)


@dataclass(frozen=True)
class DecreeSummary:
    families: int
    amount: int
    by_village: list[tuple[str, int]]
    undecided: int
    verified: int  # verified but not decided: the decree waits for their decision


def decree_summary(*, cycle: Cycle) -> DecreeSummary:
    """What issuing the SK will fix: the families named, the aid they receive in all (aid per member each, as the
    SK prints it), per village, and how many nominees are still undecided (they are left out)."""
    tally = _tally(decreed_nominees(cycle=cycle))
    undecided = cycle.nominees.exclude(status__in=[Nominee.Status.APPROVED, Nominee.Status.REJECTED]).count()
    return DecreeSummary(
        families=tally.count,
        amount=tally.count * cycle.aid_per_member,
        by_village=tally.by_village,
        undecided=undecided,
        verified=cycle.nominees.filter(status=Nominee.Status.VERIFIED).count(),
    )


def clean_verified(*, cycle: Cycle, user: User) -> QuerySet[Nominee]:
    """The verified nominees without flags and with a full verval checklist that the user may see: those "approve
    all clean" approves (each within its kecamatan's quota)."""
    candidates = (
        Nominee.objects.visible_to(user)
        .filter(cycle=cycle, status=Nominee.Status.VERIFIED)
        .exclude(flags__isnull=False)
        .select_related("verval")
    )
    return Nominee.objects.filter(pk__in=[n.pk for n in candidates if n.verval.all_checked])


def approve_clean_summary(*, cycle: Cycle, user: User) -> Tally:
    return _tally(clean_verified(cycle=cycle, user=user))


@dataclass(frozen=True)
class QuotaPlace:
    """Where a kecamatan's quota stands: approved nominees against the households it may have."""

    kecamatan: str
    quota: int
    approved: int


def quota_place(*, nominee: Nominee) -> QuotaPlace:
    """The quota of the nominee's kecamatan and how much of it is used (the same count `approve_nominee` checks)."""
    kecamatan = nominee.nomination_list.kecamatan_code
    quota = Quota.objects.filter(cycle_id=nominee.cycle_id, kecamatan_id=kecamatan).select_related("kecamatan").first()
    approved = (
        Nominee.objects.filter(cycle_id=nominee.cycle_id, status=Nominee.Status.APPROVED)
        .filter(region_q("nomination_list__village__code", kecamatan))
        .count()
    )
    return QuotaPlace(
        kecamatan=quota.kecamatan.name if quota else kecamatan,
        quota=quota.households if quota else 0,
        approved=approved,
    )


def cycle_quotas(*, cycle: Cycle) -> list[tuple[str, int]]:
    """The quotas that opening the cycle freezes: (kecamatan, households)."""
    return [(q.kecamatan.name, q.households) for q in cycle.quotas.select_related("kecamatan").order_by("kecamatan")]


# What a user may do now ------------------------------------------------------------------------------------------


def actions_for(user: User, obj: Cycle | NominationList | Nominee) -> frozenset[str]:
    """What the user may do to this cycle, village list or nominee now: the role's permissions and the record's state.

    The state rules are the models' (`Cycle.is_open`, `NominationList.can`, `Nominee.can`), which the services
    check too; a page asks this rather than comparing statuses, so a button shows only when its step would be taken.
    """
    if isinstance(obj, Cycle):
        return _cycle_actions(user, obj)
    if isinstance(obj, NominationList):
        return _list_actions(user, obj)
    return _nominee_actions(user, obj)


def _offered(user: User, candidates: dict[str, tuple[str, bool]]) -> frozenset[str]:
    """The actions whose permission the user holds and whose state rule the record meets."""
    return frozenset(name for name, (permission, now) in candidates.items() if now and user.has_perm(permission))


def _cycle_actions(user: User, cycle: Cycle) -> frozenset[str]:
    return _offered(
        user,
        {
            "edit": ("targeting.change_cycle", True),
            "set_quota": ("targeting.change_cycle", not cycle.is_frozen),
            "open": ("targeting.open_cycle", not cycle.is_frozen),
            "relay": ("targeting.relay_call", cycle.is_open),
            "start_list": ("targeting.nominate", cycle.is_open and not cycle.nominations_closed()),
            "approve_clean": ("targeting.decide", cycle.is_open),
            "issue_decree": ("targeting.decide", cycle.is_open),
            "download": ("targeting.view_cycle", cycle.has_opened),
        },
    )


def _list_changeable(nomination_list: NominationList) -> bool:
    """A village list can still change: a draft, in a cycle still taking nominations, before the deadline (the rule
    of the nominating services), so no page offers adding or submitting once the nominations are closed or decreed."""
    cycle = nomination_list.cycle
    return nomination_list.can("edit") and cycle.is_open and not cycle.nominations_closed()


def _list_actions(user: User, nomination_list: NominationList) -> frozenset[str]:
    changeable = _list_changeable(nomination_list)
    moving = nomination_list.cycle.is_open  # after the decree no list moves (the services refuse too)
    return _offered(
        user,
        {
            "edit": ("targeting.nominate", changeable),
            "submit": ("targeting.nominate", changeable),
            "endorse": ("targeting.endorse", moving and nomination_list.can("endorse")),
            "return_to_village": ("targeting.endorse", moving and nomination_list.can("return_to_village")),
            "return_to_kecamatan": ("targeting.decide", moving and nomination_list.can("return_to_kecamatan")),
        },
    )


def _nominee_actions(user: User, nominee: Nominee) -> frozenset[str]:
    changeable = _list_changeable(nominee.nomination_list)
    moving = nominee.nomination_list.cycle.is_open  # after the decree no nominee moves (the services refuse too)
    return _offered(
        user,
        {
            # A nominee is justified or removed while its village's list can still change.
            "justify": ("targeting.nominate", changeable),
            "remove": ("targeting.nominate", changeable),
            "endorse": ("targeting.endorse", moving and nominee.can("endorse")),
            "verify": ("targeting.verify", moving and nominee.can("verify")),
            "approve": ("targeting.decide", moving and nominee.can("approve")),
            "reject": ("targeting.decide", moving and nominee.can("reject")),
        },
    )
