"""Uploaded import files judged by what they expand to, not only by their bytes; and the progress of their job.

A 75 KB XLSX can hold a sheet that unzips to hundreds of megabytes, or declares a million empty rows that a reader
dutifully walks through. Every import (registry, assistance history, cash book) therefore reads its file through
this module, in the task worker, never in the web request:

1. `check_upload` before anything is read: the file's bytes; for an XLSX (a zip) its directory: the number of
   members, the size they unzip to together, each member's compression ratio; then the first sheet's declared
   dimension (rows, and rows × columns).
2. `counted` while the rows are read: every row the reader yields counts, empty ones too (openpyxl fills the gaps
   of a sparse sheet with empty rows), and so does every cell, so reading stops at the limit whatever the file said.
3. `csv_lines` for a CSV: one line may not be longer than `MAX_LINE_CHARS`, so a line of a million commas is not a
   row of a million cells in memory.

A refusal is a `FileRefused` naming the limit and the file's own figure; the job then ends failed with that
message and nothing is stored. The limits come from settings (`BERDAYA_IMPORT_LIMITS`, each one overridable by an
environment variable, README), per kind of import.
"""

from __future__ import annotations

import json
import os
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.utils.translation import gettext as _

from .errors import DomainError
from .formats import number

MB = 1024 * 1024
# A longer CSV line is not a row of data (a registry row is a few hundred characters).
MAX_LINE_CHARS = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
_END_OF_DIRECTORY = b"PK\x05\x06"

Row = TypeVar("Row", bound="tuple[Any, ...] | list[Any]")


class FileRefused(DomainError):
    """The file is larger, or expands to more, than an import may read: nothing in it is read or stored."""


@dataclass(frozen=True)
class Limits:
    """How much one kind of import may read: bytes as uploaded, rows (empty ones too), cells, and for an XLSX the
    bytes it unzips to, the ratio of any one member and the number of members."""

    bytes: int
    rows: int
    cells: int
    expanded_bytes: int
    ratio: int
    members: int

    @classmethod
    def of(cls, kind: str) -> Limits:
        """The limits settings give to `kind` ("registry" for registry and history files, "cash_book")."""
        figures = settings.BERDAYA_IMPORT_LIMITS[kind]
        return cls(
            bytes=figures["bytes"],
            rows=figures["rows"],
            cells=figures["cells"],
            expanded_bytes=figures["expanded_bytes"],
            ratio=settings.BERDAYA_XLSX_MAX_RATIO,
            members=settings.BERDAYA_XLSX_MAX_MEMBERS,
        )


def size_text(size: int) -> str:
    """A size as people read it: 512 KB, 1.5 MB, 200 MB (digits in the active language)."""
    if size < MB:
        return f"{number(max(1, round(size / 1024)))} KB"
    megabytes = size / MB
    if megabytes >= 10 or megabytes.is_integer():
        return f"{number(round(megabytes))} MB"
    return f"{number(round(megabytes, 1))} MB"


