"""Reads for the targeting pages, dashboard and documents; every one starts from what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.lib.scoping import kecamatan_code, region_ancestors, region_q
from berdaya.lib.waiting import Effort, Figures, Plan, Tally, Waiting, is_urgent, link, one_or_list, run_plan
from berdaya.regions.models import Region
from berdaya.registry.models import Person

from .models import CallRelay, Cycle, Flag, Letterhead, NominationList, Nominee, Quota, Transition


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


def relayed_kecamatan(*, cycle: Cycle) -> list[str]:
    """The names of the kecamatan that have relayed the cycle's call, in code order."""
    return list(cycle.relays.order_by("kecamatan_id").values_list("kecamatan__name", flat=True))


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


# What an action that cannot be undone will do (its confirmation page reads these; its service acts on the same) ----


@dataclass(frozen=True)
class VillageTally:
    """How many nominees an action names, and how many of them per village ("Kec. X · Desa Y", count)."""

    count: int
    by_village: list[tuple[str, int]]


def _tally(nominees: QuerySet[Nominee]) -> VillageTally:
    rows = (
        nominees.values("nomination_list__village__code", "nomination_list__village__name")
        .annotate(count=Count("pk"))
        .order_by("nomination_list__village__code")
    )
    by_village = [(row["nomination_list__village__name"], row["count"]) for row in rows]
    return VillageTally(count=sum(count for _, count in by_village), by_village=by_village)


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


def approve_clean_summary(*, cycle: Cycle, user: User) -> VillageTally:
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


# What waits for the user ----------------------------------------------------------------------------------------


def waiting_for(user: User, *, today: dt.date | None = None) -> list[Waiting]:
    """The targeting steps waiting for the user, one line per kind of step (see `plan_waiting`)."""
    return run_plan(user, lambda tally: plan_waiting(user, tally, today=today))


def plan_waiting(user: User, tally: Tally, *, today: dt.date | None = None) -> Plan:
    """Add to the tally the figures of the targeting steps waiting for the user; read them into lines.

    A village: open calls without its list, draft lists to submit, lists returned for correction (one query of its
    own: a row per open cycle). A kecamatan: calls to relay to its villages, village lists to endorse or return.
    The Dinas: nominees to verify in the field, verified nominees to decide, cycles whose nominees are all decided
    but whose decree (SK) is not issued. Each kind behind the permission of its step.
    """
    today = today or timezone.localdate()
    reads: list[Plan] = []
    if user.has_perm("targeting.nominate"):
        reads.append(lambda: _village_work(user, today))
    # The Dinas may relay a call on a kecamatan's behalf, but relaying is the kecamatan's work.
    if user.has_perm("targeting.relay_call") and not user.has_perm("targeting.open_cycle"):
        reads.append(_calls_to_relay(user, tally, today))
    if user.has_perm("targeting.endorse"):
        reads.append(_lists_to_endorse(user, tally, today))
    if user.has_perm("targeting.verify"):
        reads.append(_nominees_at(user, tally, today, "verify"))
    if user.has_perm("targeting.decide"):
        reads.append(_nominees_at(user, tally, today, "approve"))
        reads.append(_decrees_to_issue(user, tally, today))
    return lambda: [item for read in reads for item in read()]


def _spread(tally: Tally, rows: QuerySet[Any], *, cycle: str = "cycle_id", due: str = "") -> Figures:
    """How many rows, the first of them, the cycles they lie in, and their nearest deadline."""
    wanted = {"n": ("COUNT", "pk"), "one": ("MIN", "pk"), "first": ("MIN", cycle), "last": ("MAX", cycle)}
    if due:
        wanted["due"] = ("MIN", due)
    return tally.figures(rows, **wanted)


def _cycle_url(count: int, first: int | None, last: int | None) -> str:
    """The cycle's page when every record counted lies in one cycle, else the list of cycles."""
    if count and first is not None and first == last:
        return link("targeting:cycle-detail", first)
    return link("targeting:cycle-list")


def _village_work(user: User, today: dt.date) -> list[Waiting]:
    """One query: the open cycles whose call reached the user's village, with the village's list and its state."""
    village = user.region_id
    if village is None:
        return []
    own = NominationList.objects.filter(cycle=OuterRef("pk"), village_id=village)
    returned = Transition.objects.filter(
        nomination_list__cycle=OuterRef("pk"),
        nomination_list__village_id=village,
        nominee=None,
        action=Transition.Action.RETURN,
    )
    cycles = (
        Cycle.objects.visible_to(user)
        .filter(status=Cycle.Status.OPEN, nomination_deadline__gte=today)
        .filter(Exists(CallRelay.objects.filter(cycle=OuterRef("pk"), kecamatan_id=kecamatan_code(village))))
        .annotate(
            list_pk=Subquery(own.values("pk")[:1]),
            list_status=Subquery(own.values("status")[:1]),
            was_returned=Exists(returned),
        )
        .values("pk", "nomination_deadline", "list_pk", "list_status", "was_returned")
    )
    # kind -> (its cycles, its lists (none for a list not started), their nomination deadlines)
    kinds: dict[str, tuple[list[int], list[int], list[dt.date]]] = {}
    for row in cycles:
        if row["list_pk"] is None:
            kind = "start"
        elif row["list_status"] == NominationList.STEPS["submit"]:
            kind = "returned" if row["was_returned"] else "submit"
        else:
            continue
        cycle_pks, list_pks, dues = kinds.setdefault(kind, ([], [], []))
        cycle_pks.append(row["pk"])
        if row["list_pk"] is not None:
            list_pks.append(row["list_pk"])
        dues.append(row["nomination_deadline"])
    labels = {
        "start": ngettext_lazy(
            "%(count)s call for nominations waits for your village's list",
            "%(count)s calls for nominations wait for your village's lists",
            "count",
        ),
        "submit": ngettext_lazy(
            "%(count)s draft village list to complete and submit",
            "%(count)s draft village lists to complete and submit",
            "count",
        ),
        "returned": ngettext_lazy(
            "%(count)s village list returned for correction",
            "%(count)s village lists returned for correction",
            "count",
        ),
    }
    found = []
    for kind in ("returned", "submit", "start"):
        if kind not in kinds:
            continue
        cycle_pks, list_pks, dues = kinds[kind]
        count = len(cycle_pks)
        if list_pks:
            url = one_or_list(count, list_pks[0], "targeting:list-detail", link("targeting:cycle-list"))
        else:
            url = _cycle_url(count, min(cycle_pks), max(cycle_pks))
        due = min(dues)
        found.append(
            Waiting(
                label=labels[kind],
                count=count,
                url=url,
                effort=Effort.HUMAN,
                kind=f"targeting.{kind}",
                urgent=kind == "returned" or is_urgent(due, today),
                due=due,
            )
        )
    return found


