"""Background tasks that are stuck, and whether the task worker is alive: a page for the Admin Dinas, and a warning in
their "My tasks". A project-level module, since it names the tasks of every app.

A task is stuck when it has waited in the queue, or been running, longer than BERDAYA_TASK_STUCK_MINUTES. Scope: a
task started for a record (an import job, a screening run, a report request) is shown to an Admin Dinas who may see
that record (the record's own `visible_to`); a task with no record behind it (the daily monitoring run, or a kind
this module does not know) belongs to the whole installation, and every Admin Dinas sees it. The worker's heartbeat
(`WorkerBeat`) is shown to every Admin Dinas too: there is one worker for everyone.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import permission_required
from django.db.models import Model, Q
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django_tasks_db.compat import TaskResultStatus, task_finished
from django_tasks_db.models import DBTaskResult, get_date_max

from berdaya.accounts.models import User
from berdaya.business.models import CashImport
from berdaya.lib.audit import acting_as
from berdaya.lib.http import AuthedRequest
from berdaya.lib.waiting import Effort, Waiting
from berdaya.registry.models import ImportJob
from berdaya.reports.models import ReportRequest
from berdaya.screening.models import ScreeningRun
from berdaya.worker.models import WorkerBeat

PERMISSION = "worker.view_workerbeat"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    """A kind of task: what to call it, and the record its first argument names (None: the whole installation)."""

    label: Promise
    model: type[Model] | None = None
    started_by: str = ""


KINDS: dict[str, Kind] = {
    "berdaya.registry.tasks.check_import": Kind(_("Checking an import file"), ImportJob, "created_by"),
    "berdaya.registry.tasks.commit_import": Kind(_("Storing an import"), ImportJob, "created_by"),
    "berdaya.business.tasks.check_cash_import": Kind(_("Checking a cash-book file"), CashImport, "by"),
    "berdaya.business.tasks.commit_cash_import": Kind(_("Storing a cash-book import"), CashImport, "by"),
    "berdaya.screening.tasks.run_screening": Kind(_("Screening the registry"), ScreeningRun, "started_by"),
    "berdaya.reports.tasks.make_report": Kind(_("Making a report upward"), ReportRequest, "requested_by"),
    "berdaya.monitoring.tasks.run_monitoring": Kind(_("Daily monitoring run")),
}


@dataclass(frozen=True)
class StuckTask:
    id: str
    kind: str
    status: str
    since: dt.datetime
    started_by: User | None
    attempts: int


def stuck_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.BERDAYA_TASK_STUCK_MINUTES)


def _rows(now: dt.datetime) -> list[DBTaskResult[..., Any]]:
    """In one query: tasks due that no worker took for over a minute, and tasks running longer than the limit."""
    due = Q(run_after=get_date_max()) | Q(run_after__lte=now)
    waiting = Q(status=TaskResultStatus.READY, enqueued_at__lt=now - dt.timedelta(minutes=1)) & due
    running = Q(status=TaskResultStatus.RUNNING, started_at__lt=now - stuck_after())
    return list(DBTaskResult.objects.filter(waiting | running).order_by("enqueued_at"))


def _is_stuck(row: DBTaskResult[..., Any], now: dt.datetime) -> bool:
    since = row.started_at if row.status == TaskResultStatus.RUNNING else row.enqueued_at
    return since is not None and now - since > stuck_after()


def _first_arg(row: DBTaskResult[..., Any]) -> Any:
    args = (row.args_kwargs or {}).get("args") or []
    return args[0] if args else None


def stuck_tasks(
    user: User, *, now: dt.datetime | None = None, rows: list[DBTaskResult[..., Any]] | None = None
) -> list[StuckTask]:
    """The stuck tasks this Admin Dinas may see, oldest first (see the module's docstring for the scope)."""
    if not user.has_perm(PERMISSION):
        return []
    now = now or timezone.now()
    rows = [row for row in (_rows(now) if rows is None else rows) if _is_stuck(row, now)]
    # One query per kind of record: which of the tasks' records the user may see, and who started each.
    records: dict[tuple[str, Any], Model] = {}
    for path, known in KINDS.items():
        if known.model is None:
            continue
        wanted = {_first_arg(row) for row in rows if row.task_path == path}
        wanted.discard(None)
        if wanted:
            visible = known.model._default_manager.visible_to(user)  # type: ignore[attr-defined]
            for record in visible.filter(pk__in=wanted).select_related(known.started_by):
                records[(path, record.pk)] = record
    found = []
    for row in rows:
        kind = KINDS.get(row.task_path)
        started_by = None
        if kind is not None and kind.model is not None:
            record = records.get((row.task_path, _first_arg(row)))
            if record is None:
                continue  # outside the user's scope (or gone)
            started_by = getattr(record, kind.started_by)
        running = row.status == TaskResultStatus.RUNNING
        found.append(
            StuckTask(
                id=str(row.pk),
                kind=str(kind.label) if kind else row.task_path.rsplit(".", 1)[-1],
                status=str(_("running") if running else _("waiting")),
                since=(row.started_at if running else row.enqueued_at) or row.enqueued_at,
                started_by=started_by,
                attempts=len(row.worker_ids),
            )
        )
    return found


def last_beat() -> WorkerBeat | None:
    return WorkerBeat.objects.order_by("-seen_at").first()


def worker_silent(beat: WorkerBeat | None, *, now: dt.datetime) -> bool:
    """No worker seen for BERDAYA_WORKER_SILENT_MINUTES (or never)."""
    return beat is None or now - beat.seen_at > dt.timedelta(minutes=settings.BERDAYA_WORKER_SILENT_MINUTES)


def waiting(user: User, *, now: dt.datetime | None = None) -> list[Waiting]:
    """The Admin Dinas's warnings for "My tasks": stuck tasks, and tasks waiting while no worker is seen."""
    if not user.has_perm(PERMISSION):
        return []
    now = now or timezone.now()
    url = reverse("background-tasks")
    found = []
    rows = _rows(now)  # usually none: then this is the only query
    stuck = len(stuck_tasks(user, now=now, rows=rows))
    if stuck:
        found.append(
            Waiting(
                ngettext_lazy(
                    "%(count)s background task is stuck: waiting or running for over %(minutes)s minutes",
                    "%(count)s background tasks are stuck: waiting or running for over %(minutes)s minutes",
                    "count",
                ),
                stuck,
                url,
                effort=Effort.INSTITUTION,
                kind="stuck-tasks",
                urgent=True,
                params=(("minutes", settings.BERDAYA_TASK_STUCK_MINUTES),),
            )
        )
    queued = sum(1 for row in rows if row.status == TaskResultStatus.READY)
    if queued and worker_silent(last_beat(), now=now):
        found.append(
            Waiting(
                ngettext_lazy(
                    "%(count)s background task waits, and the task worker has not been seen for %(minutes)s minutes",
                    "%(count)s background tasks wait, and the task worker has not been seen for %(minutes)s minutes",
                    "count",
                ),
                queued,
                url,
                effort=Effort.INSTITUTION,
                kind="worker-silent",
                urgent=True,
                params=(("minutes", settings.BERDAYA_WORKER_SILENT_MINUTES),),
            )
        )
    return found


@permission_required(PERMISSION, raise_exception=True)
def background_tasks(request: AuthedRequest) -> HttpResponse:
    """The Admin Dinas's page: the worker's heartbeat, and the stuck tasks of its scope with their age."""
    now = timezone.now()
    beat = last_beat()
    context = {
        "beats": WorkerBeat.objects.order_by("-seen_at")[:10],
        "silent": worker_silent(beat, now=now),
        "silent_minutes": settings.BERDAYA_WORKER_SILENT_MINUTES,
        "stuck": stuck_tasks(request.user, now=now),
        "stuck_minutes": settings.BERDAYA_TASK_STUCK_MINUTES,
        "now": now,
    }
    return render(request, "background_tasks.html", context)


@receiver(task_finished)
def fail_the_record_of_a_failed_task(sender: Any, task_result: Any, **kwargs: Any) -> None:
    """A task that failed without its own code saying so (the worker running it died too often: WorkerLost) would
    leave its import job, screening run or report request "running" for ever: mark the record failed, as the user
    who started it. A record the task already closed itself (its own error handling) is left as it is."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    kind = KINDS.get(task_result.task.module_path)
    if kind is None or kind.model is None or not task_result.args:
        return
    record = kind.model._default_manager.filter(pk=task_result.args[0]).first()
    if record is None or not record.is_running:  # type: ignore[attr-defined]
        return
    errors = getattr(task_result, "errors", None) or []
    reason = errors[-1].exception_class_path.rsplit(".", 1)[-1] if errors else "failed"
    with acting_as(getattr(record, kind.started_by)):
        record.status = kind.model.Status.FAILED  # type: ignore[attr-defined]
        record.finished_at = timezone.now()  # type: ignore[attr-defined]
        fields = ["status", "finished_at"]
        if hasattr(record, "error"):
            record.error = _("The task worker stopped while working on this (%(reason)s).") % {"reason": reason}
            fields.append("error")
        record.save(update_fields=fields)
    logger.error("Task %s (%s) failed: %s %s marked failed", task_result.id, kind.label, kind.model.__name__, record.pk)
