"""The automatic checks on nominees, and the adapter that runs the screening engine on them.

Each check returns `Finding`s; `refresh_flags` (services.py) stores them as `Flag` rows. Messages are English msgids
with named placeholders, marked with gettext_noop so that they reach the catalogue and are translated when shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from berdaya.lib.nik import check_nik
from berdaya.lib.scoping import province_of
from berdaya.regions.models import Region
from berdaya.registry.models import AssistanceRecord, Person
from berdaya.screening import engine

from .models import Cycle, Flag, Nominee

HARD = Flag.Severity.HARD
SOFT = Flag.Severity.SOFT
# Nominees are few (a village list, a cycle) but the history can be a regency's: read it in one pass of columns.
ENGINE_COLUMNS = engine.COLUMNS


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    params: dict[str, str | int] = field(default_factory=dict)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _birth_date(nominee: Nominee, *, today: dt.date) -> dt.date | None:
    if nominee.birth_date is not None:
        return nominee.birth_date
    facts = check_nik(nominee.nik, today=today).facts
    return facts.birth_date if facts else None


def from_register(person: Person) -> bool:
    """The person's household carries something of the register (DTSEN): a decile, an id or a verification date.

    A person entered by hand with a nomination is kept in the registry (so that the nominee can join a group) but
    carries none of these: for the eligibility rules they are still not in the register.
    """
    household = person.household
    return household.decile is not None or bool(household.register_id) or household.register_verified_on is not None


def register_findings(nominee: Nominee, person: Person | None, cycle: Cycle) -> list[Finding]:
    """Listed in the register with a decile at or below the cycle's cut-off."""
    if person is None or not from_register(person):
        return [
            Finding(
                Flag.Code.NOT_IN_REGISTER,
                HARD,
                gettext_noop("NIK %(nik)s is not in the register (DTSEN)."),
                {"nik": nominee.nik},
            )
        ]
    decile = person.household.decile
    if decile is None:
        return [Finding(Flag.Code.DECILE, SOFT, gettext_noop("The household has no welfare decile in the register."))]
    if decile > cycle.decile_max:
        return [
            Finding(
                Flag.Code.DECILE,
                HARD,
                gettext_noop("Welfare decile %(decile)d is above the cut-off of %(max)d."),
                {"decile": decile, "max": cycle.decile_max},
            )
        ]
    return []


def age_findings(nominee: Nominee, cycle: Cycle, *, today: dt.date) -> list[Finding]:
    """Aged within the cycle's range on the nomination deadline."""
    born = _birth_date(nominee, today=today)
    if born is None:
        return [Finding(Flag.Code.AGE, SOFT, gettext_noop("The birth date is unknown: check the age on the KTP."))]
    age = age_on(born, cycle.nomination_deadline)
    if cycle.age_min <= age <= cycle.age_max:
        return []
    return [
        Finding(
            Flag.Code.AGE,
            HARD,
            gettext_noop("Aged %(age)d, outside %(min)d–%(max)d."),
            {"age": age, "min": cycle.age_min, "max": cycle.age_max},
        )
    ]


def nik_findings(nominee: Nominee, *, today: dt.date) -> list[Finding]:
    """A NIK that disagrees with the birth date or sex is only a warning: Dukcapil will not change it."""
    sex = nominee.sex or None
    result = check_nik(nominee.nik, today=today, birth_date=nominee.birth_date, sex=sex)
    problems = [*result.errors, *result.warnings]
    return [
        Finding(Flag.Code.NIK, SOFT if not result.errors else HARD, problem.message, dict(problem.params))
        for problem in problems
        if problem.code not in ("apostrophe", "excel_float")
    ]


def outside_findings(nominee: Nominee, person: Person | None, kecamatan_code: str) -> list[Finding]:
    """The registered household lives in a village of the list's kecamatan."""
    if person is None or person.household.village.code_within(kecamatan_code):
        return []
    return [
        Finding(
            Flag.Code.OUTSIDE,
            HARD,
            gettext_noop("Registered in %(village)s (%(code)s), outside this kecamatan."),
            {"village": person.household.village.name, "code": person.household.village_id},
        )
    ]


@dataclass(frozen=True)
class HistoryRow:
    """One assistance record as the screening reads it: plain values, not model instances (a regency has many)."""

    pk: int
    nik: str
    name: str
    birth_date: dt.date | None
    sex: str
    birth_place: str
    village_code: str
    kk_number: str
    programme: str
    year: int


PERSON_FIELDS = ("nik", "name", "birth_date", "sex", "birth_place")
RECORD_FIELDS = ("pk", "person_id", "household__village_id", "household__kk_number", "programme", "year")


