"""Screening runs in the background (django-tasks; `berdaya db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task

from .models import ScreeningRun
from .services import screen_registry


@task()
def run_screening(run_id: int) -> None:
    """Run the engine over the registry of a run's region and queue the findings for review."""
    screen_registry(run=ScreeningRun.objects.select_related("started_by").get(pk=run_id))
