"""Month arithmetic, one place: a month is the date of its first day."""

from __future__ import annotations

import calendar
import datetime as dt


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    return next_month(day) - dt.timedelta(days=1)


def next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_back(month: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months before `month` (a negative count goes forward)."""
    year, index = divmod(month.year * 12 + month.month - 1 - count, 12)
    return dt.date(year, index + 1, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (or earlier), on the month's last day when it has no such day: 31 Aug + 6 = 28 Feb."""
    first = months_back(day, -months)
    return first.replace(day=min(day.day, calendar.monthrange(first.year, first.month)[1]))
