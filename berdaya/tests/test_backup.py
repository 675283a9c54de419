"""`berdaya backup` / `berdaya restore`: a backup restored into an empty installation holds every row and file."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory, MembershipFactory
from berdaya.lib import backup as backups
from berdaya.lib.backup import BackupError, Target, backup, records_held, restore
from berdaya.mentoring.models import VisitPhoto
from berdaya.mentoring.tests.factories import VisitFactory, jpeg
from berdaya.registry.tests.factories import HouseholdFactory, PersonFactory

transactional = pytest.mark.django_db(transaction=True)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(media) -> Kube:
    """A household with persons, a group whose history holds a change, a visit with an uploaded photo."""
    household = HouseholdFactory(village__code="64.01.04.2004")
    PersonFactory.create_batch(3, household=household)
    kube = KubeFactory()
    kube.business_type = "Keripik pisang"
    kube.save()
    MembershipFactory(kube=kube)
    visit = VisitFactory(kube=kube)
    VisitPhoto.objects.create(visit=visit, image=jpeg(size=(64, 48)), latitude="-1.912345", longitude="116.198765")
    return kube


def rows_of(cursor, table: str) -> list[tuple]:
    """Every row of a table, all columns, in an order that does not depend on the database."""
    cursor.execute(f'SELECT * FROM "{table}"')
    return sorted(cursor.fetchall(), key=repr)


def source_tables() -> dict[str, list[tuple]]:
    with connection.cursor() as cursor:
        return {table: rows_of(cursor, table) for table in connection.introspection.table_names(cursor)}


def files_of(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def sqlite_target(tmp_path: Path, name: str = "restored") -> Target:
    return Target(
        database={"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / f"{name}.sqlite3")},
        media_root=tmp_path / f"{name}-media",
    )


def sqlite_tables(path: str) -> dict[str, list[tuple]]:
    # The same column types as Django's own connections (dates, datetimes and booleans converted).
    with sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES) as db:
        cursor = db.cursor()
        names = [n for (n,) in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: rows_of(cursor, name) for name in names if not name.startswith("sqlite_")}


def repack(archive: Path, out: Path, *, manifest=None, replace: dict[str, bytes] | None = None) -> Path:
    """A copy of an archive with its manifest edited by `manifest(dict)` or members' bytes replaced."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(out, "w:gz") as target:
        for member in source:
            data = source.extractfile(member).read()
            if member.name == "manifest.json" and manifest is not None:
                edited = json.loads(data)
                manifest(edited)
                data = json.dumps(edited).encode()
            data = (replace or {}).get(member.name, data)
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return out


@pytest.fixture
def sqlite_only() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite round trip (DATABASE_URL unset)")


