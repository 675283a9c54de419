"""Tasks for the worker's tests (a task must live at module level to be queued)."""

from __future__ import annotations

from django_tasks import task


@task()
def add(a: int, b: int) -> int:
    return a + b