def is_zip(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == ZIP_MAGIC


def check_size(size: int, limits: Limits) -> None:
    """Refuse a file larger than the import's limit in bytes (the upload form asks this too)."""
    if size > limits.bytes:
        raise FileRefused(
            _("The file is %(size)s; an import may be at most %(limit)s.")
            % {"size": size_text(size), "limit": size_text(limits.bytes)}
        )


def check_uploaded_file(file: Any, limits: Limits, *, xlsx: bool = False) -> None:
    """The upload form's own check: the size the browser sent and, with `xlsx`, the zip signature; nothing more is
    read in the request (the task worker judges the rest)."""
    check_size(file.size or 0, limits)
    if xlsx:
        file.seek(0)
        signature = file.read(4)
        file.seek(0)
        if signature != ZIP_MAGIC:
            raise FileRefused(_("The file is not an XLSX workbook (an XLSX file is a zip archive)."))


def check_upload(path: Path, limits: Limits) -> None:
    """Refuse a file by its bytes and, for an XLSX, by its zip directory; before a single row is read."""
    check_size(path.stat().st_size, limits)
    if is_zip(path):
        check_zip(path, limits)


def _declared_members(path: Path) -> int | None:
    """The number of members the zip's end record declares, read without reading its directory (which could be
    millions of entries long); None when there is no end record (the zip reader then refuses the file)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        f.seek(max(0, size - (22 + 65535)))  # the end record, after which only a comment of at most 64 KB
        tail = f.read()
    at = tail.rfind(_END_OF_DIRECTORY)
    if at < 0 or len(tail) < at + 22:
        return None
    (total,) = struct.unpack("<H", tail[at + 10 : at + 12])
    return int(total)


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse a zip (an XLSX) with too many members, or that unzips to too much, in all or in any one member."""
    declared = _declared_members(path)
    # 0xFFFF is a zip64 marker: a spreadsheet never has that many parts.
    if declared is not None and (declared > limits.members or declared == 0xFFFF):
        raise _too_many_members(declared, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, struct.error):
        return  # not a readable zip: the spreadsheet reader says so in its own words
    if len(members) > limits.members:
        raise _too_many_members(len(members), limits)
    # The sizes are the directory's word; the zip reader never unpacks a member past its declared size.
    expanded = sum(member.file_size for member in members)
    if expanded > limits.expanded_bytes:
        raise FileRefused(
            _("The file unpacks to %(size)s; an import may unpack to at most %(limit)s.")
            % {"size": size_text(expanded), "limit": size_text(limits.expanded_bytes)}
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        # Small parts (styles, a tiny sheet) may compress well without harm; a bomb is large by definition.
        if member.file_size > MB and ratio > limits.ratio:
            raise FileRefused(
                _(
                    "Part %(part)s of the file is compressed %(ratio)s times (%(size)s unpacked); a spreadsheet "
                    "of real data is compressed at most %(limit)s times. The file is refused as a zip bomb."
                )
                % {
                    "part": member.filename[:80],
                    "ratio": number(round(ratio)),
                    "size": size_text(member.file_size),
                    "limit": number(limits.ratio),
                }
            )


def _too_many_members(count: int, limits: Limits) -> FileRefused:
    return FileRefused(
        _("The file holds %(count)s parts; a spreadsheet may hold at most %(limit)s.")
        % {"count": number(count), "limit": number(limits.members)}
    )


def check_dimension(sheet: Any, limits: Limits) -> None:
    """Refuse an (openpyxl read-only) sheet whose declared dimension has more rows or cells than the limits."""
    rows, columns = sheet.max_row, sheet.max_column
    if not rows or not columns:
        return  # undeclared: `counted` stops the reading instead
    if rows > limits.rows:
        raise _too_many_rows(rows, limits)
    if rows * columns > limits.cells:
        raise _too_many_cells(rows * columns, limits)


def _too_many_rows(rows: int, limits: Limits) -> FileRefused:
    return FileRefused(
        _("The sheet has %(rows)s rows (empty rows count too); an import may have at most %(limit)s rows.")
        % {"rows": number(rows), "limit": number(limits.rows)}
    )


def _too_many_cells(cells: int, limits: Limits) -> FileRefused:
    return FileRefused(
        _("The sheet has %(cells)s cells (empty cells count too); an import may have at most %(limit)s cells.")
        % {"cells": number(cells), "limit": number(limits.cells)}
    )


def counted(rows: Iterable[Row], limits: Limits, *, start: int = 0) -> Iterator[Row]:
    """The rows as they come, each one counted (empty too) with its cells; refused past either limit.

    `start` is the number of rows already read (a header, a title block).
    """
    seen, cells = start, 0
    for row in rows:
        seen += 1
        cells += len(row)
        if seen > limits.rows:
            raise FileRefused(
                _("The file has more than %(limit)s rows (empty rows count too).") % {"limit": number(limits.rows)}
            )
        if cells > limits.cells:
            raise FileRefused(
                _("The file has more than %(limit)s cells (empty cells count too).") % {"limit": number(limits.cells)}
            )
        yield row


def csv_lines(lines: Iterable[str]) -> Iterator[str]:
    """The lines of a CSV text, refused at the first one longer than MAX_LINE_CHARS."""
    for line in lines:
        if len(line) > MAX_LINE_CHARS:
            raise FileRefused(
                _("A line of the file is longer than %(limit)s characters: this is not a table of data.")
                % {"limit": number(MAX_LINE_CHARS)}
            )
        yield line


# --- progress of an import job -------------------------------------------------------------------------------------


def progress_path(name: str) -> Path:
    """Where a running job writes how many rows it got through (`name` is e.g. "registry-12").

    A file, not the database: a commit is one transaction, and its progress must be readable while it runs.
    """
    return Path(settings.MEDIA_ROOT) / "imports" / "progress" / f"{name}.json"


def write_progress(name: str, rows: int) -> None:
    path = progress_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"rows": rows}))
    os.replace(tmp, path)  # atomic: the page never reads half a file


def read_progress(name: str) -> int:
    try:
        return int(json.loads(progress_path(name).read_text())["rows"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def clear_progress(name: str) -> None:
    progress_path(name).unlink(missing_ok=True)
