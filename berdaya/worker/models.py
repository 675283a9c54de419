"""The task worker's heartbeat: one row per worker process, written every BEAT_SECONDS while it lives."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerBeat(models.Model):
    """A worker process as last seen: where it runs, when it started, when it last said it is alive, and the task it
    was running then. The recovery of lost tasks reads it to tell a dead worker from a busy one."""

    worker_id = models.CharField(_("worker"), max_length=64, primary_key=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen"))
    task_id = models.CharField(_("running task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid}"
