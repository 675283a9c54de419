"""Database expressions that Django does not ship, and a short wait for SQLite's write lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.db.models import BooleanField, Func, Q
from django.db.models.lookups import Regex
from django.utils.deconstruct import deconstructible


@deconstructible(path="berdaya.lib.db.IsDigits")
class IsDigits(Func):
    """True when the text is exactly `length` ASCII digits (a NIK, a KK number), for check constraints.

    A regex lookup would do, but SQLite has no regular expressions of its own: Django answers REGEXP with a Python
    function, called for every row written, a fifth of the time of a large registry import. SQLite gets the same rule
    in native SQL; other databases get the regex lookup.
    """

    output_field = BooleanField()
    arity = 1

    def __init__(self, expression: Any, *, length: int) -> None:
        self.length = length
        super().__init__(expression)

    def as_sql(  # type: ignore[override]  # the function/template arguments of Func make no sense here
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> Any:
        (expression,) = self.get_source_expressions()
        return compiler.compile(Regex(expression, f"^[0-9]{{{self.length}}}$"))

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        (expression,) = self.get_source_expressions()
        sql, params = compiler.compile(expression)
        return (
            f"(length({sql}) = %s AND {sql} NOT GLOB '*[^0-9]*')",
            (*params, self.length, *params),
        )


def digits_prefix(path: str, digits: str) -> Q:
    """The rows whose digits-only text at `path` (a NIK, a KK number) begins with `digits`, as a range of values.

    startswith would be LIKE 'digits%', which a plain index serves only under the C collation (PostgreSQL otherwise
    needs a second, pattern-ops index) and never on SQLite; a range is served by the column's own unique index.
    Exact for digit strings: those starting with 6409 are exactly those from "6409" up to, not including, "641".
    """
    if not digits.isascii() or not digits.isdigit():
        raise ValueError(f"not a digit string: {digits!r}")
    stem = digits.rstrip("9")
    if not stem:  # only nines: everything from here to the end
        return Q(**{f"{path}__gte": digits})
    return Q(**{f"{path}__gte": digits, f"{path}__lt": stem[:-1] + str(int(stem[-1]) + 1)})


@contextmanager
def impatient(alias: str = "default", *, milliseconds: int = 200) -> Iterator[None]:
    """On SQLite, wait at most this long for another connection's write lock (then "database is locked").

    Set on the driver's connection itself: a pragma, not a query of the page (it is not counted as one).
    """
    conn = connections[alias]
    if conn.vendor != "sqlite":
        yield
        return
    conn.ensure_connection()
    driver = conn.connection
    (before,) = driver.execute("PRAGMA busy_timeout").fetchone()
    driver.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    try:
        yield
    finally:
        if conn.connection is driver:  # not closed meanwhile (a closed connection takes its settings with it)
            driver.execute(f"PRAGMA busy_timeout = {int(before)}")
