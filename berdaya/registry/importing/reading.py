"""Reading an import file: a CSV (any common delimiter, UTF-8) or the first sheet of an XLSX workbook, streamed as
rows of cells, with the header resolved to fields, and the plain readings of a cell (text, date, village code)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.lib.uploads import FileRefused, Limits, check_dimension, check_upload, counted, csv_lines

from .results import ImportFileError
from .vocabulary import ALIASES, FIELDS, REQUIRED, Kind

EXCEL_EPOCH = dt.date(1899, 12, 30)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
_VILLAGE_DIGITS = re.compile(r"^\d{10}$")

# A formula in a data file is either a mistake or an attack (=cmd|...); it is never data.
FORMULA = N_("A formula is not allowed here; type the value.")


def is_formula(value: Any) -> bool:
    return isinstance(value, str) and "=" in value and value.lstrip().startswith("=")


def _header_key(header: str) -> str:
    return re.sub(r"[\s_.\-/()]+", "", header.strip().lstrip("\ufeff").lower())


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04" and zipfile.is_zipfile(path)


def _csv_rows(path: Path, limits: Limits) -> tuple[list[str], Iterator[tuple[int, list[Any]]], IO[Any]]:
    raw = path.open("rb")
    head = raw.read(64 * 1024)
    if not head.strip():
        raw.close()
        raise ImportFileError(_("The file is empty."))
    if b"\x00" in head:
        raw.close()
        raise ImportFileError(_("The file is not a CSV or XLSX file (it contains binary data)."))
    try:
        # A cut in the middle of a multi-byte character at the end of the sample is not an error.
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as error:
        raw.close()
        raise ImportFileError(_not_utf8(head, error.start)) from error
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    first_line = head.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    # Excel in an Indonesian locale saves CSV with semicolons.
    delimiter = max((";", ",", "\t", "|"), key=first_line.count)
    reader = csv.reader(csv_lines(text), delimiter=delimiter)
    # Every line counts against the limit, blank ones too; the header is the first.
    lines = counted(reader, limits)
    try:
        header = next(lines, None)
    except FileRefused:
        text.close()
        raise
    except (csv.Error, UnicodeDecodeError) as error:
        text.close()
        raise ImportFileError(
            _("The first line of the file cannot be read as a CSV header: %(error)s") % {"error": error}
        ) from error
    if header is None or not any(cell.strip() for cell in header):
        text.close()
        raise ImportFileError(_("The file is empty."))

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for cells in lines:
                if "".join(cells).strip():  # not a blank line or a row of empty cells
                    yield reader.line_num, cells
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _("Line %(line)d is not UTF-8 text; save the file as “CSV UTF-8” and import it again.")
                % {"line": _first_undecodable_line(path)}
            ) from error
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)d cannot be read as CSV: %(error)s") % {"line": reader.line_num, "error": error}
            ) from error

    return header, rows(), text


def _first_undecodable_line(path: Path) -> int:
    """The number of the first line that is not UTF-8 (the text reader only knows which block of the file it was)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            try:
                decoder.decode(line)
            except UnicodeDecodeError:
                return number
    return 0


def _not_utf8(sample: bytes, position: int) -> str:
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError:
        return _(
            "The file is not text that Berdaya can read (it is neither UTF-8 nor Windows-1252). "
            "Upload a CSV saved as “CSV UTF-8” or an XLSX workbook."
        )
    line = sample[:position].count(b"\n") + 1
    return _(
        "The file is in the Windows-1252 encoding (line %(line)d), not UTF-8. In Excel, save it as "
        "“CSV UTF-8 (comma delimited)” and import it again."
    ) % {"line": line}


def _xlsx_rows(path: Path, limits: Limits) -> tuple[list[str], Iterator[tuple[int, list[Any]]], Any]:
    from openpyxl import load_workbook

    try:
        # data_only=False keeps formulas as their text, so a formula cell is seen and refused, never evaluated.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise ImportFileError(_("The XLSX workbook cannot be opened: %(error)s") % {"error": error}) from error
    sheet = workbook.worksheets[0]
    try:
        check_dimension(sheet, limits)
    except Exception:
        workbook.close()
        raise
    # Every row counts against the limits, the empty rows openpyxl makes of a gap too: a sheet that declares
    # nothing and jumps to row 1,048,576 stops at the limit instead of walking a million empty rows.
    values = counted(sheet.iter_rows(values_only=True), limits)
    header_row = next(values, None)
    if header_row is None or not any(cell not in (None, "") for cell in header_row):
        workbook.close()
        raise ImportFileError(_("The file is empty."))
    header = ["" if cell is None else str(cell) for cell in header_row]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, cells in enumerate(values, start=2):
            if any(cell not in (None, "") for cell in cells):
                yield number, list(cells)

    return header, rows(), workbook


def open_rows(path: Path, limits: Limits | None = None) -> tuple[list[str], Iterator[tuple[int, list[Any]]], Any]:
    """The header and a stream of (line number, cells) of a CSV or XLSX file, and a handle to close afterwards.

    The file is first judged by what it expands to (`berdaya.lib.uploads`, the registry's limits unless given): a
    file beyond them raises FileRefused before a row is read, or as soon as the rows read pass them.
    """
    if path.stat().st_size == 0:
        raise ImportFileError(_("The file is empty."))
    limits = limits or Limits.of("registry")
    check_upload(path, limits)
    if _is_xlsx(path):
        return _xlsx_rows(path, limits)
    return _csv_rows(path, limits)


def resolve_columns(
    header: list[str], *, kind: Kind, mapping: dict[str, str] | None = None
) -> tuple[dict[str, int], list[str], list[str]]:
    """Which column holds which field; the headers nobody knows; the required fields no column holds."""
    mapping = mapping or {}
    known = FIELDS[kind]
    columns: dict[str, int] = {}
    unknown: list[str] = []
    for index, title in enumerate(header):
        title = title.strip().lstrip("\ufeff")
        target = mapping.get(title) or ALIASES.get(_header_key(title))
        if target in known and target not in columns:
            columns[target] = index
        elif title and target not in known:
            unknown.append(title)
    missing = [name for name in REQUIRED[kind] if name not in columns]
    return columns, unknown, missing


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def parse_date(value: Any) -> dt.date | None:
    """A date from YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY, an Excel serial number or a spreadsheet date cell."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = str(value).strip()
    if not text:
        return None
    if match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    if match := _DMY.match(text):
        day, month, year = (int(part) for part in match.groups())
        return dt.date(year, month, day)
    if _SERIAL.match(text):
        return _from_serial(float(text))
    raise ValueError(text)


def _from_serial(serial: float) -> dt.date:
    if not 1 <= serial < 80000:
        raise ValueError(serial)
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def normal_village_code(text: str) -> str:
    text = text.strip()
    if _VILLAGE_DIGITS.match(text):
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    return text
