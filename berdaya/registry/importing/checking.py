"""Checking the rows of an import file: `Checker` turns batches of raw cells into clean values and issues.

The public interface: `Checker(**settings)` for one file, `check_batch` for a batch of (line, cells), and
`checked_here` to read and check a whole stream of rows batch by batch. `Checker.settings` are plain values, so that
another process (checking_process) can make the same checker.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Generator, Iterator
from operator import itemgetter
from typing import Any

import numpy as np
from django.utils.translation import gettext_noop as N_

from berdaya.lib.text import name_is_clean

from .cells import CellRules
from .keys import FirstSeen
from .reading import FORMULA, is_formula
from .results import Batch, Row
from .vocabulary import FIELDS, NONE_WORDS, TEXT_LIMITS, Kind

# Rows checked (and then stored) together.
BATCH_SIZE = 2000
_Cleaner = Callable[[Row, dict[str, Any], str], Any]


class Checker(CellRules):
    """Turns the rows of one file, batch by batch (`check_batch`), into clean values and issues.

    Holds what the file has shown so far (NIKs and KK numbers already met, cells already cleaned), so one checker
    reads one file from its start. `settings` are the keyword arguments it was made with, as plain values: another
    process makes the same checker from them (see checking_process).

    The common cell (a 16-digit NIK of a known kecamatan that agrees with the row, a date already seen) takes a short
    path; anything else goes through the full rules (cells.py, berdaya.lib.nik), which write the messages.
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
        self.first_niks = FirstSeen()
        self.first_kks = FirstSeen()
        self.village_numbers: dict[str, int] = {}
        # The DDMMYY part of a NIK -> (birth date, sex) it encodes, or None when it encodes no date.
        self.nik_dates: dict[str, tuple[dt.date, str] | None] = {}
        # Column -> cell text -> its clean value, for cells that had nothing to report.
        self.memos: dict[str, dict[str, Any]] = {name: {} for name in FIELDS[kind]}

    def cells(self, raw: list[Any]) -> dict[str, Any]:
        if len(raw) >= self.width:
            return dict(zip(self.names, self.pick(raw), strict=True))
        return {name: raw[index] if index < len(raw) else None for name, index in self.columns.items()}

    def check_batch(self, chunk: list[tuple[int, list[Any]]]) -> Batch:
        """Check a batch of rows (line number, cells) and return their clean values column by column."""
        batch = Batch([line for line, _ in chunk], {})
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

    def check(self, line: int, raw: list[Any]) -> Row:
        """One row of an assistance-history file."""
        cells = self.cells(raw)
        row = Row(line, {}, [])
        for name, value in cells.items():
            if is_formula(value):
                self._issue(row, name, value, "rejected", FORMULA)
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

    def _one(self, batch: Batch, index: int, name: str, value: Any, clean: _Cleaner, *, remember: bool = True) -> Any:
        """One cell through the full rules, which write the messages (the path of a cell that is not plain).

        `remember` only for cleaners whose result depends on the cell alone (see memo).
        """
        row = Row(batch.lines[index], {}, [])
        cells = {name: value}
        if is_formula(value):
            self._issue(row, name, value, "rejected", FORMULA)
            cells[name] = None
        clean_value = self.memo(row, cells, name, clean) if remember else clean(row, cells, name)
        if row.issues:
            batch.add(index, row.issues)
        return clean_value

    def _column(self, batch: Batch, cells: dict[str, list[Any]], name: str, clean: _Cleaner) -> list[Any]:
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
        self,
        batch: Batch,
        cells: dict[str, list[Any]],
        name: str,
        clean: _Cleaner,
        *,
        required: bool = False,
        names: bool = False,
    ) -> list[str]:
        """A column of free text (names, addresses): plain cells are only stripped; the rest take the full rules.

        A column of `names` also sends to the full rules a cell that clean_name would change (bidi or zero-width
        controls, a name not in NFC)."""
        column = cells.get(name)
        if column is None:
            return [""] * len(batch.lines)
        try:
            texts = list(map(str.strip, column))
        except TypeError:  # a number or an empty cell of a spreadsheet
            return [self._one(batch, index, name, value, clean) for index, value in enumerate(column)]
        limit = TEXT_LIMITS.get(name, 10**9)
        joined = "\x1f".join(texts)
        if not (
            "=" in joined
            or "  " in joined
            or "\t" in joined
            or "\n" in joined
            or max(map(len, texts)) > limit
            or (required and not all(texts))
            or (names and not name_is_clean(joined))
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
            or (names and not name_is_clean(text))
            else text
            for index, (value, text) in enumerate(zip(column, texts, strict=True))
        ]

    def _check_registry(self, batch: Batch, raws: list[list[Any]]) -> None:
        cells = self._columns(raws)
        data, column, texts = batch.data, self._column, self._texts
        data["sex"] = column(batch, cells, "sex", self._choice)
        data["birth_date"] = column(batch, cells, "birth_date", self._date)
        data["nik"] = self._niks(batch, cells["nik"], data["birth_date"], data["sex"])
        data["kk_number"] = self._kks(batch, cells["kk_number"])
        data["name"] = texts(batch, cells, "name", self._name, required=True, names=True)
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
        data["birth_date"] = iso_dates(data["birth_date"])
        data["register_verified_on"] = iso_dates(data["register_verified_on"])

    def _niks(self, batch: Batch, column: list[Any], births: list[Any], sexes: list[str]) -> list[str]:
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

    def _nik_cell(self, row: Row, cells: dict[str, Any], name: str, *, birth_date: dt.date | None, sex: str) -> str:
        return self._nik(row, cells, birth_date=birth_date, sex=sex)

    def _kks(self, batch: Batch, column: list[Any]) -> list[str]:
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
        none = {text for text in set(texts) if text and text.lower() in NONE_WORDS}
        return ["" if text in none else text for text in texts] if none else texts

    def _first_niks(self, batch: Batch) -> None:
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
            row = Row(batch.lines[index], {}, [])
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

    def _first_kks(self, batch: Batch) -> None:
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
            row = Row(batch.lines[index], {}, [])
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


def iso_dates(dates: list[dt.date | None]) -> list[str | None]:
    return [None if date is None else date.isoformat() for date in dates]


def checked_here(rows: Iterator[tuple[int, list[Any]]], checker: Checker) -> Generator[Batch, None, None]:
    """The rows read and checked batch by batch, in this process."""
    while chunk := list(itertools.islice(rows, BATCH_SIZE)):
        yield checker.check_batch(chunk)
