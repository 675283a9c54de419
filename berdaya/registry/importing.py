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
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from berdaya.accounts.models import User
from berdaya.lib.errors import DomainError
from berdaya.lib.nik import Problem, check_kk, check_nik
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

    @property
    def rejected(self) -> bool:
        return any(issue.level == "rejected" for issue in self.issues)


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
                if any(cell.strip() for cell in cells):
                    yield reader.line_num, cells
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _("Line %(line)d is not UTF-8 text; save the file as “CSV UTF-8” and import it again.")
                % {"line": reader.line_num + 1}
            ) from error
        except csv.Error as error:
            raise ImportFileError(
                _("Line %(line)d cannot be read as CSV: %(error)s") % {"line": reader.line_num, "error": error}
            ) from error

    return header, rows(), text


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


class _Checker:
    """Turns the cells of one row into clean values and issues. Holds what the file has shown so far."""

    def __init__(self, *, kind: Kind, columns: dict[str, int], by: User, today: dt.date) -> None:
        self.kind = kind
        self.columns = columns
        self.today = today
        kecamatan = Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", flat=True)
        self.kecamatan_prefixes = frozenset(code.replace(".", "") for code in kecamatan)
        self.villages = frozenset(Region.objects.visible_to(by).villages().values_list("code", flat=True))
        # Line of the first row of each NIK (registry) or person/programme/year (history) in this file.
        self.seen: dict[Any, int] = {}
        # Registry: KK number -> (line, village code) of its first row, so one KK cannot sit in two villages.
        self.households: dict[str, tuple[int, str]] = {}

    def cells(self, raw: list[Any]) -> dict[str, Any]:
        return {name: raw[index] if index < len(raw) else None for name, index in self.columns.items()}

    def check(self, line: int, raw: list[Any]) -> _Row:
        cells = self.cells(raw)
        row = _Row(line, {}, [])
        for name, value in cells.items():
            if isinstance(value, str) and value.lstrip().startswith("="):
                # A formula in a data file is either a mistake or an attack (=cmd|...); it is never data.
                self._issue(row, name, value, "rejected", N_("A formula is not allowed here; type the value."))
                cells[name] = None
        if self.kind == "registry":
            self._check_registry(row, cells)
        else:
            self._check_history(row, cells)
        return row

    def _issue(self, row: _Row, column: str, value: Any, level: Level, message: str, **params: Any) -> None:
        row.issues.append(
            Issue(row.line, column, _text(value)[:100], level, message, {k: str(v) for k, v in params.items()})
        )

    def _problem(self, row: _Row, column: str, value: Any, level: Level, problem: Problem) -> None:
        row.issues.append(Issue(row.line, column, _text(value)[:100], level, problem.message, dict(problem.params)))

    def _text_field(self, row: _Row, cells: dict[str, Any], name: str) -> str:
        text = _text(cells.get(name))
        if "  " in text or "\t" in text or "\n" in text:
            text = " ".join(text.split())
        limit = _TEXT_LIMITS.get(name)
        if limit and len(text) > limit:
            self._issue(row, name, text, "rejected", N_("Longer than %(limit)s characters."), limit=limit)
        return text

    def _choice(self, row: _Row, cells: dict[str, Any], name: str, table: dict[str, str]) -> str:
        text = _text(cells.get(name))
        if not text:
            return ""
        value = table.get(text.lower())
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

    def _nik(self, row: _Row, cells: dict[str, Any], *, birth_date: dt.date | None, sex: str) -> str:
        value = cells.get("nik")
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

    def _check_registry(self, row: _Row, cells: dict[str, Any]) -> None:
        data = row.data
        data["sex"] = self._choice(row, cells, "sex", _SEX)
        data["birth_date"] = self._date(row, cells, "birth_date")
        nik = self._nik(row, cells, birth_date=data["birth_date"], sex=data["sex"])
        data["nik"] = nik
        if nik:
            first = self.seen.setdefault(int(nik), row.line)
            if first != row.line:
                self._issue(
                    row,
                    "nik",
                    nik,
                    "rejected",
                    N_("NIK %(nik)s is already on line %(line)s of this file."),
                    nik=nik,
                    line=first,
                )
        kk = check_kk(_text(cells.get("kk_number")), known_regions=self.kecamatan_prefixes)
        for problem in kk.errors:
            self._problem(row, "kk_number", cells.get("kk_number"), "rejected", problem)
        for problem in kk.warnings:
            self._problem(row, "kk_number", cells.get("kk_number"), "warning", problem)
        data["kk_number"] = kk.kk_number if kk.ok else ""
        data["name"] = self._text_field(row, cells, "name")
        if not data["name"]:
            self._issue(row, "name", "", "rejected", N_("The name is empty."))
        village = _village_code(_text(cells.get("village_code")))
        if not village:
            self._issue(row, "village_code", "", "rejected", N_("The village code is empty."))
        elif village not in self.villages:
            self._issue(
                row,
                "village_code",
                village,
                "rejected",
                N_("%(code)s is not the code of a village in your region."),
                code=village,
            )
        data["village_code"] = village
        if data["kk_number"] and village:
            first_line, first_village = self.households.setdefault(data["kk_number"], (row.line, village))
            if first_village != village:
                self._issue(
                    row,
                    "village_code",
                    village,
                    "rejected",
                    N_("KK %(kk)s is in village %(village)s on line %(line)s; one KK lives in one village."),
                    kk=data["kk_number"],
                    village=first_village,
                    line=first_line,
                )
        for name in ("address", "birth_place", "education", "occupation", "register_id"):
            data[name] = self._text_field(row, cells, name)
        disability = self._text_field(row, cells, "disability")
        data["disability"] = "" if disability.lower() in _NONE_WORDS else disability
        data["relation"] = self._choice(row, cells, "relation", _RELATION)
        data["marital_status"] = self._choice(row, cells, "marital_status", _MARITAL)
        data["decile"] = None
        decile = _text(cells.get("decile"))
        if decile:
            if decile.isdigit() and 1 <= int(decile) <= 10:
                data["decile"] = int(decile)
            else:
                self._issue(row, "decile", decile, "rejected", N_("The decile must be a whole number from 1 to 10."))
        data["register_verified_on"] = self._date(row, cells, "register_verified_on")

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

