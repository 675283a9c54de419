"""Storing households and persons with plain SQL, as django-simple-history would, with their history rows.

New rows go in as multi-row INSERTs on SQLite and COPY on PostgreSQL; their history rows are copied from the stored
rows by the database itself (INSERT ... SELECT), each naming the importing user.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import sqlite3
from collections.abc import Collection
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction

from berdaya.accounts.models import User
from berdaya.lib.scoping import province_of

from ..models import AssistanceRecord, Household, Person

# Every stored column in the order the import writes it; the first is the key an import matches on.
HOUSEHOLD_COLUMNS = ("kk_number", "address", "village_id", "decile", "register_id", "register_verified_on")
PERSON_COLUMNS = (
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


def date_text(sql: str) -> str:
    """A date column as YYYY-MM-DD text, whatever the database's date style: the import compares dates as text."""
    if connection.vendor == "postgresql":
        return f"to_char({sql}, 'YYYY-MM-DD')"
    return f"CAST({sql} AS TEXT)"


def stored_rows(
    columns: str, tables: str, key: str, keys: Collection[str], *, where: str = "", params: Collection[Any] = ()
) -> list[tuple[Any, ...]]:
    """SELECT `columns` FROM `tables` for the rows whose `key` is one of `keys` (a batch: a few thousand at most),
    and, when given, `where` (with its `params`): the registry's province, say, so that PostgreSQL reads one
    province's partitions."""
    if not keys:
        return []
    condition = f" AND {where}" if where else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One index lookup per key, whatever the planner believes of the tables: in a large import they grow much
            # faster than their statistics, and it then chose to hash the whole registry for every batch.
            cursor.execute(
                f"SELECT stored.* FROM unnest(%s::varchar[]) AS keys(key) CROSS JOIN LATERAL "
                f"(SELECT {columns} FROM {tables} WHERE {key} = keys.key{condition} OFFSET 0) AS stored",
                [list(keys), *params],
            )
        else:
            cursor.execute(
                f"SELECT {columns} FROM {tables} WHERE {key} IN ({', '.join(['%s'] * len(keys))}){condition}",
                [*keys, *params],
            )
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


_HISTORY_COLUMNS = ("history_date", "history_change_reason", "history_type", "history_user_id")
_Model = type[Household] | type[Person]


@functools.cache
def _history_model(model: _Model, columns: tuple[str, ...]) -> type[models.Model]:
    """The model's history model, after checking that `columns` and the province are every column of the model.

    The import writes both tables itself, as django-simple-history would: a column added to the model and not to the
    import must fail loudly rather than leave the audit trail without it. The province is derived (from the village)
    and kept out of the audit trail.
    """
    history: type[models.Model] = model.history.model
    stored = {f.attname for f in model._meta.concrete_fields if not f.primary_key}
    kept = {f.attname for f in history._meta.concrete_fields if not f.primary_key}
    if stored != {*columns, "province"} or kept != {"id", *columns, *_HISTORY_COLUMNS}:
        raise ImproperlyConfigured(f"The import does not write every column of {model._meta.label}.")
    return history


def insert_rows(
    model: _Model,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    *,
    by: User,
    when: dt.datetime,
    provinces: list[str] | None = None,
) -> dict[str, int]:
    """Insert new rows (values in `columns` order) and their "created" history rows; return the new ids by key.

    The key is the first column. `provinces` are the rows' provinces (their household's), read from the database
    when not given. The ids are taken first, so the history rows can be copied from the stored rows by the database
    itself (INSERT ... SELECT): exactly what was stored, without sending every row twice.
    """
    if not rows:
        return {}
    history = _history_model(model, columns)
    if provinces is None:
        provinces = row_provinces(model, columns, rows)
    with transaction.atomic(), connection.cursor() as cursor:
        ids = _reserve_ids(cursor, model, len(rows))
        _write_rows(
            cursor,
            model,
            ("id", *columns, "province"),
            [(pk, *row, province) for pk, row, province in zip(ids, rows, provinces, strict=True)],
        )
        _copy_to_history(cursor, model, history, columns, ids, "+", by=by, when=when)
    return {row[0]: pk for pk, row in zip(ids, rows, strict=True)}


def _reserve_ids(cursor: Any, model: _Model, count: int) -> list[int]:
    """`count` new primary keys for the model's table."""
    table = model._meta.db_table
    if connection.vendor == "postgresql":
        # The sequence is looked up once: pg_get_serial_sequence in the select list would read the catalogue per id.
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) "
            "SELECT nextval(s.seq) FROM s CROSS JOIN generate_series(1, %s)",
            [table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]
    # SQLite: the caller's transaction holds the database's write lock, so no one else can take ids meanwhile. The
    # table is AUTOINCREMENT: an id once used (by a since deleted row, still named in the audit trail) is never reused.
    cursor.execute(
        f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
        f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0))",
        [table],
    )
    (last,) = cursor.fetchone()
    return list(range(last + 1, last + 1 + count))


def update_rows(
    model: _Model,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    *,
    by: User,
    when: dt.datetime,
    provinces: list[str] | None = None,
) -> None:
    """Store changed rows, each given as (id, key, the other values in `columns` order), and their "changed" history.

    `provinces` as for `insert_rows`. A household moved to another province does not take its members and records
    along here: see `follow_households`.
    """
    if not rows:
        return
    history = _history_model(model, columns)
    if provinces is None:
        provinces = row_provinces(model, columns, [row[1:] for row in rows])
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in (*columns[1:], "province"))
    values = [(*row[2:], province, row[0]) for row, province in zip(rows, provinces, strict=True)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE id = %s",
            with_text_dates(model, (*columns[1:], "province"), values),
        )
        _copy_to_history(cursor, model, history, columns, [row[0] for row in rows], "~", by=by, when=when)


