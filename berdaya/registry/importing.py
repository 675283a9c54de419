"""Import of registry and assistance-history files (CSV or XLSX): a dry run that reports every row, then a commit.

The file is streamed row by row and written in batches, so memory stays flat apart from the NIKs and KK numbers
already seen (needed to refuse duplicates inside one file). A commit is one transaction: either every accepted row is
stored or nothing is. Rows are matched on NIK (persons), KK number (households) and person + programme + year
(assistance), so importing the same file twice changes nothing.

Messages are English msgids with named placeholders, translated when the report is shown or written, so one report
can be read in Indonesian and in English.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import functools
import io
import itertools
import multiprocessing
import os
import re
import sqlite3
import zipfile
from collections.abc import Callable, Collection, Generator, Iterator
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, Literal

import numpy as np
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from berdaya.accounts.models import User
from berdaya.lib.errors import DomainError
from berdaya.lib.nik import Problem, check_kk, check_nik, nik_facts
from berdaya.regions.models import Region

from .models import AssistanceRecord, Household, Person

Kind = Literal["registry", "history"]
Level = Literal["warning", "rejected"]

BATCH_SIZE = 2000
# Kept on the job so that the page can show problems without opening the XLSX report.
ISSUES_ON_PAGE = 200
EXCEL_EPOCH = dt.date(1899, 12, 30)

# Field name -> label, in the order a mapping form offers them.
FIELDS: dict[str, dict[str, str]] = {
    "registry": {
        "nik": N_("NIK"),
        "kk_number": N_("KK number"),
        "name": N_("Name"),
        "village_code": N_("Village code"),
        "address": N_("Address"),
        "relation": N_("Relation to head"),
        "sex": N_("Sex"),
        "birth_place": N_("Birth place"),
        "birth_date": N_("Birth date"),
        "marital_status": N_("Marital status"),
        "education": N_("Education"),
        "occupation": N_("Occupation"),
        "disability": N_("Disability"),
        "decile": N_("Decile"),
        "register_id": N_("DTSEN/DTKS id"),
        "register_verified_on": N_("Last verified on"),
    },
    "history": {
        "nik": N_("NIK"),
        "programme": N_("Programme"),
        "year": N_("Year"),
        "source": N_("Source of funds"),
        "amount": N_("Amount (Rp)"),
        "name": N_("Name"),
        "kk_number": N_("KK number"),
    },
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "registry": ("nik", "kk_number", "name", "village_code"),
    "history": ("nik", "programme", "year"),
}

# Headers as found in Dinsos, DTKS/DTSEN and village spreadsheets, normalised by _header_key().
_ALIASES: dict[str, str] = {
    "nik": "nik",
    "noktp": "nik",
    "nomorktp": "nik",
    "nomorinduk kependudukan": "nik",
    "nomorindukkependudukan": "nik",
    "kk": "kk_number",
    "nokk": "kk_number",
    "nomorkk": "kk_number",
    "kknumber": "kk_number",
    "nomorkartukeluarga": "kk_number",
    "nama": "name",
    "namalengkap": "name",
    "name": "name",
    "fullname": "name",
    "desa": "village_code",
    "kodedesa": "village_code",
    "kodewilayah": "village_code",
    "kodekelurahan": "village_code",
    "desakelurahan": "village_code",
    "villagecode": "village_code",
    "village": "village_code",
    "alamat": "address",
    "address": "address",
    "hubungan": "relation",
    "hubungankeluarga": "relation",
    "hubungandengankepalakeluarga": "relation",
    "shdk": "relation",
    "relation": "relation",
    "jeniskelamin": "sex",
    "jk": "sex",
    "sex": "sex",
    "gender": "sex",
    "tempatlahir": "birth_place",
    "birthplace": "birth_place",
    "tanggallahir": "birth_date",
    "tgllahir": "birth_date",
    "birthdate": "birth_date",
    "dateofbirth": "birth_date",
    "statusperkawinan": "marital_status",
    "statuskawin": "marital_status",
    "maritalstatus": "marital_status",
    "pendidikan": "education",
    "pendidikanterakhir": "education",
    "education": "education",
    "pekerjaan": "occupation",
    "occupation": "occupation",
    "disabilitas": "disability",
    "penyandangdisabilitas": "disability",
    "jenisdisabilitas": "disability",
    "disability": "disability",
    "desil": "decile",
    "decile": "decile",
    "iddtsen": "register_id",
    "iddtks": "register_id",
    "idbdt": "register_id",
    "registerid": "register_id",
    "tanggalverifikasi": "register_verified_on",
    "tglverifikasi": "register_verified_on",
    "registerverifiedon": "register_verified_on",
    "program": "programme",
    "programme": "programme",
    "jenisbantuan": "programme",
    "bantuan": "programme",
    "tahun": "year",
    "year": "year",
    "sumber": "source",
    "sumberdana": "source",
    "source": "source",
    "nilai": "amount",
    "jumlah": "amount",
    "nominal": "amount",
    "amount": "amount",
}

_SEX = {
    "l": "L",
    "lk": "L",
    "laki-laki": "L",
    "laki laki": "L",
    "lakilaki": "L",
    "pria": "L",
    "m": "L",
    "male": "L",
    "1": "L",
    "p": "P",
    "pr": "P",
    "perempuan": "P",
    "wanita": "P",
    "f": "P",
    "female": "P",
    "w": "P",
    "2": "P",
}
_RELATION = {
    "kepala keluarga": "head",
    "kepala rumah tangga": "head",
    "kk": "head",
    "head": "head",
    "1": "head",
    "istri": "spouse",
    "suami": "spouse",
    "istri/suami": "spouse",
    "suami/istri": "spouse",
    "spouse": "spouse",
    "2": "spouse",
    "anak": "child",
    "child": "child",
    "3": "child",
    "menantu": "child_in_law",
    "child_in_law": "child_in_law",
    "4": "child_in_law",
    "cucu": "grandchild",
    "grandchild": "grandchild",
    "5": "grandchild",
    "orang tua": "parent",
    "orangtua": "parent",
    "parent": "parent",
    "6": "parent",
    "mertua": "parent_in_law",
    "parent_in_law": "parent_in_law",
    "7": "parent_in_law",
    "famili lain": "other",
    "lainnya": "other",
    "pembantu": "other",
    "other": "other",
    "8": "other",
}
_MARITAL = {
    "belum kawin": "single",
    "belum menikah": "single",
    "single": "single",
    "not married": "single",
    "kawin": "married",
    "menikah": "married",
    "married": "married",
    "kawin tercatat": "married",
    "kawin belum tercatat": "married",
    "cerai hidup": "divorced",
    "cerai": "divorced",
    "divorced": "divorced",
    "cerai mati": "widowed",
    "janda": "widowed",
    "duda": "widowed",
    "widowed": "widowed",
}
_PROGRAMME = {
    "kube": "kube",
    "pkh": "pkh",
    "bpnt": "bpnt",
    "sembako": "bpnt",
    "bpnt/sembako": "bpnt",
    "bpnt sembako": "bpnt",
    "blt": "blt",
    "blt dd": "blt",
    "blt-dd": "blt",
    "rs-rtlh": "rs_rtlh",
    "rs rtlh": "rs_rtlh",
    "rtlh": "rs_rtlh",
    "rs_rtlh": "rs_rtlh",
    "other": "other",
    "lainnya": "other",
    "lain-lain": "other",
}
_NONE_WORDS = {"", "-", "--", "tidak", "tidak ada", "tidak/bukan", "bukan", "no", "none", "n/a", "0"}
_TEXT_LIMITS = {
    "name": 150,
    "address": 255,
    "birth_place": 100,
    "education": 60,
    "occupation": 100,
    "disability": 100,
    "register_id": 40,
    "source": 100,
}
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")
_VILLAGE_DIGITS = re.compile(r"^\d{10}$")
_MONEY_NOISE = re.compile(r"^rp\.?\s*|[\s.,]|(?:,00|\.00)$", re.IGNORECASE)


class ImportFileError(DomainError):
    """The file as a whole cannot be read: nothing in it is imported."""


# --- results ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """One finding about one cell (or the whole row when column is ""), with an English msgid and its values."""

    line: int
    column: str
    value: str
    level: Level
    message: str
    params: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        translated = _(self.message)
        return translated % self.params if self.params else translated


@dataclass
class ImportSummary:
    """What a dry run or commit found and did; stored on the ImportJob as JSON."""

    kind: str
    dry_run: bool
    total: int = 0
    accepted: int = 0
    warnings: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    households_created: int = 0
    households_updated: int = 0
    committed: bool = False
    error: str = ""
    unknown_headers: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)  # the first ISSUES_ON_PAGE, for the page

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportResult:
    summary: ImportSummary
    issues: list[Issue]


@dataclass
class _Row:
    line: int
    data: dict[str, Any]
    issues: list[Issue]


@dataclass
class _Batch:
    """Checked rows, column by column: each field's clean values in row order, and the issues of the rows with any."""

    lines: list[int]
    data: dict[str, list[Any]]
    issues: dict[int, list[Issue]] = field(default_factory=dict)  # row index -> its issues

    def add(self, index: int, issues: list[Issue]) -> None:
        if issues:
            self.issues.setdefault(index, []).extend(issues)

    def rejected(self) -> set[int]:
        return {index for index, found in self.issues.items() if any(issue.level == "rejected" for issue in found)}


