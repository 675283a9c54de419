"""Tasks for the worker's tests (a task must live at module level to be queued)."""

from __future__ import annotations

from django_tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b


@task()
def slow_the_first_time(folder: str, a: int, b: int) -> int:
    """Leaves a mark and runs for two minutes the first time (long enough to be killed); adds at once after."""
    import time
    from pathlib import Path

    mark = Path(folder) / "started"
    if not mark.exists():
        mark.touch()
        time.sleep(120)
    return a + b