_HOUSEHOLD_FIELDS = ("address", "village_id", "decile", "register_id", "register_verified_on")
_PERSON_FIELDS = (
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


@dataclass(frozen=True)
class _Stored:
    """A row already in the database: its id, the fields an import compares, and its village (for the scope)."""

    pk: int
    values: dict[str, Any]
    village: str


class _Writer:
    """Stores one batch of accepted rows, and counts what was created, updated or already as in the file."""

    def __init__(self, *, kind: Kind, by: User, summary: ImportSummary, write: bool) -> None:
        self.kind = kind
        self.by = by
        self.summary = summary
        self.write = write
        self.when = timezone.now()

    def __call__(self, rows: list[_Row]) -> list[_Row]:
        """Store the rows; returns those refused at this stage (a record that exists outside the user's region)."""
        if self.kind == "registry":
            return self._registry(rows)
        return self._history(rows)

    def _in_scope(self, code: str) -> bool:
        scope = self.by.region_id
        return scope is not None and (code == scope or code.startswith(f"{scope}."))

    def _refuse(self, row: _Row, column: str, value: str, message: str, **params: str) -> None:
        row.issues.append(Issue(row.line, column, value, "rejected", message, params))

    def _registry(self, rows: list[_Row]) -> list[_Row]:
        # Plain tuples, not model instances: most rows of a re-import are unchanged and need only a comparison.
        existing = {
            kk: _Stored(pk, dict(zip(_HOUSEHOLD_FIELDS, values, strict=True)), village)
            for kk, pk, village, *values in Household.objects.filter(
                kk_number__in=[row.data["kk_number"] for row in rows]
            ).values_list("kk_number", "pk", "village_id", *_HOUSEHOLD_FIELDS)
        }
        people = {
            nik: _Stored(pk, dict(zip(_PERSON_FIELDS, values, strict=True)), village)
            for nik, pk, village, *values in Person.objects.filter(
                nik__in=[row.data["nik"] for row in rows]
            ).values_list("nik", "pk", "household__village_id", *_PERSON_FIELDS)
        }
        # An import may not take over a household or person registered outside the importing user's region.
        refused = []
        for row in rows:
            household, person = existing.get(row.data["kk_number"]), people.get(row.data["nik"])
            if household is not None and not self._in_scope(household.village):
                self._refuse(
                    row,
                    "kk_number",
                    row.data["kk_number"],
                    N_("KK %(kk)s is registered outside your region."),
                    kk=row.data["kk_number"],
                )
                refused.append(row)
            elif person is not None and not self._in_scope(person.village):
                self._refuse(
                    row,
                    "nik",
                    row.data["nik"],
                    N_("NIK %(nik)s is registered outside your region."),
                    nik=row.data["nik"],
                )
                refused.append(row)
        if refused:
            refused_lines = {row.line for row in refused}
            rows = [row for row in rows if row.line not in refused_lines]
        households: dict[str, dict[str, Any]] = {}
        for row in rows:
            d = row.data
            households.setdefault(
                d["kk_number"],
                {
                    "address": d["address"],
                    "village_id": d["village_code"],
                    "decile": d["decile"],
                    "register_id": d["register_id"],
                    "register_verified_on": d["register_verified_on"],
                },
            )
        new: list[dict[str, Any]] = []
        changed = []
        household_ids = {kk: household.pk for kk, household in existing.items()}
        for kk, values in households.items():
            stored = existing.get(kk)
            if stored is None:
                new.append({"kk_number": kk, **values})
            elif stored.values != values:
                changed.append(Household(pk=stored.pk, kk_number=kk, **values))
        self.summary.households_created += len(new)
        self.summary.households_updated += len(changed)
        if self.write:
            if new:
                household_ids.update(_insert_with_history(Household, new, key="kk_number", by=self.by, when=self.when))
            if changed:
                bulk_update_with_history(
                    changed,
                    Household,
                    list(_HOUSEHOLD_FIELDS),
                    batch_size=BATCH_SIZE,
                    default_user=self.by,
                    default_date=self.when,
                )
        new_people: list[dict[str, Any]] = []
        changed_people = []
        for row in rows:
            d = row.data
            values = {name: d[name] for name in _PERSON_FIELDS if name != "household_id"}
            values["household_id"] = household_ids.get(d["kk_number"])
            stored_person = people.get(d["nik"])
            if stored_person is None:
                new_people.append({"nik": d["nik"], **values})
                self.summary.created += 1
            elif stored_person.values != values:
                changed_people.append(Person(pk=stored_person.pk, nik=d["nik"], **values))
                self.summary.updated += 1
            else:
                self.summary.unchanged += 1
        if self.write:
            if new_people:
                _insert_with_history(Person, new_people, key="nik", by=self.by, when=self.when)
            if changed_people:
                bulk_update_with_history(
                    changed_people,
                    Person,
                    list(_PERSON_FIELDS),
                    batch_size=BATCH_SIZE,
                    default_user=self.by,
                    default_date=self.when,
                )
        return refused

    def _history(self, rows: list[_Row]) -> list[_Row]:
        people = Person.objects.visible_to(self.by).in_bulk([row.data["nik"] for row in rows], field_name="nik")
        refused, known = [], []
        for row in rows:
            if row.data["nik"] in people:
                known.append(row)
            else:
                self._refuse(
                    row,
                    "nik",
                    row.data["nik"],
                    N_("NIK %(nik)s is not in the registry of your region; import the registry first."),
                    nik=row.data["nik"],
                )
                refused.append(row)
        person_ids = [people[row.data["nik"]].pk for row in known]
        existing = {
            (record.person_id, record.programme, record.year): record
            for record in AssistanceRecord.objects.filter(person_id__in=person_ids)
        }
        new, changed = [], []
        for row in known:
            d = row.data
            person = people[d["nik"]]
            record = existing.get((person.pk, d["programme"], d["year"]))
            values = {"source": d["source"], "amount": d["amount"]}
            if record is None:
                new.append(
                    AssistanceRecord(
                        person=person,
                        household_id=person.household_id,
                        programme=d["programme"],
                        year=d["year"],
                        **values,
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
        return refused


def _insert_with_history(
    model: type[Household] | type[Person], records: list[dict[str, Any]], *, key: str, by: User, when: dt.datetime
) -> dict[str, int]:
    """Insert new rows and their "created" history rows; return the new ids by `key`.

    The fast path of the import: plain multi-row INSERTs with prepared parameters, without building model instances
    or compiling a query per batch as bulk_create does (which was four-fifths of the import's time). The history rows
    are what django-simple-history would write: a copy of the row, the date, "+" and the acting user.
    """
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    quote = connection.ops.quote_name
    dates = {f.attname for f in fields if isinstance(f, models.DateField)}
    adapt = connection.ops.adapt_datefield_value

    def prepared(record: dict[str, Any]) -> list[Any]:
        return [adapt(record[name]) if name in dates else record[name] for name in names]

    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            [prepared(record) for record in records],
        )
        ids: dict[str, int] = {}
        keys = [record[key] for record in records]
        for start in range(0, len(keys), 900):  # below every database's limit of parameters per query
            ids.update(
                (k, pk)
                for pk, k in model._default_manager.filter(**{f"{key}__in": keys[start : start + 900]}).values_list(
                    "pk", key
                )
            )
        history = model.history.model  # type: ignore[union-attr]
        history_date = connection.ops.adapt_datetimefield_value(when)
        columns = [quote("id"), *(quote(f.column) for f in fields)]
        columns += [quote(c) for c in ("history_date", "history_change_reason", "history_type", "history_user_id")]
        cursor.executemany(
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})",
            [[ids[record[key]], *prepared(record), history_date, None, "+", by.pk] for record in records],
        )
    return ids


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
        checker = _Checker(kind=kind, columns=columns, by=by, today=today)
        writer = _Writer(kind=kind, by=by, summary=summary, write=not dry_run)
        # Only a commit holds a transaction (and, on SQLite, the write lock): a dry run must not block other users.
        with contextlib.nullcontext() if dry_run else transaction.atomic():
            _stream(rows, checker, writer, summary, issues, progress)
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
    finally:
        if handle is not None:
            handle.close()
    summary.issues = [_issue_dict(issue) for issue in issues[:ISSUES_ON_PAGE]]
    return ImportResult(summary, issues)


def _stream(
    rows: Iterator[tuple[int, list[Any]]],
    checker: _Checker,
    writer: _Writer,
    summary: ImportSummary,
    issues: list[Issue],
    progress: Callable[[int], None] | None,
) -> None:
    batch: list[_Row] = []

    def flush() -> None:
        refused = {row.line for row in writer(batch)}
        for row in batch:
            _count(row, summary, issues, refused_late=row.line in refused)
        batch.clear()
        if progress is not None:
            progress(summary.total)

    for line, cells in rows:
        summary.total += 1
        row = checker.check(line, cells)
        if row.rejected:
            _count(row, summary, issues, refused_late=False)
        else:
            batch.append(row)
        if len(batch) >= BATCH_SIZE:
            flush()
    flush()


def _count(row: _Row, summary: ImportSummary, issues: list[Issue], *, refused_late: bool) -> None:
    issues.extend(row.issues)
    if row.rejected or refused_late:
        summary.rejected += 1
        summary.skipped += 1
    elif any(issue.level == "warning" for issue in row.issues):
        summary.warnings += 1
        summary.accepted += 1
    else:
        summary.accepted += 1


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
