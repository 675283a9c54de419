"""Import files judged by what they expand to: the zip directory and the declared sheet before any row is read,
then every row (empty ones too) and cell as they are read."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from berdaya.lib.tests import hostile_files
from berdaya.lib.uploads import FileRefused, Limits, check_dimension, check_upload, counted, csv_lines

HEADER = ["NIK", "Nama"]
LIMITS = Limits(bytes=10 * 1024 * 1024, rows=1000, cells=5000, expanded_bytes=50 * 1024 * 1024, ratio=100, members=20)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read_all(path, limits=LIMITS):
    check_upload(path, limits)
    workbook = load_workbook(path, read_only=True)
    try:
        sheet = workbook.worksheets[0]
        check_dimension(sheet, limits)
        return sum(1 for _ in counted(sheet.iter_rows(values_only=True), limits))
    finally:
        workbook.close()


def test_a_sheet_of_a_million_empty_rows_is_refused_by_its_compression_before_reading(tmp_path):
    path = hostile_files.empty_rows(tmp_path / "rows.xlsx", HEADER, count=3_000_000)
    assert path.stat().st_size < 64 * 1024

    with pytest.raises(FileRefused, match=r"compressed [\d,]+ times \(17 MB unpacked\).*at most 100 times"):
        check_upload(path, LIMITS)


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path):
    path = hostile_files.zip_bomb(tmp_path / "bomb.xlsx", HEADER, megabytes=16)

    with pytest.raises(FileRefused, match="Part xl/media/padding.xml of the file is compressed"):
        check_upload(path, LIMITS)


def test_a_file_that_unpacks_to_more_than_the_limit_is_refused(tmp_path):
    path = hostile_files.zip_bomb(tmp_path / "big.xlsx", HEADER, megabytes=16)
    limits = Limits(**{**LIMITS.__dict__, "expanded_bytes": 8 * 1024 * 1024, "ratio": 10_000})

    with pytest.raises(FileRefused, match=r"unpacks to 16 MB; an import may unpack to at most 8 MB"):
        check_upload(path, limits)


def test_a_file_with_too_many_parts_is_refused(tmp_path):
    parts = {f"xl/part{n}.xml": b"<x/>" for n in range(30)}
    path = hostile_files.write_xlsx(tmp_path / "parts.xlsx", hostile_files.header_row(HEADER), extra=parts)

    with pytest.raises(FileRefused, match="holds 35 parts; a spreadsheet may hold at most 20"):
        check_upload(path, LIMITS)


def test_a_file_larger_than_the_byte_limit_is_refused(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"nik,nama\n" + b"1,a\n" * 5000)

    with pytest.raises(FileRefused, match=r"The file is 20 KB; an import may be at most 10 KB"):
        check_upload(path, Limits(**{**LIMITS.__dict__, "bytes": 10_000}))


def test_a_sheet_declaring_more_cells_than_the_limit_is_refused_before_reading(tmp_path):
    path = hostile_files.declared_giant(tmp_path / "giant.xlsx", HEADER)

    with pytest.raises(FileRefused, match="has 1,048,576 rows .* at most 1,000 rows"):
        read_all(path)


def test_the_empty_rows_of_a_gap_count_against_the_row_limit(tmp_path):
    # No dimension declared and nothing compressed much: only counting the rows the reader makes up stops it.
    path = hostile_files.far_row(tmp_path / "far.xlsx", HEADER, row=1_048_576)

    with pytest.raises(FileRefused, match="more than 1,000 rows"):
        read_all(path)


def test_every_cell_counts_against_the_cell_limit(tmp_path):
    path = hostile_files.junk_rows(tmp_path / "wide.xlsx", ["x"] * 20, count=300)

    with pytest.raises(FileRefused, match="more than 5,000 cells"):
        read_all(path)


def test_a_sheet_within_the_limits_is_read_whole(tmp_path):
    path = hostile_files.junk_rows(tmp_path / "small.xlsx", HEADER, count=500)

    assert read_all(path) == 501


def test_blank_csv_lines_count_against_the_row_limit():
    text = io.StringIO("nik,nama\n" + "\n" * 2000)

    with pytest.raises(FileRefused, match="more than 1,000 rows"):
        list(counted(csv.reader(csv_lines(text)), LIMITS))


def test_a_csv_line_of_a_million_commas_is_refused_before_it_is_split():
    text = io.StringIO("nik,nama\n" + "," * 2_000_000 + "\n")

    with pytest.raises(FileRefused, match="longer than 1,048,576 characters"):
        list(csv.reader(csv_lines(text)))
