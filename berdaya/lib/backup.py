"""Backing up an installation into one archive, and restoring it into an empty one (`berdaya backup|restore`).

The archive is a gzipped tar holding the database, the uploaded files (MEDIA_ROOT) and a manifest: the Berdaya
version, the migrations applied per app, the database vendor, the rows in every table and the SHA-256 of the
database copy and of every file. Both databases are copied with their own tools, never row by row through the ORM:

- SQLite: the online backup API copies the file page by page while the server keeps running (a consistent copy
  even in WAL mode), and copies it back into the target the same way, in one write transaction.
- PostgreSQL: `pg_dump --format=custom` inside an exported snapshot (the row counts in the manifest are read in the
  same snapshot); restored by `pg_restore` into an SQL script that `psql` runs in ONE transaction after dropping the
  target's schema, so a failure at any statement leaves the target as it was.

A restore checks everything before it touches the target: the checksums, that the archive's migrations are all
known to this code, that the target is empty (unless forced). Uploaded files are unpacked beside MEDIA_ROOT and
swapped in by renaming once the database is restored.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.backends.sqlite3._functions import register as register_django_functions
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1024 * 1024
SQLITE_BUSY_TIMEOUT = 20


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass
class Manifest:
    """What an archive holds, written into it as manifest.json."""

    berdaya_version: str
    vendor: str
    created_at: str
    migrations: dict[str, list[str]]
    row_counts: dict[str, int]
    database_file: str
    database_sha256: str
    media: dict[str, str] = field(default_factory=dict)  # path under MEDIA_ROOT -> SHA-256
    pg_dump_version: str = ""
    format: int = FORMAT

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        raw = json.loads(data)
        if raw.get("format") != FORMAT:
            raise BackupError(f"This archive has format {raw.get('format')!r}; this Berdaya reads format {FORMAT}.")
        names = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in raw.items() if key in names})


@dataclass
class Target:
    """Where a restore goes: a database (a Django DATABASES entry) and a media folder."""

    database: dict[str, Any]
    media_root: Path

    @property
    def vendor(self) -> str:
        engine = str(self.database["ENGINE"])
        if engine.endswith("sqlite3"):
            return "sqlite"
        if engine.endswith("postgresql"):
            return "postgresql"
        raise BackupError(f"Backup and restore support SQLite and PostgreSQL, not {engine}.")


@dataclass
class RestoreReport:
    """What a restore did, for the command to print."""

    row_counts: dict[str, int]
    files: int
    pending_migrations: list[str]


def berdaya_version() -> str:
    try:
        return metadata.version("berdaya")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- backing up -------------------------------------------------------------------------------------------------


def default_archive_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"berdaya-{stamp}.tar.gz"


def backup(output: Path, *, alias: str = "default", media_root: Path | None = None) -> Manifest:
    """Write the database `alias` and the uploaded files into one archive at `output` (readable by its owner only)."""
    media_root = Path(media_root if media_root is not None else settings.MEDIA_ROOT)
    connection = connections[alias]
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"Backup supports SQLite and PostgreSQL, not {vendor}.")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".part")
    with tempfile.TemporaryDirectory(prefix=".berdaya-backup-", dir=output.parent) as work:
        database_file = Path(work) / DATABASE_FILES[vendor]
        if vendor == "sqlite":
            connection.ensure_connection()
            try:
                with closing(sqlite3.connect(database_file)) as copy:
                    # The online backup API: a consistent copy while other connections keep writing.
                    connection.connection.backup(copy, progress=_give_up_after(SQLITE_BUSY_TIMEOUT))
                    migrations, counts = _sqlite_state(copy)
            except sqlite3.Error as error:
                raise BackupError(f"Cannot copy the database ({error}); try again in a moment.") from None
            pg_dump_version = ""
        else:
            migrations, counts, pg_dump_version = _pg_dump(connection.settings_dict, database_file)
        manifest = Manifest(
            berdaya_version=berdaya_version(),
            vendor=vendor,
            created_at=timezone.now().isoformat(),
            migrations=migrations,
            row_counts=counts,
            database_file=database_file.name,
            database_sha256=sha256_file(database_file),
            pg_dump_version=pg_dump_version,
        )
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz", compresslevel=6) as archive:
                archive.add(database_file, arcname=database_file.name)
                _add_media(archive, media_root, manifest)
                # Last, so that it holds the checksums of the bytes actually written.
                _add_bytes(archive, MANIFEST, manifest.to_json())
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


class _Hashing(io.RawIOBase):
    """A file read through, hashing what passes."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _media_files(media_root: Path) -> Iterator[Path]:
    if not media_root.is_dir():
        return
    for path in sorted(media_root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path


def _add_media(archive: tarfile.TarFile, media_root: Path, manifest: Manifest) -> None:
    for path in _media_files(media_root):
        name = path.relative_to(media_root).as_posix()
        try:
            stream = path.open("rb")
        except FileNotFoundError:  # deleted since the folder was listed
            continue
        with stream:
            info = archive.gettarinfo(fileobj=stream, arcname=MEDIA_PREFIX + name)
            info.mode = 0o600
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            hashing = _Hashing(stream)
            # tarfile reads exactly info.size bytes: a file growing meanwhile is cut where it was listed.
            archive.addfile(info, hashing)
            manifest.media[name] = hashing.digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def _sqlite_state(copy: sqlite3.Connection) -> tuple[dict[str, list[str]], dict[str, int]]:
    tables = [
        name
        for (name,) in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    counts = {table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0] for table in tables}
    return _migrations(copy.execute("SELECT app, name FROM django_migrations").fetchall()), counts


def _migrations(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(rows):
        applied.setdefault(app, []).append(name)
    return applied


# --- PostgreSQL tools -------------------------------------------------------------------------------------------


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    """The libpq environment for pg_dump, pg_restore and psql: no password on a command line."""
    env = dict(os.environ)
    for key, variable in [("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")]:
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = str(database["NAME"])
    options = database.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _pg_connect(database: dict[str, Any]) -> Any:
    import psycopg

    params = {"dbname": database["NAME"], "autocommit": True}
    for key, name in [("HOST", "host"), ("PORT", "port"), ("USER", "user"), ("PASSWORD", "password")]:
        if database.get(key):
            params[name] = database[key]
    options = database.get("OPTIONS") or {}
    if options.get("sslmode"):
        params["sslmode"] = options["sslmode"]
    return psycopg.connect(**params)


def _tool_major(tool: str) -> tuple[int, str]:
    """The major version of a PostgreSQL client tool, refusing clearly when it is missing."""
    path = shutil.which(tool)
    if path is None:
        raise BackupError(f"{tool} is not installed: apt-get install postgresql-client (the server's version).")
    version = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    match = re.search(r"(\d+)(?:\.\d+)?", version)
    if match is None:
        raise BackupError(f"Cannot read the version of {tool}: {version!r}.")
    return int(match.group(1)), version


def _server_major(pg: Any) -> int:
    return int(pg.info.server_version) // 10000


def _pg_tables(cursor: Any) -> list[str]:
    # Partitions (the registry's, by province) are not tables of their own here: their rows are counted, and
    # compared, in their partitioned table, as Django's introspection sees it.
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY c.relname"
    )
    return [name for (name,) in cursor.fetchall()]


def _pg_counts(cursor: Any) -> dict[str, int]:
    counts = {}
    for table in _pg_tables(cursor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_dump(database: dict[str, Any], out: Path) -> tuple[dict[str, list[str]], dict[str, int], str]:
    import psycopg

    major, version = _tool_major("pg_dump")
    with closing(_pg_connect(database)) as pg:
        if major < _server_major(pg):
            raise BackupError(
                f"{version} cannot dump a PostgreSQL {_server_major(pg)} server: install the client of the "
                "server's version (postgresql-client-NN)."
            )
        pg.autocommit = False
        pg.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with pg.cursor() as cursor:
            # Export this transaction's snapshot: pg_dump copies exactly what the counts below see.
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _pg_counts(cursor)
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = _migrations(cursor.fetchall())
            result = subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "-f", out],
                env=_pg_environment(database),
                capture_output=True,
                text=True,
            )
        pg.rollback()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return migrations, counts, version