class _KeySet:
    """A set of 16-digit keys (NIKs, KK numbers) as one sorted NumPy array: 8 bytes a key."""

    def __init__(self, keys: Any) -> None:
        self.keys = np.unique(np.asarray(keys, dtype=np.int64))

    @classmethod
    def of_column(cls, table: str, column: str) -> _KeySet:
        chunks = []
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)}")
            while rows := cursor.fetchmany(100_000):
                chunks.append(np.fromiter((int(key) for (key,) in rows), dtype=np.int64, count=len(rows)))
        return cls(np.concatenate(chunks) if chunks else [])

    def select(self, keys: Collection[str]) -> set[str]:
        """Those of `keys` in the set."""
        if not len(self.keys) or not keys:
            return set()
        keys = list(keys)
        numbers = np.fromiter(map(int, keys), dtype=np.int64, count=len(keys))
        found = self.keys[np.minimum(np.searchsorted(self.keys, numbers), len(self.keys) - 1)] == numbers
        return {key for key, hit in zip(keys, found.tolist(), strict=True) if hit}

    def add(self, keys: list[str]) -> None:
        if keys:
            new = np.unique(np.fromiter(map(int, keys), dtype=np.int64, count=len(keys)))
            self.keys = np.insert(self.keys, np.searchsorted(self.keys, new), new)


class _FirstSeen:
    """The keys (64-bit integers) met so far in a file, with the line and a value of the first row that had each.

    Sorted NumPy arrays, 24 bytes a key: a dict of Python ints would take about 100 bytes a key, 100 MB for a file of a
    million NIKs.
    """

    def __init__(self) -> None:
        self.keys = np.empty(0, dtype=np.int64)
        self.lines = np.empty(0, dtype=np.int64)
        self.values = np.empty(0, dtype=np.int64)

    def first(self, keys: Any, lines: Any, values: Any) -> tuple[Any, Any]:
        """For each row of a batch (in line order), the line and value of the first row with its key; remember them."""
        order = np.argsort(keys, kind="stable")  # stable: of equal keys, the earliest line comes first
        ordered = keys[order]
        starts = np.ones(len(ordered), dtype=bool)
        starts[1:] = ordered[1:] != ordered[:-1]
        group = np.cumsum(starts) - 1  # for each row in key order, its distinct key
        unique, heads = ordered[starts], order[starts]
        position = np.searchsorted(self.keys, unique)
        found = np.zeros(len(unique), dtype=bool)
        if len(self.keys):
            clipped = np.minimum(position, len(self.keys) - 1)
            found = self.keys[clipped] == unique
            unique_lines = np.where(found, self.lines[clipped], lines[heads])
            unique_values = np.where(found, self.values[clipped], values[heads])
        else:
            unique_lines, unique_values = lines[heads], values[heads]
        first_lines, first_values = np.empty_like(lines), np.empty_like(values)
        first_lines[order], first_values[order] = unique_lines[group], unique_values[group]
        new = ~found
        self.keys = np.insert(self.keys, position[new], unique[new])
        self.lines = np.insert(self.lines, position[new], unique_lines[new])
        self.values = np.insert(self.values, position[new], unique_values[new])
        return first_lines, first_values


# A formula in a data file is either a mistake or an attack (=cmd|...); it is never data.
_FORMULA = N_("A formula is not allowed here; type the value.")


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and "=" in value and value.lstrip().startswith("=")


# --- reading the file -------------------------------------------------------------------------------------------


def _header_key(header: str) -> str:
    return re.sub(r"[\s_.\-/()]+", "", header.strip().lstrip("\ufeff").lower())


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"PK\x03\x04" and zipfile.is_zipfile(path)


def _csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]], IO[Any]]:
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
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader, None)
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
            for cells in reader:
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


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]], Any]:
    from openpyxl import load_workbook

    try:
        # data_only=False keeps formulas as their text, so a formula cell is seen and refused, never evaluated.
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise ImportFileError(_("The XLSX workbook cannot be opened: %(error)s") % {"error": error}) from error
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
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


def open_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]], Any]:
    """The header and a stream of (line number, cells) of a CSV or XLSX file, and a handle to close afterwards."""
    if path.stat().st_size == 0:
        raise ImportFileError(_("The file is empty."))
    if _is_xlsx(path):
        return _xlsx_rows(path)
    return _csv_rows(path)


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
        target = mapping.get(title) or _ALIASES.get(_header_key(title))
        if target in known and target not in columns:
            columns[target] = index
        elif title and target not in known:
            unknown.append(title)
    missing = [name for name in REQUIRED[kind] if name not in columns]
    return columns, unknown, missing


# --- cells ------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
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


def _village_code(text: str) -> str:
    text = text.strip()
    if _VILLAGE_DIGITS.match(text):
        return f"{text[:2]}.{text[2:4]}.{text[4:6]}.{text[6:]}"
    return text


# --- validation -------------------------------------------------------------------------------------------------

# Clean values remembered per column (see _Checker.memo): a file repeats the same villages, dates, relations and places
# over and over. Bounded, so a file of a million different strings cannot grow them without limit.
_MEMO_SIZE = 100_000
_CHOICES = {"sex": _SEX, "relation": _RELATION, "marital_status": _MARITAL}
_MISSING = object()
_Cleaner = Callable[[_Row, dict[str, Any], str], Any]


