"""Reads that feed the registry pages and exports, always starting from what the user may see."""

from __future__ import annotations

import datetime as dt
import re

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import ngettext_lazy

from berdaya.accounts.models import User
from berdaya.lib.db import digits_prefix
from berdaya.lib.scoping import province_of, region_q
from berdaya.lib.waiting import Effort, Plan, Tally, Waiting, link, one_or_list, run_plan
from berdaya.regions.models import Region, RegionQuerySet

from .models import AssistanceRecord, Disclosure, Household, HouseholdQuerySet, ImportJob, Person, PersonQuerySet

_DIGITS = re.compile(r"^[0-9]+$")


def villages_for_filter(*, user: User) -> RegionQuerySet:
    """Kecamatan and villages the user may filter by: only those inside their scope."""
    return Region.objects.visible_to(user).filter(level__gte=Region.Level.KECAMATAN).order_by("code")


def _compact(query: str) -> str:
    """A number as typed, without the spaces, dots, dashes and apostrophes people put in NIKs and KK numbers."""
    return re.sub(r"[\s.\-']", "", query)


def _text_filter(query: str, *, name_path: str, nik_path: str, kk_path: str) -> Q:
    compact = _compact(query)
    if _DIGITS.match(compact):
        # A number is a NIK or a KK number, whole or its beginning.
        return digits_prefix(nik_path, compact) | digits_prefix(kk_path, compact)
    return Q(**{f"{name_path}__icontains": query})


def persons_for_list(*, user: User, query: str = "", village: str = "") -> PersonQuerySet:
    """Persons the user may see, found by NIK, KK number or name, in a village or kecamatan."""
    persons = Person.objects.visible_to(user).select_related("household__village")
    if query:
        persons = persons.filter(_text_filter(query, name_path="name", nik_path="nik", kk_path="household__kk_number"))
    if village:
        persons = persons.filter(region_q("household__village__code", village))
    return persons.order_by("name", "pk")


def households_for_list(*, user: User, query: str = "", village: str = "") -> HouseholdQuerySet:
    """Households the user may see, found by KK number, a member's NIK or name, in a village or kecamatan; each with
    its head's name (`head_name`)."""
    head = Person.objects.filter(household=OuterRef("pk"), relation=Person.Relation.HEAD).order_by("pk")
    households = (
        Household.objects.visible_to(user)
        .select_related("village")
        .annotate(head_name=Subquery(head.values("name")[:1]))
    )
    if query:
        matching = Person.objects.filter(
            _text_filter(query, name_path="name", nik_path="nik", kk_path="household__kk_number"),
            # The members of the user's households are in the user's province (and its partitions on PostgreSQL).
            province=province_of(user.region_id),
        ).values("household_id")
        found = Q(pk__in=matching)
        compact = _compact(query)
        if _DIGITS.match(compact):  # also a household without members yet
            found |= digits_prefix("kk_number", compact)
        households = households.filter(found)
    if village:
        households = households.filter(region_q("village__code", village))
    return households.order_by("kk_number")


def person_assistance(*, person: Person) -> list[AssistanceRecord]:
    """The aid this person and their household received, newest first."""
    return list(
        AssistanceRecord.objects.filter(Q(person=person) | Q(household_id=person.household_id))
        .select_related("person")
        .order_by("-year", "programme")
    )


def recent_imports(*, user: User, limit: int = 50) -> list[ImportJob]:
    """The latest imports of the user's region, newest first."""
    return list(ImportJob.objects.visible_to(user).select_related("created_by")[:limit])


def actions_for(user: User, job: ImportJob) -> frozenset[str]:
    """What the user may do to an import now: "commit" (store the checked rows), "map" (name unknown columns)."""
    if not user.has_perm("registry.add_importjob") or not job.is_checked:
        return frozenset()
    return frozenset({"commit", "map"} if job.wants_mapping else {"commit"})


def waiting_for(user: User) -> list[Waiting]:
    return run_plan(user, lambda tally: plan_waiting(user, tally))


def plan_waiting(user: User, tally: Tally) -> Plan:
    """The user's own imports that are checked and wait for them: to be imported, or mapped and checked again."""
    if not user.has_perm("registry.add_importjob"):
        return lambda: []
    # The queryset form of ImportJob.is_checked.
    jobs = ImportJob.objects.visible_to(user).filter(created_by_id=user.pk, status=ImportJob.Status.CHECKED)
    row = tally.figures(jobs, n=("COUNT", "pk"), one=("MIN", "pk"))

    def read() -> list[Waiting]:
        if not row["n"]:
            return []
        return [
            Waiting(
                label=ngettext_lazy(
                    "%(count)s checked import waits to be committed",
                    "%(count)s checked imports wait to be committed",
                    "count",
                ),
                count=row["n"],
                url=one_or_list(row["n"], row["one"], "registry:import-detail", link("registry:import-list")),
                effort=Effort.HUMAN,
                kind="registry.import",
            )
        ]

    return read


def disclosures_for_list(
    *,
    user: User,
    by: User | None = None,
    q: str = "",
    kind: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Disclosure]:
    """The access log the user may read (its region), newest first, filtered by who saw, whose data (a name or a
    NIK, as the registry search finds them), kind and days."""
    log = Disclosure.objects.visible_to(user).select_related("by", "person", "region")
    if by is not None:
        log = log.filter(by=by)
    if kind:
        log = log.filter(kind=kind)
    if since is not None:
        log = log.filter(at__gte=_start_of(since))
    if until is not None:
        log = log.filter(at__lt=_start_of(until + dt.timedelta(days=1)))
    if q:
        persons = Person.objects.filter(
            _text_filter(q, name_path="name", nik_path="nik", kk_path="household__kk_number")
        )
        linked = Disclosure.persons.through.objects.filter(person__in=persons.values("pk")).values("disclosure_id")
        log = log.filter(Q(person__in=persons.values("pk")) | Q(pk__in=linked))
    return log.order_by("-at", "-pk")


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
