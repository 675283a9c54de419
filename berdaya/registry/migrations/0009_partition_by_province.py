"""PostgreSQL only: households, persons and assistance records become tables partitioned by province.

A region-scoped read (every page, the import, the screening) then reads only its province's partitions. On SQLite
this migration does nothing. Django's migration state does not change either: the models are as they were.

What it does, per table, in one transaction (the migration path of an installation that already holds a registry):
rename the table, create the partitioned table in its place (same columns, defaults, checks and identity; one
partition per province code of Kemendagri plus a DEFAULT one), copy the rows over (INSERT ... SELECT), carry the id
sequence on, recreate the primary key as (id, province), every unique constraint with the province added and every
index on the partitioned parent (so each partition has them), then drop the old table. Measured: docs/scaling.md,
"Registry partitions".

Global uniqueness and foreign keys. A partitioned table holds a unique index only if it includes the partition key,
so the unique NIK and KK number, and the foreign keys other tables hold to persons and households, move to two small
unpartitioned tables kept by triggers on the partitioned ones: registry_person_key (id, nik UNIQUE, province) and
registry_household_key (id, kk_number UNIQUE, province). Every foreign key that referred to registry_person(id) or
registry_household(id) refers to the key table's id instead (the same values, still DEFERRABLE INITIALLY DEFERRED).
So a duplicate NIK, even in another province, still raises IntegrityError, and a person a membership still names
still cannot be deleted. The triggers are per statement with transition tables (cheap for an import's COPY); a row
moved to another province's partition by an UPDATE is in the UPDATE's transition tables, and TRUNCATE empties the key
table too. The one-record-per-person-programme-year constraint keeps its name with the province added: unique within
a province (a person's records are in their household's province).

Later migrations (the rule for whoever changes these models):
- AddField, AlterField of a plain column, AddIndex, RemoveIndex, AddConstraint of a CHECK: Django's own SQL works on
  the partitioned parent, which passes it to every partition.
- A new unique constraint, or unique=True, on these tables must include "province" (PostgreSQL refuses it otherwise);
  a unique value across provinces needs a column in the key table and its trigger, as nik and kk_number have.
- A new ForeignKey to Person or Household (in any app) creates "REFERENCES registry_person(id)", which PostgreSQL
  refuses (id alone is not unique there): wrap it in SeparateDatabaseAndState and create the constraint with RunSQL
  against registry_person_key(id) / registry_household_key(id). Changing nik or kk_number (their length, say) must
  change the key table's column too; removing registry_person_nik_unique or registry_household_kk_unique removes
  the (nik, province) index only, the key table still holds the NIK unique.
- The partitions follow the province codes of 2026 (38); a row of a new province lands in the DEFAULT partition
  until a partition is added for it (ALTER TABLE ... DETACH/ATTACH, see docs/scaling.md).
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations

# The provinces of Indonesia by Kemendagri code (berdaya/regions/data/wilayah.csv, level 1), frozen here as
# migrations are: a later change of the list is a later migration.
PROVINCES = (
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51", "52", "53",
    "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96",
)  # fmt: skip

# In dependency order: a person refers to a household, a record to both.
TABLES = ("registry_household", "registry_person", "registry_assistancerecord")
# Partitioned table -> (key table, its globally unique column). Nothing refers to an assistance record.
KEYS = {"registry_household": ("registry_household_key", "kk_number"), "registry_person": ("registry_person_key", "nik")}
# Django's unique constraints on these tables, which get the province added (and lose it again backwards).
WITH_PROVINCE_ADDED = (
    "registry_household_kk_unique",
    "registry_person_nik_unique",
    "registry_assistancerecord_one_per_programme_year",
)


def _rows(cursor: Any, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    cursor.execute(sql, params)
    return list(cursor.fetchall())


def _foreign_keys(cursor: Any) -> list[tuple[str, str, str, str]]:
    """Every foreign key held by, or pointing at, the registry's tables (or their key tables): (table, name,
    definition, referenced table)."""
    tables = [*TABLES, *(key for key, _column in KEYS.values())]
    return [
        (table, name, definition, referenced)  # type: ignore[misc]
        for table, name, definition, referenced in _rows(
            cursor,
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), confrelid::regclass::text "
            "FROM pg_constraint WHERE contype = 'f' AND conparentid = 0 AND "  # not the partitions' copies
            "(conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s)) ORDER BY conrelid, conname",
            [tables, tables],
        )
    ]


def _refer_to(definition: str, referenced: str, target: str) -> str:
    return re.sub(rf"REFERENCES {re.escape(referenced)}\(", f"REFERENCES {target}(", definition)


def _table_parts(cursor: Any, table: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The table's unique constraints (name, columns) and the definitions of its other indexes."""
    uniques = _rows(
        cursor,
        "SELECT c.conname, string_agg(quote_ident(a.attname), ', ' ORDER BY k.n) FROM pg_constraint c "
        "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
        "WHERE c.conrelid = %s::regclass AND c.contype = 'u' GROUP BY c.conname ORDER BY c.conname",
        [table],
    )
    indexes = _rows(
        cursor,
        "SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid",
        [table],
    )
    # A partitioned table's index reads "ON ONLY table": made again on the parent, it is to reach every partition.
    return uniques, [definition.replace(" ON ONLY ", " ON ") for (definition,) in indexes]