class _Checker:
    """Turns the cells of one row into clean values and issues. Holds what the file has shown so far.

    The common cell (a 16-digit NIK of a known kecamatan that agrees with the row, a date already seen) takes a short
    path; anything else goes through the full rules in berdaya.lib.nik and parse_date, which write the messages.
    """

    def __init__(
        self,
        *,
        kind: Kind,
        columns: dict[str, int],
        today: dt.date,
        kecamatan_prefixes: frozenset[str],
        villages: frozenset[str],
    ) -> None:
        self.settings = {
            "kind": kind,
            "columns": columns,
            "today": today,
            "kecamatan_prefixes": kecamatan_prefixes,
            "villages": villages,
        }
        self.kind = kind
        self.columns = columns
        self.names = tuple(columns)
        self.width = max(columns.values()) + 1
        self.pick = itemgetter(*columns.values())
        self.today = today
        self.kecamatan_prefixes = kecamatan_prefixes  # the six digits of every kecamatan code
        self.villages = villages  # the villages the user may import into
        # History: line of the first row of each person/programme/year in this file.
        self.seen: dict[Any, int] = {}
        # Registry: each NIK's first line; each KK's first line and village, so one KK cannot sit in two villages.
        self.first_niks = _FirstSeen()
        self.first_kks = _FirstSeen()
        self.village_numbers: dict[str, int] = {}
        # The DDMMYY part of a NIK -> (birth date, sex) it encodes, or None when it encodes no date.
        self.nik_dates: dict[str, tuple[dt.date, str] | None] = {}
        # Column -> cell text -> its clean value, for cells that had nothing to report.
        self.memos: dict[str, dict[str, Any]] = {name: {} for name in FIELDS[kind]}

    def cells(self, raw: list[Any]) -> dict[str, Any]:
        if len(raw) >= self.width:
            return dict(zip(self.names, self.pick(raw), strict=True))
        return {name: raw[index] if index < len(raw) else None for name, index in self.columns.items()}

    def check_batch(self, chunk: list[tuple[int, list[Any]]]) -> _Batch:
        """Check a batch of rows (line number, cells) and return their clean values column by column."""
        batch = _Batch([line for line, _ in chunk], {})
        if self.kind == "registry":
            self._check_registry(batch, [raw for _, raw in chunk])
            return batch
        for index, (line, raw) in enumerate(chunk):
            row = self.check(line, raw)
            for name, value in row.data.items():
                batch.data.setdefault(name, []).append(value)
            if row.issues:
                batch.add(index, row.issues)
        return batch

    def check(self, line: int, raw: list[Any]) -> _Row:
        """One row of an assistance-history file."""
        cells = self.cells(raw)
        row = _Row(line, {}, [])
        for name, value in cells.items():
            if _is_formula(value):
                self._issue(row, name, value, "rejected", _FORMULA)
                cells[name] = None
        self._check_history(row, cells)
        return row

    def _columns(self, raws: list[list[Any]]) -> dict[str, list[Any]]:
        """The cells of a batch of rows as one list per field; cells missing at the end of a short row are None."""
        width = self.width
        if min(map(len, raws)) < width:
            raws = [raw if len(raw) >= width else [*raw, *[None] * (width - len(raw))] for raw in raws]
        if len(self.names) == 1:
            return {self.names[0]: list(map(self.pick, raws))}
        return dict(zip(self.names, map(list, zip(*map(self.pick, raws), strict=True)), strict=True))

    def _one(self, batch: _Batch, index: int, name: str, value: Any, clean: _Cleaner, *, remember: bool = True) -> Any:
        """One cell through the full rules, which write the messages (the path of a cell that is not plain).

        `remember` only for cleaners whose result depends on the cell alone (see memo).
        """
        row = _Row(batch.lines[index], {}, [])
        cells = {name: value}
        if _is_formula(value):
            self._issue(row, name, value, "rejected", _FORMULA)
            cells[name] = None
        clean_value = self.memo(row, cells, name, clean) if remember else clean(row, cells, name)
        if row.issues:
            batch.add(index, row.issues)
        return clean_value

    def _column(self, batch: _Batch, cells: dict[str, list[Any]], name: str, clean: _Cleaner) -> list[Any]:
        """A column of cells whose values repeat (codes, dates, choices): each distinct text is cleaned once."""
        column = cells.get(name)
        if column is None:  # not in the file
            return [self._one(batch, 0, name, None, clean)] * len(batch.lines)
        memo = self.memos[name]
        unknown = set(column).difference(memo)
        if not unknown:
            return list(map(memo.__getitem__, column))
        return [
            self._one(batch, index, name, value, clean) if value in unknown else memo[value]
            for index, value in enumerate(column)
        ]

    def _texts(
        self, batch: _Batch, cells: dict[str, list[Any]], name: str, clean: _Cleaner, *, required: bool = False
    ) -> list[str]:
        """A column of free text (names, addresses): plain cells are only stripped; the rest take the full rules."""
        column = cells.get(name)
        if column is None:
            return [""] * len(batch.lines)
        try:
            texts = list(map(str.strip, column))
        except TypeError:  # a number or an empty cell of a spreadsheet
            return [self._one(batch, index, name, value, clean) for index, value in enumerate(column)]
        limit = _TEXT_LIMITS.get(name, 10**9)
        joined = "\x1f".join(texts)
        if not (
            "=" in joined
            or "  " in joined
            or "\t" in joined
            or "\n" in joined
            or max(map(len, texts)) > limit
            or (required and not all(texts))
        ):
            return texts
        return [
            self._one(batch, index, name, value, clean)
            if text[:1] == "="
            or "  " in text
            or "\t" in text
            or "\n" in text
            or len(text) > limit
            or not (text or not required)
            else text
            for index, (value, text) in enumerate(zip(column, texts, strict=True))
        ]

    def _issue(self, row: _Row, column: str, cell: Any, level: Level, message: str, **params: Any) -> None:
        row.issues.append(
            Issue(row.line, column, _text(cell)[:100], level, message, {k: str(v) for k, v in params.items()})
        )

    def _problem(self, row: _Row, column: str, cell: Any, level: Level, problem: Problem) -> None:
        row.issues.append(Issue(row.line, column, _text(cell)[:100], level, problem.message, dict(problem.params)))

    def memo(
        self, row: _Row, cells: dict[str, Any], name: str, clean: Callable[[_Row, dict[str, Any], str], Any]
    ) -> Any:
        """clean(row, cells, name), remembered per cell text when it had nothing to report.

        Only for cleaners whose result depends on the cell alone. Text cells only: a spreadsheet's 1, 1.0 and True are
        equal as keys but not as dates.
        """
        value = cells.get(name)
        if type(value) is not str:
            return clean(row, cells, name)
        memo = self.memos[name]
        known = memo.get(value, _MISSING)
        if known is not _MISSING:
            return known
        found = len(row.issues)
        clean_value = clean(row, cells, name)
        if len(row.issues) == found and len(memo) < _MEMO_SIZE:
            memo[value] = clean_value
        return clean_value

    def _text_field(self, row: _Row, cells: dict[str, Any], name: str) -> str:
        value = cells.get(name)
        text = value.strip() if type(value) is str else _text(value)
        if "  " in text or "\t" in text or "\n" in text:
            text = " ".join(text.split())
        limit = _TEXT_LIMITS.get(name)
        if limit and len(text) > limit:
            self._issue(row, name, text, "rejected", N_("Longer than %(limit)s characters."), limit=limit)
        return text

    def _choice(self, row: _Row, cells: dict[str, Any], name: str) -> str:
        text = _text(cells.get(name))
        if not text:
            return ""
        value = _CHOICES[name].get(text.lower())
        if value is None:
            self._issue(row, name, text, "warning", N_("Unknown value %(value)s; left empty."), value=text)
            return ""
        return value

    def _date(self, row: _Row, cells: dict[str, Any], name: str) -> dt.date | None:
        value = cells.get(name)
        try:
            date = parse_date(value)
        except (ValueError, OverflowError):
            self._issue(
                row,
                name,
                value,
                "rejected",
                N_("%(value)s is not a date; write YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY."),
                value=_text(value),
            )
            return None
        if date is not None and date > self.today:
            self._issue(row, name, value, "rejected", N_("The date %(date)s is in the future."), date=date)
            return None
        return date

    def _nik_is_clean(self, text: str, *, birth_date: dt.date | None, sex: str) -> bool:
        """True when check_nik would find nothing at all to say about `text`: the short path for most rows."""
        if not (len(text) == 16 and text.isascii() and text.isdigit() and text[:6] in self.kecamatan_prefixes):
            return False
        part = text[6:12]
        if part not in self.nik_dates:
            facts = nik_facts(text, today=self.today)
            self.nik_dates[part] = None if facts is None else (facts.birth_date, facts.sex)
        encoded = self.nik_dates[part]
        if encoded is None:
            return False
        born, nik_sex = encoded
        if sex in ("L", "P") and sex != nik_sex:
            return False
        # The NIK keeps two digits of the year, as check_nik compares them.
        return birth_date is None or (
            birth_date.day == born.day and birth_date.month == born.month and birth_date.year % 100 == born.year % 100
        )

    def _nik(self, row: _Row, cells: dict[str, Any], *, birth_date: dt.date | None, sex: str) -> str:
        value = cells.get("nik")
        if type(value) is str:
            text = value.strip()
            if self._nik_is_clean(text, birth_date=birth_date, sex=sex):
                return text
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Excel keeps 15 significant digits: a NIK stored as a number may have lost its last digit.
            self._issue(
                row,
                "nik",
                value,
                "warning",
                N_(
                    "The NIK is stored as a number in the spreadsheet; check its last digit and format the column "
                    "as text."
                ),
            )
        check = check_nik(
            _text(value),
            today=self.today,
            birth_date=birth_date,
            sex=sex or None,
            known_regions=self.kecamatan_prefixes,
        )
        for problem in check.errors:
            self._problem(row, "nik", value, "rejected", problem)
        for problem in check.warnings:
            self._problem(row, "nik", value, "warning", problem)
        return check.nik if check.ok else ""

    def _kk(self, row: _Row, cells: dict[str, Any]) -> str:
        value = cells.get("kk_number")
        if type(value) is str:
            text = value.strip()
            if len(text) == 16 and text.isascii() and text.isdigit() and text[:6] in self.kecamatan_prefixes:
                return text
        kk = check_kk(_text(value), known_regions=self.kecamatan_prefixes)
        for problem in kk.errors:
            self._problem(row, "kk_number", value, "rejected", problem)
        for problem in kk.warnings:
            self._problem(row, "kk_number", value, "warning", problem)
        return kk.kk_number if kk.ok else ""

    def _check_registry(self, batch: _Batch, raws: list[list[Any]]) -> None:
        cells = self._columns(raws)
        data, column, texts = batch.data, self._column, self._texts
        data["sex"] = column(batch, cells, "sex", self._choice)
        data["birth_date"] = column(batch, cells, "birth_date", self._date)
        data["nik"] = self._niks(batch, cells["nik"], data["birth_date"], data["sex"])
        data["kk_number"] = self._kks(batch, cells["kk_number"])
        data["name"] = texts(batch, cells, "name", self._name, required=True)
        data["village_code"] = column(batch, cells, "village_code", self._village)
        for name in ("address", "birth_place", "education", "occupation", "register_id"):
            data[name] = texts(batch, cells, name, self._text_field)
        data["disability"] = self._disabilities(texts(batch, cells, "disability", self._disability))
        for name in ("relation", "marital_status"):
            data[name] = column(batch, cells, name, self._choice)
        data["decile"] = column(batch, cells, "decile", self._decile)
        data["register_verified_on"] = column(batch, cells, "register_verified_on", self._date)
        self._first_niks(batch)
        self._first_kks(batch)
        # As the writer stores and compares them (and cheaper to hand to another process than date objects).
        data["birth_date"] = _iso_dates(data["birth_date"])
        data["register_verified_on"] = _iso_dates(data["register_verified_on"])

    def _niks(self, batch: _Batch, column: list[Any], births: list[Any], sexes: list[str]) -> list[str]:
        niks = []
        prefixes, encoded = self.kecamatan_prefixes, self.nik_dates
        for index, (value, birth_date, sex) in enumerate(zip(column, births, sexes, strict=True)):
            # The short path of _nik_is_clean, inlined: it runs for every row of the file.
            if type(value) is str and len(value) == 16 and value.isdigit() and value.isascii():
                found = encoded.get(value[6:12])
                if (
                    found is not None
                    and value[:6] in prefixes
                    and (sex == found[1] or not sex)
                    and (
                        birth_date is None
                        or (
                            birth_date.day == found[0].day
                            and birth_date.month == found[0].month
                            and birth_date.year % 100 == found[0].year % 100
                        )
                    )
                ):
                    niks.append(value)
                    continue
            if type(value) is str:
                text = value.strip()
                if self._nik_is_clean(text, birth_date=birth_date, sex=sex):
                    niks.append(text)
                    continue
            niks.append(
                self._one(
                    batch,
                    index,
                    "nik",
                    value,
                    functools.partial(self._nik_cell, birth_date=birth_date, sex=sex),
                    remember=False,  # a NIK is checked against the row's birth date and sex
                )
            )
        return niks

    def _nik_cell(self, row: _Row, cells: dict[str, Any], name: str, *, birth_date: dt.date | None, sex: str) -> str:
        return self._nik(row, cells, birth_date=birth_date, sex=sex)

    def _kks(self, batch: _Batch, column: list[Any]) -> list[str]:
        kks = []
        prefixes = self.kecamatan_prefixes
        for index, value in enumerate(column):
            if type(value) is str:
                text = value.strip()
                if len(text) == 16 and text.isascii() and text.isdigit() and text[:6] in prefixes:
                    kks.append(text)
                    continue
            kks.append(self._one(batch, index, "kk_number", value, lambda row, cells, _name: self._kk(row, cells)))
        return kks

    @staticmethod
    def _disabilities(texts: list[str]) -> list[str]:
        """Words that mean "none" ("tidak", "-") are no disability."""
        none = {text for text in set(texts) if text and text.lower() in _NONE_WORDS}
        return ["" if text in none else text for text in texts] if none else texts

    def _first_niks(self, batch: _Batch) -> None:
        """Refuse a NIK already on an earlier row of the file."""
        indexes = [index for index, nik in enumerate(batch.data["nik"]) if nik]
        if not indexes:
            return
        niks = batch.data["nik"]
        lines = np.array([batch.lines[index] for index in indexes], dtype=np.int64)
        keys = np.array([int(niks[index]) for index in indexes], dtype=np.int64)
        first_lines, _first = self.first_niks.first(keys, lines, np.zeros(len(keys), dtype=np.int64))
        for position in np.flatnonzero(first_lines != lines).tolist():
            index = indexes[position]
            row = _Row(batch.lines[index], {}, [])
            nik = niks[index]
            self._issue(
                row,
                "nik",
                nik,
                "rejected",
                N_("NIK %(nik)s is already on line %(line)s of this file."),
                nik=nik,
                line=int(first_lines[position]),
            )
            batch.add(index, row.issues)

    def _first_kks(self, batch: _Batch) -> None:
        """Refuse a KK that an earlier row of the file places in another village."""
        kks, villages = batch.data["kk_number"], batch.data["village_code"]
        indexes = [index for index, (kk, village) in enumerate(zip(kks, villages, strict=True)) if kk and village]
        if not indexes:
            return
        numbers = self.village_numbers
        lines = np.array([batch.lines[index] for index in indexes], dtype=np.int64)
        keys = np.array([int(kks[index]) for index in indexes], dtype=np.int64)
        places = np.array([numbers.setdefault(villages[index], len(numbers)) for index in indexes], dtype=np.int64)
        first_lines, first_places = self.first_kks.first(keys, lines, places)
        if not (first_places != places).any():
            return
        codes = {number: code for code, number in numbers.items()}
        for position in np.flatnonzero(first_places != places).tolist():
            index = indexes[position]
            row = _Row(batch.lines[index], {}, [])
            self._issue(
                row,
                "village_code",
                villages[index],
                "rejected",
                N_("KK %(kk)s is in village %(village)s on line %(line)s; one KK lives in one village."),
                kk=kks[index],
                village=codes[int(first_places[position])],
                line=int(first_lines[position]),
            )
            batch.add(index, row.issues)

    def _name(self, row: _Row, cells: dict[str, Any], name: str) -> str:
        text = self._text_field(row, cells, name)
        if not text:
            self._issue(row, name, "", "rejected", N_("The name is empty."))
        return text

    def _village(self, row: _Row, cells: dict[str, Any], name: str) -> str:
        village = _village_code(_text(cells.get(name)))
        if not village:
            self._issue(row, name, "", "rejected", N_("The village code is empty."))
        elif village not in self.villages:
            self._issue(
                row,
                name,
                village,
                "rejected",
                N_("%(code)s is not the code of a village in your region."),
                code=village,
            )
        return village

    def _disability(self, row: _Row, cells: dict[str, Any], name: str) -> str:
        disability = self._text_field(row, cells, name)
        return "" if disability.lower() in _NONE_WORDS else disability

    def _decile(self, row: _Row, cells: dict[str, Any], name: str) -> int | None:
        decile = _text(cells.get(name))
        if not decile:
            return None
        if decile.isdigit() and 1 <= int(decile) <= 10:
            return int(decile)
        self._issue(row, name, decile, "rejected", N_("The decile must be a whole number from 1 to 10."))
        return None

    def _check_history(self, row: _Row, cells: dict[str, Any]) -> None:
        data = row.data
        data["nik"] = self._nik(row, cells, birth_date=None, sex="")
        programme = _text(cells.get("programme"))
        data["programme"] = _PROGRAMME.get(programme.lower(), "")
        if not data["programme"]:
            self._issue(
                row,
                "programme",
                programme,
                "rejected",
                N_("Unknown programme %(value)s; use KUBE, PKH, BPNT/Sembako, BLT, RS-RTLH or other."),
                value=programme,
            )
        year = _text(cells.get("year"))
        data["year"] = int(year) if year.isdigit() and 1970 <= int(year) <= self.today.year else None
        if data["year"] is None:
            self._issue(
                row,
                "year",
                year,
                "rejected",
                N_("%(value)s is not a year between 1970 and %(max)s."),
                value=year,
                max=self.today.year,
            )
        data["source"] = self._text_field(row, cells, "source")
        amount = _text(cells.get("amount"))
        data["amount"] = None
        if amount:
            digits = _MONEY_NOISE.sub("", amount)
            if digits.isdigit():
                data["amount"] = int(digits)
            else:
                self._issue(row, "amount", amount, "rejected", N_("The amount must be whole Rupiah, such as 2000000."))
        if data["nik"] and data["programme"] and data["year"]:
            key = (data["nik"], data["programme"], data["year"])
            first = self.seen.setdefault(key, row.line)
            if first != row.line:
                self._issue(
                    row,
                    "",
                    "",
                    "rejected",
                    N_("The same person, programme and year are already on line %(line)s of this file."),
                    line=first,
                )


