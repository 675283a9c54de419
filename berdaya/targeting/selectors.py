"""Reads for the targeting pages, dashboard and documents; every one starts from what the user may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from berdaya.accounts.models import User
from berdaya.regions.models import Region
from berdaya.registry.models import Person

from .models import Cycle, Flag, NominationList, Nominee, Notification, Quota


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


def cycle_dashboard(*, cycle: Cycle, user: User, today: dt.date | None = None) -> Dashboard:
    """Per kecamatan and village of the user's scope: quota, nominated, flagged, verified, approved, rejected.

    A fixed number of queries whatever the size of the cycle: quotas, lists, and one grouped count of nominees.
    """
    today = today or timezone.localdate()
    quotas = list(Quota.objects.visible_to(user).filter(cycle=cycle).select_related("kecamatan"))
    # A village operator's scope is below its kecamatan's quota row: show it its kecamatan's quota all the same.
    if not quotas and user.region_id and user.region_id.count(".") == 3:
        quotas = list(cycle.quotas.filter(kecamatan_id=user.region_id.rsplit(".", 1)[0]).select_related("kecamatan"))
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
        parent = kecamatan.get(code.rsplit(".", 1)[0])
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


def inbox(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.for_user(user).select_related("cycle")


def unread_count(*, user: User) -> int:
    return Notification.objects.for_user(user).unread().count()