def _line(row: Figures, today: dt.date, *, label: Promise, kind: str, detail: str | None = None) -> Plan:
    """One line of work from the figures `_spread` added to the tally, once the tally is read: the record's page
    (`detail`) when there is one record, else its cycle's page, else the list of cycles."""

    def read() -> list[Waiting]:
        if not row["n"]:
            return []
        url = _cycle_url(row["n"], row["first"], row["last"])
        if detail is not None:
            url = one_or_list(row["n"], row["one"], detail, url)
        return [
            Waiting(
                label=label,
                count=row["n"],
                url=url,
                effort=Effort.HUMAN,
                kind=kind,
                urgent=is_urgent(row["due"], today),
                due=row["due"],
            )
        ]

    return read


def _calls_to_relay(user: User, tally: Tally, today: dt.date) -> Plan:
    """Quotas of open cycles in the user's kecamatan whose call has not been relayed to the villages."""
    relayed = CallRelay.objects.filter(cycle=OuterRef("cycle"), kecamatan=OuterRef("kecamatan"))
    quotas = Quota.objects.visible_to(user).filter(cycle__status=Cycle.Status.OPEN).exclude(Exists(relayed))
    row = _spread(tally, quotas, due="cycle__nomination_deadline")
    return _line(
        row,
        today,
        label=ngettext_lazy(
            "%(count)s call for nominations to relay to the villages",
            "%(count)s calls for nominations to relay to the villages",
            "count",
        ),
        kind="targeting.relay",
    )


def _lists_to_endorse(user: User, tally: Tally, today: dt.date) -> Plan:
    """Submitted village lists of open cycles: the kecamatan endorses them or returns them to the village."""
    lists = NominationList.objects.visible_to(user).filter(
        status=NominationList.STEPS["endorse"], cycle__status=Cycle.Status.OPEN
    )
    row = _spread(tally, lists, due="cycle__endorsement_deadline")
    return _line(
        row,
        today,
        label=ngettext_lazy(
            "%(count)s village list to endorse or return",
            "%(count)s village lists to endorse or return",
            "count",
        ),
        kind="targeting.endorse",
        detail="targeting:list-detail",
    )


# The Dinas's nominee steps: the step's name in Nominee.STEPS -> (kind, deadline, label).
_NOMINEE_STEPS = {
    "verify": (
        "targeting.verify",
        "cycle__verval_deadline",
        ngettext_lazy(
            "%(count)s endorsed nominee awaits verval",
            "%(count)s endorsed nominees await verval",
            "count",
        ),
    ),
    "approve": (
        "targeting.decide",
        "cycle__decision_deadline",
        ngettext_lazy(
            "%(count)s verified nominee awaits a decision",
            "%(count)s verified nominees await a decision",
            "count",
        ),
    ),
}


def _nominees_at(user: User, tally: Tally, today: dt.date, step: str) -> Plan:
    """Nominees of open cycles in the status the step starts from: endorsed ones to verify, verified ones to decide."""
    kind, deadline, label = _NOMINEE_STEPS[step]
    nominees = Nominee.objects.visible_to(user).filter(cycle__status=Cycle.Status.OPEN, status=Nominee.STEPS[step])
    row = _spread(tally, nominees, due=deadline)
    return _line(row, today, label=label, kind=kind, detail="targeting:nominee-detail")


def _decrees_to_issue(user: User, tally: Tally, today: dt.date) -> Plan:
    """Open cycles with approved nominees and none still on the way to a decision: the decree (SK) can be issued."""
    nominees = Nominee.objects.filter(cycle=OuterRef("pk"))
    undecided = (Nominee.STEPS["endorse"], Nominee.STEPS["verify"], Nominee.STEPS["approve"])
    cycles = (
        Cycle.objects.visible_to(user)
        .filter(status=Cycle.Status.OPEN)
        .filter(Exists(nominees.filter(status=Nominee.Status.APPROVED)))
        .exclude(Exists(nominees.filter(status__in=undecided)))
    )
    row = _spread(tally, cycles, cycle="pk", due="decision_deadline")
    return _line(
        row,
        today,
        label=ngettext_lazy(
            "%(count)s cycle decided: issue its decree (SK)",
            "%(count)s cycles decided: issue their decrees (SK)",
            "count",
        ),
        kind="targeting.decree",
    )
