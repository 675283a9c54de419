"""NIK and KK numbers: structure checks, what a NIK tells about its holder, and Excel damage.

Pure Python so that the import pipeline, the screening engine and the web forms share one set of rules. This module
cannot read the database: a caller that wants the region checked passes the known kecamatan codes in.

A NIK is ``PPKKCC DDMMYY SSSS``: province, regency and kecamatan of first registration; day of birth (plus 40 for
women), month and two-digit year; a serial. A KK number is the region of issuance, a registration date and a serial.
Dukcapil does not change a NIK that disagrees with the recorded birth date or sex, so such a NIK only gets a warning;
only what cannot be a NIK at all is rejected.

Messages are plain English with named placeholders (``message % params``) so that the Django layer can translate the
message id with gettext and fill in the same ``params``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Final

__all__ = [
    "KkCheck",
    "NikCheck",
    "NikFacts",
    "Problem",
    "check_kk",
    "check_nik",
    "clean_number",
    "nik_facts",
    "nik_relation",
    "region_code",
]

# A caller says which kecamatan exist either as a set of 6-digit prefixes ("640104") or as a predicate.
KnownRegions = Collection[str] | Callable[[str], bool]

FEMALE_DAY_OFFSET: Final = 40


@dataclass(frozen=True)
class Problem:
    """One finding about a number: a machine code, an English message with named placeholders, and their values."""

    code: str
    message: str
    params: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message % self.params if self.params else self.message


@dataclass(frozen=True)
class NikFacts:
    """What a structurally valid NIK says about its holder."""

    birth_date: dt.date
    sex: str  # "L" or "P", as on the KTP
    province: str  # "64"
    regency: str  # "64.01"
    kecamatan: str  # "64.01.04"
    serial: str  # "0012"


@dataclass(frozen=True)
class NikCheck:
    """The outcome of checking one NIK as typed: the cleaned digits, errors that reject it, warnings that do not."""

    raw: str
    nik: str  # digits after removing Excel damage that loses nothing (apostrophe, ".0", spaces); "" if none
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    facts: NikFacts | None

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in (*self.errors, *self.warnings))


@dataclass(frozen=True)
class KkCheck:
    """The outcome of checking one KK number."""

    raw: str
    kk_number: str
    errors: tuple[Problem, ...]
    warnings: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


_SCIENTIFIC = re.compile(r"^[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+$")
_FLOAT_ZERO = re.compile(r"^([0-9]+)[.,]0+$")


def clean_number(raw: str) -> tuple[str, list[Problem]]:
    """Strip the harmless damage spreadsheets do to a long number, and report the damage that lost digits.

    Returns the digits that can be trusted ("" when nothing can be) and the problems found. A leading apostrophe
    (Excel's "keep as text" marker), spaces, dots between groups and a trailing ".0" lose nothing. Scientific
    notation (``6.40104E+15``) keeps only the leading digits, so the number is lost.
    """
    text = raw.strip().lstrip("'‘’`").strip()
    problems: list[Problem] = []
    if text != raw.strip():
        problems.append(Problem("apostrophe", "Leading apostrophe removed from %(value)s.", {"value": raw.strip()}))
    if not text:
        return "", problems
    if _SCIENTIFIC.match(text):
        problems.append(
            Problem(
                "excel_scientific",
                "%(value)s is in scientific notation: a spreadsheet turned the number into a float and lost digits.",
                {"value": text},
            )
        )
        return "", problems
    match = _FLOAT_ZERO.match(text)
    if match:
        problems.append(Problem("excel_float", "Trailing decimal part removed from %(value)s.", {"value": text}))
        text = match.group(1)
    compact = re.sub(r"[\s.\-]", "", text)
    return compact, problems


def _known(region6: str, known_regions: KnownRegions | None) -> bool:
    if known_regions is None:
        return True
    if callable(known_regions):
        return bool(known_regions(region6))
    return region6 in known_regions


def region_code(digits6: str) -> str:
    """The dotted Kemendagri code of a 6-digit kecamatan prefix: ``640104`` -> ``64.01.04``."""
    return f"{digits6[:2]}.{digits6[2:4]}.{digits6[4:6]}"


def nik_facts(nik: str, *, today: dt.date) -> NikFacts | None:
    """Birth date, sex and region encoded in a 16-digit NIK, or None when the digits cannot be a NIK.

    The year has two digits; the century is the latest one that does not put the birth after ``today``.
    """
    if len(nik) != 16 or not (nik.isascii() and nik.isdigit()):
        return None
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    sex = "L"
    if day > FEMALE_DAY_OFFSET:
        sex, day = "P", day - FEMALE_DAY_OFFSET
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    year = (today.year // 100) * 100 + year2
    birth = _date_or_none(year, month, day)
    if birth is None or birth > today:
        year -= 100
        birth = _date_or_none(year, month, day)
    if birth is None:
        return None
    return NikFacts(
        birth_date=birth,
        sex=sex,
        province=nik[:2],
        regency=f"{nik[:2]}.{nik[2:4]}",
        kecamatan=region_code(nik[:6]),
        serial=nik[12:],
    )


def _date_or_none(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def check_nik(
    raw: str,
    *,
    today: dt.date,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    known_regions: KnownRegions | None = None,
) -> NikCheck:
    """Check a NIK as typed; compare it with the recorded birth date and sex when they are given."""
    digits, problems = clean_number(raw)
    errors: list[Problem] = []
    warnings: list[Problem] = [p for p in problems if p.code in ("apostrophe", "excel_float")]
    errors.extend(p for p in problems if p.code == "excel_scientific")
    if not digits:
        if not errors:
            errors.append(Problem("missing", "The NIK is empty."))
        return NikCheck(raw, "", tuple(errors), tuple(warnings), None)
    if not (digits.isascii() and digits.isdigit()):
        errors.append(
            Problem("not_digits", "The NIK %(value)s contains characters other than digits.", {"value": digits})
        )
        return NikCheck(raw, "", tuple(errors), tuple(warnings), None)
    if len(digits) != 16:
        if len(digits) == 15:
            errors.append(
                Problem(
                    "excel_truncated",
                    "The NIK %(value)s has 15 digits: a spreadsheet probably dropped the last one.",
                    {"value": digits},
                )
            )
        else:
            errors.append(
                Problem(
                    "length",
                    "The NIK %(value)s has %(length)s digits, not 16.",
                    {"value": digits, "length": str(len(digits))},
                )
            )
        return NikCheck(raw, digits, tuple(errors), tuple(warnings), None)

    day, month = int(digits[6:8]), int(digits[8:10])
    if day == 0 or FEMALE_DAY_OFFSET - 8 <= day <= FEMALE_DAY_OFFSET or day > FEMALE_DAY_OFFSET + 31:
        errors.append(
            Problem(
                "bad_day",
                "Day %(day)s in NIK %(value)s is impossible (1-31 for men, 41-71 for women).",
                {"day": digits[6:8], "value": digits},
            )
        )
    if month == 0 or month > 12:
        errors.append(
            Problem(
                "bad_month", "Month %(month)s in NIK %(value)s is impossible.", {"month": digits[8:10], "value": digits}
            )
        )
    if not _known(digits[:6], known_regions):
        errors.append(
            Problem(
                "unknown_region",
                "NIK %(value)s starts with %(region)s, which is not a known kecamatan.",
                {"value": digits, "region": region_code(digits[:6])},
            )
        )
    facts = None if errors else nik_facts(digits, today=today)
    if not errors and facts is None:
        # Day and month are each possible but not together, such as 31 February.
        errors.append(Problem("bad_date", "NIK %(value)s encodes a date that does not exist.", {"value": digits}))
    if facts is not None:
        if birth_date is not None and not _same_birth(facts.birth_date, birth_date):
            warnings.append(
                Problem(
                    "birth_date_mismatch",
                    "NIK %(value)s says born %(nik_date)s but the record says %(date)s.",
                    # ISO dates: whoever shows the message shows them in the readable style (formats.shown_value)
                    {"value": digits, "nik_date": facts.birth_date.isoformat(), "date": birth_date.isoformat()},
                )
            )
        if sex in ("L", "P") and sex != facts.sex:
            warnings.append(
                Problem(
                    "sex_mismatch",
                    "NIK %(value)s is a %(nik_sex)s NIK but the record says %(sex)s.",
                    {"value": digits, "nik_sex": _sex_word(facts.sex), "sex": _sex_word(sex)},
                )
            )
    return NikCheck(raw, digits, tuple(errors), tuple(warnings), facts)


def _same_birth(from_nik: dt.date, recorded: dt.date) -> bool:
    # The NIK keeps only two digits of the year, so compare day, month and year modulo 100.
    return (from_nik.day, from_nik.month, from_nik.year % 100) == (recorded.day, recorded.month, recorded.year % 100)


def _sex_word(sex: str) -> str:
    return "male" if sex == "L" else "female"


def check_kk(raw: str, *, known_regions: KnownRegions | None = None) -> KkCheck:
    """Check a KK (family card) number: 16 digits starting with the region that issued it."""
    digits, problems = clean_number(raw)
    errors = [p for p in problems if p.code == "excel_scientific"]
    warnings = [p for p in problems if p.code in ("apostrophe", "excel_float")]
    if not digits:
        if not errors:
            errors.append(Problem("missing", "The KK number is empty."))
        return KkCheck(raw, "", tuple(errors), tuple(warnings))
    if not (digits.isascii() and digits.isdigit()):
        errors.append(
            Problem("not_digits", "The KK number %(value)s contains characters other than digits.", {"value": digits})
        )
    elif len(digits) == 15:
        errors.append(
            Problem(
                "excel_truncated",
                "The KK number %(value)s has 15 digits: a spreadsheet probably dropped the last one.",
                {"value": digits},
            )
        )
    elif len(digits) != 16:
        errors.append(
            Problem(
                "length",
                "The KK number %(value)s has %(length)s digits, not 16.",
                {"value": digits, "length": str(len(digits))},
            )
        )
    elif not _known(digits[:6], known_regions):
        errors.append(
            Problem(
                "unknown_region",
                "KK number %(value)s starts with %(region)s, which is not a known kecamatan.",
                {"value": digits, "region": region_code(digits[:6])},
            )
        )
    return KkCheck(raw, digits if digits.isascii() and digits.isdigit() else "", tuple(errors), tuple(warnings))


def nik_relation(a: str, b: str) -> str:
    """How two NIK digit strings differ, as one of the codes below; the screening engine explains pairs with it.

    ``same``; ``transposition`` (two adjacent digits swapped); ``one_digit`` (one digit replaced);
    ``truncated`` (one has 15 digits and is the other without its last, or any one, digit); ``different``;
    ``missing`` when either is empty.
    """
    if not a or not b:
        return "missing"
    if a == b:
        return "same"
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return "one_digit"
        if len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]:
            return "transposition"
        return "different"
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(long_) - len(short) == 1 and any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_))):
        return "truncated"
    return "different"
