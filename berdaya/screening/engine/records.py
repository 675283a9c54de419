"""Reading people from CSV into the columns the matcher compares.

Every column is parsed once, vectorised with Polars, into NumPy arrays: 1M rows take a few seconds. Values that
cannot be used (an unparseable date, a NIK in scientific notation) become "missing"; only a file that cannot be read
as a table of people (undecodable bytes, no ``id`` column, an empty or repeated id) is refused, with the line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt
import polars as pl

from berdaya.screening.engine.names import factorise, name_key_codes, spelling

COLUMNS: Final = ("id", "nik", "name", "birth_date", "sex", "birth_place", "village_code", "kk_number")
MISSING: Final = -1
# Day numbers are days since 1970-01-01; this marks an unknown date and is far from any real one.
NO_DATE: Final = -(10**6)
EXCEL_EPOCH: Final = dt.date(1899, 12, 30)

Int64s = npt.NDArray[np.int64]
Int32s = npt.NDArray[np.int32]
Int8s = npt.NDArray[np.int8]


class InputError(ValueError):
    """A file that cannot be screened, with the file, line and problem in the message."""

    def __init__(self, path: str, line: int | None, problem: str) -> None:
        where = f"{path}, line {line}" if line is not None else path
        super().__init__(f"{where}: {problem}")
        self.path, self.line, self.problem = path, line, problem


# NIK states
NIK_MISSING: Final = 0
NIK_FULL: Final = 1  # 16 digits
NIK_SHORT: Final = 2  # 15 digits: a spreadsheet dropped one
NIK_LOST: Final = 3  # scientific notation or another shape: unusable


@dataclass(frozen=True)
class People:
    """One file's people as parallel columns; row i of every array is the person on data line i + 2."""

    source: str
    ids: list[str]
    names: list[str]  # as written, for reasons
    name_vocab: pl.Series  # the distinct name keys (see names.name_key)
    name_code: Int32s  # row -> its name key in name_vocab
    nik_state: Int8s
    nik: Int64s  # the 16 or 15 digits as a number; MISSING otherwise
    nik_digits: npt.NDArray[np.uint8]  # n x 16, the NIK's digits (15-digit NIKs padded with 10)
    nik_birth: Int32s  # days; NO_DATE if the NIK encodes no valid date
    nik_sex: Int8s  # 0 unknown, 1 L, 2 P
    birth: Int32s  # recorded birth date in days; NO_DATE if missing
    sex: Int8s  # recorded sex
    village: Int64s  # 10-digit village code as a number; MISSING if absent
    kecamatan: Int64s  # its first 6 digits
    kk: Int64s
    place_vocab: pl.Series  # the distinct birth place keys
    place_code: Int32s  # row -> its birth place key in place_vocab

    @cached_property
    def name_texts(self) -> npt.NDArray[np.object_]:
        """The distinct name keys as Python strings, for rapidfuzz."""
        return np.array(self.name_vocab.to_list(), dtype=object)

    @cached_property
    def name_sorted_texts(self) -> npt.NDArray[np.object_]:
        """Each distinct name key with its words in sorted order (for token_sort_ratio)."""
        return np.array([" ".join(sorted(k.split(" "))) for k in self.name_vocab.to_list()], dtype=object)

    @property
    def name_keys(self) -> pl.Series:
        """Every row's name key."""
        return self.name_vocab.gather(self.name_code)

    def __len__(self) -> int:
        # From a column, not from ids: the copy sent to a cluster's workers leaves the ids and names behind.
        return len(self.name_code)

    @property
    def nik_disagrees(self) -> npt.NDArray[np.bool_]:
        """The NIK contradicts its own record's birth date or sex: the usual mark of a mistyped NIK."""
        known_birth = (self.birth != NO_DATE) & (self.nik_birth != NO_DATE)
        bad_birth = known_birth & ~_same_birth(self.birth, self.nik_birth)
        bad_sex = (self.sex > 0) & (self.nik_sex > 0) & (self.sex != self.nik_sex)
        return np.asarray(bad_birth | bad_sex)

    @property
    def best_birth(self) -> Int32s:
        """The recorded birth date, or the NIK's when none is recorded."""
        return np.where(self.birth != NO_DATE, self.birth, self.nik_birth).astype(np.int32)

    @property
    def best_sex(self) -> Int8s:
        return np.where(self.sex > 0, self.sex, self.nik_sex).astype(np.int8)


def _same_birth(a: Int32s, b: Int32s) -> npt.NDArray[np.bool_]:
    # A NIK keeps two digits of the year: the same day a century apart is the same NIK date.
    diff = np.abs(a.astype(np.int64) - b.astype(np.int64))
    return np.asarray((diff == 0) | (diff == 36524) | (diff == 36525))


def _check_utf8(path: Path, data: bytes) -> None:
    """Refuse bytes that are not UTF-8, naming the line; without keeping a decoded copy of the file."""
    step = 1 << 24
    start = 0
    while start < len(data):
        # Cut at a line end so that no character is split between two chunks.
        end = data.find(b"\n", min(start + step, len(data)) - 1) + 1 or len(data)
        _decode_at(path, data, start, end)
        start = end


