"""A demo cycle in progress: lists of Tanah Grogot villages with nominees in every state, flags included.

Built through the services, so the flags, transitions and audit trail are what real use would leave. Among the
nominees are earlier KUBE recipients typed with a misspelt name and two NIK digits transposed, as village lists do.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from faker import Faker

from berdaya.accounts.models import User
from berdaya.regions.models import Region
from berdaya.registry.models import AssistanceRecord, Person
from berdaya.targeting import services
from berdaya.targeting.checks import age_on
from berdaya.targeting.models import Cycle, NominationList, Nominee

TANAH_GROGOT = "64.01.04"
MINUTES = b"%PDF-1.4\n% demo berita acara musyawarah desa\n%%EOF\n"
CHECKED = dict.fromkeys(
    ["lives_at_address", "head_or_earner", "has_ktp_kk", "not_civil_servant", "truly_poor", "willing"], True
)
# Old spelling and common slips, as a village clerk would type a name from memory.
MISSPELLINGS = [("u", "oe"), ("j", "dj"), ("y", "j"), ("i", "y"), ("a", "ah")]


@dataclass(frozen=True)
class DemoTargeting:
    cycle: str
    lists: int
    nominees: int
    flagged: int


def misspell(name: str, rng: random.Random) -> str:
    for old, new in rng.sample(MISSPELLINGS, len(MISSPELLINGS)):
        if old in name.lower():
            index = name.lower().index(old)
            return name[:index] + new + name[index + len(old) :]
    return name + "h"


def transpose(nik: str) -> str:
    """Swap two different neighbouring digits of the serial, the typo the screening engine explains."""
    digits = list(nik)
    for i in range(12, 15):
        if digits[i] != digits[i + 1]:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            return "".join(digits)
    return nik


def _eligible(cycle: Cycle, village: str, taken: set[str]) -> list[Person]:
    persons = (
        Person.objects.filter(household__village_id=village, relation=Person.Relation.HEAD, household__decile__lte=4)
        .exclude(assistance__isnull=False)
        .exclude(nik__in=taken)
        .select_related("household")
        .order_by("nik")
    )
    return [
        p
        for p in persons
        if p.birth_date and cycle.age_min <= age_on(p.birth_date, cycle.nomination_deadline) <= cycle.age_max
    ]


def create_demo_targeting(*, faker: Faker, scale: str) -> DemoTargeting:
    """Create (once) "KUBE <year> Tahap I", open, with village lists in draft, submitted and endorsed states."""
    del scale  # the cycle is in Tanah Grogot at both scales: that is where the demo operators work
    existing = Cycle.objects.filter(name__startswith="KUBE ", name__endswith="Tahap I").first()
    if existing is not None:
        return DemoTargeting(existing.name, existing.lists.count(), existing.nominees.count(), 0)
    rng = random.Random(faker.random.random())
    admin = User.objects.get(username="admin")
    officer = User.objects.filter(username="dinas").first() or admin
    camat = User.objects.filter(username="camat.tanahgrogot").first() or admin
    today = timezone.localdate()
    regency = Region.objects.get(code=settings.BERDAYA_HOME_REGION)
    cycle = services.create_cycle(
        by=admin,
        name=f"KUBE {today.year + 1} Tahap I",
        year=today.year + 1,
        funding_source=Cycle.FundingSource.APBD_REGENCY,
        budget=400_000_000,
        aid_per_member=2_000_000,
        nomination_deadline=today + dt.timedelta(days=14),
        endorsement_deadline=today + dt.timedelta(days=28),
        verval_deadline=today + dt.timedelta(days=45),
        decision_deadline=today + dt.timedelta(days=60),
    )
    services.save_letterhead(
        region=regency,
        government_name=f"Pemerintah {regency.name}",
        office_name="Dinas Sosial",
        address="Jl. Jenderal Sudirman No. 1, Tanah Grogot",
        place="Tanah Grogot",
        signatory_name=faker.name(),
        signatory_title="Kepala Dinas Sosial",
        signatory_nip="197001011990031001",
        by=admin,
    )
    kecamatan = Region.objects.get(code=TANAH_GROGOT)
    services.set_quota(cycle=cycle, kecamatan=kecamatan, households=40, by=admin)
    for other in Region.objects.filter(parent=regency, level=Region.Level.KECAMATAN).exclude(pk=kecamatan.pk)[:3]:
        services.set_quota(cycle=cycle, kecamatan=other, households=20, by=admin)
    cycle = services.open_cycle(cycle=cycle, by=admin)
    services.relay_call(
        cycle=cycle,
        kecamatan=kecamatan,
        note="Mohon musyawarah desa dan usulan masuk paling lambat dua minggu lagi.",
        by=camat,
    )

    villages = list(
        Person.objects.filter(household__village__parent=kecamatan)
        .values_list("household__village_id", flat=True)
        .distinct()
        .order_by("household__village_id")
    )
    # Tanah Periuk (the demo village operator's, and the most people) carries the list through every state;
    # other villages stay submitted or draft, so each desk has work waiting.
    plan = {"64.01.04.2004": "endorsed"}
    for code, stage in zip([v for v in villages if v not in plan], ["submitted", "draft", "submitted"], strict=False):
        plan[code] = stage
    priors = list(
        AssistanceRecord.objects.filter(
            programme=AssistanceRecord.Programme.KUBE, household__village_id__in=list(plan)
        ).select_related("person__household")
    )
    taken: set[str] = set()
    for code, stage in plan.items():
        village = Region.objects.get(code=code)
        operator = User.objects.filter(region=village, role=User.Role.VILLAGE_OPERATOR).first() or admin
        nomination_list = services.start_list(cycle=cycle, village=village, by=operator)
        for person in _eligible(cycle, code, taken)[:10]:
            taken.add(person.nik)
            services.nominate_person(
                nomination_list=nomination_list,
                person=person,
                reason=rng.choice(list(Nominee.Reason.values)),
                reason_note=rng.choice(["Buruh harian lepas", "Janda, 3 anak", "Rumah tidak layak huni", ""]),
                by=operator,
            )
        for record in [r for r in priors if r.household.village_id == code][:2]:
            prior = record.person
            services.nominate_new(
                nomination_list=nomination_list,
                nik=transpose(prior.nik),
                name=misspell(prior.name, rng),
                kk_number=prior.household.kk_number,
                birth_date=prior.birth_date,
                sex=prior.sex,
                address=prior.household.address,
                reason=Nominee.Reason.NO_INCOME,
                by=operator,
            )
        if stage == "draft":
            continue
        _submit(nomination_list, operator)
        if stage == "endorsed":
            services.endorse_list(nomination_list=nomination_list, note="Sesuai hasil musyawarah desa.", by=camat)
            _verify_and_decide(nomination_list, officer, rng)
    nominees = cycle.nominees.count()
    flagged = cycle.nominees.filter(flags__isnull=False).distinct().count()
    return DemoTargeting(cycle.name, cycle.lists.count(), nominees, flagged)


def _submit(nomination_list: NominationList, operator: User) -> None:
    services.attach_minutes(
        nomination_list=nomination_list,
        file=SimpleUploadedFile("berita-acara-musdes.pdf", MINUTES, content_type="application/pdf"),
        meeting_date=timezone.localdate() - dt.timedelta(days=3),
        by=operator,
    )
    for nominee in nomination_list.nominees.filter(flags__severity="hard").distinct():
        services.override_flags(
            nominee=nominee,
            justification="Musyawarah desa menilai layak; mohon diverifikasi langsung oleh Dinas.",
            by=operator,
        )
    services.submit_list(nomination_list=nomination_list, by=operator)


def _verify_and_decide(nomination_list: NominationList, officer: User, rng: random.Random) -> None:
    """Leave one endorsed and one verified; approve the clean ones, reject the prior recipients and one more."""
    nominees = list(nomination_list.nominees.order_by("pk"))
    for index, nominee in enumerate(nominees):
        if index == 0:
            continue  # still waiting for its field visit
        services.verify_nominee(
            nominee=nominee,
            visit_date=timezone.localdate(),
            checklist=CHECKED,
            latitude=None,
            longitude=None,
            notes=rng.choice(["Rumah semi permanen, lantai tanah.", "Tinggal bersama 4 anggota keluarga.", ""]),
            by=officer,
        )
        if index == 1:
            continue  # verified, waiting for the decision
        if nominee.flags.filter(code="prior_kube").exists():
            services.reject_nominee(nominee=nominee, reason="Sudah pernah menerima bantuan KUBE.", by=officer)
        elif index == 2:
            services.reject_nominee(nominee=nominee, reason="Ternyata pensiunan PNS.", by=officer)
        else:
            services.approve_nominee(nominee=nominee, by=officer)
