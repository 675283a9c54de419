"""The full rules for one cell of an import file, each writing its own messages.

`Checker` (checking.py) sends here every cell its short paths do not settle: a NIK or KK number that is not plainly
valid, a date, a choice, a free text, and every row of an assistance-history file.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_noop as N_

from berdaya.lib.nik import Problem, check_kk, check_nik, nik_facts
from berdaya.lib.text import clean_name

from .reading import cell_text, normal_village_code, parse_date
from .results import Issue, Row
from .vocabulary import MARITAL, NONE_WORDS, PROGRAMME, RELATION, SEX, TEXT_LIMITS, Level

# Clean values remembered per column (see CellRules.memo): a file repeats the same villages, dates, relations and
# places over and over. Bounded, so a file of a million different strings cannot grow them without limit.
_MEMO_SIZE = 100_000
_CHOICES = {"sex": SEX, "relation": RELATION, "marital_status": MARITAL}
_MISSING = object()
_MONEY_NOISE = re.compile(r"^rp\.?\s*|[\s.,]|(?:,00|\.00)$", re.IGNORECASE)


class CellRules:
    """The rules for one cell (and for one assistance-history row), with what the file has shown so far."""

    today: dt.date
    kecamatan_prefixes: frozenset[str]  # the six digits of every kecamatan code
    villages: frozenset[str]  # the villages the user may import into
    # History: line of the first row of each person/programme/year in this file.
    seen: dict[Any, int]
    # The DDMMYY part of a NIK -> (birth date, sex) it encodes, or None when it encodes no date.
    nik_dates: dict[str, tuple[dt.date, str] | None]
    # Column -> cell text -> its clean value, for cells that had nothing to report.
    memos: dict[str, dict[str, Any]]

    def _issue(self, row: Row, column: str, cell: Any, level: Level, message: str, **params: Any) -> None:
        row.issues.append(
            Issue(row.line, column, cell_text(cell)[:100], level, message, {k: str(v) for k, v in params.items()})
        )

    def _problem(self, row: Row, column: str, cell: Any, level: Level, problem: Problem) -> None:
        row.issues.append(Issue(row.line, column, cell_text(cell)[:100], level, problem.message, dict(problem.params)))

    def memo(self, row: Row, cells: dict[str, Any], name: str, clean: Callable[[Row, dict[str, Any], str], Any]) -> Any:
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

    def _text_field(self, row: Row, cells: dict[str, Any], name: str) -> str:
        value = cells.get(name)
        text = value.strip() if type(value) is str else cell_text(value)
        if "  " in text or "\t" in text or "\n" in text:
            text = " ".join(text.split())
        limit = TEXT_LIMITS.get(name)
        if limit and len(text) > limit:
            self._issue(row, name, text, "rejected", N_("Longer than %(limit)s characters."), limit=limit)
        return text

    def _choice(self, row: Row, cells: dict[str, Any], name: str) -> str:
        text = cell_text(cells.get(name))
        if not text:
            return ""
        value = _CHOICES[name].get(text.lower())
        if value is None:
            self._issue(row, name, text, "warning", N_("Unknown value %(value)s; left empty."), value=text)
            return ""
        return value

    def _date(self, row: Row, cells: dict[str, Any], name: str) -> dt.date | None:
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
                value=cell_text(value),
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

    def _nik(self, row: Row, cells: dict[str, Any], *, birth_date: dt.date | None, sex: str) -> str:
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
            cell_text(value),
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

    def _kk(self, row: Row, cells: dict[str, Any]) -> str:
        value = cells.get("kk_number")
        if type(value) is str:
            text = value.strip()
            if len(text) == 16 and text.isascii() and text.isdigit() and text[:6] in self.kecamatan_prefixes:
                return text
        kk = check_kk(cell_text(value), known_regions=self.kecamatan_prefixes)
        for problem in kk.errors:
            self._problem(row, "kk_number", value, "rejected", problem)
        for problem in kk.warnings:
            self._problem(row, "kk_number", value, "warning", problem)
        return kk.kk_number if kk.ok else ""

    def _name(self, row: Row, cells: dict[str, Any], name: str) -> str:
        text = clean_name(self._text_field(row, cells, name))
        if not text:
            self._issue(row, name, "", "rejected", N_("The name is empty."))
        return text

    def _village(self, row: Row, cells: dict[str, Any], name: str) -> str:
        village = normal_village_code(cell_text(cells.get(name)))
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

    def _disability(self, row: Row, cells: dict[str, Any], name: str) -> str:
        disability = self._text_field(row, cells, name)
        return "" if disability.lower() in NONE_WORDS else disability

    def _decile(self, row: Row, cells: dict[str, Any], name: str) -> int | None:
        decile = cell_text(cells.get(name))
        if not decile:
            return None
        if decile.isascii() and decile.isdigit() and 1 <= int(decile) <= 10:
            return int(decile)
        self._issue(row, name, decile, "rejected", N_("The decile must be a whole number from 1 to 10."))
        return None

    def _check_history(self, row: Row, cells: dict[str, Any]) -> None:
        data = row.data
        data["nik"] = self._nik(row, cells, birth_date=None, sex="")
        programme = cell_text(cells.get("programme"))
        data["programme"] = PROGRAMME.get(programme.lower(), "")
        if not data["programme"]:
            self._issue(
                row,
                "programme",
                programme,
                "rejected",
                N_("Unknown programme %(value)s; use KUBE, PKH, BPNT/Sembako, BLT, RS-RTLH or other."),
                value=programme,
            )
        year = cell_text(cells.get("year"))
        data["year"] = int(year) if year.isascii() and year.isdigit() and 1970 <= int(year) <= self.today.year else None
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
        amount = cell_text(cells.get("amount"))
        data["amount"] = None
        if amount:
            digits = _MONEY_NOISE.sub("", amount)
            if digits.isascii() and digits.isdigit():
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
