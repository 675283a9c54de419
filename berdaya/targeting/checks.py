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
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from berdaya.lib.nik import check_nik
from berdaya.lib.scoping import region_q
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


def register_findings(nominee: Nominee, person: Person | None, cycle: Cycle) -> list[Finding]:
    """Listed in the register with a decile at or below the cycle's cut-off."""
    if person is None:
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


HISTORY_FIELDS = (
    "pk",
    "person__nik",
    "person__name",
    "person__birth_date",
    "person__sex",
    "person__birth_place",
    "household__village_id",
    "household__kk_number",
    "programme",
    "year",
)


def history_rows(*, region_code: str) -> list[HistoryRow]:
    """The assistance history of the cycle's region, for screening."""
    rows = AssistanceRecord.objects.filter(region_q("household__village__code", region_code)).order_by("pk")
    return [HistoryRow(*values) for values in rows.values_list(*HISTORY_FIELDS)]


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
    matches = engine.link(left, right)
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
            *screened.get(nominee.pk, []),
            *outside_findings(nominee, person, kecamatan),
            *duplicate_findings(nominee, others, villages),
        ]
    return results
