"""The engine on small hand-made lists: the traps of Indonesian registries, one per test."""

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from berdaya.screening.engine import compare as c
from berdaya.screening.engine.pipeline import dedupe, link
from berdaya.screening.engine.records import NIK_FULL, NIK_LOST, NIK_SHORT, NO_DATE, InputError, read_people

TODAY = dt.date(2026, 1, 15)
HEADER = ["id", "nik", "name", "birth_date", "sex", "birth_place", "village_code", "kk_number"]

# A background of unrelated people, so that the model has pairs to learn from, as in any real list.
FIRST = ["Budi", "Agus", "Slamet", "Rudi", "Hendra", "Dewi", "Rina", "Wati", "Yanti", "Joko", "Bambang", "Sari"]
LAST = ["Santoso", "Wijaya", "Hidayat", "Saputra", "Lestari", "Rahman", "Gunawan", "Halim", "Setiawan", "Kurnia"]


def background(n: int, seed: int = 1) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        sex = "L" if i % 2 else "P"
        day, month, year = int(rng.integers(1, 28)), int(rng.integers(1, 13)), int(rng.integers(1950, 2005))
        kec = f"6401{int(rng.integers(1, 11)):02d}"
        nik = f"{kec}{day + (40 if sex == 'P' else 0):02d}{month:02d}{year % 100:02d}{int(rng.integers(1, 9)):04d}"
        # Unique made-up surnames: digits would vanish from the name key and make everyone namesakes.
        tag = "".join("bcdfghjklmnprstvwz"[int(d)] for d in f"{i:04d}")
        name = f"{FIRST[int(rng.integers(len(FIRST)))]} {LAST[int(rng.integers(len(LAST)))]} {tag}a"
        village = f"{kec[:2]}.{kec[2:4]}.{kec[4:]}.20{int(rng.integers(1, 20)):02d}"
        kk = f"{kec}0101{int(rng.integers(0, 99)):02d}{i:04d}"
        rows.append([f"bg{i}", nik, name, f"{year}-{month:02d}-{day:02d}", sex, "Tanah Grogot", village, kk])
    # Pairs of the same background person, so that true pairs exist beside the hand-made ones.
    rows += [[f"bgdup{i}", *rows[i][1:]] for i in range(0, n, 4)]
    return rows


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def pairs_of(tmp_path: Path, rows: list[list[str]]) -> set[frozenset[str]]:
    people = read_people(write(tmp_path / "people.csv", rows + background(400)), today=TODAY)
    found = dedupe(people)
    return {frozenset((people.ids[i], people.ids[j])) for i, j in zip(found.left, found.right, strict=True)}


def test_a_transposed_nik_with_old_spelling_and_an_abbreviation_is_one_person(tmp_path):
    rows = [
        ["a", "6401041203850012", "Moh. Sukarno", "1985-03-12", "L", "Tanah Grogot", "64.01.04.2005", ""],
        ["b", "6401041203850021", "Muhammad Soekarno", "12/03/1985", "L", "", "6401042005", ""],
    ]
    assert frozenset({"a", "b"}) in pairs_of(tmp_path, rows)


def test_people_born_the_same_day_in_one_kecamatan_are_not_one_person(tmp_path):
    rows = [
        ["a", "6401041203850012", "Ahmad Yani", "1985-03-12", "L", "", "64.01.04.2005", ""],
        ["b", "6401041203850013", "Slamet Riyadi", "1985-03-12", "L", "", "64.01.04.2005", ""],
    ]
    assert frozenset({"a", "b"}) not in pairs_of(tmp_path, rows)


def test_twins_on_one_kk_are_not_one_person(tmp_path):
    kk = "6401040101100003"
    rows = [
        ["a", "6401040506100001", "Hasan Basri", "2010-06-05", "L", "Tanah Grogot", "64.01.04.2005", kk],
        ["b", "6401040506100002", "Rahmat Basri", "2010-06-05", "L", "Tanah Grogot", "64.01.04.2005", kk],
    ]
    assert frozenset({"a", "b"}) not in pairs_of(tmp_path, rows)


def test_a_father_and_his_namesake_son_are_not_one_person(tmp_path):
    kk = "6401040101100004"
    rows = [
        ["a", "6401040506700001", "Ahmad Fauzi", "1970-06-05", "L", "Tanah Grogot", "64.01.04.2005", kk],
        ["b", "6401041109980001", "Ahmad Fauzi Junior", "1998-09-11", "L", "Tanah Grogot", "64.01.04.2005", kk],
    ]
    assert frozenset({"a", "b"}) not in pairs_of(tmp_path, rows)


def test_an_excel_damaged_nik_still_finds_its_person(tmp_path):
    rows = [
        ["a", "6401045207910003", "Hj. Siti Aminah", "1991-07-12", "P", "", "64.01.04.2005", ""],
        ["b", "640104520791000", "St. Aminah", "12-07-1991", "P", "", "64.01.04.2005", ""],
        ["c", "6.40104E+15", "Siti Aminah", "33431", "P", "", "6401042005", ""],
    ]
    found = pairs_of(tmp_path, rows)
    assert {frozenset({"a", "b"}), frozenset({"a", "c"}), frozenset({"b", "c"})} <= found


