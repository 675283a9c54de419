"""Reports made in the background (django-tasks, database queue: `berdaya db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from . import upward


@task()
def make_report(request_id: int) -> None:
    """A report upward too large to make while the user waits: the file, with its progress on the request."""
    upward.make_report(request_id)
