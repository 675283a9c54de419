"""Template filters for numbers, Rupiah, dates and times (berdaya/lib/formats.py); a builtin, so no {% load %}.

    {{ cycle.budget|rupiah }}       Rp 2.000.000          {{ kube.entries|number }}   1.234
    {{ cycle.sk_date|day }}         3 Des 2026            {{ note.created_at|day_time }}  3 Des 2026 09:14 (WITA)
    {{ report.month|month }}        Des 2026              {{ report.month|long_month }}  Desember 2026
    {{ cycle.sk_date|long_day }}    3 Desember 2026 (a decree's, a minutes' own date)

Nothing (None or "") gives "", so that `|default:"—"` follows; a value of another kind is shown as it is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template

from berdaya.lib import formats

register = template.Library()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@register.filter
def number(value: Any) -> Any:
    return formats.number(value) if _is_number(value) else ("" if value is None else value)


@register.filter
def rupiah(value: Any) -> Any:
    return formats.rupiah(value) if _is_number(value) else ("" if value is None else value)


@register.filter(expects_localtime=False)
def day(value: Any) -> Any:
    return formats.day(value) if isinstance(value, dt.date) else ("" if value is None else value)


@register.filter(expects_localtime=False)
def day_time(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return formats.day_time(value)
    return formats.day(value) if isinstance(value, dt.date) else ("" if value is None else value)


@register.filter(expects_localtime=False)
def month(value: Any) -> Any:
    return formats.month(value) if isinstance(value, dt.date) else ("" if value is None else value)


@register.filter(expects_localtime=False)
def long_day(value: Any) -> Any:
    return formats.long_day(value) if isinstance(value, dt.date) else ("" if value is None else value)


@register.filter(expects_localtime=False)
def long_month(value: Any) -> Any:
    return formats.long_month(value) if isinstance(value, dt.date) else ("" if value is None else value)
