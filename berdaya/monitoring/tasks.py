"""The daily monitoring run (django-tasks, database queue: `berdaya db_worker` runs it; `berdaya monitor` starts it).

It snapshots every running group's level and scorecard for the current and the previous month, then checks the
early warnings. A background run has no person behind it: its writes name the system account (`system_user`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django_tasks import task

from berdaya.accounts.models import User
from berdaya.business.models import month_start
from berdaya.lib.months import months_back

from .warnings import check_warnings

SYSTEM_USERNAME = "berdaya-system"


def system_user() -> User:
    """The account that scheduled work is attributed to: inactive, without a region, so it can neither log in nor
    see anything, and never receives a notification."""
    user: User
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Berdaya", "last_name": "(system)", "is_active": False, "region": None},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def monitor(*, today: dt.date | None = None, by: User | None = None) -> dict[str, Any]:
    """Snapshot the levels of this month and the last (when the level engine is installed), then check the warnings;
    what it did, as plain figures."""
    today = today or timezone.localdate()
    by = by or system_user()
    summary: dict[str, Any] = {"today": today.isoformat()}
    try:
        from .levels import snapshot_months  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # the level engine is not there yet: warnings only
        summary["snapshots"] = None
    else:
        current = month_start(today)
        summary["snapshots"] = snapshot_months([months_back(current, 1), current], by=by)
    result = check_warnings(today=today, by=by)
    summary.update(raised=result.raised, cleared=result.cleared, still_open=result.still_open, notified=result.notified)
    return summary


@task()
def run_monitoring(today_iso: str | None = None) -> dict[str, Any]:
    """The daily run: levels of this month and the last, then the early warnings (as of `today_iso`, else today)."""
    return monitor(today=dt.date.fromisoformat(today_iso) if today_iso else None)