def history_rows(*, region_code: str) -> list[HistoryRow]:
    """The assistance history of the cycle's region, for screening.

    Read in two queries, the records of the region and the persons they name, each with the region's province: on
    PostgreSQL each then reads one province's partitions, where one join of records to persons would look for each
    person in every province's. A record's person is in its province unless they moved to a KK of another province
    since: those few are looked up by id wherever they are.
    """
    province = province_of(region_code)
    records = AssistanceRecord.objects.in_region(region_code).order_by("pk")
    persons = Person.objects.filter(province=province, pk__in=records.values("person_id")).order_by()
    people = {pk: values for pk, *values in persons.values_list("pk", *PERSON_FIELDS)}
    rows = list(records.values_list(*RECORD_FIELDS))
    moved = {person_id for _pk, person_id, *_rest in rows if person_id not in people}
    if moved:
        people.update(
            {
                pk: values
                for pk, *values in Person.objects.filter(pk__in=moved).order_by().values_list("pk", *PERSON_FIELDS)
            }
        )
    history = []
    for pk, person_id, village, kk, programme, year in rows:
        nik, name, birth_date, sex, birth_place = people[person_id]
        history.append(HistoryRow(pk, nik, name, birth_date, sex, birth_place, village, kk, programme, year))
    return history


def _history_frame(records: Sequence[HistoryRow]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [str(r.pk) for r in records],
            "nik": [r.nik for r in records],
            "name": [r.name for r in records],
            "birth_date": [r.birth_date.isoformat() if r.birth_date else "" for r in records],
            "sex": [r.sex for r in records],
            "birth_place": [r.birth_place for r in records],
            "village_code": [r.village_code for r in records],
            "kk_number": [r.kk_number for r in records],
        },
        schema=dict.fromkeys(ENGINE_COLUMNS, pl.String),
    )


def _nominee_frame(nominees: Sequence[Nominee], villages: dict[int, str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [str(n.pk) for n in nominees],
            "nik": [n.nik for n in nominees],
            "name": [n.name for n in nominees],
            "birth_date": [n.birth_date.isoformat() if n.birth_date else "" for n in nominees],
            "sex": [n.sex for n in nominees],
            "birth_place": ["" for _ in nominees],
            "village_code": [villages[n.pk] for n in nominees],
            "kk_number": [n.kk_number for n in nominees],
        },
        schema=dict.fromkeys(ENGINE_COLUMNS, pl.String),
    )


def screening_findings(
    nominees: Sequence[Nominee], history: Sequence[HistoryRow], *, villages: dict[int, str], today: dt.date
) -> dict[int, list[Finding]]:
    """Prior aid found by the screening engine, with the engine's reason; KUBE aid blocks, other aid is for review."""
    found: dict[int, list[Finding]] = defaultdict(list)
    if not nominees or not history:
        return found
    left = engine.people_from_frame(_nominee_frame(nominees, villages), source="nominees", today=today)
    right = engine.people_from_frame(_history_frame(history), source="history", today=today)
    matches = engine.link_on(
        settings.BERDAYA_SCREENING_CLUSTER, left, right, min_records=settings.BERDAYA_SCREENING_CLUSTER_MIN_RECORDS
    )
    for i, j, reason in zip(matches.left.tolist(), matches.right.tolist(), matches.reasons, strict=True):
        nominee, record = nominees[i], history[j]
        kube = record.programme == AssistanceRecord.Programme.KUBE
        found[nominee.pk].append(
            Finding(
                Flag.Code.PRIOR_KUBE if kube else Flag.Code.OTHER_AID,
                HARD if kube else SOFT,
                gettext_noop("Received %(programme)s in %(year)d as %(name)s: %(reason)s"),
                {
                    "programme": record.programme,  # the code: Flag.text names it in the reader's language
                    "year": record.year,
                    "name": record.name,
                    "reason": reason,
                },
            )
        )
    return found


def household_findings(nominee: Nominee, others: Iterable[Nominee], kube_kks: set[str]) -> list[Finding]:
    """One member per household: no other nominee of this cycle and no earlier KUBE member from the same KK."""
    findings = []
    same_kk = [other for other in others if other.kk_number == nominee.kk_number and other.pk != nominee.pk]
    if same_kk:
        findings.append(
            Finding(
                Flag.Code.SAME_KK,
                HARD,
                gettext_noop("%(name)s from the same KK %(kk)s is also nominated in this cycle."),
                {"name": same_kk[0].name, "kk": nominee.kk_number},
            )
        )
    if nominee.kk_number in kube_kks:
        findings.append(
            Finding(
                Flag.Code.SAME_KK,
                HARD,
                gettext_noop("A member of KK %(kk)s has already received KUBE aid."),
                {"kk": nominee.kk_number},
            )
        )
    return findings


