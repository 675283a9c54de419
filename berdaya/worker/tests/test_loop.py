"""The task worker survives a locked or failing database, and recovers the tasks of a worker that died."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from django.core.management import get_commands
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from berdaya.worker import loop
from berdaya.worker.loop import Worker, recover_lost
from berdaya.worker.models import WorkerBeat

from .filedb import file_database, in_thread, write_lock
from .tasks import add, slow_the_first_time


def make_worker(**kwargs: Any) -> Worker:
    options: dict[str, Any] = {
        "queue_names": ["default"],
        "interval": 0.01,
        "batch": False,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": 1,
        "worker_id": "this-worker",
        "excluded_queue_names": [],
    }
    worker = Worker(**{**options, **kwargs})
    worker.sleep = lambda seconds: time.sleep(0.01)  # back off, but not for real seconds
    return worker


def dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def left_running(*, worker_ids: list[str], started: dt.timedelta = dt.timedelta(0)) -> DBTaskResult[Any, Any]:
    """A task that a worker claimed and never finished."""
    result = add.enqueue(2, 3)
    row = DBTaskResult.objects.get(pk=result.id)
    row.status = TaskResultStatus.RUNNING
    row.worker_ids = worker_ids
    row.started_at = timezone.now() - started
    row.save()
    return row


def beat(worker_id: str, *, host: str | None = None, pid: int | None = None, ago: dt.timedelta) -> WorkerBeat:
    now = timezone.now()
    return WorkerBeat.objects.create(
        worker_id=worker_id,
        host=host or socket.gethostname(),
        pid=pid or os.getpid(),
        started_at=now - ago,
        seen_at=now - ago,
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_survives_a_locked_database_and_runs_the_task_once_it_is_free(tmp_path, caplog):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    caplog.set_level(logging.INFO, logger="berdaya.worker")
    with file_database(tmp_path / "berdaya.sqlite3") as path:
        task_id = in_thread(lambda: add.enqueue(2, 3).id)
        worker = make_worker()
        worker_thread = threading.Thread(target=lambda: (worker.run(), connection.close()))
        with write_lock(path):
            worker_thread.start()
            for _ in range(500):  # until the worker has met the lock (bounded: 10 s)
                if any("Database error" in r.message for r in caplog.records):
                    break
                time.sleep(0.02)
            still_waiting = in_thread(lambda: DBTaskResult.objects.get(pk=task_id).status)
        worker_thread.join(30)

        finished = in_thread(lambda: DBTaskResult.objects.get(pk=task_id))

    assert any("database is locked" in r.getMessage() for r in caplog.records if "Database error" in r.message)
    assert still_waiting == TaskResultStatus.READY
    assert not worker_thread.is_alive()
    assert (finished.status, finished.return_value) == (TaskResultStatus.SUCCESSFUL, 5)


@pytest.mark.django_db(transaction=True)
def test_a_task_left_running_by_a_dead_worker_is_queued_again_and_finishes():
    row = left_running(worker_ids=["dead-worker"])
    beat("dead-worker", pid=dead_pid(), ago=dt.timedelta(seconds=5))

    make_worker().run()

    row.refresh_from_db()
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, 5)
    assert row.worker_ids == ["dead-worker", "this-worker"]


def test_a_task_that_lost_its_worker_on_every_attempt_is_failed(db, settings):
    settings.BERDAYA_TASK_MAX_ATTEMPTS = 2
    row = left_running(worker_ids=["first", "second"])
    beat("second", pid=dead_pid(), ago=dt.timedelta(seconds=5))

    recovered = recover_lost()

    row.refresh_from_db()
    assert recovered == [str(row.pk)]
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "berdaya.worker.loop.WorkerLost"


def test_a_busy_worker_on_this_host_is_not_taken_for_dead(db):
    # Its process lives; its heartbeat is late, as it is while a long write holds SQLite's lock.
    row = left_running(worker_ids=["busy"], started=dt.timedelta(hours=2))
    beat("busy", pid=os.getpid(), ago=dt.timedelta(minutes=40))

    assert recover_lost() == []
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def test_a_worker_on_another_host_is_taken_for_dead_once_silent_long_enough(db, settings):
    settings.BERDAYA_WORKER_LOST_MINUTES = 10
    recent = left_running(worker_ids=["recent"])
    silent = left_running(worker_ids=["silent"])
    beat("recent", host="elsewhere", pid=1, ago=dt.timedelta(minutes=9))
    beat("silent", host="elsewhere", pid=1, ago=dt.timedelta(minutes=11))

    assert recover_lost() == [str(silent.pk)]
    recent.refresh_from_db()
    silent.refresh_from_db()
    assert (recent.status, silent.status) == (TaskResultStatus.RUNNING, TaskResultStatus.READY)


def test_a_task_of_a_worker_without_heartbeat_is_recovered_after_the_limit(db, settings):
    settings.BERDAYA_WORKER_LOST_MINUTES = 10
    young = left_running(worker_ids=["stock-worker"], started=dt.timedelta(minutes=5))
    old = left_running(worker_ids=["stock-worker"], started=dt.timedelta(minutes=11))

    assert recover_lost() == [str(old.pk)]
    young.refresh_from_db()
    assert young.status == TaskResultStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_error_in_the_loop_is_logged_and_the_loop_goes_on(monkeypatch, caplog):
    result = add.enqueue(2, 3)
    worker = make_worker()
    claim = worker.claim_next
    failures = iter([RuntimeError("a bug")])

    def claim_once_failing() -> Any:
        for error in failures:
            raise error
        return claim()

    monkeypatch.setattr(worker, "claim_next", claim_once_failing)

    worker.run()

    assert "Unexpected error in the worker loop" in caplog.text
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_the_outcome_of_a_task_is_saved_once_the_database_answers_again(monkeypatch, caplog):
    result = add.enqueue(2, 3)
    save = DBTaskResult.set_successful
    failures = iter([OperationalError("database is locked"), OperationalError("database is locked")])

    def set_successful(self: DBTaskResult[Any, Any], value: Any) -> None:
        for error in failures:
            raise error
        save(self, value)

    monkeypatch.setattr(DBTaskResult, "set_successful", set_successful)

    make_worker().run()

    row = DBTaskResult.objects.get(pk=result.id)
    assert (row.status, row.return_value) == (TaskResultStatus.SUCCESSFUL, 5)
    assert caplog.text.count("Saving the outcome of task") == 2


@pytest.mark.django_db(transaction=True)
def test_the_worker_records_its_heartbeat():
    make_worker(batch=True).run()

    seen = WorkerBeat.objects.get(worker_id="this-worker")
    assert (seen.host, seen.pid) == (socket.gethostname(), os.getpid())


def test_berdaya_db_worker_is_the_surviving_worker():
    assert get_commands()["db_worker"] == "berdaya.worker"
    assert loop.Worker.run is not loop.db_worker.Worker.run


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_task_leaves_the_task_to_the_next_worker_which_finishes_it(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the killed worker shares the test's database through a SQLite file")
    with file_database(tmp_path / "berdaya.sqlite3") as path:
        task_id = in_thread(lambda: slow_the_first_time.enqueue(str(tmp_path), 2, 3).id)
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "BERDAYA_VAR_DIR": str(tmp_path)}
        command = [sys.executable, "-m", "berdaya.cli", "db_worker", "--no-reload", "--no-startup-delay"]
        first = subprocess.Popen([*command, "--interval", "0.1"], env=env)
        try:
            for _ in range(600):  # until it has started the task (bounded: 60 s)
                if (tmp_path / "started").exists():
                    break
                time.sleep(0.1)
            assert (tmp_path / "started").exists()
        finally:
            first.kill()  # SIGKILL, mid-task: no chance to say anything
            first.wait()
        left = in_thread(lambda: DBTaskResult.objects.get(pk=task_id).status)

        worker = make_worker()
        in_thread(worker.run)
        finished = in_thread(lambda: DBTaskResult.objects.get(pk=task_id))

    assert left == TaskResultStatus.RUNNING
    assert (finished.status, finished.return_value) == (TaskResultStatus.SUCCESSFUL, 5)
    assert len(finished.worker_ids) == 2


def test_the_import_of_a_task_that_lost_its_worker_every_time_is_marked_failed(db, settings):
    from berdaya.accounts.tests.factories import UserFactory
    from berdaya.registry.models import ImportJob
    from berdaya.registry.tasks import commit_import

    settings.BERDAYA_TASK_MAX_ATTEMPTS = 2
    user = UserFactory()
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.REGISTRY,
        file="imports/x.csv",
        original_name="x.csv",
        region=user.region,
        created_by=user,
        status=ImportJob.Status.IMPORTING,
    )
    row = DBTaskResult.objects.get(pk=commit_import.enqueue(job.pk).id)
    row.status, row.worker_ids, row.started_at = TaskResultStatus.RUNNING, ["first", "second"], timezone.now()
    row.save()
    beat("second", pid=dead_pid(), ago=dt.timedelta(seconds=5))

    recover_lost()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.history.first().history_user == user
