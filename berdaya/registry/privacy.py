"""Personal data: who may see a person's full NIK, KK number and address, and the one access log of each disclosure.

One rule, asked by every page, document, export (and later the API) through `shown_for` or its filters in
`templatetags/registry.py`:

- **outside the user's region** (a village operator's group member from another village): name only. No NIK, no
  KK number, no address, not even masked, and no reveal.
- **a role with `registry.reveal_nik`** (Admin Dinas, Petugas Dinas), inside its region: full numbers where the
  page or document needs them; each page reveal, document and export that carries them writes one `Disclosure`.
- **every other role** inside its region: NIK and KK number masked (`masked_nik`); the address in full only for a
  role that keeps the registry (`registry.change_household`: the operators who type it in), hidden for the
  read-only Pemantau and the facilitator.

`record_disclosure` is the only writer of the log. A document listing 40 persons writes one row with count=40 and
links those 40 persons, so "who saw this person's data" is one query (`disclosures_about`).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from berdaya.lib.scoping import region_contains

from .models import Disclosure, Person

if TYPE_CHECKING:
    from berdaya.accounts.models import User
    from berdaya.regions.models import Region

MASK = "••••••"
FULL_PERMISSION = "registry.reveal_nik"
ADDRESS_PERMISSION = "registry.change_household"
LOG_PERMISSION = "registry.view_disclosure"
# Through-table rows written per INSERT when a large export links its persons.
_LINK_BATCH = 5000


class Level(enum.Enum):
    """How much of one person's identifying data a user may be shown."""

    FULL = "full"  # full numbers and address (each disclosure in a document or export is logged)
    MASKED = "masked"  # masked numbers; the address only for a role that keeps the registry
    NAME_ONLY = "name_only"  # the name alone: the person lives outside the user's region


def masked_nik(nik: str | None) -> str:
    """A NIK or KK number as shown by default: the kecamatan (first 6) and the serial (last 4), the rest hidden."""
    if not nik:
        return ""
    if len(nik) < 10:
        return MASK
    return f"{nik[:6]}{MASK}{nik[-4:]}"


def in_scope(user: User | None, village_code: str | None) -> bool:
    """The person's village lies in the user's region. A person without a known village counts as inside (the row
    itself was reached through `visible_to`)."""
    if user is None or not user.is_authenticated or not user.is_active or user.region_id is None:
        return False
    return village_code is None or region_contains(user.region_id, village_code)


def level_for(user: User | None, village_code: str | None = None) -> Level:
    """The rule: how much of a person living in `village_code` this user may see."""
    if not in_scope(user, village_code):
        return Level.NAME_ONLY
    assert user is not None
    return Level.FULL if user.has_perm(FULL_PERMISSION) else Level.MASKED


def may_see_full(user: User | None, village_code: str | None = None) -> bool:
    return level_for(user, village_code) is Level.FULL


@dataclass(frozen=True)
class Shown:
    """A person's identifying data as one user may see it."""

    level: Level
    nik: str
    kk_number: str
    address: str

    @property
    def full(self) -> bool:
        return self.level is Level.FULL


def shown_for(
    user: User | None,
    *,
    nik: str | None,
    kk_number: str | None,
    address: str | None,
    village_code: str | None,
    issuer: bool = True,
) -> Shown:
    """NIK, KK number and address as `user` may see them (full, masked, or empty for name only). `issuer=False`
    masks them even for a role that may see them in full: a document that carries full numbers only in the copy of
    the role that issues it (the SK and its BNBA)."""
    level = level_for(user, village_code)
    if level is Level.FULL and not issuer:
        level = Level.MASKED
    if level is Level.NAME_ONLY:
        return Shown(level, "", "", "")
    if level is Level.FULL:
        return Shown(level, nik or "", kk_number or "", address or "")
    assert user is not None
    shown_address = (address or "") if user.has_perm(ADDRESS_PERMISSION) else (MASK if address else "")
    return Shown(level, masked_nik(nik), masked_nik(kk_number), shown_address)


def shown_person(user: User | None, person: Person) -> Shown:
    household = person.household
    return shown_for(
        user,
        nik=person.nik,
        kk_number=household.kk_number,
        address=household.address,
        village_code=household.village_id,
    )


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from as the server saw it (nginx passes the client's in REMOTE_ADDR)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record_disclosure(
    *,
    by: User,
    kind: str,
    region: Region | str,
    request: HttpRequest | None = None,
    person: Person | None = None,
    persons: Iterable[int] | QuerySet[Person] | None = None,
    count: int | None = None,
    document: str = "",
) -> Disclosure:
    """Log that `by` was shown full personal data: one row per reveal, document or export, with its row count and
    the persons it carried (ids or a queryset of persons)."""
    ids: list[int] = []
    if persons is not None:
        ids = list(persons.values_list("pk", flat=True)) if isinstance(persons, QuerySet) else list(persons)
    if person is not None and person.pk not in ids:
        ids.append(person.pk)
    with transaction.atomic():
        disclosure = Disclosure.objects.create(
            by=by,
            kind=kind,
            person=person,
            count=count if count is not None else max(len(ids), 1),
            document=document[:200],
            url=(request.get_full_path() if request is not None else "")[:500],
            region_id=region if isinstance(region, str) else region.pk,
            ip=client_ip(request),
            user_agent=(request.headers.get("User-Agent", "") if request is not None else "")[:300],
        )
        link = Disclosure.persons.through
        for start in range(0, len(ids), _LINK_BATCH):
            link.objects.bulk_create(
                [link(disclosure_id=disclosure.pk, person_id=pk) for pk in ids[start : start + _LINK_BATCH]]
            )
    return disclosure


def disclosures_about(person: Person) -> QuerySet[Disclosure]:
    """Every logged disclosure that carried this person's data, newest first."""
    linked = Disclosure.persons.through.objects.filter(person_id=person.pk).values("disclosure_id")
    return Disclosure.objects.filter(Q(person=person) | Q(pk__in=linked)).select_related("by").order_by("-at", "-pk")
