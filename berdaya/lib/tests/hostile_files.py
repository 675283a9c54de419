"""Hostile spreadsheets, written part by part into a zip as an attacker would (no spreadsheet program makes them):
tests and bench/hostile_import.py build them in a few milliseconds."""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    "</Relationships>"
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row(titles: list[str]) -> str:
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return '<row r="1">' + "".join(_cell(f"{letters[i]}1", title) for i, title in enumerate(titles)) + "</row>"


def write_xlsx(path: Path, rows_xml: str, *, dimension: str = "", extra: dict[str, bytes] | None = None) -> Path:
    """A one-sheet workbook whose sheetData is `rows_xml` (and a <dimension ref=...> when given)."""
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{declared}<sheetData>{rows_xml}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def empty_rows(path: Path, header: list[str], *, count: int) -> Path:
    """A header and then `count` empty <row/> elements: millions of rows in a few KB."""
    return write_xlsx(path, header_row(header) + "<row/>" * count)


def far_row(path: Path, header: list[str], *, row: int = 1_048_576) -> Path:
    """A header, then nothing until one empty row far below; no dimension declared: a reader walks every row between."""
    return write_xlsx(path, header_row(header) + f'<row r="{row}"/>')


def declared_giant(path: Path, header: list[str]) -> Path:
    """A sheet that declares itself the largest Excel allows (16,384 columns by 1,048,576 rows)."""
    return write_xlsx(path, header_row(header), dimension="A1:XFD1048576")


def zip_bomb(path: Path, header: list[str], *, megabytes: int = 64) -> Path:
    """A workbook with one part of `megabytes` of one repeated byte: compressed about a thousand times."""
    return write_xlsx(path, header_row(header), extra={"xl/media/padding.xml": b" " * (megabytes * 1024 * 1024)})


def junk_rows(path: Path, header: list[str], *, count: int, declared: bool = False) -> Path:
    """`count` rows of the same junk in every column: a small file that checks into as many rejected rows; with
    `declared`, the sheet states its dimension as Excel does."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    rows = "".join(
        f'<row r="{number}">' + "".join(_cell(f"{letters[i]}{number}", "x") for i in range(len(header))) + "</row>"
        for number in range(2, count + 2)
    )
    dimension = f"A1:{letters[len(header) - 1]}{count + 1}" if declared else ""
    return write_xlsx(path, header_row(header) + rows, dimension=dimension)
