"""``berdaya screen link|dedupe`` through Django's call_command: the CLI contract of the issue, on small files."""

import csv
from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from berdaya.screening.engine.names import name_key, name_keys
from berdaya.screening.tests.test_engine import HEADER, background, write

NOMINEE = ["n1", "6401041203850021", "Moh. Sukarno", "1985-03-12", "L", "", "64.01.04.2005", ""]
HISTORY = ["h1", "6401041203850012", "Muhammad Soekarno", "12/03/1985", "L", "Tanah Grogot", "6401042005", ""]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_link_writes_the_pairs_with_score_and_reason(tmp_path):
    nominees = write(tmp_path / "nominees.csv", [NOMINEE, *background(200, 2)])
    history = write(tmp_path / "history.csv", [HISTORY, *background(200, 3)])
    out = tmp_path / "matches.csv"

    call_command("screen", "link", str(nominees), str(history), "--out", str(out))

    rows = read_rows(out)
    assert {"left_id", "right_id", "score", "reason"} <= set(rows[0])
    hit = [r for r in rows if r["left_id"] == "n1"]
    assert [r["right_id"] for r in hit] == ["h1"]
    assert 0.5 <= float(hit[0]["score"]) <= 1
    assert hit[0]["reason"].startswith("NIK differs by one transposition; 'Moh. Sukarno' ≈ 'Muhammad Soekarno'")
    assert all(r["left_id"].startswith(("n", "bg")) and 0 <= float(r["score"]) <= 1 for r in rows)


def test_dedupe_reports_each_unordered_pair_once(tmp_path):
    people = write(tmp_path / "people.csv", [NOMINEE, HISTORY, *background(200, 4)])
    out = tmp_path / "pairs.csv"

    call_command("screen", "dedupe", str(people), "--out", str(out))

    pairs = [frozenset((r["left_id"], r["right_id"])) for r in read_rows(out)]
    assert frozenset({"n1", "h1"}) in pairs
    assert len(pairs) == len(set(pairs))
    assert all(len(p) == 2 for p in pairs)


def test_an_empty_result_still_has_the_header(tmp_path):
    people = write(tmp_path / "people.csv", [NOMINEE])
    out = tmp_path / "pairs.csv"

    call_command("screen", "dedupe", str(people), "--out", str(out))

    assert out.read_text(encoding="utf-8").splitlines() == ["left_id,right_id,score,reason,left_name,right_name"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"id,nik,name\n1,123,a\n1,456,b\n", "line 3: duplicate id '1'"),
        (b"nik,name\n123,a\n", "line 1: no 'id' column"),
        (b"id,nik,name\n1,123,a\n2,456,b,c,d\n", "line 3: 5 fields where the header has 3"),
        (b"id,name\n1,Andi\n2,Caf\xe9\n", "line 3: bytes that are not UTF-8"),
        (b"", "line 1: the file is empty"),
        (b"id,name\n1,Andi\n,Budi\n", "line 3: empty id"),
    ],
)
def test_bad_input_stops_with_the_file_line_and_problem(tmp_path, content, message):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    good = write(tmp_path / "good.csv", [NOMINEE])

    with pytest.raises(CommandError) as error:
        call_command("screen", "link", str(good), str(bad), "--out", str(tmp_path / "out.csv"))

    assert str(error.value).startswith(f"{bad}, {message}")
    assert not (tmp_path / "out.csv").exists()


def test_the_engine_command_line_exits_non_zero_on_bad_input(tmp_path, capsys):
    from berdaya.screening.engine.cli import main

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"id,name\n1,Andi\n1,Budi\n")

    assert main(["dedupe", str(bad), "--out", str(tmp_path / "out.csv")]) == 1
    assert f"{bad}, line 3: duplicate id" in capsys.readouterr().err


# The vectorised name keys that the engine uses must equal the reference, name_key, on every kind of name.
NAMES = [
    "Soekarno",
    "Moh. Sukarno",
    "M. Yusuf",
    "Hj. Siti Aminah",
    "St. Aminah",
    "Drs. H. Budi Santoso, S.Pd., M.Si.",
    "Budi Santoso S.Pd",
    "Bapak Budi Santoso",
    "Ibu Fatimah",
    "Ibu",
    "Ibu Ibu Ani",
    "Ir. Drs",
    "H. Ali S.Pd",
    "A.Ma.Pd Budi",
    "Ahmad S.E",
    "Budi Spd Spd",
    "Spd Budi",
    "X, y",
    ",,",
    "",
    "  Budi   Santoso ",
    "Café Résumé",
    "Ma'ruf Amin",
    "Achmad Chairul",
    "Tjipto Mangoenkoesoemo",
    "Njoman Sjarifuddin",
    "NUR KEISHA KEMAL",
    "Noeroel Keisha Kemal",
    "ssss",
    "O'Neil 2nd",
]


def test_vectorised_name_keys_equal_the_reference():
    keys = name_keys(pl.Series([*NAMES, None], dtype=pl.String)).to_list()

    assert keys == [name_key(n) for n in NAMES] + [""]


def test_header_of_the_test_files_is_the_contract():
    assert HEADER == ["id", "nik", "name", "birth_date", "sex", "birth_place", "village_code", "kk_number"]