def _decode_at(path: Path, data: bytes, start: int, end: int) -> None:
    try:
        data[start:end].decode("utf-8")
    except UnicodeDecodeError as error:
        at = start + error.start
        raise InputError(
            str(path), data[:at].count(b"\n") + 1, f"bytes that are not UTF-8 at byte {at} (save the file as UTF-8)"
        ) from None


def _decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            str(path), line, f"bytes that are not UTF-8 at byte {error.start} (save the file as UTF-8)"
        ) from None
    return text.removeprefix("\ufeff")


def _header(path: Path, text: str) -> list[str]:
    first = text.split("\n", 1)[0].rstrip("\r")
    if not first.strip():
        raise InputError(str(path), 1, "the file is empty or has no header line")
    header = [h.strip().lower() for h in next(csv.reader([first]))]
    if "id" not in header:
        raise InputError(str(path), 1, f"no 'id' column in the header (expected columns: {', '.join(COLUMNS)})")
    return header


def read_people(path: str | Path, *, today: dt.date | None = None) -> People:
    """Read a people CSV (UTF-8, optional BOM, header naming the COLUMNS in any order)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(str(path), None, f"cannot read the file ({error.strerror})") from None
    # Checked as UTF-8, then parsed from the bytes: a Python string of the whole file, and the StringIO polars would
    # read it from (four bytes a character), cost several times the file's size at 10M records.
    header = _header(path, _decode(path, data[: data.find(b"\n") + 1 if b"\n" in data else len(data)]))
    _check_utf8(path, data)
    try:
        # Polars skips a byte order mark itself; the header's names come from `_header`, which drops it too.
        frame = pl.read_csv(data, infer_schema=False, has_header=True, new_columns=header)
    except (pl.exceptions.PolarsError, ValueError) as error:
        raise _locate_bad_row(path, _decode(path, data), len(header)) or InputError(
            str(path), None, f"not a valid CSV ({error})"
        ) from None
    del data
    return people_from_frame(frame, source=str(path), today=today or dt.datetime.now(dt.UTC).date())


def _locate_bad_row(path: Path, text: str, width: int) -> InputError | None:
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    for row in reader:
        if len(row) > width:
            return InputError(str(path), reader.line_num, f"{len(row)} fields where the header has {width}")
    return None


def people_from_frame(frame: pl.DataFrame, *, source: str, today: dt.date) -> People:
    """Parse a frame of strings whose columns are named as in COLUMNS (missing columns are empty)."""
    frame = frame.select(
        [
            (pl.col(c).cast(pl.String).fill_null("").str.strip_chars() if c in frame.columns else pl.lit("")).alias(c)
            for c in COLUMNS
        ]
    )
    _check_ids(frame, source)

    nik_text = frame["nik"].str.strip_chars_start("'‘’`").str.replace_all(r"[\s\-]", "")
    nik_text = nik_text.str.replace(r"^([0-9]+)[.,]0+$", "${1}")
    is_digits = nik_text.str.contains(r"^[0-9]+$")
    lengths = nik_text.str.len_chars()
    state = (
        pl.select(
            pl.when(nik_text == "")
            .then(NIK_MISSING)
            .when(is_digits & (lengths == 16))
            .then(NIK_FULL)
            .when(is_digits & (lengths == 15))
            .then(NIK_SHORT)
            .otherwise(NIK_LOST)
        )
        .to_series()
        .to_numpy()
        .astype(np.int8)
    )
    usable = (state == NIK_FULL) | (state == NIK_SHORT)
    nik_number = np.where(usable, nik_text.cast(pl.Int64, strict=False).fill_null(MISSING).to_numpy(), MISSING)
    nik_number = nik_number.astype(np.int64)
    digits = _digit_matrix(nik_number, state)
    nik_birth, nik_sex = _nik_birth_and_sex(digits, state, today)

    birth = _parse_dates(frame["birth_date"])
    sex_text = frame["sex"].str.to_uppercase()
    sex = (
        pl.select(
            pl.when(sex_text.is_in(["L", "LK", "M", "LAKI-LAKI", "LAKI LAKI", "LAKI", "PRIA", "1"]))
            .then(1)
            .when(sex_text.is_in(["P", "PR", "F", "W", "PEREMPUAN", "WANITA", "2"]))
            .then(2)
            .otherwise(0)
        )
        .to_series()
        .to_numpy()
        .astype(np.int8)
    )
    village_text = frame["village_code"].str.replace_all(r"[.\s]", "")
    village = village_text.cast(pl.Int64, strict=False).fill_null(MISSING).to_numpy().astype(np.int64)
    village_ok = village_text.str.contains(r"^[0-9]{10}$").to_numpy()
    village = np.where(village_ok, village, MISSING)
    kecamatan = np.where(village_ok, village // 10_000, MISSING)
    kk_text = frame["kk_number"].str.strip_chars_start("'").str.replace_all(r"[\s\-]", "")
    kk_text = kk_text.str.replace(r"^([0-9]+)[.,]0+$", "${1}")
    kk = kk_text.cast(pl.Int64, strict=False).fill_null(MISSING).to_numpy().astype(np.int64)
    kk = np.where(kk_text.str.contains(r"^[0-9]{16}$").to_numpy(), kk, MISSING)

    name_code, name_vocab = name_key_codes(frame["name"])
    place_code, place_raw = factorise(frame["birth_place"])
    place_vocab = pl.Series([_place_key(p) for p in place_raw.to_list()], dtype=pl.String)

    return People(
        source=source,
        ids=frame["id"].to_list(),
        names=frame["name"].to_list(),
        name_vocab=name_vocab,
        name_code=name_code,
        nik_state=state,
        nik=nik_number,
        nik_digits=digits,
        nik_birth=nik_birth,
        nik_sex=nik_sex,
        birth=birth,
        sex=sex,
        village=village,
        kecamatan=kecamatan.astype(np.int64),
        kk=kk,
        place_vocab=place_vocab,
        place_code=place_code,
    )


def _check_ids(frame: pl.DataFrame, source: str) -> None:
    ids = frame["id"]
    empty = (ids == "").arg_true()
    if len(empty):
        raise InputError(source, int(empty[0]) + 2, "empty id")
    duplicated = ids.is_duplicated()
    if duplicated.any():
        rows = duplicated.arg_true()
        value = ids[int(rows[0])]
        same = (ids == value).arg_true()
        raise InputError(
            source, int(same[1]) + 2, f"duplicate id {value!r} (first on line {int(same[0]) + 2}); ids must be unique"
        )


def _place_key(raw: str) -> str:
    words = [w for w in "".join(c if c.isalpha() else " " for c in raw.lower()).split() if w not in ("kab", "kota")]
    return " ".join(spelling(w) for w in words)


def _digit_matrix(nik: Int64s, state: Int8s) -> npt.NDArray[np.uint8]:
    digits = np.full((len(nik), 16), 10, dtype=np.uint8)
    full = state == NIK_FULL
    short = state == NIK_SHORT
    # Two halves of eight digits each, in 32-bit arithmetic: about twice as fast as 64-bit division by 16 powers.
    powers = 10 ** np.arange(7, -1, -1, dtype=np.int32)
    for rows, number, width in ((full, nik[full], 16), (short, nik[short] * 10, 15)):
        high = (number // 10**8).astype(np.int32)
        low = (number % 10**8).astype(np.int32)
        block = np.empty((len(number), 16), dtype=np.uint8)
        block[:, :8] = (high[:, None] // powers) % 10
        block[:, 8:] = (low[:, None] // powers) % 10
        digits[rows, :width] = block[:, :width]
    return digits


def days_from_civil(year: Int64s, month: Int64s, day: Int64s) -> Int64s:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm), vectorised."""
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return np.asarray(era * 146097 + doe - 719468, dtype=np.int64)