def test_link_finds_the_nominee_in_the_history_and_explains_why(tmp_path):
    nominees = write(
        tmp_path / "nominees.csv",
        [["n1", "6401041203850021", "Moh. Sukarno", "1985-03-12", "L", "", "64.01.04.2005", ""]] + background(300, 2),
    )
    history = write(
        tmp_path / "history.csv",
        [["h1", "6401041203850012", "Muhammad Soekarno", "1985-03-12", "L", "", "64.01.04.2005", ""]]
        + background(300, 3),
    )
    a, b = read_people(nominees, today=TODAY), read_people(history, today=TODAY)
    found = link(a, b)
    hits = [k for k, (i, j) in enumerate(zip(found.left, found.right, strict=True)) if a.ids[i] == "n1"]

    assert [b.ids[found.right[k]] for k in hits] == ["h1"]
    assert 0.5 <= found.score[hits[0]] <= 1
    assert found.reasons[hits[0]] == (
        "NIK differs by one transposition; 'Moh. Sukarno' ≈ 'Muhammad Soekarno' (same name after normalising); "
        "same birth date; same village"
    )


def test_nik_states_and_the_birth_date_hidden_in_a_nik(tmp_path):
    rows = [
        ["a", "'6401045207910003", "x", "", "", "", "", ""],
        ["b", "640104520791000", "x", "", "", "", "", ""],
        ["c", "6.40104E+15", "x", "", "", "", "", ""],
    ]
    people = read_people(write(tmp_path / "p.csv", rows), today=TODAY)

    assert people.nik_state.tolist() == [NIK_FULL, NIK_SHORT, NIK_LOST]
    assert people.nik_birth[0] == (dt.date(1991, 7, 12) - dt.date(1970, 1, 1)).days
    assert people.nik_sex[0] == 2
    assert people.nik_birth[2] == NO_DATE


@pytest.mark.parametrize("text", ["1985-03-12", "12-03-1985", "12/03/1985", "31118"])
def test_every_listed_date_format_is_read(tmp_path, text):
    people = read_people(write(tmp_path / "p.csv", [["a", "", "x", text, "", "", "", ""]]), today=TODAY)

    assert people.birth[0] == (dt.date(1985, 3, 12) - dt.date(1970, 1, 1)).days


def test_a_nik_typo_that_its_own_record_contradicts_is_told_from_a_neighbouring_serial(tmp_path):
    rows = [
        ["a", "6401041203850012", "x", "1985-03-12", "L", "", "", ""],
        ["b", "6401041303850012", "x", "1985-03-12", "L", "", "", ""],  # typo in the day: its record says the 12th
        ["c", "6401041203850013", "x", "1985-03-12", "L", "", "", ""],  # the next serial, same day
    ]
    people = read_people(write(tmp_path / "p.csv", rows), today=TODAY)
    levels = c.compare(people, people, np.array([0, 0]), np.array([1, 2])).levels[:, 0]

    assert levels.tolist() == [c.NIK_ONE_DIGIT_EXPLAINED, c.NIK_ONE_DIGIT_SERIAL]


def test_a_shared_nik_that_one_record_contradicts_in_more_than_a_typo_is_weaker_evidence(tmp_path):
    rows = [
        ["a", "6401041203850012", "x", "1985-03-12", "L", "", "", ""],
        ["b", "6401041203850012", "x", "1985-03-13", "L", "", "", ""],  # a typo in the day: still one person's NIK
        ["c", "6401041203850012", "y", "2010-07-01", "P", "", "", ""],  # the father's NIK typed on his daughter
    ]
    people = read_people(write(tmp_path / "p.csv", rows), today=TODAY)
    levels = c.compare(people, people, np.array([0, 0]), np.array([1, 2])).levels[:, 0]

    assert levels.tolist() == [c.NIK_SAME, c.NIK_SAME_CONTRADICTED]


def test_a_file_saved_with_a_byte_order_mark_reads_its_first_column(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfid,name,nik\nA1,Siti Aminah,6401044101900001\n")

    people = read_people(path, today=TODAY)

    assert people.ids == ["A1"]
    assert people.nik_state.tolist() == [NIK_FULL]


def test_bytes_that_are_not_utf8_far_into_a_file_are_refused_with_their_line(tmp_path):
    path = tmp_path / "late.csv"
    good = b"".join(b"P%d,Orang Nomor %d\n" % (i, i) for i in range(2_000_000))  # past the 16 MB checking chunk
    path.write_bytes(b"id,name\n" + good + b"Q1,Caf\xe9\n")

    with pytest.raises(InputError, match="line 2000002: bytes that are not UTF-8"):
        read_people(path, today=TODAY)