def _copy_to_history(
    cursor: Any,
    model: _Model,
    history: type[models.Model],
    columns: tuple[str, ...],
    ids: list[int],
    history_type: str,
    *,
    by: User,
    when: dt.datetime,
) -> None:
    """The history rows django-simple-history would write for the stored rows `ids`: a copy, the date, type and user."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in ("id", *columns))
    history_names = ", ".join(quote(column) for column in _HISTORY_COLUMNS)
    date: Any = when if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(when)
    insert = (
        f"INSERT INTO {quote(history._meta.db_table)} ({names}, {history_names}) "
        f"SELECT {names}, %s, NULL, %s, %s FROM {quote(model._meta.db_table)} "
    )
    if ids == list(range(ids[0], ids[0] + len(ids))):  # new rows: _reserve_ids gives them consecutive ids, mostly
        cursor.execute(insert + "WHERE id BETWEEN %s AND %s", [date, history_type, by.pk, ids[0], ids[-1]])
        return
    if connection.vendor == "postgresql":
        cursor.execute(insert + "WHERE id = ANY(%s)", [date, history_type, by.pk, ids])
        return
    for start in range(0, len(ids), _SQLITE_IDS_PER_STATEMENT):
        chunk = ids[start : start + _SQLITE_IDS_PER_STATEMENT]
        cursor.execute(insert + f"WHERE id IN ({', '.join(['%s'] * len(chunk))})", [date, history_type, by.pk, *chunk])


# Bound parameters per statement on SQLite: its limit is 32,766 since version 3.32, and 999 before.
_SQLITE_IDS_PER_STATEMENT = 900


def _write_rows(cursor: Any, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Append rows to the model's table: COPY on PostgreSQL; on SQLite, INSERTs of many rows each."""
    quote = connection.ops.quote_name
    table, names = quote(model._meta.db_table), ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        # psycopg's COPY raises its own errors: wrapped, a unique violation is Django's IntegrityError as elsewhere.
        with connection.wrap_database_errors, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    per_statement = max(1, _sqlite_max_params() // len(columns))
    values = "(" + ", ".join(["?"] * len(columns)) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        # Straight to sqlite3: Django's cursor would rewrite each %s of thousands into "?" with a regular expression.
        with connection.wrap_database_errors:
            connection.connection.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([values] * len(chunk))}",
                list(itertools.chain.from_iterable(chunk)),
            )


def _sqlite_max_params() -> int:
    try:
        limit: int = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    except AttributeError:  # not the standard library's sqlite3 connection
        return 999
    return min(limit, 30_000)


@functools.cache
def _date_positions(model: type[models.Model], columns: tuple[str, ...]) -> list[int]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [
        i
        for i, column in enumerate(columns)
        if isinstance(fields[column], models.DateField) and not isinstance(fields[column], models.DateTimeField)
    ]


def with_text_dates(
    model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> list[tuple[Any, ...]]:
    """Rows whose dates are YYYY-MM-DD text, as Django stores them in SQLite and as the import compares them."""
    positions = _date_positions(model, columns)
    if not positions or not rows:
        return rows
    values = list(zip(*rows, strict=True))
    for i in positions:
        values[i] = tuple(date.isoformat() if isinstance(date, dt.date) else date for date in values[i])
    return list(zip(*values, strict=True))


def row_provinces(model: _Model, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> list[str]:
    """The province of each row (values in `columns` order): a household's from its village, a person's from its
    household as stored."""
    if model is Household:
        village = columns.index("village_id")
        return [province_of(row[village]) for row in rows]
    position = columns.index("household_id")
    ids = list({row[position] for row in rows})
    # On PostgreSQL the household key table (migration 0009) answers by id alone; the partitioned table would look
    # in every partition.
    table = "registry_household_key" if connection.vendor == "postgresql" else "registry_household"
    provinces: dict[int, str] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _SQLITE_IDS_PER_STATEMENT):
            chunk = ids[start : start + _SQLITE_IDS_PER_STATEMENT]
            cursor.execute(
                f"SELECT id, province FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )
            provinces.update(cursor.fetchall())
    return [provinces.get(row[position], "") for row in rows]


def follow_households(moved: dict[int, str]) -> None:
    """The members and assistance records of households that moved to another province (id -> new province) move
    with them (on PostgreSQL into that province's partitions), as `Household.save` does for one."""
    by_province: dict[str, list[int]] = {}
    for pk, province in moved.items():
        by_province.setdefault(province, []).append(pk)
    for province, ids in by_province.items():
        Person.objects.filter(household_id__in=ids).update(province=province)
        AssistanceRecord.objects.filter(household_id__in=ids).update(province=province)


def insert_with_history(model: _Model, records: list[dict[str, Any]], *, by: User, when: dt.datetime) -> dict[str, int]:
    """Insert new households or persons, given as dicts of every column, with their history; ids by KK or NIK."""
    columns = HOUSEHOLD_COLUMNS if model is Household else PERSON_COLUMNS
    rows = [tuple(record[column] for column in columns) for record in records]
    return insert_rows(model, columns, with_text_dates(model, columns, rows), by=by, when=when)
