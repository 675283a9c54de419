"""Demo KUBE: groups across Paser's kecamatan at every stage, eight facilitators, and a year of mentoring.

Groups, members, officers, visits, meetings, problems, trainings and reports go through the services, so the rules
and the audit trail are what real use would leave. Only the approved nominees of a past, decided cycle are written
directly (the way the targeting factories do): the demo needs people approved a year ago, not a workflow to replay.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from faker import Faker

from berdaya.accounts.models import User
from berdaya.groups import services
from berdaya.groups.models import FacilitatorAssignment, Kube, Membership
from berdaya.mentoring import services as mentoring
from berdaya.mentoring.models import Problem
from berdaya.regions.models import Boundary, Region
from berdaya.registry.models import Person
from berdaya.targeting.models import Cycle, NominationList, Nominee, Quota
from berdaya.training import services as training

GROUPS = {"small": 6, "regency": 40}
FACILITATORS = [f"pendamping{n}" for n in range(1, 9)]
BUSINESSES = {
    Kube.Sector.FISHERIES: ["Budidaya ikan nila", "Pengasapan ikan"],
    Kube.Sector.TOURISM: ["Warung wisata pantai"],
    Kube.Sector.HOME_INDUSTRY: ["Kue basah", "Anyaman rotan", "Keripik pisang"],
    Kube.Sector.LIVESTOCK: ["Ternak ayam kampung", "Ternak kambing"],
    Kube.Sector.FARMING: ["Sayur hidroponik", "Kebun lada"],
    Kube.Sector.TRADE: ["Warung sembako", "Jual beli hasil bumi"],
}
NAMES = ["Maju Bersama", "Sejahtera", "Harapan Baru", "Karya Mandiri", "Sumber Rejeki", "Bina Usaha", "Mekar Sari"]
PURPOSES = ["Pendampingan pembukuan", "Monitoring usaha", "Rapat evaluasi bulanan", "Pemasaran produk"]
PROBLEMS = [
    (Problem.Category.BOOKKEEPING, "internal", "Buku kas tidak diisi sejak bulan lalu."),
    (Problem.Category.CONFLICT, "internal", "Dua anggota berselisih soal pembagian kerja."),
    (Problem.Category.MARKET, "external", "Harga jual turun karena pedagang dari luar."),
    (Problem.Category.SUPPLIES, "external", "Bahan baku sulit didapat saat musim hujan."),
    (Problem.Category.CAPITAL, "internal", "Modal habis untuk kebutuhan anggota."),
    (Problem.Category.DISASTER, "external", "Banjir merusak kandang."),
]


@dataclass(frozen=True)
class DemoGroups:
    groups: int
    members: int
    visits: int
    problems: int
    trainings: int


def _facilitators(faker: Faker, scale: str) -> list[User]:
    """pendamping1 comes from the accounts demo; the regency scale has all eight. Make the ones missing."""
    home = Region.objects.get(code=settings.BERDAYA_HOME_REGION)
    wanted = FACILITATORS if scale == "regency" else FACILITATORS[:3]
    made = []
    for username in wanted:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=faker.first_name(), last_name=faker.last_name())
            user.role, user.region = User.Role.FACILITATOR, home
            user.set_password(settings.BERDAYA_DEMO_PASSWORD)
            user.save()
        made.append(user)
    return made


def _approved(cycle: Cycle, heads: list[Person], by: User) -> list[Nominee]:
    lists: dict[str, NominationList] = {}
    nominees = []
    for person in heads:
        village = person.household.village_id
        if village not in lists:
            lists[village], _created = NominationList.objects.get_or_create(
                cycle=cycle, village_id=village, defaults={"status": NominationList.Status.ENDORSED, "created_by": by}
            )
        nominees.append(
            Nominee(
                nomination_list=lists[village],
                cycle=cycle,
                person=person,
                nik=person.nik,
                name=person.name,
                kk_number=person.household.kk_number,
                birth_date=person.birth_date,
                sex=person.sex,
                address=person.household.address,
                reason=Nominee.Reason.NO_INCOME,
                status=Nominee.Status.APPROVED,
                created_by=by,
            )
        )
    return Nominee.objects.bulk_create(nominees)


def create_demo_groups(*, faker: Faker, scale: str) -> DemoGroups:
    """Create (once) the demo groups and their year of mentoring."""
    if Kube.objects.exists():
        return DemoGroups(Kube.objects.count(), Membership.objects.count(), 0, 0, 0)
    rng = random.Random(faker.random.random())
    officer = User.objects.filter(username="dinas").first() or User.objects.filter(role=User.Role.OFFICER).first()
    if officer is None:
        return DemoGroups(0, 0, 0, 0, 0)
    facilitators = _facilitators(faker, scale)
    today = timezone.localdate()
    start = today - dt.timedelta(days=380)
    home = Region.objects.get(code=settings.BERDAYA_HOME_REGION)
    cycle = Cycle.objects.create(
        name=f"KUBE {start.year} Tahap I",
        region=home,
        year=start.year,
        funding_source=Cycle.FundingSource.APBD_REGENCY,
        budget=1_000_000_000,
        nomination_deadline=start - dt.timedelta(days=90),
        endorsement_deadline=start - dt.timedelta(days=75),
        verval_deadline=start - dt.timedelta(days=45),
        decision_deadline=start - dt.timedelta(days=30),
        status=Cycle.Status.DECIDED,
        sk_number=f"001/SK-KUBE/DINSOS/{start.year}",
        sk_date=start - dt.timedelta(days=30),
        created_by=officer,
    )
    # Heads of households nobody has nominated yet, by kecamatan.
    nominated = Nominee.objects.filter(person__isnull=False).values("person__household_id")
    heads = (
        Person.objects.filter(relation=Person.Relation.HEAD)
        .exclude(household_id__in=nominated)
        .select_related("household")
        .order_by("nik")
    )
    by_kecamatan: dict[str, list[Person]] = {}
    for person in heads:
        by_kecamatan.setdefault(person.household.village_id[:8], []).append(person)
    plans: list[tuple[str, list[Person]]] = []
    kecamatan_codes = sorted(by_kecamatan)
    while len(plans) < GROUPS[scale] and any(len(by_kecamatan[k]) >= 10 for k in kecamatan_codes):
        for code in kecamatan_codes:
            if len(plans) < GROUPS[scale] and len(by_kecamatan[code]) >= 10:
                size = rng.randint(8, 10)
                plans.append((code, by_kecamatan[code][:size]))
                by_kecamatan[code] = by_kecamatan[code][size:]
    for code in {code for code, _ in plans}:
        Quota.objects.create(cycle=cycle, kecamatan_id=code, households=sum(len(p) for c, p in plans if c == code))
    # Every stage in every ten groups, so the small demo shows them all too.
    status = Kube.Status
    stages = [status.ACTIVE, status.FORMING, status.ACTIVE, status.INACTIVE, status.ACTIVE, status.GRADUATED]
    stages += [status.ACTIVE, status.DISSOLVED, status.ACTIVE, status.ACTIVE]
    visits = problems = 0
    kubes: list[Kube] = []
    for index, (_code, people) in enumerate(plans):
        nominees = _approved(cycle, people, officer)
        village = Region.objects.get(code=people[0].household.village_id)
        sector = rng.choice(list(BUSINESSES))
        facilitator = facilitators[index % len(facilitators)]
        kube = services.form_kube(
            cycle=cycle,
            village=village,
            name=f"KUBE {NAMES[index % len(NAMES)]} {village.name}"[:100],
            sector=sector,
            business_type=rng.choice(BUSINESSES[sector]),
            address=people[0].household.address,
            nominees=nominees,
            facilitator=facilitator,
            by=officer,
        )
        formed_on = start + dt.timedelta(days=rng.randint(0, 40))
        Membership.objects.filter(kube=kube).update(joined_on=formed_on)
        FacilitatorAssignment.objects.filter(kube=kube).update(started_on=formed_on)
        stage = stages[index % len(stages)]
        members = list(kube.memberships.order_by("pk"))
        services.set_officers(kube=kube, chair=members[0], secretary=members[1], treasurer=members[2], by=officer)
        if stage != Kube.Status.FORMING:
            services.update_kube(
                kube=kube,
                by=officer,
                formed_on=formed_on,
                formation_minutes=f"Musyawarah pembentukan di balai desa {village.name}, dihadiri {len(members)} KK.",
                bank_name=rng.choice(["BRI", "Bank Kaltimtara", "BNI"]),
                bank_account_number=f"{rng.randint(10**11, 10**12 - 1)}",
                bank_account_holder=kube.name,
                has_stamp=True,
            )
            services.set_rules(
                kube=kube,
                rules_text="Pasal 1: Rapat anggota setiap bulan.\nPasal 2: Keuntungan dibagi sesuai kesepakatan.",
                share_capital=Decimal("50"),
                share_members=Decimal("40"),
                share_iks=Decimal("10"),
                by=officer,
            )
            kube = services.change_status(kube=kube, to=Kube.Status.ACTIVE, on=formed_on, reason="", by=officer)
        # A year of mentoring while the group was running; a few groups without a recent visit.
        last = today - dt.timedelta(days=rng.choice([3, 10, 20, 45, 70]))
        if stage in (Kube.Status.INACTIVE, Kube.Status.DISSOLVED):
            last = min(last, today - dt.timedelta(days=60))  # visits stopped well before it went inactive
        day = formed_on + dt.timedelta(days=7)
        latitude, longitude = _spot(kube)
        while day <= last and stage != Kube.Status.FORMING:
            present = [m for m in members if rng.random() < 0.8]
            mentoring.record_visit(
                kube=kube,
                visited_on=day,
                purpose=rng.choice(PURPOSES),
                topics="Pencatatan kas, pembagian tugas, rencana pemasaran.",
                attendees=present,
                follow_ups=[("Lengkapi buku kas", day + dt.timedelta(days=14))] if rng.random() < 0.3 else [],
                latitude=latitude,
                longitude=longitude,
                by=facilitator,
            )
            visits += 1
            if rng.random() < 0.4:
                mentoring.record_meeting(
                    kube=kube,
                    held_on=day,
                    agenda="Rapat anggota bulanan",
                    decisions="Setoran kas mingguan; jadwal piket usaha.",
                    attendees=present,
                    by=facilitator,
                )
            day += dt.timedelta(days=rng.randint(20, 40))
        if stage != Kube.Status.FORMING and rng.random() < 0.45:
            category, origin, description = rng.choice(PROBLEMS)
            noticed = today - dt.timedelta(days=rng.randint(5, 200))
            problem = mentoring.report_problem(
                kube=kube,
                reported_on=max(noticed, formed_on),
                origin=origin,
                category=category,
                severity=rng.choice([1, 2, 3]),
                description=description,
                handler="Ketua kelompok",
                by=facilitator,
            )
            problems += 1
            if rng.random() < 0.3:
                mentoring.escalate_problem(problem=problem, note="Mohon bantuan Dinas.", by=facilitator)
            elif rng.random() < 0.5:
                mentoring.resolve_problem(
                    problem=problem,
                    resolved_on=min(today, problem.reported_on + dt.timedelta(days=rng.randint(3, 40))),
                    steps="Dibahas dalam rapat anggota dan disepakati bersama.",
                    by=facilitator,
                )
        ended = min(today, last + dt.timedelta(days=5))
        if stage in (Kube.Status.INACTIVE, Kube.Status.DISSOLVED):
            kube = services.change_status(
                kube=kube, to=Kube.Status.INACTIVE, on=ended, reason="Usaha berhenti sementara", by=officer
            )
        if stage == Kube.Status.DISSOLVED:
            kube = services.change_status(
                kube=kube, to=Kube.Status.DISSOLVED, on=today, reason="Anggota pindah ke luar daerah", by=officer
            )
        if stage == Kube.Status.GRADUATED:
            kube = services.change_status(
                kube=kube, to=Kube.Status.GRADUATED, on=ended, reason="Dinilai mandiri", by=officer
            )
        kubes.append(kube)
    trainings = _trainings(kubes, officer, start, rng)
    _reports(facilitators, today, officer)
    return DemoGroups(len(kubes), Membership.objects.count(), visits, problems, trainings)


def _trainings(kubes: list[Kube], officer: User, start: dt.date, rng: random.Random) -> int:
    home = Region.objects.get(code=settings.BERDAYA_HOME_REGION)
    plans = [
        ("Bimbingan motivasi KUBE", "motivation", 50),
        ("Pelatihan pembukuan sederhana", "bookkeeping", 80),
        ("Bimtek pengolahan hasil perikanan", "technical", 150),
    ]
    count = 0
    for title, kind, offset in plans:
        starts_on = start + dt.timedelta(days=offset)
        event = training.create_training(
            title=title,
            kind=kind,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=1),
            trainer="Dinas Sosial Kabupaten Paser",
            place="Aula Dinas Sosial, Tanah Grogot",
            region=home,
            by=officer,
        )
        invited = [k for k in kubes if k.status != Kube.Status.FORMING and rng.random() < 0.6]
        participants = training.invite_groups(training=event, kubes=invited, by=officer)
        present = [p.membership for p in participants if rng.random() < 0.85]
        skills = {m.pk: rng.choice(["Mencatat kas harian", "Menghitung laba", "Pengemasan produk"]) for m in present}
        training.record_attendance(training=event, attended=present, skills=skills, by=officer)
        count += 1
    return count


def _reports(facilitators: list[User], today: dt.date, officer: User) -> None:
    """Three months of reports per facilitator; the last month's left missing for some, to show the caseload."""
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for index, facilitator in enumerate(facilitators):
        for back in range(3, 0 if index % 3 else -1, -1):
            first = month
            for _ in range(back):
                first = (first - dt.timedelta(days=1)).replace(day=1)
            report = mentoring.draft_monthly_report(facilitator=facilitator, month=first, by=facilitator)
            mentoring.save_report_text(
                report=report,
                narrative="Kunjungan rutin ke kelompok dampingan; pembukuan mulai tertib.",
                next_plan="Melanjutkan pendampingan pemasaran dan rapat anggota.",
                by=facilitator,
            )
            report = mentoring.submit_report(report=report, by=facilitator)
            if back:
                mentoring.acknowledge_report(report=report, by=officer, note="Diterima.")


def _spot(kube: Kube) -> tuple[Decimal, Decimal] | tuple[None, None]:
    """Where the group works, for its visits' GPS: near the middle of its village's outline when the outlines are
    loaded (the map shows it there), a little apart for each group. Its own Random, seeded by the group's name, so
    that the scenario's draws stay as they were."""
    outline = Boundary.objects.filter(region_id=kube.village_id).first()
    if outline is None:
        return None, None
    apart = random.Random(kube.name)
    longitude = (outline.min_lon + outline.max_lon) / 2 + (outline.max_lon - outline.min_lon) * apart.uniform(-0.1, 0.1)
    latitude = (outline.min_lat + outline.max_lat) / 2 + (outline.max_lat - outline.min_lat) * apart.uniform(-0.1, 0.1)
    return Decimal(f"{latitude:.6f}"), Decimal(f"{longitude:.6f}")
