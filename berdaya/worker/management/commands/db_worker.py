"""``berdaya db_worker``: django_tasks_db's command and options, with Berdaya's worker loop (berdaya/worker/loop.py),
which survives a busy or lost database, beats a heartbeat and recovers the tasks of a worker that died."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands import db_worker

from berdaya.worker.loop import Worker


class Command(db_worker.Command):
    help = "Run the background task worker (retries on a busy database; recovers tasks a dead worker left running)"

    def handle(self, *args: Any, **options: Any) -> None:
        original = db_worker.Worker
        db_worker.Worker = Worker  # type: ignore[misc]  # the parent's handle builds the worker by this name
        try:
            super().handle(*args, **options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