@dataclass(frozen=True)
class KubeMember:
    """A current or past KUBE membership of a person, read through the registry (targeting sits below groups)."""

    person_id: int
    nik: str
    name: str
    kk_number: str  # the household the member joined from, as the membership recorded it
    kube: str
    joined_on: dt.date
    left_on: dt.date | None


# Membership (groups) points at the registry's Person with related_name "memberships", and copies the member's
# household: these lookups follow that relation by name, so targeting reads memberships without importing groups.
MEMBER_FIELDS = (
    "pk",
    "nik",
    "name",
    "memberships__household__kk_number",
    "memberships__kube__name",
    "memberships__joined_on",
    "memberships__left_on",
)


def kube_members(
    *, kks: Iterable[str] = (), niks: Iterable[str] = (), person_ids: Iterable[int] = ()
) -> list[KubeMember]:
    """Every KUBE membership, current or past, of these households (by KK number) or these persons."""
    query = Q(memberships__household__kk_number__in=list(kks)) | Q(
        Q(nik__in=list(niks)) | Q(pk__in=list(person_ids)), memberships__isnull=False
    )
    rows = Person.objects.filter(query).values_list(*MEMBER_FIELDS).order_by("memberships__joined_on", "pk")
    return [KubeMember(*row) for row in rows]


def _is_nominee(member: KubeMember, nominee: Nominee) -> bool:
    return member.nik == nominee.nik or (nominee.person_id is not None and member.person_id == nominee.person_id)


def membership_findings(nominee: Nominee, members: Iterable[KubeMember]) -> list[Finding]:
    """Never a KUBE member before, and no one of the household in a KUBE now or earlier (the membership says so even
    where the assistance history does not)."""
    findings = []
    for member in members:
        own = _is_nominee(member, nominee)
        if not own and member.kk_number != nominee.kk_number:
            continue
        params: dict[str, str | int] = {"kube": member.kube, "start": member.joined_on.year}
        if own:
            code = Flag.Code.PRIOR_KUBE
            message = (
                gettext_noop("A KUBE member (%(kube)s) since %(start)d.")
                if member.left_on is None
                else gettext_noop("Was a KUBE member (%(kube)s) from %(start)d to %(end)d.")
            )
        else:
            code = Flag.Code.SAME_KK
            params |= {"name": member.name, "kk": member.kk_number}
            message = (
                gettext_noop("%(name)s from the same KK %(kk)s has been a KUBE member (%(kube)s) since %(start)d.")
                if member.left_on is None
                else gettext_noop(
                    "%(name)s from the same KK %(kk)s was a KUBE member (%(kube)s) from %(start)d to %(end)d."
                )
            )
        if member.left_on is not None:
            params["end"] = member.left_on.year
        findings.append(Finding(code, HARD, message, params))
    return findings


def duplicate_findings(nominee: Nominee, others: Iterable[Nominee], villages: dict[int, str]) -> list[Finding]:
    """The same NIK (or registered person) nominated again in this cycle, in any village."""
    twins = [
        other
        for other in others
        if other.pk != nominee.pk
        and (other.nik == nominee.nik or (nominee.person_id is not None and other.person_id == nominee.person_id))
    ]
    return [
        Finding(
            Flag.Code.DUPLICATE,
            HARD,
            gettext_noop("Also nominated in this cycle by %(village)s."),
            {"village": villages.get(other.pk, "")},
        )
        for other in twins
    ]


def check_nominees(
    nominees: Sequence[Nominee], *, cycle: Cycle, today: dt.date | None = None
) -> dict[int, list[Finding]]:
    """Every check on these nominees of one cycle; the key is the nominee's pk."""
    today = today or timezone.localdate()
    nominees = list(nominees)
    if not nominees:
        return {}
    niks = {n.nik for n in nominees}
    kks = {n.kk_number for n in nominees}
    person_ids = {n.person_id for n in nominees if n.person_id}
    # By NIK in every province, not only the cycle's: a nominee registered elsewhere is flagged as outside.
    persons = {
        p.nik: p
        for p in Person.objects.filter(Q(nik__in=niks) | Q(pk__in=person_ids)).select_related("household__village")
    }
    by_pk = {p.pk: p for p in persons.values()}
    # Every nominee of the cycle who could collide with these: the same NIK, KK or person, in any village.
    others = list(
        Nominee.objects.filter(cycle=cycle)
        .filter(Q(nik__in=niks) | Q(kk_number__in=kks) | Q(person_id__in=person_ids))
        .select_related("nomination_list__village")
    )
    villages = {n.pk: n.nomination_list.village.name for n in others}
    village_codes = {n.pk: n.nomination_list.village_id for n in others}
    for n in nominees:
        village_codes.setdefault(n.pk, n.nomination_list.village_id)
    kube_kks = set(
        AssistanceRecord.objects.filter(
            household__kk_number__in=kks, programme=AssistanceRecord.Programme.KUBE
        ).values_list("household__kk_number", flat=True)
    )
    members = kube_members(kks=kks, niks=niks, person_ids=person_ids)
    history = history_rows(region_code=cycle.region_id)
    screened = screening_findings(nominees, history, villages=village_codes, today=today)

    results: dict[int, list[Finding]] = {}
    for nominee in nominees:
        person = by_pk.get(nominee.person_id) if nominee.person_id else persons.get(nominee.nik)
        kecamatan = nominee.nomination_list.kecamatan_code
        results[nominee.pk] = [
            *register_findings(nominee, person, cycle),
            *age_findings(nominee, cycle, today=today),
            *nik_findings(nominee, today=today),
            *household_findings(nominee, others, kube_kks),
            *membership_findings(nominee, members),
            *screened.get(nominee.pk, []),
            *outside_findings(nominee, person, kecamatan),
            *duplicate_findings(nominee, others, villages),
        ]
    return results


