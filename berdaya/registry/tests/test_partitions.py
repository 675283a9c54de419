"""The registry's province column on every database, and on PostgreSQL its tables partitioned by it (migration 0009):
global NIK uniqueness and foreign keys kept by the key tables, rows following a household's move, the migration's
copy of existing rows, and the reads that name one province's partitions only."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from berdaya.conftest import VILLAGE_A, VILLAGE_B
from berdaya.groups.tests.factories import MembershipFactory
from berdaya.regions.tests.factories import RegionFactory
from berdaya.registry.importing import run_import
from berdaya.registry.importing.sql import follow_households
from berdaya.registry.models import AssistanceRecord, Household, Person
from berdaya.registry.selectors import persons_for_list
from berdaya.registry.synthetic import build_kk, build_nik
from berdaya.targeting.checks import history_rows

from .factories import AssistanceRecordFactory, HouseholdFactory, PersonFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the registry is partitioned on PostgreSQL only (DATABASE_URL=postgres://…); SQLite keeps plain tables",
)
TABLES = ("registry_household", "registry_person", "registry_assistancerecord")
ACEH_VILLAGE = "11.01.01.2001"
TODAY = dt.date(2026, 1, 15)


def partitions_named(plan: str, table: str) -> set[str]:
    """The partitions of `table` a query plan reads: "p64", "default"."""
    return set(re.findall(rf"\b{table}_(p\d\d|default)\b", plan))


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


# --- the province column, on every database ---------------------------------------------------------------------


def test_a_household_a_person_and_a_record_made_by_the_orm_have_the_villages_province(db):
    record = AssistanceRecordFactory(person__household__village__code="64.01.04.2004")

    assert Household.objects.get(pk=record.household_id).province == "64"
    assert Person.objects.get(pk=record.person_id).province == "64"
    assert AssistanceRecord.objects.get(pk=record.pk).province == "64"


def test_imported_households_and_persons_have_their_villages_province(users, tmp_path):
    path = tmp_path / "registry.csv"
    kk = build_kk(kecamatan="64.01.04", issued_on=dt.date(2015, 1, 15), serial=1)
    nik = build_nik(kecamatan="64.01.04", birth_date=dt.date(1980, 5, 2), sex="L", serial=1)
    path.write_text(f"nik,kk_number,name,village_code\n{nik},{kk},Budi Santoso,{VILLAGE_A}\n", encoding="utf-8")

    run_import(path, kind="registry", by=users["admin"], dry_run=False, today=TODAY)

    assert Household.objects.get(kk_number=kk).province == "64"
    assert Person.objects.get(nik=nik).province == "64"


def test_a_household_moved_to_another_province_takes_its_members_and_records_along(db):
    record = AssistanceRecordFactory()
    household = Household.objects.get(pk=record.household_id)

    household.village = RegionFactory(code=ACEH_VILLAGE)
    household.save()

    assert Household.objects.get(pk=household.pk).province == "11"
    assert Person.objects.get(pk=record.person_id).province == "11"
    assert AssistanceRecord.objects.get(pk=record.pk).province == "11"


def test_a_person_saved_again_keeps_its_province_without_reading_the_household(db):
    person = Person.objects.get(pk=PersonFactory().pk)
    person.name = "Budi"

    with CaptureQueriesContext(connection) as queries:
        person.save(update_fields=["name"])

    assert not [query for query in queries.captured_queries if '"registry_household"' in query["sql"]]
    assert Person.objects.get(pk=person.pk).province == "64"


def test_an_import_that_moves_a_household_within_the_province_keeps_the_province(users, tmp_path):
    person = PersonFactory(household__village__code=VILLAGE_A, name="Budi Santoso")
    path = tmp_path / "moved.csv"
    path.write_text(
        f"nik,kk_number,name,village_code\n{person.nik},{person.household.kk_number},Budi Santoso,{VILLAGE_B}\n",
        encoding="utf-8",
    )
    RegionFactory(code=VILLAGE_B)

    run_import(path, kind="registry", by=users["admin"], dry_run=False, today=TODAY)

    assert Household.objects.get(pk=person.household_id).village_id == VILLAGE_B
    assert Person.objects.get(pk=person.pk).province == "64"


def test_the_imports_follow_of_a_household_moved_to_another_province_moves_its_members_and_records(db):
    record = AssistanceRecordFactory()

    follow_households({record.household_id: "11"})

    assert Person.objects.get(pk=record.person_id).province == "11"
    assert AssistanceRecord.objects.get(pk=record.pk).province == "11"


def test_the_history_read_finds_a_record_whose_person_moved_to_a_kk_of_another_province(db):
    record = AssistanceRecordFactory()
    person = Person.objects.get(pk=record.person_id)
    person.household = HouseholdFactory(village=RegionFactory(code=ACEH_VILLAGE))
    person.save()

    rows = history_rows(region_code="64.01")

    assert Person.objects.get(pk=person.pk).province == "11"
    assert [(row.pk, row.nik, row.village_code) for row in rows] == [
        (record.pk, person.nik, record.household.village_id)
    ]


# --- PostgreSQL: partitioned tables, key tables -------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db
def test_the_registry_tables_are_partitioned_by_province_with_a_default_partition():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, count(*), bool_or(pg_get_expr(p.relpartbound, p.oid) = 'DEFAULT') "
            "FROM pg_partitioned_table t JOIN pg_class c ON c.oid = t.partrelid "
            "JOIN pg_inherits i ON i.inhparent = c.oid JOIN pg_class p ON p.oid = i.inhrelid "
            "WHERE c.relname = ANY(%s) GROUP BY c.relname ORDER BY c.relname",
            [list(TABLES)],
        )
        partitioned = cursor.fetchall()

    # 38 provinces and the default partition each.
    assert partitioned == [(table, 39, True) for table in sorted(TABLES)]


@postgres_only
def test_a_person_lands_in_the_partition_of_their_province(db):
    person = PersonFactory()

    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM registry_person WHERE id = %s", [person.pk])
        assert cursor.fetchone() == ("registry_person_p64",)


@postgres_only
def test_a_duplicate_nik_in_another_province_is_refused(db):
    person = PersonFactory()
    elsewhere = HouseholdFactory(village=RegionFactory(code=ACEH_VILLAGE))

    with pytest.raises(IntegrityError), transaction.atomic():
        PersonFactory(household=elsewhere, nik=person.nik)


@postgres_only
def test_a_duplicate_kk_number_in_another_province_is_refused(db):
    household = HouseholdFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(village=RegionFactory(code=ACEH_VILLAGE), kk_number=household.kk_number)


@postgres_only
def test_a_person_a_membership_names_cannot_be_deleted_in_the_database(db):
    membership = MembershipFactory()

    # Past Django's own PROTECT: the database's foreign key (to the key table) refuses on its own.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_person WHERE id = %s", [membership.person_id])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


@postgres_only
def test_a_household_moved_to_another_province_is_in_that_provinces_partitions_with_its_members(db):
    record = AssistanceRecordFactory()
    household = Household.objects.get(pk=record.household_id)

    household.village = RegionFactory(code=ACEH_VILLAGE)
    household.save()

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the foreign keys still hold after the move
        found = {}
        for table, pk in (
            ("registry_household", household.pk),
            ("registry_person", record.person_id),
            ("registry_assistancerecord", record.pk),
        ):
            cursor.execute(f"SELECT tableoid::regclass::text FROM {table} WHERE id = %s", [pk])
            found[table] = cursor.fetchall()
        cursor.execute("SELECT province FROM registry_person_key WHERE id = %s", [record.person_id])
        key_province = cursor.fetchone()
    assert found == {
        "registry_household": [("registry_household_p11",)],
        "registry_person": [("registry_person_p11",)],
        "registry_assistancerecord": [("registry_assistancerecord_p11",)],
    }
    assert key_province == ("11",)


@postgres_only
def test_a_deleted_person_frees_their_nik(db):
    person = PersonFactory()
    nik = person.nik
    person.delete()

    assert PersonFactory(nik=nik).nik == nik


@postgres_only
def test_the_migration_copies_the_rows_of_an_existing_registry(db):
    executor = MigrationExecutor(connection)
    # Pending foreign-key checks of this test's transaction would stop ALTER TABLE: run them now.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor.migrate([("registry", "0008_province")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'registry_person'::regclass")
        assert cursor.fetchone() == (0,)
    record = AssistanceRecordFactory()  # written before the registry is partitioned
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    MigrationExecutor(connection).migrate([("registry", "0009_partition_by_province")])

    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text, nik FROM registry_person WHERE id = %s", [record.person_id])
        assert cursor.fetchone() == ("registry_person_p64", record.person.nik)
        cursor.execute("SELECT nik, province FROM registry_person_key WHERE id = %s", [record.person_id])
        assert cursor.fetchone() == (record.person.nik, "64")
    assert AssistanceRecord.objects.filter(pk=record.pk, person_id=record.person_id).exists()
    # The sequence carried on: a new person gets a new id.
    assert PersonFactory().pk > record.person_id


# --- PostgreSQL: reads that name one province's partitions ----------------------------------------------------------


@postgres_only
def test_the_person_list_of_a_kecamatan_operator_reads_only_their_provinces_partitions(users):
    PersonFactory()

    plan = persons_for_list(user=users["camat"]).explain()

    assert partitions_named(plan, "registry_person") == {"p64"}
    assert partitions_named(plan, "registry_household") == {"p64"}


@postgres_only
def test_the_screening_read_of_a_regencys_history_reads_only_its_provinces_partitions(db):
    AssistanceRecordFactory()

    with CaptureQueriesContext(connection) as queries:
        assert len(history_rows(region_code="64.01")) == 1
    plans = [explain(query["sql"]) for query in queries.captured_queries]

    assert len(plans) == 2  # the records, then their persons
    for table in TABLES:
        assert set().union(*(partitions_named(plan, table) for plan in plans)) <= {"p64"}
    assert all(partitions_named(plan, "registry_person") == {"p64"} for plan in plans if "registry_person" in plan)


@postgres_only
def test_the_imports_lookup_of_existing_persons_reads_only_the_importers_provinces_partitions(users, tmp_path):
    person = PersonFactory(household__village__code=VILLAGE_A, name="Budi Santoso")
    path = Path(tmp_path) / "again.csv"
    path.write_text(
        f"nik,kk_number,name,village_code\n{person.nik},{person.household.kk_number},Budi Santoso,{VILLAGE_A}\n",
        encoding="utf-8",
    )

    with CaptureQueriesContext(connection) as queries:
        run_import(path, kind="registry", by=users["admin"], dry_run=False, today=TODAY)
    lookups = [query["sql"] for query in queries.captured_queries if "FROM registry_person p JOIN" in query["sql"]]

    assert len(lookups) == 1  # found in the province: no second look elsewhere
    plan = explain(lookups[0])
    assert partitions_named(plan, "registry_person") == {"p64"}
    assert partitions_named(plan, "registry_household") == {"p64"}