def _month_length(year: Int64s, month: Int64s) -> Int64s:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    lengths = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
    return np.asarray(lengths[np.clip(month, 0, 12)] + ((month == 2) & leap), dtype=np.int64)


def _nik_birth_and_sex(digits: npt.NDArray[np.uint8], state: Int8s, today: dt.date) -> tuple[Int32s, Int8s]:
    d = digits.astype(np.int64)
    day = d[:, 6] * 10 + d[:, 7]
    month = d[:, 8] * 10 + d[:, 9]
    year2 = d[:, 10] * 10 + d[:, 11]
    female = day > 40
    day = np.where(female, day - 40, day)
    century = (today.year // 100) * 100
    year = century + year2
    today_days = (today - dt.date(1970, 1, 1)).days
    ok = (state == NIK_FULL) | (state == NIK_SHORT)
    ok &= (month >= 1) & (month <= 12) & (day >= 1)
    safe_month = np.clip(month, 1, 12)
    days = days_from_civil(year, safe_month, np.clip(day, 1, 31))
    future = days > today_days
    year = np.where(future, year - 100, year)
    ok &= day <= _month_length(year, safe_month)
    days = days_from_civil(year, safe_month, np.clip(day, 1, 31))
    birth = np.where(ok, days, NO_DATE).astype(np.int32)
    sex = np.where(ok, np.where(female, 2, 1), 0).astype(np.int8)
    return birth, sex


def _parse_dates(text: pl.Series) -> Int32s:
    # Formats the issue lists, plus the ISO date with a time that spreadsheets write on export.
    head = text.str.slice(0, 10)
    excel = text.str.replace(r"[.,]0+$", "").cast(pl.Int64, strict=False)
    excel_ok = excel.is_between(1, 80_000)
    parsed = pl.select(
        pl.coalesce(
            head.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
            head.str.strptime(pl.Date, "%d-%m-%Y", strict=False),
            head.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
            head.str.strptime(pl.Date, "%Y/%m/%d", strict=False),
            pl.when(excel_ok).then(pl.lit(EXCEL_EPOCH) + pl.duration(days=pl.lit(excel))).otherwise(None),
        )
    ).to_series()
    return parsed.cast(pl.Int32).fill_null(NO_DATE).to_numpy().astype(np.int32)
