"""Demo households and persons across Paser villages, with some assistance history. Synthetic people only.

A few people are recorded twice, the way real registries hold them (DOMAIN.md §6): an old and a new spelling, an
abbreviated first name, a title dropped, two NIK digits swapped. The screening demo finds them for review.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from faker import Faker

from berdaya.accounts.models import User
from berdaya.lib.scoping import province_of
from berdaya.regions.models import Region
from berdaya.registry.importing import insert_with_history
from berdaya.registry.models import AssistanceRecord, Household, Person
from berdaya.registry.synthetic import build_kk, build_nik

SIZES = {"small": 300, "regency": 20_000}
TANAH_PERIUK = "64.01.04.2004"
# People recorded twice: the name on the first record (a parent living with a Tanah Periuk family), the name on
# the second (the same person counted again in a neighbouring village's family), sex and birth date. The second
# NIK has two serial digits swapped: a NIK is unique in the registry, so a second record of one person is a typo.
RECORDED_TWICE = [
    ("Soekarno", "Sukarno", "L", dt.date(1961, 8, 17)),
    ("Muhammad Yusuf", "M. Yusuf", "L", dt.date(1966, 3, 12)),
    ("Siti Aminah", "St. Aminah", "P", dt.date(1964, 11, 5)),
    ("Hj. Nurul Hidayah", "Nur Hidayah", "P", dt.date(1959, 2, 21)),
    ("Djoko Susilo", "Joko Susilo", "L", dt.date(1963, 6, 30)),
]
# Serial of the first planted NIK: its first two digits differ, so that swapping them makes another valid NIK.
TWICE_SERIAL = 7310
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
    persons += _recorded_twice(households, taken)
    when = dt.datetime.now(tz=dt.UTC)
    by = by or User.objects.order_by("pk").first()
    household_ids = insert_with_history(Household, households, by=by, when=when)
    for person in persons:
        person["household_id"] = household_ids[person.pop("kk")]
    person_ids = insert_with_history(Person, persons, by=by, when=when)
    # bulk_create does not call save(), which gives a record its household's province.
    provinces = {household_ids[h["kk_number"]]: province_of(h["village_id"]) for h in households}
    records = []
    for person in persons:
        if person["relation"] == "head" and rng.random() < 0.3:
            programme, amount, source = rng.choice(PROGRAMMES)
            records.append(
                AssistanceRecord(
                    person_id=person_ids[person["nik"]],
                    household_id=person["household_id"],
                    province=provinces[person["household_id"]],
                    programme=programme,
                    year=rng.randint(2016, 2025),
                    source=source,
                    amount=amount,
                )
            )
    AssistanceRecord.objects.bulk_create(records)
    return DemoRegistry(len(households), len(persons), len(records))


def _recorded_twice(households: list[dict[str, Any]], taken: set[str]) -> list[dict[str, Any]]:
    """The planted duplicates: each person of RECORDED_TWICE on a Tanah Periuk KK and again on a neighbour's KK.

    Neither record is the head of its household, so the targeting and groups demos (which take heads) leave
    them alone. Drawn without the seed's random numbers, so every other person is what the seed gives.
    """
    first_kks = [h for h in households if h["village_id"] == TANAH_PERIUK] or households
    kecamatan = first_kks[0]["village_id"][:8]
    # A neighbouring village of the same kecamatan: a NIK keeps the kecamatan where it was first registered.
    village = first_kks[0]["village_id"]
    second_kks = [h for h in households if h["village_id"][:8] == kecamatan and h["village_id"] != village]
    second_kks = second_kks or first_kks
    planted: list[dict[str, Any]] = []
    for index, (first_name, second_name, sex, born) in enumerate(RECORDED_TWICE):
        serial = TWICE_SERIAL + index * 1001  # 7310, 8311, 9312, 0313, 1314: no two digits alike next to each other
        nik = build_nik(kecamatan=kecamatan, birth_date=born, sex=sex, serial=serial)
        again = nik[:12] + nik[13] + nik[12] + nik[14:]
        if nik in taken or again in taken:
            continue
        taken |= {nik, again}
        for name, nik_typed, household, relation in (
            (first_name, nik, first_kks[index * 7 % len(first_kks)], "parent"),
            (second_name, again, second_kks[index * 5 % len(second_kks)], "other"),
        ):
            planted.append(
                {
                    "nik": nik_typed,
                    "name": name,
                    "kk": household["kk_number"],
                    "relation": relation,
                    "sex": sex,
                    "birth_place": "Tanah Grogot",
                    "birth_date": born,
                    "marital_status": "widowed",
                    "education": "SD",
                    "occupation": "Tidak bekerja",
                    "disability": "",
                }
            )
    return planted
