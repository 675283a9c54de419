"""Bulk builders for large synthetic data sets: a registry of households and persons, and running groups with two
years of records. Used by the province demo (`berdaya demo --scale province`) and by bench/monitoring.py.

The services would take hours at this size, so the rows are written directly: households and persons by the
registry import's own writer (COPY on PostgreSQL, with their history rows), the rest by `bulk_create` in batches,
without history rows. The records are the kinds the services make (the same fields, the same rules: two aid
stages, closed months whose totals are the month's entries, memberships of approved nominees), so every page
reads them as it reads the rest. Deterministic: every draw comes from the `random.Random` given.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from faker import Faker

from berdaya.accounts.models import User
from berdaya.business.models import (
    AidStage,
    Asset,
    AssetCheck,
    BusinessPlan,
    CashEntry,
    CashMonth,
    CreditApplication,
    IksEntry,
    Partnership,
    ProfitAllocation,
)
from berdaya.groups.models import FacilitatorAssignment, Kube, Membership
from berdaya.lib.months import month_end
from berdaya.mentoring.models import EnvironmentRecord, Meeting, MonthlyReport, Problem, Visit
from berdaya.monitoring.engine import month_index, month_of
from berdaya.regions.models import Boundary
from berdaya.registry.importing import insert_with_history
from berdaya.registry.models import Household, Person
from berdaya.registry.synthetic import build_kk, build_nik
from berdaya.targeting.models import Cycle, NominationList, Nominee
from berdaya.training.models import Participant, Training

from .groups import BUSINESSES, NAMES, PURPOSES

PRODUCTS = ["Kue lapis", "Bingka", "Amplang", "Keripik pisang", "Dodol", "Abon ikan", "Kerupuk"]
EXPENSES = ["materials", "materials", "transport", "wages", "rent", "other_expense"]
BIRTH_PLACES = ["Tanah Grogot", "Tenggarong", "Samarinda", "Balikpapan", "Bontang", "Sangatta", "Tanjung Redeb"]
OCCUPATIONS = ["Petani", "Nelayan", "Buruh harian", "Pedagang", "Ibu rumah tangga"]
GROUP_BATCH = 50  # groups whose records are held in memory and written at once
PERSON_BATCH = 50_000  # persons written at once (with their households)
NAME_POOL = 400  # names of each kind drawn once from Faker, then combined


@dataclass(frozen=True)
class Head:
    """A household head in the registry, as a group's membership needs it."""

    household_id: int
    person_id: int
    kk_number: str
    nik: str
    name: str
    sex: str
    birth_date: dt.date
    address: str


