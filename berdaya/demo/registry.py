"""Demo households and persons across Paser villages, with some assistance history. Synthetic people only."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from faker import Faker

from berdaya.accounts.models import User
from berdaya.regions.models import Region
from berdaya.registry.importing import insert_with_history
from berdaya.registry.models import AssistanceRecord, Household, Person
from berdaya.registry.synthetic import build_kk, build_nik

SIZES = {"small": 300, "regency": 20_000}
TANAH_PERIUK = "64.01.04.2004"
PROGRAMMES = [
    ("pkh", 3_000_000, "APBN"),
    ("bpnt", 2_400_000, "APBN"),
    ("blt", 1_800_000, "APBDes"),
    ("rs_rtlh", 20_000_000, "APBD Kabupaten"),
    ("kube", 2_000_000, "APBN"),
]


@dataclass(frozen=True)
class DemoRegistry:
    households: int
    persons: int
    assistance: int


def create_demo_registry(*, faker: Faker, scale: str) -> DemoRegistry:
    """Create (once) a deterministic registry: about four persons per KK, NIKs valid for the village's kecamatan."""
    if Person.objects.exists():
        return DemoRegistry(Household.objects.count(), Person.objects.count(), AssistanceRecord.objects.count())
    rng = random.Random(faker.random.random())
    by = User.objects.filter(username="admin").first()
    villages = list(Region.objects.within(settings.BERDAYA_HOME_REGION).villages().values_list("code", flat=True))
    if scale == "small":
        # The small demo keeps to Tanah Grogot, where the demo kecamatan and village operators work.
        villages = [code for code in villages if code.startswith("64.01.04.")] or villages
    target = SIZES[scale]
    today = dt.date(2026, 1, 1)
    households: list[dict[str, Any]] = []
    persons: list[dict[str, Any]] = []
    serial = 0
    taken: set[str] = set()  # NIK and KK serials wrap at 10,000: never hand out one twice
    while len(persons) < target:
        # Half the small demo in Tanah Periuk, so the demo village operator has people to work with.
        village = TANAH_PERIUK if scale == "small" and rng.random() < 0.5 else rng.choice(villages)
        kecamatan = village[:8]
        serial += 1
        kk = build_kk(kecamatan=kecamatan, issued_on=dt.date(2012, 1, 1) + dt.timedelta(serial % 4000), serial=serial)
        if kk in taken:
            continue
        taken.add(kk)
        households.append(
            {
                "kk_number": kk,
                "address": faker.street_address(),
                "village_id": village,
                "decile": rng.randint(1, 6),
                "register_id": f"DTSEN-{serial:09d}",
                "register_verified_on": today - dt.timedelta(rng.randint(0, 700)),
            }
        )
        surname = faker.last_name()
        for member in range(rng.randint(1, 6)):
            sex = "L" if member == 0 else ("P" if member == 1 else rng.choice("LP"))
            age = rng.randint(25, 60) if member < 2 else rng.randint(0, 24)
            born = today - dt.timedelta(days=age * 365 + rng.randint(0, 364))
            serial += 1
            nik = build_nik(kecamatan=kecamatan, birth_date=born, sex=sex, serial=serial)
            if nik in taken:
                continue
            taken.add(nik)
            first = faker.first_name_male() if sex == "L" else faker.first_name_female()
            persons.append(
                {
                    "nik": nik,
                    "name": f"{first} {surname}",
                    "kk": kk,
                    "relation": "head" if member == 0 else ("spouse" if member == 1 else "child"),
                    "sex": sex,
                    "birth_place": rng.choice(["Tanah Grogot", "Paser", "Balikpapan", "Samarinda", "Banjarmasin"]),
                    "birth_date": born,
                    "marital_status": "married" if member < 2 else "single",
                    "education": rng.choice(["SD", "SMP", "SMA", "Tidak sekolah"]),
                    "occupation": rng.choice(["Petani", "Nelayan", "Buruh harian", "Pedagang", "Ibu rumah tangga"]),
                    "disability": "fisik" if rng.random() < 0.02 else "",
                }
            )
    when = dt.datetime.now(tz=dt.UTC)
    by = by or User.objects.order_by("pk").first()
    household_ids = insert_with_history(Household, households, by=by, when=when)
    for person in persons:
        person["household_id"] = household_ids[person.pop("kk")]
    person_ids = insert_with_history(Person, persons, by=by, when=when)
    records = []
    for person in persons:
        if person["relation"] == "head" and rng.random() < 0.3:
            programme, amount, source = rng.choice(PROGRAMMES)
            records.append(
                AssistanceRecord(
                    person_id=person_ids[person["nik"]],
                    household_id=person["household_id"],
                    programme=programme,
                    year=rng.randint(2016, 2025),
                    source=source,
                    amount=amount,
                )
            )
    AssistanceRecord.objects.bulk_create(records)
    return DemoRegistry(len(households), len(persons), len(records))
