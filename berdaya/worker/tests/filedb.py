"""A SQLite *file* database for tests about SQLite's write lock (the test database is in memory, where other
connections do not wait for a lock as they do on a file).

`file_database` copies the test database (schema and rows) into a file and points every connection made from then
on in *other threads* at it; the test's own thread keeps the in-memory database. `in_thread` runs a function on such
a connection and returns its result; `write_lock` holds the file's write lock from a connection of its own, as a
long import commit does.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from django.db import connection, connections

T = TypeVar("T")


@contextmanager
def file_database(path: Path, *, timeout: float = 0.5) -> Iterator[Path]:
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    before = connections.settings["default"]
    options = {**before.get("OPTIONS", {}), "timeout": timeout}
    connections.settings["default"] = {**before, "NAME": str(path), "OPTIONS": options}
    try:
        yield path
    finally:
        connections.settings["default"] = before


def in_thread(fn: Callable[[], T], *, wait: float = 30) -> T:
    """Run `fn` in a new thread (its own connection, to the file) and return what it returned, or raise its error."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as error:
            box["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(wait)
    assert not thread.is_alive(), f"still running after {wait} s"
    if "error" in box:
        raise box["error"]
    return box["value"]


@contextmanager
def write_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Hold the file's write lock (BEGIN IMMEDIATE and a write, as an import's commit does) until the block ends."""
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE IF NOT EXISTS long_write (n INTEGER)")
    holder.execute("INSERT INTO long_write VALUES (1)")
    try:
        yield holder
    finally:
        holder.execute("ROLLBACK")
        holder.close()
