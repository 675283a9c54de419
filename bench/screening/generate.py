"""Synthetic people lists with known truth, for the screening benchmark.

Households live in real Paser villages and share a KK; every person has a valid NIK for the kecamatan where they
were registered, with serials counted per kecamatan and birth day, so people born the same day in the same
kecamatan hold NIKs one serial apart. Relatives are the hard negatives: twins (same KK, birth date and sometimes
near-identical names), a father and son with the same first name, spouses. Each record of a person is a noisy
copy: old spelling, abbreviations, titles, word order, dropped words, typing and OCR errors in names; mistyped,
transposed, Excel-truncated or missing NIKs; missing, mistyped or reformatted dates; missing or wrong fields.

Deterministic for a seed. Writes CSVs plus a truth file (record id -> person id).

``--national`` spreads the people over every regency of Indonesia instead of Paser alone, a regency at a time so
that memory stays flat at 10M records, and lets people move: some were registered (their NIK's region) in another
province, and some records give a village in another province. ``--history`` and ``--nominees`` set the link files'
sizes (by default half the dedupe size each).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from faker.providers.person.id_ID import Provider as IdNames

WILAYAH_CANDIDATES = (
    Path("berdaya/regions/data/wilayah.csv"),
    Path("../shared/data/wilayah.csv"),
    Path("/work/shared/data/wilayah.csv"),
)
HEADER = ["id", "nik", "name", "birth_date", "sex", "birth_place", "village_code", "kk_number"]
TODAY = dt.date(2026, 1, 15)

MALE_FIRST = list(IdNames.first_names_male) + [
    "Ahmad",
    "Budi",
    "Joko",
    "Slamet",
    "Yusuf",
    "Sukarno",
    "Hasan",
    "Husain",
    "Rizki",
    "Hendra",
]
FEMALE_FIRST = list(IdNames.first_names_female) + [
    "Aminah",
    "Fatimah",
    "Sri",
    "Dewi",
    "Rini",
    "Rina",
    "Yuliani",
    "Nurhayati",
    "Khadijah",
]
LAST = (
    list(IdNames.last_names_male)
    + list(IdNames.last_names_female)
    + ["Santoso", "Suharto", "Wijaya", "Rahman", "Hidayat", "Saputra", "Lestari"]
)
MALE_PREFIX = [("Muhammad", 0.12), ("Ahmad", 0.05), ("Abdul", 0.04)]
FEMALE_PREFIX = [("Siti", 0.15), ("Nur", 0.05), ("Sri", 0.04)]
TWIN_PAIRS = [("Hasan", "Husain"), ("Rina", "Rini"), ("Putra", "Putri"), ("Dimas", "Dimas Aji")]
CITIES = ["Balikpapan", "Samarinda", "Banjarmasin", "Surabaya", "Makassar", "Yogyakarta", "Jakarta", "Pare-Pare"]


@dataclass
class Person:
    pid: int
    name: str
    birth: dt.date
    sex: str
    nik: str
    kk: str
    village: str
    birth_place: str
    household: int


def load_villages(prefix: str = "64.01.") -> tuple[list[str], dict[str, str]]:
    """The village codes under `prefix` ("" for the whole country) and the names of every region under it."""
    for path in WILAYAH_CANDIDATES:
        if path.exists():
            villages, names = [], {}
            with path.open(encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    if row["code"].startswith(prefix):
                        names[row["code"]] = row["name"]
                        if row["level"] == "4":
                            villages.append(row["code"])
            return villages, names
    raise SystemExit("wilayah.csv not found")


def load_paser() -> tuple[list[str], dict[str, str]]:
    return load_villages("64.01.")


class Population:
    def __init__(
        self,
        rng: random.Random,
        villages: list[str] | None = None,
        region_names: dict[str, str] | None = None,
        elsewhere: list[str] | None = None,
        first_pid: int = 0,
    ) -> None:
        self.rng = rng
        if villages is None or region_names is None:
            villages, region_names = load_paser()
        self.villages, self.region_names = villages, region_names
        # Villages of the whole country: where 2 % of people were registered (the region in their NIK) before moving.
        self.elsewhere = elsewhere
        self.first_pid = first_pid
        self.serials: dict[tuple[str, str], int] = defaultdict(int)
        self.kk_serials: dict[str, int] = defaultdict(int)
        self.people: list[Person] = []
        # Birth dates already used per kecamatan, so that some people share one (consecutive NIK serials).
        self.recent_births: dict[str, list[tuple[dt.date, str]]] = defaultdict(list)

    def name(self, sex: str, first: str | None = None) -> str:
        rng = self.rng
        words = []
        for word, p in MALE_PREFIX if sex == "L" else FEMALE_PREFIX:
            if rng.random() < p:
                words.append(word)
                break
        words.append(first or rng.choice(MALE_FIRST if sex == "L" else FEMALE_FIRST))
        r = rng.random()
        if r < 0.55:
            words.append(rng.choice(LAST))
        elif r < 0.7:
            words.append(rng.choice(MALE_FIRST))
        return " ".join(words)

    def nik(self, village: str, birth: dt.date, sex: str) -> str:
        kec = village[:8].replace(".", "")
        if self.rng.random() < 0.1:  # registered in another kecamatan of the regency before moving
            kec = self.rng.choice(self.villages)[:8].replace(".", "")
        if self.elsewhere and self.rng.random() < 0.02:  # registered in another province before moving
            kec = self.rng.choice(self.elsewhere)[:8].replace(".", "")
        day = birth.day + (40 if sex == "P" else 0)
        date_part = f"{day:02d}{birth.month:02d}{birth.year % 100:02d}"
        self.serials[(kec, date_part)] += 1
        return f"{kec}{date_part}{self.serials[(kec, date_part)]:04d}"

    def birth(self, village: str, age_lo: int, age_hi: int) -> dt.date:
        rng = self.rng
        kec = village[:8]
        recent = self.recent_births[kec]
        # About 4 % of people share a birth day with a neighbour of the same kecamatan.
        if recent and rng.random() < 0.04:
            return rng.choice(recent)[0]
        days = rng.randint(age_lo * 365, age_hi * 365)
        b = TODAY - dt.timedelta(days=days)
        recent.append((b, ""))
        if len(recent) > 200:
            recent.pop(0)
        return b

    def add(self, name: str, birth: dt.date, sex: str, kk: str, village: str, household: int) -> Person:
        rng = self.rng
        place = rng.random()
        if place < 0.6:
            bp = self.region_names[village[:8]]
        elif place < 0.85:
            bp = self.region_names[village]
        else:
            bp = rng.choice(CITIES)
        p = Person(
            self.first_pid + len(self.people),
            name,
            birth,
            sex,
            self.nik(village, birth, sex),
            kk,
            village,
            bp,
            household,
        )
        self.people.append(p)
        return p

    def household(self, hid: int) -> None:
        rng = self.rng
        village = rng.choice(self.villages)
        kec = village[:8].replace(".", "")
        reg = TODAY - dt.timedelta(days=rng.randint(100, 9000))
        self.kk_serials[kec] += 1
        kk = f"{kec}{reg:%d%m%y}{self.kk_serials[kec] % 10000:04d}"
        head_sex = "L" if rng.random() < 0.85 else "P"
        head_birth = self.birth(village, 22, 70)
        head_name = self.name(head_sex)
        self.add(head_name, head_birth, head_sex, kk, village, hid)
        if head_sex == "L" and rng.random() < 0.85:
            self.add(self.name("P"), self.birth(village, 20, 65), "P", kk, village, hid)
        n_children = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])
        head_age = (TODAY - head_birth).days // 365
        for _ in range(n_children):
            if head_age < 20:
                break
            lo, hi = 0, min(30, head_age - 18)
            sex = rng.choice("LP")
            r = rng.random()
            if r < 0.04:  # twins
                birth = self.birth(village, lo, max(lo, hi))
                names = rng.choice(TWIN_PAIRS) if rng.random() < 0.5 else (None, None)
                for twin_name in names:
                    s = rng.choice("LP")
                    self.add(twin_name or self.name(s), birth, s, kk, village, hid)
                continue
            if r < 0.10 and head_sex == "L" and sex == "L":  # a son named after his father
                first = head_name.split()[-1] if rng.random() < 0.3 else head_name
                name = f"{head_name} Junior" if rng.random() < 0.4 else f"{first} {rng.choice(LAST)}"
                self.add(name, self.birth(village, lo, max(lo, hi)), "L", kk, village, hid)
                continue
            self.add(self.name(sex), self.birth(village, lo, max(lo, hi)), sex, kk, village, hid)


# ---------------------------------------------------------------- noise


def old_spelling(name: str) -> str:
    out = name.replace("u", "oe").replace("U", "Oe")
    out = (
        out.replace("j", "dj").replace("J", "Dj") if "y" not in out.lower() else out.replace("y", "j").replace("Y", "J")
    )
    return out.replace("c", "tj").replace("C", "Tj").replace("kh", "ch").replace("Kh", "Ch")


ABBREV = {
    "Muhammad": ["Moh.", "M.", "Muh.", "Muhamad", "Mohammad", "Mhd."],
    "Siti": ["St.", "Sti"],
    "Abdul": ["Abd.", "Abdoel"],
    "Nur": ["Nurul"],
}


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(1, len(word))
    kind = rng.random()
    if kind < 0.3:
        return word[:i] + rng.choice("aiueonmrstkl") + word[i + 1 :]
    if kind < 0.5:
        return word[:i] + word[i + 1 :]
    if kind < 0.7:
        return word[:i] + rng.choice("aiueonh") + word[i:]
    if kind < 0.85 and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    ocr = {"m": "rn", "rn": "m", "l": "I", "i": "l", "o": "0", "e": "c", "h": "b"}
    for a, b in ocr.items():
        if a in word[1:]:
            return word[0] + word[1:].replace(a, b, 1)
    return word


def noisy_name(name: str, sex: str, rng: random.Random, level: float) -> str:
    words = name.split()
    if rng.random() < 0.15 * level:
        words = [rng.choice(ABBREV[w]) if w in ABBREV and rng.random() < 0.8 else w for w in words]
    if rng.random() < 0.08 * level:
        words = [old_spelling(w) for w in words]
    if len(words) >= 2 and rng.random() < 0.05 * level:
        words = words[1:] + words[:1]
    if len(words) >= 3 and rng.random() < 0.08 * level:
        del words[rng.randrange(1, len(words))]
    elif len(words) == 2 and rng.random() < 0.04 * level:
        words = [words[0]] if words[0] not in ABBREV else [words[1]]
    if rng.random() < 0.12 * level:
        k = rng.randrange(len(words))
        words[k] = typo(words[k], rng)
    if rng.random() < 0.02 * level:  # two typos
        k = rng.randrange(len(words))
        words[k] = typo(typo(words[k], rng), rng)
    out = " ".join(words)
    if rng.random() < 0.08 * level:
        out = rng.choice(["H. ", "Drs. ", "Bapak ", "Ir. "] if sex == "L" else ["Hj. ", "Ibu ", "Dra. "]) + out
    if rng.random() < 0.04 * level:
        out += rng.choice([", S.Pd.", ", S.E.", " S.Pd", ", S.H."])
    r = rng.random()
    if r < 0.3:
        out = out.upper()
    elif r < 0.35:
        out = out.lower()
    return out


def noisy_nik(nik: str, rng: random.Random, level: float, relatives: list[Person]) -> str:
    r = rng.random() / level
    if r < 0.03:
        i = rng.randrange(16)
        return nik[:i] + str((int(nik[i]) + rng.randint(1, 9)) % 10) + nik[i + 1 :]
    if r < 0.045:
        i = rng.randrange(15)
        return nik[:i] + nik[i + 1] + nik[i] + nik[i + 2 :]
    if r < 0.055:
        return nik[:15]
    if r < 0.065:
        return f"{int(nik) / 1e15:.5f}E+15".replace("0E+15", "E+15")
    if r < 0.07:
        return nik[:15] + "0"
    if r < 0.10:
        return ""
    if r < 0.115:
        return "'" + nik
    if r < 0.12:
        return nik + ".0"
    if r < 0.128 and relatives:  # a relative's NIK written by mistake
        return rng.choice(relatives).nik
    return nik


def noisy_date(birth: dt.date, rng: random.Random, level: float) -> str:
    r = rng.random() / level
    b = birth
    if r < 0.08:
        return ""
    if r < 0.10:
        b = b.replace(year=b.year + rng.choice([-1, 1])) if not (b.month == 2 and b.day == 29) else b
    elif r < 0.12 and b.day <= 12:
        b = dt.date(b.year, b.day, b.month)
    elif r < 0.14:
        b = b.replace(day=rng.randint(1, 28))
    f = rng.random()
    if f < 0.55:
        return b.isoformat()
    if f < 0.75:
        return b.strftime("%d-%m-%Y")
    if f < 0.92:
        return b.strftime("%d/%m/%Y")
    return str((b - dt.date(1899, 12, 30)).days)


def record(
    p: Person, rid: str, rng: random.Random, level: float, relatives: list[Person], villages: list[str]
) -> list[str]:
    sex = p.sex
    r = rng.random()
    if r < 0.05 * level:
        sex = ""
    elif r < 0.06 * level:
        sex = "P" if sex == "L" else "L"
    village = p.village
    r = rng.random()
    if r < 0.05 * level:
        village = ""
    elif r < 0.08 * level:
        village = rng.choice(villages)
    if village and rng.random() < 0.5:
        village = village.replace(".", "")
    kk = p.kk
    r = rng.random()
    if r < 0.10 * level:
        kk = ""
    elif r < 0.12 * level:
        i = rng.randrange(6, 16)
        kk = kk[:i] + str((int(kk[i]) + 1) % 10) + kk[i + 1 :]
    bp = p.birth_place if rng.random() > 0.2 * level else ""
    if bp and rng.random() < 0.1 * level:
        bp = bp.upper() if rng.random() < 0.5 else old_spelling(bp)
    return [
        rid,
        noisy_nik(p.nik, rng, level, relatives),
        noisy_name(p.name, p.sex, rng, level),
        noisy_date(p.birth, rng, level),
        sex,
        bp,
        village,
        kk,
    ]


def write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(rows)


def generate(
    size: int,
    out: Path,
    seed: int = 20260115,
    *,
    national: bool = False,
    history: int | None = None,
    nominees: int | None = None,
) -> None:
    if national:
        generate_national(size, out, seed, history=size // 2 if history is None else history, nominees=nominees)
        return
    if history is not None or nominees is not None:
        raise SystemExit("--history and --nominees need --national")
    generate_paser(size, out, seed)


def generate_paser(size: int, out: Path, seed: int = 20260115) -> None:
    """Write dedupe.csv (size records), nominees.csv and history.csv (size/2 each) and their truth files."""
    rng = random.Random(seed)
    pop = Population(rng)
    # Enough people that a dedupe file of `size` records is about 1.25 records per person.
    hid = 0
    while len(pop.people) < int(size * 0.85):
        pop.household(hid)
        hid += 1
    people = pop.people
    members: dict[int, list[Person]] = defaultdict(list)
    for p in people:
        members[p.household].append(p)
    out.mkdir(parents=True, exist_ok=True)

    def rec(p: Person, rid: str, level: float = 1.0) -> list[str]:
        relatives = [q for q in members[p.household] if q.pid != p.pid]
        return record(p, rid, rng, level, relatives, pop.villages)

    # Dedupe: each person once, about 20 % of them again once or twice.
    rows, truth = [], []
    order = rng.sample(range(len(people)), len(people))
    k = 0
    for pid in order:
        if len(rows) >= size:
            break
        copies = 1
        r = rng.random()
        if r < 0.17:
            copies = 2
        elif r < 0.20:
            copies = 3
        for _ in range(copies):
            if len(rows) >= size:
                break
            rid = f"D{k:07d}"
            k += 1
            rows.append(rec(people[pid], rid))
            truth.append((rid, pid))
    shuffle_write(rng, out / "dedupe.csv", out / "dedupe_truth.csv", rows, truth)

    # Link: history of earlier aid (some people under several programmes), and nominees of whom ~25 % were aided.
    half = size // 2
    order = rng.sample(range(len(people)), len(people))
    hist_rows, hist_truth, aided = [], [], []
    k = 0
    i = 0
    while len(hist_rows) < half:
        pid = order[i]
        i += 1
        aided.append(pid)
        for _ in range(2 if rng.random() < 0.15 else 1):
            if len(hist_rows) < half:
                rid = f"H{k:07d}"
                k += 1
                hist_rows.append(rec(people[pid], rid))
                hist_truth.append((rid, pid))
    fresh = order[i:]
    nom_rows, nom_truth = [], []
    n_aided = min(int(half * 0.25), len(aided))
    chosen = rng.sample(aided, n_aided) + fresh[: half - n_aided]
    rng.shuffle(chosen)
    for k, pid in enumerate(chosen):
        rid = f"N{k:07d}"
        nom_rows.append(rec(people[pid], rid))
        nom_truth.append((rid, pid))
    shuffle_write(rng, out / "history.csv", out / "history_truth.csv", hist_rows, hist_truth)
    shuffle_write(rng, out / "nominees.csv", out / "nominees_truth.csv", nom_rows, nom_truth)


def generate_national(size: int, out: Path, seed: int, *, history: int, nominees: int | None) -> None:
    """The national files, written a regency at a time and shuffled at the end (see the module docstring)."""
    import polars as pl  # the Paser generator runs without it

    nominees = history if nominees is None else nominees
    aided_total = min(nominees // 4, history)  # a quarter of the nominees were aided before
    rng = random.Random(seed)
    everywhere, names = load_villages("")
    regencies: dict[str, list[str]] = defaultdict(list)
    for village in everywhere:
        regencies[village[:5]].append(village)
    order = sorted(regencies)
    out.mkdir(parents=True, exist_ok=True)
    parts = {name: out / f".{name}.part.csv" for name in ("dedupe", "history", "nominees")}
    files = {name: path.open("w", encoding="utf-8", newline="") for name, path in parts.items()}
    writers = {name: csv.writer(f) for name, f in files.items()}
    for w in writers.values():
        w.writerow([*HEADER, "person"])
    counters = {"dedupe": 0, "history": 0, "nominees": 0}
    prefixes = {"dedupe": "D", "history": "H", "nominees": "N"}
    width = len(str(max(size, history, nominees, 1))) + 1
    first_pid = 0
    for n, regency in enumerate(order):
        # This regency's share of each file; the last one takes the rounding.
        share = {
            name: (total * (n + 1)) // len(order) - (total * n) // len(order)
            for name, total in (("dedupe", size), ("history", history), ("nominees", nominees), ("aided", aided_total))
        }
        pop = Population(rng, regencies[regency], names, everywhere, first_pid)
        aided_share = min(share["aided"], share["history"], share["nominees"])
        wanted = max(int(share["dedupe"] * 0.85), share["history"] + share["nominees"] - aided_share) + 1
        hid = 0
        while len(pop.people) < wanted:
            pop.household(hid)
            hid += 1
        first_pid += len(pop.people)
        members: dict[int, list[Person]] = defaultdict(list)
        for p in pop.people:
            members[p.household].append(p)

        def emit(name: str, p: Person, members: dict[int, list[Person]] = members) -> None:
            relatives = [q for q in members[p.household] if q.pid != p.pid]
            rid = f"{prefixes[name]}{counters[name]:0{width}d}"
            counters[name] += 1
            writers[name].writerow([*record(p, rid, rng, 1.0, relatives, everywhere), p.pid])

        people = pop.people
        written = 0
        for pid in rng.sample(range(len(people)), len(people)):
            if written >= share["dedupe"]:
                break
            r = rng.random()
            for _ in range(min(2 if r < 0.17 else 3 if r < 0.20 else 1, share["dedupe"] - written)):
                emit("dedupe", people[pid])
                written += 1
        shuffled = rng.sample(range(len(people)), len(people))
        aided, written, i = [], 0, 0
        while written < share["history"]:
            pid = shuffled[i]
            i += 1
            aided.append(pid)
            for _ in range(min(2 if rng.random() < 0.15 else 1, share["history"] - written)):
                emit("history", people[pid])
                written += 1
        n_aided = min(aided_share, len(aided))
        chosen = rng.sample(aided, n_aided) + shuffled[i : i + share["nominees"] - n_aided]
        for pid in chosen:
            emit("nominees", people[pid])
        if n % 50 == 0:
            print(f"regency {n + 1}/{len(order)}: {first_pid:,} people so far", file=sys.stderr, flush=True)
    for f in files.values():
        f.close()
    # Shuffle each file as a whole, so that neither a file's order nor its row numbers follow the regions.
    for name, path in parts.items():
        frame = pl.read_csv(path, infer_schema=False).sample(fraction=1.0, shuffle=True, seed=seed)
        frame.select(HEADER).write_csv(out / f"{name}.csv")
        frame.select("id", "person").write_csv(out / f"{name}_truth.csv")
        path.unlink()


def shuffle_write(
    rng: random.Random, path: Path, truth_path: Path, rows: list[list[str]], truth: list[tuple[str, int]]
) -> None:
    idx = list(range(len(rows)))
    rng.shuffle(idx)
    write(path, [rows[i] for i in idx])
    with truth_path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "person"])
        w.writerows(truth[i] for i in idx)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("size", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=20260115)
    parser.add_argument("--national", action="store_true", help="people in every regency of Indonesia, who move")
    parser.add_argument("--history", type=int, help="history records for the link files (--national)")
    parser.add_argument("--nominees", type=int, help="nominee records for the link files (--national)")
    args = parser.parse_args()
    generate(args.size, args.out, args.seed, national=args.national, history=args.history, nominees=args.nominees)


if __name__ == "__main__":
    main()