# --- writing ----------------------------------------------------------------------------------------------------

# Every stored column in the order the import writes it; the first is the key an import matches on.
_HOUSEHOLD_COLUMNS = ("kk_number", "address", "village_id", "decile", "register_id", "register_verified_on")
_PERSON_COLUMNS = (
    "nik",
    "name",
    "household_id",
    "relation",
    "sex",
    "birth_place",
    "birth_date",
    "marital_status",
    "education",
    "occupation",
    "disability",
)


class _Writer:
    """Stores the accepted rows of one batch, and counts what was created, updated or already as in the file.

    Registry rows are read and written with plain SQL on tuples built column by column: most rows of a re-import are
    unchanged and need only a comparison, and building a model instance or compiling an ORM query per row was most of
    the import's time.
    """

    def __init__(self, *, kind: Kind, by: User, summary: ImportSummary, write: bool) -> None:
        self.kind = kind
        self.by = by
        self.summary = summary
        self.write = write
        self.when = timezone.now()
        # The KK numbers and NIKs in the registry, read on the first batch (inside the commit's transaction), plus the
        # households this import creates: only keys in them are looked up, so new people cost no lookup at all.
        self.known_kks: _KeySet | None = None
        self.known_niks: _KeySet | None = None
        # The KK numbers of the batches before: the first row of a KK in the file says what its household is, so a
        # later batch neither changes nor counts it again.
        self.done_kks = _KeySet([])

    def __call__(self, batch: _Batch) -> None:
        """Store the accepted rows; refuse (with an issue) those that touch a record outside the user's region."""
        if self.kind == "registry":
            self._registry(batch)
        else:
            self._history(batch)

    def _in_scope(self, code: str) -> bool:
        scope = self.by.region_id
        return scope is not None and (code == scope or code.startswith(f"{scope}."))

    def _refuse(self, batch: _Batch, index: int, column: str, value: str, message: str, **params: str) -> None:
        batch.add(index, [Issue(batch.lines[index], column, value, "rejected", message, params)])

    def _registry(self, batch: _Batch) -> None:
        data = batch.data
        rejected = batch.rejected()
        kept = [index for index in range(len(batch.lines)) if index not in rejected] if rejected else None

        def column(name: str) -> list[Any]:
            values = data[name]
            return values if kept is None else [values[index] for index in kept]

        kks, niks = column("kk_number"), column("nik")
        if self.known_kks is None or self.known_niks is None:
            self.known_kks = _KeySet.of_column("registry_household", "kk_number")
            self.known_niks = _KeySet.of_column("registry_person", "nik")
        known_kks = self.known_kks.select(set(kks))
        # key -> (id, village, stored values in _HOUSEHOLD_COLUMNS / _PERSON_COLUMNS order without the key)
        existing = {
            kk: (pk, village, tuple(values))
            for kk, pk, village, *values in _stored(
                "h.kk_number, h.id, h.village_id, h.address, h.village_id AS village, h.decile, h.register_id, "
                f"{_date_text('h.register_verified_on')}",
                "registry_household h",
                "h.kk_number",
                known_kks,
            )
        }
        people = {
            nik: (pk, village, tuple(values))
            for nik, pk, village, *values in _stored(
                "p.nik, p.id, h.village_id, p.name, p.household_id, p.relation, p.sex, p.birth_place, "
                f"{_date_text('p.birth_date')}, p.marital_status, p.education, p.occupation, p.disability",
                "registry_person p JOIN registry_household h ON h.id = p.household_id",
                "p.nik",
                self.known_niks.select(niks),
            )
        }
        # An import may not take over a household or person registered outside the importing user's region.
        foreign_kks = {kk for kk, stored in existing.items() if not self._in_scope(stored[1])}
        foreign_niks = {nik for nik, stored in people.items() if not self._in_scope(stored[1])}
        if foreign_kks or foreign_niks:
            for index in range(len(batch.lines)) if kept is None else kept:
                kk, nik = data["kk_number"][index], data["nik"][index]
                if kk in foreign_kks:
                    self._refuse(
                        batch, index, "kk_number", kk, N_("KK %(kk)s is registered outside your region."), kk=kk
                    )
                elif nik in foreign_niks:
                    self._refuse(
                        batch, index, "nik", nik, N_("NIK %(nik)s is registered outside your region."), nik=nik
                    )
            rejected = batch.rejected()
            kept = [index for index in range(len(batch.lines)) if index not in rejected]
            kks, niks = column("kk_number"), column("nik")
        # The first row of a KK in the file says what the household is (reversed: in a dict the last one stays).
        household_values = list(
            zip(
                column("address"),
                column("village_code"),
                column("decile"),
                column("register_id"),
                column("register_verified_on"),
                strict=True,
            )
        )
        households = dict(zip(reversed(kks), reversed(household_values), strict=True))
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        household_ids = {kk: stored[0] for kk, stored in existing.items()}
        done = self.done_kks.select(households.keys())
        self.done_kks.add(list(households))
        for kk, values in households.items():
            if kk in done:
                continue  # decided by an earlier batch (and, in a dry run, stored nowhere)
            stored = existing.get(kk)
            if stored is None:
                new.append((kk, *values))
            elif stored[2] != values:
                changed.append((stored[0], kk, *values))
        self.summary.households_created += len(new)
        self.summary.households_updated += len(changed)
        self.known_kks.add([row[0] for row in new])
        if self.write:
            household_ids.update(_insert_with_history(Household, _HOUSEHOLD_COLUMNS, new, by=self.by, when=self.when))
            _update_with_history(Household, _HOUSEHOLD_COLUMNS, changed, by=self.by, when=self.when)
        person_values = zip(
            column("name"),
            map(household_ids.get, kks),
            column("relation"),
            column("sex"),
            column("birth_place"),
            column("birth_date"),
            column("marital_status"),
            column("education"),
            column("occupation"),
            column("disability"),
            strict=True,
        )
        new_people: list[tuple[Any, ...]] = []
        changed_people: list[tuple[Any, ...]] = []
        if not people:  # a first import: every person is new
            new_people = [(nik, *values) for nik, values in zip(niks, person_values, strict=True)]
        else:
            for nik, values in zip(niks, person_values, strict=True):
                stored_person = people.get(nik)
                if stored_person is None:
                    new_people.append((nik, *values))
                elif stored_person[2] != values:
                    changed_people.append((stored_person[0], nik, *values))
        self.summary.created += len(new_people)
        self.summary.updated += len(changed_people)
        self.summary.unchanged += len(niks) - len(new_people) - len(changed_people)
        if self.write:
            _insert_with_history(Person, _PERSON_COLUMNS, new_people, by=self.by, when=self.when)
            _update_with_history(Person, _PERSON_COLUMNS, changed_people, by=self.by, when=self.when)

    def _history(self, batch: _Batch) -> None:
        data = batch.data
        rejected = batch.rejected()
        indexes = [index for index in range(len(batch.lines)) if index not in rejected]
        people = Person.objects.visible_to(self.by).in_bulk([data["nik"][index] for index in indexes], field_name="nik")
        known = []
        for index in indexes:
            nik = data["nik"][index]
            if nik in people:
                known.append(index)
            else:
                self._refuse(
                    batch,
                    index,
                    "nik",
                    nik,
                    N_("NIK %(nik)s is not in the registry of your region; import the registry first."),
                    nik=nik,
                )
        person_ids = [people[data["nik"][index]].pk for index in known]
        existing = {
            (record.person_id, record.programme, record.year): record
            for record in AssistanceRecord.objects.filter(person_id__in=person_ids)
        }
        new, changed = [], []
        for index in known:
            person = people[data["nik"][index]]
            programme, year = data["programme"][index], data["year"][index]
            record = existing.get((person.pk, programme, year))
            values = {"source": data["source"][index], "amount": data["amount"][index]}
            if record is None:
                new.append(
                    AssistanceRecord(
                        person=person, household_id=person.household_id, programme=programme, year=year, **values
                    )
                )
                self.summary.created += 1
            elif _apply(record, values, ("source", "amount")):
                changed.append(record)
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
        if self.write:
            if new:
                bulk_create_with_history(
                    new, AssistanceRecord, batch_size=BATCH_SIZE, default_user=self.by, default_date=self.when
                )
            if changed:
                bulk_update_with_history(
                    changed,
                    AssistanceRecord,
                    ["source", "amount"],
                    batch_size=BATCH_SIZE,
                    default_user=self.by,
                    default_date=self.when,
                )