def _rebuild(cursor: Any, table: str, *, partitioned: bool) -> None:
    """Recreate `table` in place, partitioned by province or (backwards) a plain table again, with every row, index,
    constraint and its id sequence; foreign keys are the caller's."""
    uniques, indexes = _table_parts(cursor, table)
    primary = _rows(cursor, "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [table])
    old = f"{table}_old"
    (sequence,) = _rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0]
    # Free the names (indexes and the unique constraints' indexes are named per schema), then move the table aside.
    for (name,) in primary:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _columns in uniques:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for definition in indexes:
        cursor.execute(f"DROP INDEX {definition.split(' INDEX ', 1)[1].split(' ON ', 1)[0]}")
    cursor.execute(f"ALTER TABLE {table} RENAME TO {old}")
    cursor.execute(
        f"CREATE TABLE {table} (LIKE {old} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
        f"INCLUDING STORAGE INCLUDING COMMENTS)" + (" PARTITION BY LIST (province)" if partitioned else "")
    )
    if partitioned:
        for province in PROVINCES:
            cursor.execute(f"CREATE TABLE {table}_p{province} PARTITION OF {table} FOR VALUES IN ('{province}')")
        cursor.execute(f"CREATE TABLE {table}_default PARTITION OF {table} DEFAULT")
    cursor.execute(f"INSERT INTO {table} SELECT * FROM {old}")
    # The sequence carries on where it was: an id once used (by a deleted row the audit trail still names) stays
    # unused.
    (new_sequence,) = _rows(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [table])[0]
    cursor.execute(f"SELECT setval(%s, last_value, is_called) FROM {sequence}", [new_sequence])
    cursor.execute(f"DROP TABLE {old}")
    cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {sequence.split('.')[-1]}")
    key = "id, province" if partitioned else "id"
    for (name,) in primary:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} PRIMARY KEY ({key})")
    for name, columns in uniques:
        names = [column.strip() for column in columns.split(",")]
        if partitioned and "province" not in names:
            names.append("province")
        elif not partitioned and name in WITH_PROVINCE_ADDED:
            names.remove("province")  # backwards: the constraint as Django made it
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} UNIQUE ({', '.join(names)})")
    for definition in indexes:
        cursor.execute(definition)


def _key_table_sql(table: str, key: str, column: str) -> list[str]:
    """The key table of `table` (id, the unique `column`, province), filled from it and kept by its triggers."""
    return [
        f"CREATE TABLE {key} (id bigint PRIMARY KEY, {column} varchar(16) NOT NULL "
        f"CONSTRAINT {key}_{column}_unique UNIQUE, province varchar(2) NOT NULL)",
        f"INSERT INTO {key} (id, {column}, province) SELECT id, {column}, province FROM {table}",
        f"""CREATE FUNCTION {key}_insert() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {key} (id, {column}, province) SELECT id, {column}, province FROM new_rows;
            RETURN NULL;
        END $$""",
        # Also the rows an UPDATE moved to another province's partition: they are in its transition tables.
        f"""CREATE FUNCTION {key}_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {key} k USING old_rows o WHERE k.id = o.id AND NOT EXISTS (SELECT FROM new_rows n WHERE n.id = o.id);
            UPDATE {key} k SET {column} = n.{column}, province = n.province FROM new_rows n
                WHERE k.id = n.id AND (k.{column}, k.province) IS DISTINCT FROM (n.{column}, n.province);
            INSERT INTO {key} (id, {column}, province) SELECT id, {column}, province FROM new_rows n
                WHERE NOT EXISTS (SELECT FROM {key} k WHERE k.id = n.id);
            RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION {key}_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {key} k USING old_rows o WHERE k.id = o.id;
            RETURN NULL;
        END $$""",
        # A DELETE, not a TRUNCATE: the tables referring to the key table were truncated in the same statement (their
        # deferred foreign keys are checked at commit), and TRUNCATE would refuse a referenced table.
        f"""CREATE FUNCTION {key}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {key};
            RETURN NULL;
        END $$""",
        f"CREATE TRIGGER {key}_insert AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {key}_insert()",
        f"CREATE TRIGGER {key}_update AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {key}_update()",
        f"CREATE TRIGGER {key}_delete AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {key}_delete()",
        f"CREATE TRIGGER {key}_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {key}_truncate()",
    ]


def partition(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        foreign_keys = _foreign_keys(cursor)
        for table, name, _definition, _referenced in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for table in TABLES:
            _rebuild(cursor, table, partitioned=True)
        for table, (key, column) in KEYS.items():
            for statement in _key_table_sql(table, key, column):
                cursor.execute(statement)
        for table, name, definition, referenced in foreign_keys:
            if referenced == "registry_assistancerecord":
                raise RuntimeError(f"{table}.{name} refers to an assistance record: it needs a key table too.")
            target = KEYS[referenced][0] if referenced in KEYS else referenced
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {_refer_to(definition, referenced, target)}")


def unpartition(apps: Any, schema_editor: Any) -> None:
    """Backwards: plain tables again, the foreign keys and unique constraints where Django made them."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        foreign_keys = _foreign_keys(cursor)
        for table, name, _definition, _referenced in foreign_keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for table, (key, _column) in KEYS.items():
            cursor.execute(f"DROP TABLE {key}")
            for event in ("insert", "update", "delete", "truncate"):
                cursor.execute(f"DROP TRIGGER {key}_{event} ON {table}")
                cursor.execute(f"DROP FUNCTION {key}_{event}()")
        for table in TABLES:
            _rebuild(cursor, table, partitioned=False)
        keys = {key: table for table, (key, _column) in KEYS.items()}
        for table, name, definition, referenced in foreign_keys:
            target = keys.get(referenced, referenced)
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {_refer_to(definition, referenced, target)}")


class Migration(migrations.Migration):
    # The foreign keys of these apps to persons and households must exist to be pointed at the key tables.
    dependencies = [
        ("registry", "0008_province"),
        ("groups", "0003_verbose_names"),
        ("targeting", "0006_verbose_names"),
        ("screening", "0002_verbose_names"),
    ]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
