"""``berdaya monitor``: the daily monitoring run (levels, then early warnings).

berdaya monitor                 run it now, here, and print what it did
berdaya monitor --enqueue       queue it for the worker (`berdaya db_worker`); what a systemd timer calls daily
berdaya monitor --daily         queue it now and then every day at 01:00 local time (`make run` starts this)
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from berdaya.monitoring.tasks import monitor, run_monitoring

RUN_AT = dt.time(1, 0)


def next_run(now: dt.datetime, at: dt.time = RUN_AT) -> dt.datetime:
    """The next moment after `now` (aware, local) when the daily run is due."""
    due = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return due if due > now else due + dt.timedelta(days=1)


class Command(BaseCommand):
    help = "Snapshot the groups' levels and check the early warnings: now (default), queued, or daily at 01:00."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--enqueue", action="store_true", help="queue the run for the worker instead")
        mode.add_argument("--daily", action="store_true", help="queue it now and every day at 01:00, until stopped")
        parser.add_argument("--today", type=dt.date.fromisoformat, help="as of this day (YYYY-MM-DD), for a rerun")

    def handle(self, *args: Any, **options: Any) -> None:
        today: dt.date | None = options["today"]
        if options["daily"]:
            self._daily()
        elif options["enqueue"]:
            result = run_monitoring.enqueue(today.isoformat() if today else None)
            self.stdout.write(f"Queued monitoring run {result.id}.")
        else:
            summary = monitor(today=today)
            self.stdout.write(
                "Monitoring {today}: {snapshots} snapshots; warnings raised {raised}, cleared {cleared}, "
                "open {still_open}; {notified} notifications.".format(**summary)
            )

    def _daily(self) -> None:
        try:
            while True:
                result = run_monitoring.enqueue(None)
                self.stdout.write(f"Queued monitoring run {result.id}.")
                self.stdout.flush()
                now = timezone.localtime()
                time.sleep((next_run(now) - now).total_seconds())
        except KeyboardInterrupt:
            return
