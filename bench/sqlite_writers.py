"""Writers that read first, on one SQLite file in WAL mode: BEGIN DEFERRED (SQLite's default) against BEGIN IMMEDIATE
(Berdaya's `transaction_mode`). Every transaction reads a count and then writes, as a service does.

    .venv/bin/python -m bench.sqlite_writers [--threads 4] [--transactions 200]

A deferred transaction takes the write lock only at its first write; if another writer committed since it read, SQLite
cannot wait (its snapshot is stale) and answers "database is locked" at once, whatever the busy timeout. An immediate
one takes the lock at BEGIN and waits its turn (up to the busy timeout, 20 s in Berdaya).
"""

from __future__ import annotations

import argparse
import sqlite3
import tempfile
import threading
import time
from pathlib import Path


def run(mode: str, *, threads: int, transactions: int, folder: Path) -> tuple[int, int, float]:
    path = folder / f"{mode.lower()}.sqlite3"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, n INTEGER)")
    setup.commit()
    setup.close()
    failed = [0]
    lock = threading.Lock()

    def writer() -> None:
        db = sqlite3.connect(path, timeout=20, isolation_level=None)
        db.execute("PRAGMA synchronous=NORMAL")
        for _ in range(transactions):
            try:
                db.execute(f"BEGIN {mode}")
                (count,) = db.execute("SELECT count(*) FROM entry").fetchone()
                db.execute("INSERT INTO entry (n) VALUES (?)", (count,))
                db.execute("COMMIT")
            except sqlite3.OperationalError:
                db.execute("ROLLBACK")
                with lock:
                    failed[0] += 1
        db.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=writer) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.perf_counter() - started
    stored = sqlite3.connect(path).execute("SELECT count(*) FROM entry").fetchone()[0]
    return stored, failed[0], elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--transactions", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        for mode in ("DEFERRED", "IMMEDIATE"):
            stored, failed, elapsed = run(
                mode, threads=args.threads, transactions=args.transactions, folder=Path(folder)
            )
            total = args.threads * args.transactions
            print(f"{mode:9}  {stored}/{total} stored, {failed} 'database is locked', {elapsed:.2f} s")


if __name__ == "__main__":
    main()