# Joining a group ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Obstacle:
    """Why an approved nominee could not join a KUBE now, in the reader's language."""

    code: str
    message: str


def join_obstacles(nominees: Sequence[Nominee]) -> dict[int, Obstacle]:
    """What stops each nominee from joining a KUBE of their kecamatan now; a nominee free to join is absent.

    The rules of groups' `check_eligible` (linked to a registry person, living in the list's kecamatan, no current
    member in the household), read here because targeting sits below groups: the decree and the approvals ask them
    before anyone is printed in an SK, the formation page to say why someone is not offered.
    """
    linked = [n for n in nominees if n.person_id is not None]
    persons = Person.objects.select_related("household__village").in_bulk([n.person_id for n in linked])
    households = {p.household_id for p in persons.values()}
    # A current membership of the household, reached from the registry by the relation's name (see MEMBER_FIELDS).
    current = {
        household: (pk, name, kube)
        for pk, name, household, kube in Person.objects.filter(
            memberships__household_id__in=households, memberships__left_on__isnull=True
        ).values_list("pk", "name", "memberships__household_id", "memberships__kube__name")
    }
    kecamatans = {
        region.code: region.name
        for region in Region.objects.filter(code__in={n.nomination_list.kecamatan_code for n in nominees})
    }
    found: dict[int, Obstacle] = {}
    for nominee in nominees:
        person = persons.get(nominee.person_id) if nominee.person_id else None
        if person is None:
            found[nominee.pk] = Obstacle("not_linked", _("Not linked to a person in the registry."))
            continue
        kecamatan = nominee.nomination_list.kecamatan_code
        if not person.household.village.code_within(kecamatan):
            found[nominee.pk] = Obstacle(
                "outside",
                _("Lives in %(village)s, outside kecamatan %(kecamatan)s.")
                % {"village": person.household.village.name, "kecamatan": kecamatans.get(kecamatan, kecamatan)},
            )
            continue
        member = current.get(person.household_id)
        if member is None:
            continue
        member_pk, member_name, kube = member
        if member_pk == person.pk:
            found[nominee.pk] = Obstacle("member", _("Already a KUBE member (%(kube)s).") % {"kube": kube})
        else:
            found[nominee.pk] = Obstacle(
                "household",
                _("%(name)s of the same household is already a KUBE member (%(kube)s).")
                % {"name": member_name, "kube": kube},
            )
    return found


def decision_obstacles(nominees: Sequence[Nominee], *, cycle: Cycle) -> dict[int, Obstacle]:
    """Why each of these nominees, approved (or about to be), could not join a group: `join_obstacles`, and another
    approved nominee of the cycle from the same household (only one of them could ever join)."""
    found = join_obstacles(nominees)
    approved = (
        Nominee.objects.filter(cycle=cycle, status=Nominee.Status.APPROVED, person__isnull=False)
        .values_list("pk", "name", "person__household_id")
        .order_by("pk")
    )
    by_household: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, name, household in approved:
        by_household[household].append((pk, name))
    households = dict(
        Person.objects.filter(pk__in=[n.person_id for n in nominees if n.person_id]).values_list("pk", "household_id")
    )
    for nominee in nominees:
        if nominee.pk in found or nominee.person_id is None:
            continue
        others = [name for pk, name in by_household.get(households[nominee.person_id], []) if pk != nominee.pk]
        if others:
            found[nominee.pk] = Obstacle(
                "same_household",
                _("%(name)s of the same household is also approved: only one member per household joins a group.")
                % {"name": others[0]},
            )
    return found