# --- restoring --------------------------------------------------------------------------------------------------

# Rows that `migrate` and `loadregions` put into a new installation: a database holding only these is empty.
# Django's own bookkeeping, the Kemendagri regions and their outlines, and the rows seeded by data migrations.
BOOKKEEPING_TABLES = {"django_migrations", "django_content_type", "auth_permission"}
REFERENCE_APPS = {"regions"}
SEEDED_MODELS = {"mentoring.EnvironmentPractice", "monitoring.MonevQuestion"}


def _ignored_when_empty() -> set[str]:
    tables = set(BOOKKEEPING_TABLES)
    for label in REFERENCE_APPS:
        tables |= {model._meta.db_table for model in apps.get_app_config(label).get_models()}
    tables |= {apps.get_model(label)._meta.db_table for label in SEEDED_MODELS}
    return tables


def target_contents(target: Target) -> list[str]:
    """The tables of the target that already hold people's records ("name: N rows"), and its files; empty if none."""
    counts: dict[str, int]
    if target.vendor == "sqlite":
        path = _sqlite_path(target)
        if not path.exists():
            counts = {}
        else:
            with closing(sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT)) as db:
                _, counts = _sqlite_state(db) if _has_table(db, "django_migrations") else ({}, _sqlite_counts(db))
    else:
        with closing(_pg_connect(target.database)) as pg, pg.cursor() as cursor:
            counts = _pg_counts(cursor)
    held = records_held(counts)
    files = sum(1 for _ in _media_files(target.media_root))
    if files:
        held.append(f"{target.media_root}: {files} files")
    return held