def _date_text(sql: str) -> str:
    """A date column as YYYY-MM-DD text, whatever the database's date style: the import compares dates as text."""
    if connection.vendor == "postgresql":
        return f"to_char({sql}, 'YYYY-MM-DD')"
    return f"CAST({sql} AS TEXT)"


def _iso_dates(dates: list[dt.date | None]) -> list[str | None]:
    return [None if date is None else date.isoformat() for date in dates]


def _stored(columns: str, tables: str, key: str, keys: Collection[str]) -> list[tuple[Any, ...]]:
    """SELECT `columns` FROM `tables` for the rows whose `key` is one of `keys` (a batch: a few thousand at most)."""
    if not keys:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One index lookup per key, whatever the planner believes of the tables: in a large import they grow much
            # faster than their statistics, and it then chose to hash the whole registry for every batch.
            cursor.execute(
                f"SELECT stored.* FROM unnest(%s::varchar[]) AS keys(key) CROSS JOIN LATERAL "
                f"(SELECT {columns} FROM {tables} WHERE {key} = keys.key OFFSET 0) AS stored",
                [list(keys)],
            )
        else:
            cursor.execute(
                f"SELECT {columns} FROM {tables} WHERE {key} IN ({', '.join(['%s'] * len(keys))})", list(keys)
            )
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


_HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")
_Model = type[Household] | type[Person]


@functools.cache
def _history_model(model: _Model, columns: tuple[str, ...]) -> type[models.Model]:
    """The model's history model, after checking that `columns` are every column of the model.

    The import writes both tables itself, as django-simple-history would: a column added to the model and not to the
    import must fail loudly rather than leave the audit trail without it.
    """
    history: type[models.Model] = model.history.model
    stored = {f.attname for f in model._meta.concrete_fields if not f.primary_key}
    kept = {f.attname for f in history._meta.concrete_fields if not f.primary_key}
    if stored != set(columns) or kept != {"id", *columns, *_HISTORY_COLUMNS}:
        raise ImproperlyConfigured(f"The import does not write every column of {model._meta.label}.")
    return history


def _insert_with_history(
    model: _Model, columns: tuple[str, ...], rows: list[tuple[Any, ...]], *, by: User, when: dt.datetime
) -> dict[str, int]:
    """Insert new rows (values in `columns` order) and their "created" history rows; return the new ids by key.

    The key is the first column. The ids are taken first, so the history rows can be copied from the stored rows by
    the database itself (INSERT ... SELECT): exactly what was stored, without sending every row twice.
    """
    if not rows:
        return {}
    history = _history_model(model, columns)
    with transaction.atomic(), connection.cursor() as cursor:
        ids = _reserve_ids(cursor, model, len(rows))
        _write_rows(cursor, model, ("id", *columns), [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
        _copy_to_history(cursor, model, history, columns, ids, "+", by=by, when=when)
    return {row[0]: pk for pk, row in zip(ids, rows, strict=True)}


def _reserve_ids(cursor: Any, model: _Model, count: int) -> list[int]:
    """`count` new primary keys for the model's table."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        # The sequence is looked up once: pg_get_serial_sequence in the select list would read the catalogue per id.
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) "
            "SELECT nextval(s.seq) FROM s CROSS JOIN generate_series(1, %s)",
            [table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
    # SQLite: the caller's transaction holds the database's write lock, so no one else can take ids meanwhile. The
    # table is AUTOINCREMENT: an id once used (by a since deleted row, still named in the audit trail) is never reused.
    cursor.execute(
        f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
        f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))",
        [table],
    )
    (last,) = cursor.fetchone()
    return list(range(last + 1, last + 1 + count))


def _update_with_history(
    model: _Model, columns: tuple[str, ...], rows: list[tuple[Any, ...]], *, by: User, when: dt.datetime
) -> None:
    """Store changed rows, each given as (id, key, the other values in `columns` order), and their "changed" history."""
    if not rows:
        return
    history = _history_model(model, columns)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns[1:])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE id = %s",
            _with_text_dates(model, columns[1:], [(*row[2:], row[0]) for row in rows]),
        )
        _copy_to_history(cursor, model, history, columns, [row[0] for row in rows], "~", by=by, when=when)


def _copy_to_history(
    cursor: Any,
    model: _Model,
    history: type[models.Model],
    columns: tuple[str, ...],
    ids: list[int],
    history_type: str,
    *,
    by: User,
    when: dt.datetime,
) -> None:
    """The history rows django-simple-history would write for the stored rows `ids`: a copy, the date, type and user."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in ("id", *columns))
    history_names = ", ".join(quote(column) for column in _HISTORY_COLUMNS)
    date: Any = when if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(when)
    insert = (
        f"INSERT INTO {quote(history._meta.db_table)} ({names}, {history_names}) "
        f"SELECT {names}, %s, NULL, %s, %s FROM {quote(model._meta.db_table)} "
    )
    if ids == list(range(ids[0], ids[0] + len(ids))):  # new rows: _reserve_ids gives them consecutive ids, mostly
        cursor.execute(insert + "WHERE id BETWEEN %s AND %s", [date, history_type, by.pk, ids[0], ids[-1]])
        return
    if connection.vendor == "postgresql":
        cursor.execute(insert + "WHERE id = ANY(%s)", [date, history_type, by.pk, ids])
        return
    for start in range(0, len(ids), _SQLITE_IDS_PER_STATEMENT):
        chunk = ids[start : start + _SQLITE_IDS_PER_STATEMENT]
        cursor.execute(insert + f"WHERE id IN ({', '.join(['%s'] * len(chunk))})", [date, history_type, by.pk, *chunk])


# Bound parameters per statement on SQLite: its limit is 32,766 since version 3.32, and 999 before.
_SQLITE_IDS_PER_STATEMENT = 900


def _write_rows(cursor: Any, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Append rows to the model's table: COPY on PostgreSQL; on SQLite, INSERTs of many rows each."""
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        # psycopg's COPY raises its own errors: wrapped, a unique violation is Django's IntegrityError as elsewhere.
        with connection.wrap_database_errors, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    per_statement = max(1, _sqlite_max_params() // len(columns))
    values = "(" + ", ".join(["?"] * len(columns)) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        # Straight to sqlite3: Django's cursor would rewrite each %s of thousands into "?" with a regular expression.
        with connection.wrap_database_errors:
            connection.connection.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([values] * len(chunk))}",
                list(itertools.chain.from_iterable(chunk)),
            )


def _sqlite_max_params() -> int:
    try:
        limit: int = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # not the standard library's sqlite3 connection
        return 999
    return min(limit, 30_000)


@functools.cache
def _date_positions(model: type[models.Model], columns: tuple[str, ...]) -> list[int]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [
        i
        for i, column in enumerate(columns)
        if isinstance(fields[column], models.DateField) and not isinstance(fields[column], models.DateTimeField)
    ]


def _with_text_dates(
    model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Rows whose dates are YYYY-MM-DD text, as Django stores them in SQLite and as the import compares them."""
    positions = _date_positions(model, columns)
    if not positions or not rows:
        return rows
    values = list(zip(*rows, strict=True))
    for i in positions:
        values[i] = tuple(date.isoformat() if isinstance(date, dt.date) else date for date in values[i])
    return list(zip(*values, strict=True))


def insert_with_history(model: _Model, records: list[dict[str, Any]], *, by: User, when: dt.datetime) -> dict[str, int]:
    """Insert new households or persons, given as dicts of every column, with their history; ids by KK or NIK."""
    columns = _HOUSEHOLD_COLUMNS if model is Household else _PERSON_COLUMNS
    rows = [tuple(record[column] for column in columns) for record in records]
    return _insert_with_history(model, columns, _with_text_dates(model, columns, rows), by=by, when=when)


def _apply(obj: Any, values: dict[str, Any], names: tuple[str, ...]) -> bool:
    """Set the values that differ; True when any did."""
    changed = False
    for name in names:
        if getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed = True
    return changed


# --- the import -------------------------------------------------------------------------------------------------


class _Refused(Exception):
    """Raised inside the commit's transaction to roll everything back."""


def run_import(
    path: Path,
    *,
    kind: Kind,
    by: User,
    mapping: dict[str, str] | None = None,
    dry_run: bool = True,
    accepted_only: bool = False,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Check a file row by row and, unless `dry_run`, store its rows in one transaction.

    A commit with rejected rows stores nothing, unless `accepted_only`: then the accepted rows are stored and every
    skipped row is in the report.
    """
    summary = ImportSummary(kind=kind, dry_run=dry_run)
    issues: list[Issue] = []
    today = today or timezone.localdate()
    handle = None
    try:
        header, rows, handle = open_rows(Path(path))
        summary.headers = [h.strip().lstrip("\ufeff") for h in header]
        columns, summary.unknown_headers, missing = resolve_columns(header, kind=kind, mapping=mapping)
        if missing:
            labels = ", ".join(_(FIELDS[kind][name]) for name in missing)
            raise ImportFileError(
                _("Required columns are missing: %(columns)s. Rename the headers or map the columns.")
                % {"columns": labels}
            )
        kecamatan = Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", flat=True)
        checker = _Checker(
            kind=kind,
            columns=columns,
            today=today,
            kecamatan_prefixes=frozenset(code.replace(".", "") for code in kecamatan),
            villages=frozenset(Region.objects.visible_to(by).villages().values_list("code", flat=True)),
        )
        writer = _Writer(kind=kind, by=by, summary=summary, write=not dry_run)
        # Only a commit holds a transaction (and, on SQLite, the write lock): a dry run must not block other users.
        with _sqlite_cache(), contextlib.nullcontext() if dry_run else transaction.atomic():
            _stream(_checked_batches(Path(path), rows, checker), writer, summary, issues, progress)
            if summary.total == 0:
                raise ImportFileError(_("The file has a header but no rows."))
            refused = summary.rejected and not accepted_only
            if not dry_run and refused:
                raise _Refused
            summary.committed = not dry_run
    except _Refused:
        summary.created = summary.updated = summary.unchanged = 0
        summary.households_created = summary.households_updated = 0
        summary.error = _(
            "%(count)d rows were rejected, so nothing was imported. Correct them, or choose to import only the "
            "accepted rows."
        ) % {"count": summary.rejected}
    except ImportFileError as error:
        summary.created = summary.updated = summary.unchanged = summary.skipped = 0
        summary.error = error.message
    except IntegrityError:
        # PostgreSQL: another import stored some of the same people after this one read which already exist.
        summary.created = summary.updated = summary.unchanged = 0
        summary.households_created = summary.households_updated = 0
        summary.error = _(
            "Some of these households or persons were stored by someone else while this file was being imported, "
            "so nothing was imported. Import the file again."
        )
    finally:
        if handle is not None:
            handle.close()
    summary.issues = [_issue_dict(issue) for issue in issues[:ISSUES_ON_PAGE]]
    return ImportResult(summary, issues)


# Pages of SQLite's cache while an import runs (the default is 2 MB): the index inserts and lookups of a large file
# touch pages all over each index. Bounded, so memory stays flat whatever the size of the file.
_SQLITE_CACHE_KIB = 64 * 1024


@contextlib.contextmanager
def _sqlite_cache() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _stream(
    batches: Generator[_Batch, None, None],
    writer: _Writer,
    summary: ImportSummary,
    issues: list[Issue],
    progress: Callable[[int], None] | None,
) -> None:
    with contextlib.closing(batches):
        for batch in batches:
            writer(batch)
            _count(batch, summary, issues)
            if progress is not None:
                progress(summary.total)


# From this size on, a file is read and checked in a second process while this one stores it, so that checking and
# the database's work run on two cores. Starting that process takes about two seconds: below it, not worth it.
PARALLEL_FROM_BYTES = 8 * 1024 * 1024


def _checked_batches(
    path: Path, rows: Iterator[tuple[int, list[Any]]], checker: _Checker
) -> Generator[_Batch, None, None]:
    if (os.cpu_count() or 1) > 1 and path.stat().st_size >= PARALLEL_FROM_BYTES:
        return _checked_elsewhere(path, checker)
    return checked_here(rows, checker)


def checked_here(rows: Iterator[tuple[int, list[Any]]], checker: _Checker) -> Generator[_Batch, None, None]:
    """The rows read and checked batch by batch, in this process."""
    while chunk := list(itertools.islice(rows, BATCH_SIZE)):
        yield checker.check_batch(chunk)


def _checked_elsewhere(path: Path, checker: _Checker) -> Generator[_Batch, None, None]:
    """The rows read and checked by a child process (see checking_process), while the caller stores earlier batches.

    The pipe holds a batch or two, so memory stays flat; a file error found there is raised here, in the caller.
    """
    from . import checking_process

    context = multiprocessing.get_context("spawn")  # a fresh interpreter: forking a process with threads is unsafe
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=checking_process.check_file,
        # Plain values only: the child unpickles them before it has set Django up.
        args=(str(path), checker.settings, sender, translation.get_language()),
        name="berdaya-import-check",
    )
    process.start()
    sender.close()
    try:
        while True:
            try:
                item = receiver.recv()
            except EOFError:
                raise RuntimeError(f"The import's checking process stopped (exit code {process.exitcode}).") from None
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        receiver.close()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()


def _count(batch: _Batch, summary: ImportSummary, issues: list[Issue]) -> None:
    rejected = len(batch.rejected())
    summary.total += len(batch.lines)
    summary.accepted += len(batch.lines) - rejected
    summary.rejected += rejected
    summary.skipped += rejected
    summary.warnings += len(batch.issues) - rejected
    for index in sorted(batch.issues):
        issues.extend(batch.issues[index])


def _issue_dict(issue: Issue) -> dict[str, Any]:
    return {
        "line": issue.line,
        "column": issue.column,
        "value": issue.value,
        "level": issue.level,
        "message": issue.message,
        "params": issue.params,
    }


def issue_from_dict(data: dict[str, Any]) -> Issue:
    return Issue(data["line"], data["column"], data["value"], data["level"], data["message"], data["params"])


# --- the report -------------------------------------------------------------------------------------------------


def _summary_lines(summary: ImportSummary) -> list[tuple[str, Any]]:
    return [
        (_("Rows in the file"), summary.total),
        (_("Accepted"), summary.accepted),
        (_("Accepted with warnings"), summary.warnings),
        (_("Rejected"), summary.rejected),
        (_("New"), summary.created),
        (_("Changed"), summary.updated),
        (_("Unchanged"), summary.unchanged),
        (_("Skipped"), summary.skipped),
    ]


def report_lines(result: ImportResult) -> Iterator[str]:
    """The report as plain text lines, for the command line."""
    summary = result.summary
    title = _("Dry run (nothing stored)") if summary.dry_run else _("Import")
    kinds = {"registry": _("registry"), "history": _("assistance history")}
    yield f"{title}: {kinds[summary.kind]}"
    if summary.unknown_headers:
        yield _("Columns not imported (unknown headers): %(headers)s") % {"headers": ", ".join(summary.unknown_headers)}
    for label, value in _summary_lines(summary):
        yield f"  {label}: {value}"
    level_text = {"warning": _("warning"), "rejected": _("rejected")}
    for issue in result.issues:
        column = _(FIELDS[summary.kind].get(issue.column, issue.column)) if issue.column else "—"
        yield _("Line %(line)s, %(column)s: %(level)s — %(message)s") % {
            "line": issue.line,
            "column": column,
            "level": level_text[issue.level],
            "message": issue.text(),
        }
    if summary.error:
        yield summary.error
    elif summary.committed:
        yield _("Stored.")


def write_report(result: ImportResult, stream: IO[bytes]) -> None:
    """The per-row, per-column report as an XLSX workbook, with each message in Indonesian and in English."""
    from openpyxl import Workbook

    from berdaya.lib.exports import safe_cell

    summary = result.summary
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Summary"))
    sheet.append([_("File check report"), ""])
    for label, value in _summary_lines(summary):
        sheet.append([label, value])
    if summary.unknown_headers:
        sheet.append([_("Columns not imported"), safe_cell(", ".join(summary.unknown_headers))])
    if summary.error:
        sheet.append([_("Error"), safe_cell(summary.error)])
    sheet.append([_("Rows not listed on the Rows sheet were accepted without remarks."), ""])
    rows = workbook.create_sheet(_("Rows"))
    rows.append([_("Line"), _("Column"), _("Value"), _("Status"), "Pesan (Bahasa Indonesia)", "Message (English)"])
    for issue in result.issues:
        column = FIELDS[summary.kind].get(issue.column, issue.column)
        status = _("rejected") if issue.level == "rejected" else _("warning")
        with translation.override("id"):
            message_id = issue.text()
        with translation.override("en"):
            message_en = issue.text()
        # The cells come from an untrusted file: neutralise anything a spreadsheet would run as a formula.
        rows.append(
            [
                issue.line,
                _(column) if column else "",
                safe_cell(issue.value),
                status,
                safe_cell(message_id),
                safe_cell(message_en),
            ]
        )
    workbook.save(stream)