@transactional
def test_a_backup_restored_into_an_empty_sqlite_installation_is_identical(sqlite_only, world, media, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    backup(archive)
    target = sqlite_target(tmp_path)

    report = restore(archive, target)

    expected = source_tables()
    assert expected["groups_historicalkube"]  # history rows are compared like every other table
    assert expected["mentoring_visitphoto"]
    assert sqlite_tables(target.database["NAME"]) == expected
    assert files_of(target.media_root) == files_of(media)
    assert report.files == 1
    assert report.pending_migrations == []


@pytest.fixture
def pg_target(tmp_path) -> Target:
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL round trip needs DATABASE_URL=postgres://…")
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = backups._pg_connect(connection.settings_dict)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    yield Target(database={**connection.settings_dict, "NAME": name}, media_root=tmp_path / "restored-media")
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def pg_tables(database: dict) -> dict[str, list[tuple]]:
    with backups._pg_connect(database) as pg, pg.cursor() as cursor:
        return {table: rows_of(cursor, table) for table in backups._pg_tables(cursor)}


@pytest.mark.postgres
@transactional
def test_a_backup_restored_into_an_empty_postgresql_database_is_identical(pg_target, world, media, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    backup(archive)

    restore(archive, pg_target)

    expected = source_tables()
    assert expected["groups_historicalkube"]
    assert pg_tables(pg_target.database) == expected
    assert files_of(pg_target.media_root) == files_of(media)


@pytest.mark.postgres
@transactional
def test_a_postgresql_restore_that_fails_midway_leaves_the_target_as_it_was(pg_target, world, tmp_path, monkeypatch):
    archive = tmp_path / "backup.tar.gz"
    backup(archive)
    restore(archive, pg_target)
    Kube.objects.update(name="Changed after the backup")
    backup(second := tmp_path / "second.tar.gz")
    before = pg_tables(pg_target.database)
    # A statement the dump's own CREATE TABLE then collides with, after the schema was already dropped.
    monkeypatch.setattr(backups, "PG_PRELUDE", backups.PG_PRELUDE + 'CREATE TABLE "groups_kube" (id int);\n')

    with pytest.raises(BackupError, match="rolled back"):
        restore(second, pg_target, force=True)

    assert pg_tables(pg_target.database) == before


@pytest.mark.postgres
@transactional
def test_a_postgresql_target_holding_records_is_refused_unless_forced(pg_target, world, media, tmp_path):
    backup(archive := tmp_path / "backup.tar.gz")
    restore(archive, pg_target)
    Kube.objects.update(name="Renamed after the first backup")
    backup(second := tmp_path / "second.tar.gz")

    with pytest.raises(BackupError, match="not empty"):
        restore(second, pg_target)
    restore(second, pg_target, force=True)

    assert pg_tables(pg_target.database) == source_tables()


@transactional
def test_the_manifest_lists_version_migrations_counts_and_checksums(world, media, tmp_path):
    manifest = backup(tmp_path / "backup.tar.gz")

    [photo] = VisitPhoto.objects.all()
    assert manifest.vendor == connection.vendor
    assert manifest.berdaya_version
    assert manifest.migrations["groups"] == sorted(
        MigrationRecorder(connection).migration_qs.filter(app="groups").values_list("name", flat=True)
    )
    assert manifest.row_counts["groups_kube"] == 1
    assert manifest.row_counts["groups_historicalkube"] == 2
    assert manifest.media == {photo.image.name: backups.sha256_file(media / photo.image.name)}


@transactional
def test_the_archive_is_readable_by_its_owner_only(world, tmp_path):
    archive = tmp_path / "backup.tar.gz"

    backup(archive)

    assert archive.stat().st_mode & 0o777 == 0o600


@transactional
def test_restore_refuses_a_target_that_already_holds_records(sqlite_only, world, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    backup(archive)
    target = sqlite_target(tmp_path)
    restore(archive, target)
    before = Path(target.database["NAME"]).read_bytes()

    with pytest.raises(BackupError, match=r"not empty \(accounts_historicaluser: \d+ rows"):
        restore(archive, target)

    assert Path(target.database["NAME"]).read_bytes() == before


@transactional
def test_force_replaces_everything_the_target_held(sqlite_only, world, media, tmp_path):
    first = tmp_path / "first.tar.gz"
    backup(first)
    target = sqlite_target(tmp_path)
    restore(first, target)
    (target.media_root / "left-over.txt").write_text("from before")
    Kube.objects.update(name="Renamed after the first backup")
    second = tmp_path / "second.tar.gz"
    backup(second)

    restore(second, target, force=True)

    assert sqlite_tables(target.database["NAME"]) == source_tables()
    assert files_of(target.media_root) == files_of(media)


@transactional
def test_restore_refuses_an_archive_made_by_newer_code_and_changes_nothing(sqlite_only, world, tmp_path):
    backup(archive := tmp_path / "backup.tar.gz")
    newer = repack(archive, tmp_path / "newer.tar.gz", manifest=lambda m: m["migrations"]["groups"].append("0999_x"))
    target = sqlite_target(tmp_path)

    with pytest.raises(BackupError, match=r"newer Berdaya .*groups\.0999_x"):
        restore(newer, target)

    assert not Path(target.database["NAME"]).exists()
    assert not target.media_root.exists()


@transactional
def test_restore_refuses_a_file_whose_checksum_does_not_match(sqlite_only, world, tmp_path):
    backup(archive := tmp_path / "backup.tar.gz")
    [photo] = VisitPhoto.objects.all()
    damaged = repack(archive, tmp_path / "damaged.tar.gz", replace={f"media/{photo.image.name}": b"not the photo"})
    target = sqlite_target(tmp_path)

    with pytest.raises(BackupError, match="do not match their checksums"):
        restore(damaged, target)

    assert not Path(target.database["NAME"]).exists()


@transactional
def test_a_sqlite_restore_that_cannot_write_leaves_the_target_as_it_was(sqlite_only, world, tmp_path, monkeypatch):
    backup(archive := tmp_path / "backup.tar.gz")
    target = sqlite_target(tmp_path)
    restore(archive, target)
    before_rows = sqlite_tables(target.database["NAME"])
    before_files = files_of(target.media_root)
    monkeypatch.setattr(backups, "SQLITE_BUSY_TIMEOUT", 0.1)

    with sqlite3.connect(target.database["NAME"], isolation_level=None) as writer:
        writer.execute("BEGIN IMMEDIATE")  # another writer holds the database
        with pytest.raises(BackupError, match="left as it was"):
            restore(archive, target, force=True)
        writer.execute("ROLLBACK")

    assert sqlite_tables(target.database["NAME"]) == before_rows
    assert files_of(target.media_root) == before_files


@pytest.mark.django_db
def test_a_freshly_migrated_installation_counts_as_empty():
    # The test database is freshly migrated, with the rows data migrations seed (and no transactional test has
    # flushed them yet: pytest-django runs these tests first).
    with connection.cursor() as cursor:
        counts = {table: len(rows_of(cursor, table)) for table in connection.introspection.table_names(cursor)}

    assert counts["monitoring_monevquestion"]
    assert records_held(counts) == []


@pytest.mark.django_db
def test_one_household_makes_an_installation_hold_records():
    HouseholdFactory()
    with connection.cursor() as cursor:
        counts = {table: len(rows_of(cursor, table)) for table in connection.introspection.table_names(cursor)}

    assert "registry_household: 1 rows" in records_held(counts)


def test_restore_says_clearly_that_a_file_is_not_a_backup(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    junk = tmp_path / "photo.tar.gz"
    junk.write_bytes(b"\x89PNG not an archive")

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore", str(junk), "--yes")


@transactional
def test_the_commands_back_up_and_report_what_they_wrote(world, tmp_path):
    out = io.StringIO()

    call_command("backup", "--output", str(tmp_path / "b.tar.gz"), stdout=out)

    assert "and 1 files to" in out.getvalue()
    assert (tmp_path / "b.tar.gz").is_file()


@transactional
def test_the_backup_command_never_overwrites_an_archive(world, tmp_path):
    existing = tmp_path / "b.tar.gz"
    existing.write_bytes(b"yesterday's backup")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(existing))

    assert existing.read_bytes() == b"yesterday's backup"


def test_a_missing_postgresql_client_is_named_with_the_package_to_install(monkeypatch):
    monkeypatch.setattr(backups.shutil, "which", lambda tool: None)

    with pytest.raises(BackupError, match="pg_dump is not installed: apt-get install postgresql-client"):
        backups._tool_major("pg_dump")


@pytest.mark.postgres
@transactional
def test_a_pg_dump_older_than_the_server_is_refused(pg_target, tmp_path, monkeypatch):
    monkeypatch.setattr(backups, "_tool_major", lambda tool: (9, "pg_dump (PostgreSQL) 9.6.24"))

    with pytest.raises(BackupError, match=r"9\.6\.24 cannot dump a PostgreSQL \d+ server"):
        backup(tmp_path / "backup.tar.gz")

    assert not (tmp_path / "backup.tar.gz").exists()


def test_restore_without_a_terminal_asks_for_yes_and_restores_nothing(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    archive = tmp_path / "backup.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        manifest = backups.Manifest("0.1.0", "sqlite", "2026-12-04T00:00:00+00:00", {}, {}, "database.sqlite3", "")
        backups._add_bytes(tar, "manifest.json", manifest.to_json())

    def no_terminal(prompt):
        raise EOFError

    monkeypatch.setattr("builtins.input", no_terminal)

    with pytest.raises(CommandError, match="pass --yes"):
        call_command("restore", str(archive))

    assert not settings.MEDIA_ROOT.exists()


@pytest.mark.django_db
def test_a_sqlite_backup_that_cannot_read_gives_up_with_a_message(sqlite_only, tmp_path, monkeypatch):
    # Inside this test's open write transaction SQLite refuses to copy the database; sqlite3 would retry forever.
    HouseholdFactory()
    monkeypatch.setattr(backups, "SQLITE_BUSY_TIMEOUT", 0.1)

    with pytest.raises(BackupError, match="Cannot copy the database"):
        backup(tmp_path / "backup.tar.gz")

    assert list(tmp_path.iterdir()) == []