def records_held(counts: dict[str, int]) -> list[str]:
    """The tables holding people's records ("name: N rows"), from every table's row count."""
    ignored = _ignored_when_empty()
    return [f"{table}: {rows} rows" for table, rows in sorted(counts.items()) if rows and table not in ignored]


def _has_table(db: sqlite3.Connection, table: str) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone() is not None


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    return {name: db.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in names}


def _sqlite_path(target: Target) -> Path:
    name = str(target.database["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("Restore needs a database file, not an in-memory SQLite database.")
    return Path(name)


def read_manifest(archive_path: Path) -> Manifest:
    with tarfile.open(archive_path, "r:gz") as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{archive_path} holds no {MANIFEST}: it is not a Berdaya backup.")
        return Manifest.from_json(member.read())


def check_migrations(manifest: Manifest) -> list[str]:
    """Refuse an archive made by newer code; return the code's migrations the archive lacks (to apply afterwards)."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known |= set(migration.replaces or [])
    archived = {(app, name) for app, names in manifest.migrations.items() for name in names}
    unknown = sorted(archived - known)
    if unknown:
        listed = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
        raise BackupError(
            f"The backup was made by a newer Berdaya ({manifest.berdaya_version}): this code does not know its "
            f"migrations {listed}{' …' if len(unknown) > 5 else ''}. Install that version (or newer) first."
        )
    replaced = {old for migration in loader.disk_migrations.values() for old in migration.replaces or []}
    return sorted(f"{app}.{name}" for app, name in set(loader.disk_migrations) - archived - replaced)


def restore(archive_path: Path, target: Target, *, force: bool = False) -> RestoreReport:
    """Restore an archive into `target`; on any failure the target's database and files stay as they were."""
    if not archive_path.is_file():
        raise BackupError(f"{archive_path} does not exist.")
    if not force:
        held = target_contents(target)
        if held:
            raise BackupError(
                "The target is not empty (" + "; ".join(held[:5]) + (" …" if len(held) > 5 else "") + "). "
                "Restore into a new installation, or pass --force to replace everything it holds."
            )
    target.media_root.parent.mkdir(parents=True, exist_ok=True)
    # Unpacked beside MEDIA_ROOT, so that the files move into place by a rename on the same disk.
    with tempfile.TemporaryDirectory(prefix=".berdaya-restore-", dir=target.media_root.parent) as work:
        unpacked = Path(work)
        manifest = _unpack(archive_path, unpacked)
        if manifest.vendor != target.vendor:
            raise BackupError(
                f"This is a {manifest.vendor} backup; the target database is {target.vendor}. Restore it into a "
                f"{manifest.vendor} database."
            )
        pending = check_migrations(manifest)
        _verify(manifest, unpacked)
        database_file = unpacked / manifest.database_file
        if target.vendor == "sqlite":
            counts = _restore_sqlite(database_file, manifest, target)
        else:
            counts = _restore_pg(database_file, manifest, target)
        files = _swap_media(unpacked / "media", target.media_root, work=unpacked)
    return RestoreReport(row_counts=counts, files=files, pending_migrations=pending)


def _unpack(archive_path: Path, into: Path) -> Manifest:
    try:
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive:
                if not member.isfile():
                    raise BackupError(f"Unexpected entry {member.name!r} in the archive: not a Berdaya backup.")
                # The "data" filter refuses absolute paths, "..", links and device files.
                archive.extract(member, into, filter="data")
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(
            f"Cannot read {archive_path}: {error}. The file is damaged or not a Berdaya backup."
        ) from None
    manifest_path = into / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{archive_path} holds no {MANIFEST}: it is not a Berdaya backup.")
    return Manifest.from_json(manifest_path.read_bytes())


def _verify(manifest: Manifest, unpacked: Path) -> None:
    database_file = unpacked / manifest.database_file
    if not database_file.is_file() or sha256_file(database_file) != manifest.database_sha256:
        raise BackupError("The database copy in the archive does not match its checksum: the archive is damaged.")
    media = unpacked / "media"
    found = {path.relative_to(media).as_posix() for path in _media_files(media)}
    if found != set(manifest.media):
        raise BackupError(
            f"The archive's files differ from its manifest ({len(found)} found, {len(manifest.media)} listed)."
        )
    damaged = [name for name, digest in manifest.media.items() if sha256_file(media / name) != digest]
    if damaged:
        raise BackupError(f"{len(damaged)} files do not match their checksums, e.g. {damaged[0]}: archive damaged.")


def _compare_counts(expected: dict[str, int], found: dict[str, int], where: str) -> None:
    differ = sorted(t for t in expected.keys() | found.keys() if expected.get(t) != found.get(t))
    if differ:
        table = differ[0]
        raise BackupError(
            f"The {where} has {len(differ)} tables whose rows differ from the manifest, e.g. {table}: "
            f"{found.get(table)} instead of {expected.get(table)}."
        )


def _restore_sqlite(database_file: Path, manifest: Manifest, target: Target) -> dict[str, int]:
    with closing(sqlite3.connect(database_file)) as restored:
        # CHECK constraints call Django's SQL functions (django_date_extract …), which the check evaluates.
        register_django_functions(restored)
        if restored.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("The database copy in the archive fails SQLite's integrity check.")
        _compare_counts(manifest.row_counts, _sqlite_state(restored)[1], "database copy in the archive")
        path = _sqlite_path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        connections.close_all()
        try:
            with closing(sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT)) as live:
                # Page by page into the target in one write transaction: it holds the old database or the new one,
                # never half of each, and a server reading it meanwhile waits and then sees the new one.
                restored.backup(live, progress=_give_up_after(SQLITE_BUSY_TIMEOUT))
                live.execute("PRAGMA journal_mode=WAL")
                counts = _sqlite_state(live)[1]
        except sqlite3.Error as error:
            raise BackupError(
                f"Cannot write {path} ({error}); it was left as it was. Stop the server and retry."
            ) from None
    _compare_counts(manifest.row_counts, counts, "restored database")
    return counts


def _give_up_after(seconds: float) -> Callable[[int, int, int], None]:
    """A progress callback for sqlite3's backup(), which otherwise retries a locked database forever."""
    deadline = time.monotonic() + seconds

    def progress(status: int, remaining: int, total: int) -> None:
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and time.monotonic() > deadline:
            raise sqlite3.OperationalError("database is locked")

    return progress


PG_PRELUDE = "DROP SCHEMA IF EXISTS public CASCADE;\nCREATE SCHEMA public;\n"


def _restore_pg(database_file: Path, manifest: Manifest, target: Target) -> dict[str, int]:
    restore_major, restore_version = _tool_major("pg_restore")
    _tool_major("psql")
    dumped = re.search(r"(\d+)", manifest.pg_dump_version)
    if dumped and int(dumped.group(1)) > restore_major:
        raise BackupError(
            f"The archive was written by {manifest.pg_dump_version}; {restore_version} cannot read it. "
            "Install the newer PostgreSQL client."
        )
    env = _pg_environment(target.database)
    script = database_file.with_suffix(".sql")
    result = subprocess.run(
        ["pg_restore", "--no-owner", "--no-privileges", "-f", script, database_file],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read the database copy: {result.stderr.strip()}")
    prelude = database_file.with_name("prelude.sql")
    prelude.write_text(PG_PRELUDE)
    connections.close_all()
    # One transaction for the schema drop and the whole restore: PostgreSQL's DDL is transactional, so an error
    # anywhere (ON_ERROR_STOP) rolls back to the target as it was.
    result = subprocess.run(
        [
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "-v",
            "ON_ERROR_STOP=1",
            "-f",
            prelude,
            "-f",
            script,
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"Restoring into PostgreSQL failed and was rolled back: {result.stderr.strip()[-2000:]}")
    with closing(_pg_connect(target.database)) as pg, pg.cursor() as cursor:
        counts = _pg_counts(cursor)
    _compare_counts(manifest.row_counts, counts, "restored database")
    return counts


def _swap_media(unpacked: Path, media_root: Path, *, work: Path) -> int:
    unpacked.mkdir(exist_ok=True)
    files = sum(1 for _ in _media_files(unpacked))
    aside = work / "replaced-media"
    had_media = media_root.exists()
    if had_media:
        os.replace(media_root, aside)
    try:
        os.replace(unpacked, media_root)
    except OSError:
        if had_media:
            os.replace(aside, media_root)
        raise
    # The old files (only with --force) go with the work folder.
    return files
