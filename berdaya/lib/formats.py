"""Numbers, Rupiah, dates and times as the reader's language writes them; the one place that formats them.

    rupiah(2_000_000)   # "Rp 2.000.000" in Indonesian, "Rp 2,000,000" in English
    day(cycle.sk_date)  # "3 Des 2026" / "3 Dec 2026"
    day_time(note.created_at)  # "3 Des 2026 09:14", in the office's zone (settings.TIME_ZONE, WITA), no seconds
    long_day(cycle.sk_date)  # "3 Desember 2026" / "3 December 2026": the official style of a decree or minutes

The styles are berdaya/formats/<language>/formats.py (settings.FORMAT_MODULE_PATH). Templates use the same
functions as filters (berdaya/templatetags/formats.py, a builtin: no {% load %}). Machine formats (CSV, XLSX, form
input values, ISO attributes) stay ISO and do not come here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import pgettext_lazy

Number = int | float | Decimal


def number(value: Number) -> str:
    """Digits grouped by thousands in the active language: 2.000.000 (Indonesian), 2,000,000 (English)."""
    return number_format(value, use_l10n=True, force_grouping=True)


def rupiah(amount: Number) -> str:
    return f"Rp {number(amount)}"


# Large amounts, as Indonesian offices write them on a slide or a card: juta, miliar, triliun.
_SCALES = (
    (10**12, pgettext_lazy("trillion rupiah, abbreviated", "tn")),
    (10**9, pgettext_lazy("billion rupiah, abbreviated", "bn")),
    (10**6, pgettext_lazy("million rupiah, abbreviated", "m")),
)


def rupiah_short(amount: Number) -> str:
    """An amount in a few characters for a figure card: Rp 114,4 jt, Rp 1,2 M (exact below a million; the card
    shows the exact amount beside it). Decimal arithmetic, rounded half up: no float near money."""
    value = Decimal(amount)
    for size, unit in _SCALES:
        if abs(value) >= size:
            scaled = (value / size).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            return f"Rp {number_format(scaled, decimal_pos=1, use_l10n=True)} {unit}"
    return rupiah(amount)


def office_time(moment: dt.datetime) -> dt.datetime:
    """An aware moment in the office's zone (settings.TIME_ZONE); a naive one as it is."""
    if timezone.is_naive(moment):
        return moment
    return timezone.localtime(moment, timezone.get_default_timezone())


def day(value: dt.date) -> str:
    """The date in the one readable style (DATE_FORMAT): 3 Des 2026; a moment by its day in the office."""
    if isinstance(value, dt.datetime):
        value = office_time(value)
    return date_format(value, "DATE_FORMAT")


def day_time(moment: dt.datetime) -> str:
    """The moment in the office's zone, to the minute (DATETIME_FORMAT): 3 Des 2026 09:14."""
    return date_format(office_time(moment), "DATETIME_FORMAT")


def month(value: dt.date) -> str:
    """A month (YEAR_MONTH_FORMAT): Des 2026."""
    if isinstance(value, dt.datetime):
        value = office_time(value)
    return date_format(value, "YEAR_MONTH_FORMAT")


def long_day(value: dt.date) -> str:
    """The date with its month written out, as an official letter dates itself: 3 Desember 2026."""
    if isinstance(value, dt.datetime):
        value = office_time(value)
    return date_format(value, "j F Y")


def long_month(value: dt.date) -> str:
    """A month written out, as a report's title names it: Desember 2026."""
    if isinstance(value, dt.datetime):
        value = office_time(value)
    return date_format(value, "F Y")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")


def shown_value(value: Any) -> Any:
    """A kept message's value as the reader reads it: a date (or one kept as ISO text) in the readable style, a
    month kept as ISO text ("2026-10", see `iso_month`) as Okt 2026; anything else as it is (a number too: a year
    must not become 2.027; use grouped() for amounts)."""
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, str) and _ISO_MONTH.fullmatch(value):
        try:
            return month(dt.date.fromisoformat(f"{value}-01"))
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return day(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return value


def iso_month(value: dt.date) -> str:
    """A month as kept in a stored message ("2026-10"), shown in the reader's language by `shown_value`."""
    return f"{value:%Y-%m}"


def grouped(params: dict[str, Any]) -> dict[str, Any]:
    """A message's values with every whole number grouped, for `message % grouped(params)` at display."""
    return {
        name: number(value) if isinstance(value, int | Decimal) and not isinstance(value, bool) else value
        for name, value in params.items()
    }