class People:
    """Synthetic households and persons: NIK and KK numbers valid for their village's kecamatan and never handed out
    twice, names combined from a pool drawn once from Faker id_ID (drawing 1 M names one by one takes minutes)."""

    def __init__(self, *, rng: random.Random, faker: Faker, by: User) -> None:
        self.rng, self.by = rng, by
        self.male = [faker.first_name_male() for _ in range(NAME_POOL)]
        self.female = [faker.first_name_female() for _ in range(NAME_POOL)]
        self.surnames = [faker.last_name() for _ in range(NAME_POOL)]
        self.streets = [faker.street_name() for _ in range(NAME_POOL // 4)]
        self.today = dt.date(2026, 1, 1)
        # Serials per (kecamatan, date, sex): the NIK and KK numbers' only free digits.
        self.serials: dict[tuple[str, dt.date, str], int] = {}
        self.households = self.persons = 0

    def _serial(self, key: tuple[str, dt.date, str]) -> int:
        serial = self.serials.get(key, 0) + 1
        if serial > 9999:
            raise ValueError(f"No NIK left for {key}")
        self.serials[key] = serial
        return serial

    def make(self, households: dict[str, int], *, sizes: tuple[int, int] = (1, 6)) -> dict[str, list[Head]]:
        """So many new households in each village (code: count), each of `sizes` persons; their heads by village."""
        heads: dict[str, list[Head]] = {}
        rows: list[dict[str, Any]] = []
        people: list[dict[str, Any]] = []
        for village, count in households.items():
            for _ in range(count):
                if len(people) >= PERSON_BATCH:
                    self._write(rows, people, heads)
                    rows, people = [], []
                self._household(village, rows, people, sizes)
        self._write(rows, people, heads)
        return heads

    def fill(self, villages: Sequence[str], persons: int) -> None:
        """Households in these villages (drawn at random) until `persons` more persons are in the registry."""
        target = self.persons + persons
        while self.persons < target:
            batch: dict[str, int] = {}
            for _ in range(max(1, min(PERSON_BATCH, target - self.persons) * 2 // 7)):  # 3.5 persons a household
                village = self.rng.choice(villages)
                batch[village] = batch.get(village, 0) + 1
            self.make(batch)

    def _household(self, village: str, rows: list[dict[str, Any]], people: list[dict[str, Any]], sizes: Any) -> None:
        rng, kecamatan = self.rng, village[:8]
        issued = dt.date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 5000))
        kk = build_kk(kecamatan=kecamatan, issued_on=issued, serial=self._serial((kecamatan, issued, "K")))
        address = f"Jl. {rng.choice(self.streets)} No. {rng.randint(1, 200)}, RT {rng.randint(1, 30):03d}"
        rows.append(
            {
                "kk_number": kk,
                "address": address,
                "village_id": village,
                "decile": rng.randint(1, 6),
                "register_id": f"DTSEN-{kk}",
                "register_verified_on": self.today - dt.timedelta(days=rng.randint(0, 700)),
            }
        )
        surname = rng.choice(self.surnames)
        for member in range(rng.randint(*sizes)):
            sex = "L" if member == 0 else ("P" if member == 1 else rng.choice("LP"))
            age = rng.randint(25, 60) if member < 2 else rng.randint(0, 24)
            born = self.today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
            nik = build_nik(kecamatan=kecamatan, birth_date=born, sex=sex, serial=self._serial((kecamatan, born, sex)))
            first = rng.choice(self.male if sex == "L" else self.female)
            people.append(
                {
                    "nik": nik,
                    "name": f"{first} {surname}",
                    "kk": kk,
                    "relation": "head" if member == 0 else ("spouse" if member == 1 else "child"),
                    "sex": sex,
                    "birth_place": rng.choice(BIRTH_PLACES),
                    "birth_date": born,
                    "marital_status": "married" if member < 2 else "single",
                    "education": rng.choice(["SD", "SMP", "SMA", "Tidak sekolah"]),
                    "occupation": rng.choice(OCCUPATIONS),
                    "disability": "fisik" if rng.random() < 0.02 else "",
                    "_village": village,
                    "_address": address,
                }
            )

    def _write(self, rows: list[dict[str, Any]], people: list[dict[str, Any]], heads: dict[str, list[Head]]) -> None:
        if not rows:
            return
        when = dt.datetime.now(tz=dt.UTC)
        household_ids = insert_with_history(Household, rows, by=self.by, when=when)
        extra = [(p.pop("kk"), p.pop("_village"), p.pop("_address")) for p in people]
        for person, (kk, _village, _address) in zip(people, extra, strict=True):
            person["household_id"] = household_ids[kk]
        person_ids = insert_with_history(Person, people, by=self.by, when=when)
        for person, (kk, village, address) in zip(people, extra, strict=True):
            if person["relation"] == "head":
                heads.setdefault(village, []).append(
                    Head(
                        household_id=person["household_id"],
                        person_id=person_ids[person["nik"]],
                        kk_number=kk,
                        nik=person["nik"],
                        name=person["name"],
                        sex=person["sex"],
                        birth_date=person["birth_date"],
                        address=address,
                    )
                )
        self.households += len(rows)
        self.persons += len(people)


@dataclass
class Area:
    """Where groups are built: a regency's cycle, the Dinas account that records for it, its facilitators and
    trainings, and the villages the groups work in (one group after another, round the list)."""

    admin: User
    cycle: Cycle
    facilitators: list[User]
    trainings: list[Training]
    villages: list[str]
    lists: dict[str, NominationList] = field(default_factory=dict)


def create_cycle(*, region_code: str, name: str, by: User, year: int, budget: int) -> Cycle:
    """A decided cycle whose approved nominees the bulk groups are formed from."""
    return Cycle.objects.create(
        name=name,
        region_id=region_code,
        year=year,
        funding_source=Cycle.FundingSource.APBD_REGENCY,
        budget=budget,
        nomination_deadline=dt.date(year - 1, 10, 1),
        endorsement_deadline=dt.date(year - 1, 10, 15),
        verval_deadline=dt.date(year - 1, 11, 15),
        decision_deadline=dt.date(year - 1, 12, 1),
        status=Cycle.Status.DECIDED,
        created_by=by,
    )


def create_trainings(*, region_code: str, count: int, start: dt.date, by: User, place: str = "Aula") -> list[Training]:
    kinds = [Training.Kind.MOTIVATION, Training.Kind.BOOKKEEPING, Training.Kind.TECHNICAL]
    titles = ["Bimbingan motivasi KUBE", "Pelatihan pembukuan sederhana", "Bimtek pengolahan produk"]
    return Training.objects.bulk_create(
        Training(
            title=f"{titles[n % 3]} {n // 3 + 1}",
            kind=kinds[n % 3],
            starts_on=start + dt.timedelta(days=20 + n * 600 // max(count, 1)),
            ends_on=start + dt.timedelta(days=22 + n * 600 // max(count, 1)),
            trainer="Dinas Sosial",
            place=place,
            region_id=region_code,
            created_by=by,
        )
        for n in range(count)
    )


def village_spots(villages: Sequence[str]) -> dict[str, list[list[list[float]]]]:
    """The outline rings of these villages, when the map's outlines are loaded (else none)."""
    return {
        code: json.loads(rings)
        for code, rings in Boundary.objects.filter(region_id__in=list(villages)).values_list("region_id", "rings")
    }


def inside(lon: float, lat: float, rings: list[list[list[float]]]) -> bool:
    """Whether the point is inside the outline (even-odd over every ring, as the map fills them)."""
    crossings = 0
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                crossings += 1
    return crossings % 2 == 1


def spot(rings: list[list[list[float]]] | None, rng: random.Random) -> tuple[Decimal, Decimal] | tuple[None, None]:
    """A point inside the outline (latitude, longitude): drawn in its box until one falls inside."""
    if not rings:
        return None, None
    lons = [p[0] for ring in rings for p in ring]
    lats = [p[1] for ring in rings for p in ring]
    lon, lat = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    for _ in range(200):
        x, y = rng.uniform(min(lons), max(lons)), rng.uniform(min(lats), max(lats))
        if inside(x, y, rings):
            lon, lat = x, y
            break
    return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")


def build_groups(
    area: Area,
    *,
    count: int,
    heads: dict[str, list[Head]],
    today: dt.date,
    rng: random.Random,
    name: Callable[[int, str], str],
    outlines: dict[str, list[list[list[float]]]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """`count` running groups of 10 members (heads taken from `heads` of their village) with two years of records:
    about 71 cash entries a month, closed months, meetings with attendance, visits (GPS inside the village when
    its outline is known), trainings, two aid stages, assets, problems, IKS, profit allocations, partnerships,
    credit and bina lingkungan records. Returns the new groups' ids."""
    first = month_index(today) - 23
    start = month_of(first)
    ids: list[int] = []
    for at in range(0, count, GROUP_BATCH):
        batch = range(at, min(count, at + GROUP_BATCH))
        villages = [area.villages[n % len(area.villages)] for n in batch]
        sectors = [rng.choice(list(BUSINESSES)) for _ in batch]
        kubes = Kube.objects.bulk_create(
            Kube(
                name=name(n, village)[:100],
                cycle=area.cycle,
                village_id=village,
                sector=sector,
                business_type=rng.choice(BUSINESSES[sector]),
                facilitator=area.facilitators[n % len(area.facilitators)],
                status=Kube.Status.ACTIVE,
                status_since=start,
                formed_on=start + dt.timedelta(days=rng.randint(0, 150)),
                created_by=area.admin,
            )
            for n, village, sector in zip(batch, villages, sectors, strict=True)
        )
        ids += [k.pk for k in kubes]
        _records(area, kubes, heads, today, rng, outlines or {})
        if progress:
            progress(at + len(batch))
    return ids


def _records(
    area: Area,
    kubes: list[Kube],
    heads: dict[str, list[Head]],
    today: dt.date,
    rng: random.Random,
    outlines: dict[str, list[list[list[float]]]],
) -> None:
    admin = area.admin
    first = month_index(today) - 23
    chosen = [[heads[k.village_id].pop() for _ in range(10)] for k in kubes]
    for kube in kubes:
        if kube.village_id not in area.lists:
            area.lists[kube.village_id] = NominationList.objects.create(
                cycle=area.cycle,
                village_id=kube.village_id,
                status=NominationList.Status.ENDORSED,
                created_by=admin,
            )
    nominees = Nominee.objects.bulk_create(
        (
            Nominee(
                nomination_list=area.lists[kube.village_id],
                cycle=area.cycle,
                person_id=h.person_id,
                nik=h.nik,
                name=h.name,
                kk_number=h.kk_number,
                birth_date=h.birth_date,
                sex=h.sex,
                address=h.address,
                reason=Nominee.Reason.NO_INCOME,
                status=Nominee.Status.APPROVED,
                created_by=admin,
            )
            for kube, people in zip(kubes, chosen, strict=True)
            for h in people
        ),
        batch_size=2000,
    )
    roles = [Membership.Role.CHAIR, Membership.Role.SECRETARY, Membership.Role.TREASURER] + ["member"] * 7
    memberships = []
    for index, nominee in enumerate(nominees):
        kube, h = kubes[index // 10], chosen[index // 10][index % 10]
        assert kube.formed_on is not None
        left = rng.random() < 0.03
        memberships.append(
            Membership(
                kube=kube,
                person_id=h.person_id,
                household_id=h.household_id,
                nominee=nominee,
                role=roles[index % 10] if not left else "member",
                joined_on=kube.formed_on,
                left_on=today - dt.timedelta(days=rng.randint(10, 200)) if left else None,
                added_by=admin,
            )
        )
    Membership.objects.bulk_create(memberships, batch_size=2000)

    assignments, participants, stages, assets, entries, months_closed = [], [], [], [], [], []
    meetings, problems, iks, allocations, partnerships, credits, environment, plans = [], [], [], [], [], [], [], []
    visits: list[Visit] = []
    attendance: list[tuple[int, list[Membership]]] = []
    presence: list[tuple[int, list[Membership]]] = []
    for k, kube in enumerate(kubes):
        assert kube.formed_on is not None and kube.facilitator is not None
        vigour = rng.random()  # how well the group does: from stalled to thriving
        people = memberships[k * 10 : k * 10 + 10]
        assignments.append(
            FacilitatorAssignment(kube=kube, facilitator=kube.facilitator, started_on=kube.formed_on, by=admin)
        )
        for training in rng.sample(area.trainings, min(2, len(area.trainings))):
            for member in people:
                participants.append(
                    Participant(training=training, membership=member, attended=rng.random() < 0.7 + vigour / 3)
                )
        paid = kube.formed_on + dt.timedelta(days=30)
        for number, amount in ((1, 10_000_000), (2, 10_000_000)):
            on = paid + dt.timedelta(days=180 * (number - 1))
            stages.append(
                AidStage(
                    kube=kube, number=number, amount=amount, planned_on=on, paid_on=on, paid_by=admin, created_by=admin
                )
            )
            entries.append(
                CashEntry(
                    kube=kube,
                    entry_date=on,
                    kind="income",
                    category="aid",
                    amount=amount,
                    description=f"Bantuan tahap {number}",
                    entered_by=admin,
                )
            )
        assets.append(
            Asset(
                kube=kube,
                item="Oven",
                value=3_500_000,
                received_on=paid,
                from_aid=True,
                created_by=admin,
                condition="broken" if rng.random() < 0.05 else "good",
            )
        )
        plans.append(BusinessPlan(kube=kube, expected_monthly_revenue=3_000_000, status="approved", created_by=admin))
        # The visits: every 20 to 40 days from a week after forming, the latest 3 to 70 days ago; the GPS near one
        # spot inside the village.
        latitude, longitude = spot(outlines.get(kube.village_id), random.Random(kube.name))
        day, last = kube.formed_on + dt.timedelta(days=7), today - dt.timedelta(days=rng.choice([3, 10, 20, 45, 70]))
        while day <= last:
            visits.append(
                Visit(
                    kube=kube,
                    visited_on=day,
                    purpose=rng.choice(PURPOSES),
                    topics="Pencatatan kas, pembagian tugas, rencana pemasaran.",
                    latitude=latitude,
                    longitude=longitude,
                    by=kube.facilitator,
                )
            )
            presence.append((len(visits) - 1, [member for member in people if rng.random() < 0.8]))
            day += dt.timedelta(days=rng.randint(20, 40))
        # The books: about 71 entries a month, sales growing with the group's vigour.
        balance = 0
        m0 = month_index(kube.formed_on)
        for m in range(max(first, m0), month_index(today) + 1):
            month = month_of(m)
            last_day = min(month_end(month), today)
            days = last_day.day
            growth = 1 + vigour * (m - first) / 24
            income = expense = 0
            for _ in range(71 if last_day == month_end(month) else 71 * days // 31):
                day = month.replace(day=rng.randint(1, days))
                if rng.random() < 0.62:
                    quantity, price = rng.randint(5, 40), rng.choice([2_000, 5_000, 10_000])
                    amount = int(quantity * price * growth)
                    income += amount
                    entries.append(
                        CashEntry(
                            kube=kube,
                            entry_date=day,
                            kind="income",
                            category="sales",
                            amount=amount,
                            description="Jual",
                            product=rng.choice(PRODUCTS),
                            quantity=quantity,
                            unit_price=price,
                            channel=rng.choice(CashEntry.Channel.values[: 2 + int(vigour * 4)]),
                            entered_by=admin,
                        )
                    )
                else:
                    amount = rng.randint(10, 160) * 1_000
                    expense += amount
                    entries.append(
                        CashEntry(
                            kube=kube,
                            entry_date=day,
                            kind="expense",
                            category=rng.choice(EXPENSES),
                            amount=amount,
                            description="Belanja",
                            entered_by=admin,
                        )
                    )
            if m < month_index(today) - 1 and rng.random() < 0.5 + vigour / 2:
                late = rng.randint(1, 12) if rng.random() < 0.8 else rng.randint(16, 40)
                months_closed.append(
                    CashMonth(
                        kube=kube,
                        month=month,
                        opening_balance=balance,
                        income=income,
                        expense=expense,
                        closing_balance=balance + income - expense,
                        closed_by=admin,
                        closed_at=dt.datetime.combine(
                            month_end(month) + dt.timedelta(days=late), dt.time(9), tzinfo=dt.UTC
                        ),
                    )
                )
            balance += income - expense
            if rng.random() < 0.4 + vigour / 2:
                meetings.append(
                    Meeting(
                        kube=kube,
                        held_on=month.replace(day=min(days, 15)),
                        agenda="Rapat bulanan",
                        minutes="Notulen" if rng.random() < 0.9 else "",
                        by=admin,
                    )
                )
                attendance.append((len(meetings) - 1, rng.sample(people, rng.randint(4, 10))))
            if m % 3 == 0:
                environment.append(
                    EnvironmentRecord(
                        kube=kube,
                        recorded_on=month.replace(day=min(days, 20)),
                        practices={"waste": True, "water": rng.random() < 0.7, "chemicals": rng.random() < 0.5},
                        neighbours_employed=rng.randint(0, 3),
                        social_activities="Gotong royong" if rng.random() < 0.3 else "",
                        by=admin,
                    )
                )
                if month_end(month) < today and vigour > 0.3:
                    profit = rng.randint(5, 20) * 100_000
                    allocations.append(
                        ProfitAllocation(
                            kube=kube,
                            period_start=month_of(m - 2),
                            period_end=month,
                            profit=profit,
                            share_capital=50,
                            share_members=40,
                            share_iks=10,
                            to_capital=profit // 2,
                            to_members=profit * 4 // 10,
                            to_iks=profit - profit // 2 - profit * 4 // 10,
                            members=10,
                            allocated_on=month_end(month),
                            by=admin,
                        )
                    )
            if rng.random() < 0.06:
                problems.append(
                    Problem(
                        kube=kube,
                        reported_on=month.replace(day=min(days, 8)),
                        origin="internal",
                        category="market",
                        severity=rng.choice([1, 2, 3]),
                        description="Pasar sepi",
                        resolved_on=(month.replace(day=min(days, 8)) + dt.timedelta(days=rng.randint(3, 90)))
                        if rng.random() < 0.8
                        else None,
                        by=admin,
                    )
                )
            if rng.random() < 0.05:
                iks.append(
                    IksEntry(
                        kube=kube,
                        entry_date=month.replace(day=min(days, 25)),
                        kind="use",
                        purpose=rng.choice(IksEntry.Purpose.values),
                        amount=100_000,
                        beneficiary="Warga",
                        by=admin,
                    )
                )
        if vigour > 0.6:
            partnerships.append(
                Partnership(
                    kube=kube,
                    partner="Toko Berkah",
                    kind="buyer",
                    started_on=kube.formed_on + dt.timedelta(days=200),
                    by=admin,
                )
            )
        if vigour > 0.8:
            credits.append(
                CreditApplication(
                    kube=kube,
                    lender="BRI",
                    amount_requested=10_000_000,
                    applied_on=today - dt.timedelta(days=200),
                    outcome="approved",
                    amount_approved=10_000_000,
                    decided_on=today - dt.timedelta(days=170),
                    by=admin,
                )
            )
    FacilitatorAssignment.objects.bulk_create(assignments)
    Participant.objects.bulk_create(participants, batch_size=2000)
    AidStage.objects.bulk_create(stages)
    created_assets = Asset.objects.bulk_create(assets)
    AssetCheck.objects.bulk_create(
        AssetCheck(asset=a, checked_on=today - dt.timedelta(days=30), condition=a.condition, by=admin)
        for a in created_assets
        if a.condition != "good"
    )
    BusinessPlan.objects.bulk_create(plans)
    CashEntry.objects.bulk_create(entries, batch_size=5000)
    CashMonth.objects.bulk_create(months_closed, batch_size=2000)
    Meeting.objects.bulk_create(meetings, batch_size=2000)
    Through = Meeting.attendees.through
    Through.objects.bulk_create(
        (Through(meeting_id=meetings[i].pk, membership_id=m.pk) for i, people in attendance for m in people),
        batch_size=5000,
    )
    Visit.objects.bulk_create(visits, batch_size=2000)
    Present = Visit.attendees.through
    Present.objects.bulk_create(
        (Present(visit_id=visits[i].pk, membership_id=m.pk) for i, people in presence for m in people),
        batch_size=5000,
    )
    Problem.objects.bulk_create(problems)
    IksEntry.objects.bulk_create(iks)
    ProfitAllocation.objects.bulk_create(allocations)
    Partnership.objects.bulk_create(partnerships)
    CreditApplication.objects.bulk_create(credits)
    EnvironmentRecord.objects.bulk_create(environment)


def monthly_reports(facilitators: Sequence[User], *, today: dt.date, rng: random.Random, by: User) -> int:
    """The facilitators' monthly reports of the two years, most of them sent on time and acknowledged."""
    first = month_index(today) - 23
    reports = []
    for facilitator in facilitators:
        for m in range(first, month_index(today)):
            if rng.random() < 0.85:
                sent = dt.datetime.combine(
                    month_end(month_of(m)) + dt.timedelta(days=rng.randint(1, 12)), dt.time(10), tzinfo=dt.UTC
                )
                reports.append(
                    MonthlyReport(
                        facilitator=facilitator,
                        month=month_of(m),
                        narrative="Kunjungan rutin ke kelompok dampingan.",
                        status=MonthlyReport.Status.ACKNOWLEDGED,
                        submitted_at=sent,
                        reviewed_by=by,
                        reviewed_at=sent + dt.timedelta(days=3),
                    )
                )
    return len(MonthlyReport.objects.bulk_create(reports, batch_size=2000))


def group_name(n: int, village_name: str) -> str:
    return f"KUBE {NAMES[n % len(NAMES)]} {village_name} {n + 1}"
