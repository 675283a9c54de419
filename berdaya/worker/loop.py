"""The task worker's loop: django_tasks_db's worker, made to survive a busy or lost database.

django_tasks_db's `Worker.run` dies on the first database error it does not expect: on SQLite, "database is locked"
while another connection holds a long write (its `BEGIN EXCLUSIVE` fails outside its own try), or a lost
PostgreSQL connection. Then nothing runs the queue until someone restarts the process. Here:

- a database error while fetching, claiming or finishing a task is logged, the connection is closed, and the loop
  waits (1 s, doubling up to a minute) and tries again; the outcome of a task that ran is saved once the database
  answers again, however long that takes;
- any other exception in the loop is logged with its traceback, and the loop goes on;
- a heartbeat (`WorkerBeat`, every BEAT_SECONDS, from a thread of its own) says the worker is alive and which task
  it runs;
- tasks left "running" by a worker that is gone (`recover_lost`, at start and every RECOVER_SECONDS) are queued
  again, or marked failed once they have been tried `BERDAYA_TASK_MAX_ATTEMPTS` times (a task that kills its
  worker, such as a file that exhausts memory, must not kill every worker after it).

A worker is gone when its process no longer exists (same host: the process id is asked, so a long write that
holds up its heartbeat on SQLite is never taken for death), or, on another host, when its heartbeat is older than
`BERDAYA_WORKER_LOST_MINUTES`. A task without any heartbeat (a worker started by django_tasks_db's own command)
counts as lost after running that long.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from berdaya.lib.db import impatient

from .models import WorkerBeat

logger = logging.getLogger("berdaya.worker")

BEAT_SECONDS = 30
RECOVER_SECONDS = 60
BACKOFF_FIRST, BACKOFF_MAX = 1.0, 60.0
# A worker on this host whose process still exists but that has not beaten for this long is taken for dead (after a
# reboot its process id may belong to another program).
SAME_HOST_SILENT = dt.timedelta(hours=1)
BEATS_KEPT = dt.timedelta(days=7)


class WorkerLost(Exception):
    """The worker running a task stopped before the task finished (recorded as the task's error)."""


def lost_after() -> dt.timedelta:
    return dt.timedelta(minutes=settings.BERDAYA_WORKER_LOST_MINUTES)


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def is_gone(beat: WorkerBeat | None, *, started_at: dt.datetime | None, now: dt.datetime, host: str) -> bool:
    """Whether the worker of a running task (its last heartbeat, or None) is gone."""
    if beat is None:
        return started_at is None or now - started_at > lost_after()
    if beat.host == host:
        return not process_exists(beat.pid) or now - beat.seen_at > SAME_HOST_SILENT
    return now - beat.seen_at > lost_after()


def recover_lost(*, backend_name: str = "default", now: dt.datetime | None = None) -> list[str]:
    """Queue again (or fail, after the last attempt) every task whose worker is gone; the ids of the tasks."""
    now = now or timezone.now()
    host = socket.gethostname()
    running = list(DBTaskResult.objects.running().filter(backend_name=backend_name))
    if not running:
        return []
    last_worker = {task.pk: (task.worker_ids or [None])[-1] for task in running}
    beats = WorkerBeat.objects.in_bulk([w for w in last_worker.values() if w])
    recovered = []
    for task in running:
        worker = last_worker[task.pk]
        if not is_gone(beats.get(worker) if worker else None, started_at=task.started_at, now=now, host=host):
            continue
        with exclusive_transaction(DBTaskResult.objects.db):
            task = DBTaskResult.objects.select_for_update().get(pk=task.pk)
            if task.status != TaskResultStatus.RUNNING:
                continue
            attempts = len(task.worker_ids)
            if attempts < settings.BERDAYA_TASK_MAX_ATTEMPTS:
                task.status = TaskResultStatus.READY
                task.started_at = None
                task.save(update_fields=["status", "started_at"])
                logger.warning("Task %s (%s) lost its worker %s: queued again", task.pk, task.task_path, worker)
            else:
                task.set_failed(
                    WorkerLost(f"The worker {worker} stopped while running this task, after {attempts} attempts.")
                )
                logger.error(
                    "Task %s (%s) lost its worker %s %d times: failed", task.pk, task.task_path, worker, attempts
                )
                _tell_finished(task)
        recovered.append(str(task.pk))
    return recovered


def _tell_finished(task: DBTaskResult[..., Any]) -> None:
    try:
        task_finished.send(sender=type(task.task.get_backend()), task_result=task.task_result)
    except Exception:
        logger.exception("Task %s: telling that it finished failed", task.pk)


class Worker(db_worker.Worker):
    """django_tasks_db's worker with a loop that does not die (see the module's docstring)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.host = socket.gethostname()
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self.current_task = ""
        self.backoff = BACKOFF_FIRST
        self.last_recovery: float | None = None
        self._stop_beating = threading.Event()
        self.sleep: Callable[[float], None] = time.sleep

    # The heartbeat --------------------------------------------------------------------------------------------------

    def beat(self) -> None:
        """Say that this worker is alive (and what it runs); skipped, not waited for, while the database is busy."""
        try:
            with impatient(milliseconds=2000):
                WorkerBeat.objects.update_or_create(
                    worker_id=self.worker_id,
                    defaults={
                        "host": self.host[:255],
                        "pid": self.pid,
                        "started_at": self.started_at,
                        "seen_at": timezone.now(),
                        "task_id": self.current_task,
                    },
                )
        except DatabaseError as error:
            logger.info("Heartbeat skipped, the database is busy: %s", error)
            connection.close()

    def _beating(self) -> None:
        try:
            while not self._stop_beating.wait(BEAT_SECONDS):
                self.beat()
        finally:
            connection.close()

    def start_beating(self) -> threading.Thread:
        thread = threading.Thread(target=self._beating, name="berdaya-worker-beat", daemon=True)
        thread.start()
        return thread

    # The loop -------------------------------------------------------------------------------------------------------

    def run(self) -> None:
        logger.info("Starting worker %s (%s:%s), queues %s", self.worker_id, self.host, self.pid, self.queue_names)
        self.beat()
        beating = self.start_beating()
        try:
            while self.running:
                try:
                    if not self.step():
                        return
                except DatabaseError as error:
                    logger.warning("Database error, trying again in %.0f s: %s", self.backoff, error)
                    self._rest_after_error()
                except Exception:
                    logger.exception("Unexpected error in the worker loop; it goes on")
                    self._rest_after_error()
        finally:
            self._stop_beating.set()
            beating.join(timeout=5)

    def _rest_after_error(self) -> None:
        try:
            connection.close()
        except Exception:  # a connection that is already broken may fail to close: it is gone all the same
            logger.debug("Closing the broken connection failed", exc_info=True)
        if self.running:
            self.sleep(self.backoff)
        self.backoff = min(self.backoff * 2, BACKOFF_MAX)

    def step(self) -> bool:
        """One turn of the loop: recover lost tasks when due, take one task and run it. False: time to stop."""
        close_old_connections()
        if self.last_recovery is None or time.monotonic() - self.last_recovery >= RECOVER_SECONDS:
            recover_lost(backend_name=self.backend_name)
            WorkerBeat.objects.filter(seen_at__lt=timezone.now() - BEATS_KEPT).delete()
            self.last_recovery = time.monotonic()
        task_result = self.claim_next()
        self.backoff = BACKOFF_FIRST  # the database answered
        if task_result is not None:
            self.run_task(task_result)
        if self.batch and task_result is None:
            logger.info("No more tasks for worker %s: exiting.", self.worker_id)
            return False
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            logger.info("Ran %d tasks on worker %s: exiting.", self._run_tasks, self.worker_id)
            return False
        close_old_connections()
        if self.running and task_result is None:
            self.sleep(self.interval)
        return True

    def claim_next(self) -> DBTaskResult[..., Any] | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        """Run the task; then save its outcome, waiting for the database as long as it takes."""
        self.running_task = True
        self.current_task = str(db_task_result.pk)
        self.beat()
        try:
            outcome: BaseException | None = None
            value: Any = None
            try:
                task = db_task_result.task
                task_result = db_task_result.task_result
                task_started.send(sender=type(task.get_backend()), task_result=task_result)
                if task.takes_context:
                    value = task.call(TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs)
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except BaseException as error:  # recorded on the task, as django_tasks_db does
                outcome = error
                logger.exception("Task %s (%s) failed", db_task_result.pk, db_task_result.task_path)
            self._save_outcome(db_task_result, value, outcome)
            _tell_finished(db_task_result)
            if isinstance(outcome, KeyboardInterrupt | SystemExit):
                raise outcome
        finally:
            self.running_task = False
            self.current_task = ""
            self._run_tasks += 1

    def _save_outcome(self, db_task_result: DBTaskResult[..., Any], value: Any, outcome: BaseException | None) -> None:
        """Save success or failure; on a busy or lost database wait and try again, as long as it takes."""
        delay = BACKOFF_FIRST
        while True:
            try:
                if outcome is None:
                    try:
                        db_task_result.set_successful(value)
                    except (TypeError, ValueError) as error:  # a return value that cannot be stored
                        outcome = error
                        continue
                else:
                    db_task_result.set_failed(outcome)
                return
            except (OperationalError, InterfaceError) as error:
                logger.warning("Saving the outcome of task %s failed, trying again: %s", db_task_result.pk, error)
                try:
                    connection.close()
                except Exception:
                    logger.debug("Closing the broken connection failed", exc_info=True)
                self.sleep(delay)
                delay = min(delay * 2, BACKOFF_MAX)
            except DatabaseError as error:  # not a busy database: a value the table refuses
                if outcome is None:
                    outcome = error
                    continue
                logger.exception("Task %s: its failure could not be saved; it stays running", db_task_result.pk)
                return
