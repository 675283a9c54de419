"""Plug-in points for apps above the registry: they register here, so the registry never imports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import ImportJob

# Called with the job after a registry or history file has been committed (screening queues a run here).
AFTER_IMPORT_COMMIT: list[Callable[[ImportJob], None]] = []
