"""The import from start to end: read and check the file batch by batch, store each batch, count what happened."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from berdaya.accounts.models import User
from berdaya.lib.audit import acting_as
from berdaya.lib.formats import number
from berdaya.lib.uploads import FileRefused
from berdaya.regions.models import Region

from .checking import Checker, checked_here
from .reading import open_rows, resolve_columns
from .results import ISSUES_ON_PAGE, Batch, ImportFileError, ImportResult, ImportSummary, Issue, issue_dict
from .vocabulary import FIELDS, Kind
from .writing import Writer


class _Refused(Exception):
    """Raised inside the commit's transaction to roll everything back."""


class _GaveUp(Exception):
    """Raised when the first rows of a file are all rejected: it is not this kind of file (or junk)."""


# A file whose first this many rows are all rejected is not checked further: 300,000 rows of junk would otherwise keep
# the task worker busy for minutes and hold a million findings in memory, to report what its first rows already say.
GIVE_UP_AFTER_REJECTED = 1000


def run_import(
    path: Path,
    *,
    kind: Kind,
    by: User,
    mapping: dict[str, str] | None = None,
    dry_run: bool = True,
    accepted_only: bool = False,
    progress: Callable[[int], None] | None = None,
    today: dt.date | None = None,
) -> ImportResult:
    """Check a file row by row and, unless `dry_run`, store its rows in one transaction.

    A commit with rejected rows stores nothing, unless `accepted_only`: then the accepted rows are stored and every
    skipped row is in the report.
    """
    summary = ImportSummary(kind=kind, dry_run=dry_run)
    issues: list[Issue] = []
    today = today or timezone.localdate()
    handle = None
    try:
        header, rows, handle = open_rows(Path(path))
        summary.headers = [h.strip().lstrip("\ufeff") for h in header]
        columns, summary.unknown_headers, missing = resolve_columns(header, kind=kind, mapping=mapping)
        if missing:
            labels = ", ".join(_(FIELDS[kind][name]) for name in missing)
            raise ImportFileError(
                _("Required columns are missing: %(columns)s. Rename the headers or map the columns.")
                % {"columns": labels}
            )
        kecamatan = Region.objects.filter(level=Region.Level.KECAMATAN).values_list("code", flat=True)
        checker = Checker(
            kind=kind,
            columns=columns,
            today=today,
            kecamatan_prefixes=frozenset(code.replace(".", "") for code in kecamatan),
            villages=frozenset(Region.objects.visible_to(by).villages().values_list("code", flat=True)),
        )
        writer = Writer(kind=kind, by=by, summary=summary, write=not dry_run)
        # Only a commit holds a transaction (and, on SQLite, the write lock): a dry run must not block other users.
        with _sqlite_cache(), contextlib.nullcontext() if dry_run else acting_as(by):
            _stream(_checked_batches(Path(path), rows, checker), writer, summary, issues, progress)
            if summary.total == 0:
                raise ImportFileError(_("The file has a header but no rows."))
            refused = summary.rejected and not accepted_only
            if not dry_run and refused:
                raise _Refused
            summary.committed = not dry_run
    except _Refused:
        summary.created = summary.updated = summary.unchanged = 0
        summary.households_created = summary.households_updated = 0
        summary.error = _(
            "%(count)d rows were rejected, so nothing was imported. Correct them, or choose to import only the "
            "accepted rows."
        ) % {"count": summary.rejected}
    except _GaveUp:
        summary.created = summary.updated = summary.unchanged = 0
        summary.households_created = summary.households_updated = 0
        summary.error = _(
            "The first %(count)s rows were all rejected, so the rest of the file was not checked: it does not look "
            "like a file of this kind. The report lists why each of these rows was rejected."
        ) % {"count": number(summary.rejected)}
    except FileRefused as error:
        summary = ImportSummary(kind=kind, dry_run=dry_run, error=error.message, refused=True)
        issues = []
    except ImportFileError as error:
        summary.created = summary.updated = summary.unchanged = summary.skipped = 0
        summary.error = error.message
    except IntegrityError:
        # PostgreSQL: another import stored some of the same people after this one read which already exist.
        summary.created = summary.updated = summary.unchanged = 0
        summary.households_created = summary.households_updated = 0
        summary.error = _(
            "Some of these households or persons were stored by someone else while this file was being imported, "
            "so nothing was imported. Import the file again."
        )
    finally:
        if handle is not None:
            handle.close()
    summary.issues = [issue_dict(issue) for issue in issues[:ISSUES_ON_PAGE]]
    return ImportResult(summary, issues)


# Pages of SQLite's cache while an import runs (the default is 2 MB): the index inserts and lookups of a large file
# touch pages all over each index. Bounded, so memory stays flat whatever the size of the file.
_SQLITE_CACHE_KIB = 64 * 1024


@contextlib.contextmanager
def _sqlite_cache() -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _stream(
    batches: Generator[Batch, None, None],
    writer: Writer,
    summary: ImportSummary,
    issues: list[Issue],
    progress: Callable[[int], None] | None,
) -> None:
    with contextlib.closing(batches):
        for batch in batches:
            writer(batch)
            _count(batch, summary, issues)
            if not summary.accepted and summary.rejected >= GIVE_UP_AFTER_REJECTED:
                raise _GaveUp
            if progress is not None:
                progress(summary.total)


# From this size on, a file is read and checked in a second process while this one stores it, so that checking and
# the database's work run on two cores. Starting that process takes about two seconds: below it, not worth it.
PARALLEL_FROM_BYTES = 8 * 1024 * 1024


def _checked_batches(
    path: Path, rows: Iterator[tuple[int, list[Any]]], checker: Checker
) -> Generator[Batch, None, None]:
    if (os.cpu_count() or 1) > 1 and path.stat().st_size >= PARALLEL_FROM_BYTES:
        return _checked_elsewhere(path, checker)
    return checked_here(rows, checker)


def _checked_elsewhere(path: Path, checker: Checker) -> Generator[Batch, None, None]:
    """The rows read and checked by a child process (see checking_process), while the caller stores earlier batches.

    The pipe holds a batch or two, so memory stays flat; a file error found there is raised here, in the caller.
    """
    from .. import checking_process

    context = multiprocessing.get_context("spawn")  # a fresh interpreter: forking a process with threads is unsafe
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=checking_process.check_file,
        # Plain values only: the child unpickles them before it has set Django up.
        args=(str(path), checker.settings, sender, translation.get_language()),
        name="berdaya-import-check",
    )
    process.start()
    sender.close()
    try:
        while True:
            try:
                item = receiver.recv()
            except EOFError:
                raise RuntimeError(f"The import's checking process stopped (exit code {process.exitcode}).") from None
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        receiver.close()
        process.join(timeout=10)
        if process.is_alive():
            process.kill()
            process.join()


def _count(batch: Batch, summary: ImportSummary, issues: list[Issue]) -> None:
    rejected = len(batch.rejected())
    summary.total += len(batch.lines)
    summary.accepted += len(batch.lines) - rejected
    summary.rejected += rejected
    summary.skipped += rejected
    summary.warnings += len(batch.issues) - rejected
    for index in sorted(batch.issues):
        issues.extend(batch.issues[index])
