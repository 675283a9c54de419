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
import re
import zipfile
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict, dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, Any, Literal

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
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

    @property
    def rejected(self) -> bool:
        return bool(self.issues) and any(issue.level == "rejected" for issue in self.issues)


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

# Clean values remembered per column (see _Checker.memo): a file repeats the same villages, dates, relations and places
# over and over. Bounded, so a file of a million different strings cannot grow them without limit.
_MEMO_SIZE = 20_000
_CHOICES = {"sex": _SEX, "relation": _RELATION, "marital_status": _MARITAL}
_MISSING = object()


class _Checker:
    """Turns the cells of one row into clean values and issues. Holds what the file has shown so far.

    The common cell (a 16-digit NIK of a known kecamatan that agrees with the row, a date already seen) takes a short
    path; anything else goes through the full rules in berdaya.lib.nik and parse_date, which write the messages.
    """

    def __init__(self, *, kind: Kind, columns: dict[str, int], by: User, today: dt.date) -> None:
        self.kind = kind
        self.columns = columns
        self.names = tuple(columns)
        self.width = max(columns.values()) + 1
        self.pick = itemgetter(*columns.values())
        self.today = today
        kecamatan = Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", flat=True)
        self.kecamatan_prefixes = frozenset(code.replace(".", "") for code in kecamatan)
        self.villages = frozenset(Region.objects.visible_to(by).villages().values_list("code", flat=True))
        # Line of the first row of each NIK (registry) or person/programme/year (history) in this file.
        self.seen: dict[Any, int] = {}
        # Registry: KK number -> (line, village code) of its first row, so one KK cannot sit in two villages.
        self.households: dict[str, tuple[int, str]] = {}
        # The DDMMYY part of a NIK -> (birth date, sex) it encodes, or None when it encodes no date.
        self.nik_dates: dict[str, tuple[dt.date, str] | None] = {}
        # Column -> cell text -> its clean value, for cells that had nothing to report.
        self.memos: dict[str, dict[str, Any]] = {name: {} for name in FIELDS[kind]}

    def cells(self, raw: list[Any]) -> dict[str, Any]:
        if len(raw) >= self.width:
            return dict(zip(self.names, self.pick(raw), strict=True))
        return {name: raw[index] if index < len(raw) else None for name, index in self.columns.items()}

    def check(self, line: int, raw: list[Any]) -> _Row:
        cells = self.cells(raw)
        row = _Row(line, {}, [])
        for name, value in cells.items():
            # A formula in a data file is either a mistake or an attack (=cmd|...); it is never data.
            if isinstance(value, str) and "=" in value and value.lstrip().startswith("="):
                self._issue(row, name, value, "rejected", N_("A formula is not allowed here; type the value."))
                cells[name] = None
        if self.kind == "registry":
            self._check_registry(row, cells)
        else:
            self._check_history(row, cells)
        return row

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

    def _check_registry(self, row: _Row, cells: dict[str, Any]) -> None:
        data, memo = row.data, self.memo
        data["sex"] = memo(row, cells, "sex", self._choice)
        data["birth_date"] = memo(row, cells, "birth_date", self._date)
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
        data["kk_number"] = self._kk(row, cells)
        data["name"] = memo(row, cells, "name", self._name)
        village = data["village_code"] = memo(row, cells, "village_code", self._village)
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
            data[name] = memo(row, cells, name, self._text_field)
        data["disability"] = memo(row, cells, "disability", self._disability)
        data["relation"] = memo(row, cells, "relation", self._choice)
        data["marital_status"] = memo(row, cells, "marital_status", self._choice)
        data["decile"] = memo(row, cells, "decile", self._decile)
        data["register_verified_on"] = memo(row, cells, "register_verified_on", self._date)

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
    """Stores one batch of accepted rows, and counts what was created, updated or already as in the file.

    Registry rows are read and written with plain SQL on tuples: most rows of a re-import are unchanged and need only
    a comparison, and building a model instance or compiling an ORM query per batch was most of the import's time.
    """

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
        # key -> (id, village, stored values in _HOUSEHOLD_COLUMNS / _PERSON_COLUMNS order without the key)
        existing = {
            kk: (pk, village, values)
            for kk, pk, village, *values in _select_in(
                "SELECT h.kk_number, h.id, h.village_id, h.address, h.village_id, h.decile, h.register_id, "
                "h.register_verified_on FROM registry_household h WHERE h.kk_number IN ({keys})",
                {row.data["kk_number"] for row in rows},
            )
        }
        people = {
            nik: (pk, village, values)
            for nik, pk, village, *values in _select_in(
                "SELECT p.nik, p.id, h.village_id, p.name, p.household_id, p.relation, p.sex, p.birth_place, "
                "p.birth_date, p.marital_status, p.education, p.occupation, p.disability "
                "FROM registry_person p JOIN registry_household h ON h.id = p.household_id WHERE p.nik IN ({keys})",
                [row.data["nik"] for row in rows],
            )
        }
        # An import may not take over a household or person registered outside the importing user's region.
        refused = []
        for row in rows:
            household, person = existing.get(row.data["kk_number"]), people.get(row.data["nik"])
            if household is not None and not self._in_scope(household[1]):
                self._refuse(
                    row,
                    "kk_number",
                    row.data["kk_number"],
                    N_("KK %(kk)s is registered outside your region."),
                    kk=row.data["kk_number"],
                )
                refused.append(row)
            elif person is not None and not self._in_scope(person[1]):
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
        # The first row of a KK in the batch says what the household is.
        households: dict[str, list[Any]] = {}
        for row in rows:
            d = row.data
            if d["kk_number"] not in households:
                households[d["kk_number"]] = [
                    d["address"],
                    d["village_code"],
                    d["decile"],
                    d["register_id"],
                    d["register_verified_on"],
                ]
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        household_ids = {kk: stored[0] for kk, stored in existing.items()}
        for kk, values in households.items():
            stored = existing.get(kk)
            if stored is None:
                new.append((kk, *values))
            elif stored[2] != values:
                changed.append((stored[0], kk, *values))
        self.summary.households_created += len(new)
        self.summary.households_updated += len(changed)
        if self.write:
            household_ids.update(_insert_with_history(Household, _HOUSEHOLD_COLUMNS, new, by=self.by, when=self.when))
            _update_with_history(Household, _HOUSEHOLD_COLUMNS, changed, by=self.by, when=self.when)
        new_people: list[tuple[Any, ...]] = []
        changed_people: list[tuple[Any, ...]] = []
        for row in rows:
            d = row.data
            values = [
                d["name"],
                household_ids.get(d["kk_number"]),
                d["relation"],
                d["sex"],
                d["birth_place"],
                d["birth_date"],
                d["marital_status"],
                d["education"],
                d["occupation"],
                d["disability"],
            ]
            stored_person = people.get(d["nik"])
            if stored_person is None:
                new_people.append((d["nik"], *values))
            elif stored_person[2] != values:
                changed_people.append((stored_person[0], d["nik"], *values))
            else:
                self.summary.unchanged += 1
        self.summary.created += len(new_people)
        self.summary.updated += len(changed_people)
        if self.write:
            _insert_with_history(Person, _PERSON_COLUMNS, new_people, by=self.by, when=self.when)
            _update_with_history(Person, _PERSON_COLUMNS, changed_people, by=self.by, when=self.when)
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


def _select_in(sql: str, keys: Collection[str]) -> list[tuple[Any, ...]]:
    """The rows of `sql`, whose "{keys}" stands for the values in `keys` (a batch: far below any parameter limit)."""
    if not keys:
        return []
    params = list(keys)
    with connection.cursor() as cursor:
        cursor.execute(sql.format(keys=", ".join(["%s"] * len(params))), params)
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

    The key is the first column. On PostgreSQL the ids are drawn from the table's sequence first and both tables are
    filled with COPY; on SQLite the rows go in with one prepared statement and their ids are read back.
    """
    if not rows:
        return {}
    history = _history_model(model, columns)
    table = model._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
            )
            stored = [(pk, *row) for (pk,), row in zip(cursor.fetchall(), rows, strict=True)]
            _write_rows(cursor, model, ("id", *columns), stored)
        else:
            quote = connection.ops.quote_name
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(table)}")
            (before,) = cursor.fetchone()
            _write_rows(cursor, model, columns, rows)
            # Inside a transaction this connection alone writes to SQLite, so every id above `before` is a new row.
            cursor.execute(f"SELECT {quote(columns[0])}, id FROM {quote(table)} WHERE id > %s", [before])
            ids = dict(cursor.fetchall())
            stored = [(ids[row[0]], *row) for row in rows]
        _write_history(cursor, history, columns, stored, "+", by=by, when=when)
    return {row[1]: row[0] for row in stored}


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
        _write_history(cursor, history, columns, rows, "~", by=by, when=when)


def _write_history(
    cursor: Any,
    history: type[models.Model],
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    history_type: str,
    *,
    by: User,
    when: dt.datetime,
) -> None:
    """The history rows django-simple-history would write for `rows` (id first): a copy, the date, the type, the user."""
    date: Any = when if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(when)
    _write_rows(
        cursor, history, ("id", *columns, *_HISTORY_COLUMNS), [(*row, date, None, history_type, by.pk) for row in rows]
    )


def _write_rows(cursor: Any, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Append rows to the model's table: COPY on PostgreSQL, one prepared INSERT run for every row elsewhere."""
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        rows = _with_text_dates(model, columns, rows)
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", rows)


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
    """Rows whose dates are ISO text, as Django stores them in SQLite (Python's own date adapter is deprecated)."""
    positions = _date_positions(model, columns)
    if not positions:
        return rows
    adapted = []
    for row in rows:
        values = list(row)
        for i in positions:
            if values[i] is not None:
                values[i] = values[i].isoformat()
        adapted.append(tuple(values))
    return adapted


def insert_with_history(model: _Model, records: list[dict[str, Any]], *, by: User, when: dt.datetime) -> dict[str, int]:
    """Insert new households or persons, given as dicts of every column, with their history; ids by KK or NIK."""
    columns = _HOUSEHOLD_COLUMNS if model is Household else _PERSON_COLUMNS
    rows = [tuple(record[column] for column in columns) for record in records]
    return _insert_with_history(model, columns, rows, by=by, when=when)


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
        with _sqlite_cache(), contextlib.nullcontext() if dry_run else transaction.atomic():
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
    if not row.issues and not refused_late:  # most rows
        summary.accepted += 1
        return
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
