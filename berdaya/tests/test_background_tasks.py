"""The Admin Dinas sees stuck background tasks of its scope and whether the worker lives; "My tasks" warns it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from berdaya import worklist
from berdaya.accounts.tests.factories import UserFactory
from berdaya.monitoring.tasks import run_monitoring
from berdaya.registry.models import ImportJob
from berdaya.registry.tasks import commit_import
from berdaya.worker.models import WorkerBeat


@pytest.fixture(autouse=True)
def english(settings: Any) -> Any:
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def job(region: Any, user: Any) -> ImportJob:
    return ImportJob.objects.create(
        kind=ImportJob.Kind.REGISTRY,
        file="imports/x.csv",
        original_name="x.csv",
        region=region,
        created_by=user,
        status=ImportJob.Status.IMPORTING,
    )


def aged(result: Any, *, minutes: int, running: bool = False) -> DBTaskResult[Any, Any]:
    row = DBTaskResult.objects.get(pk=result.id)
    row.enqueued_at = timezone.now() - dt.timedelta(minutes=minutes)
    if running:
        row.status = TaskResultStatus.RUNNING
        row.started_at = row.enqueued_at
        row.worker_ids = ["w1"]
    row.save()
    return row


def alive(minutes_ago: int = 0) -> WorkerBeat:
    now = timezone.now() - dt.timedelta(minutes=minutes_ago)
    return WorkerBeat.objects.create(worker_id="w1", host="server", pid=42, started_at=now, seen_at=now)


@pytest.fixture
def stuck_import(regions, users) -> DBTaskResult[Any, Any]:
    """An import commit by Desa A's operator, running for two hours."""
    return aged(commit_import.enqueue(job(regions["village_a"], users["desa_a"]).pk), minutes=120, running=True)


def page(client: Any, user: Any) -> str:
    client.force_login(user)
    response = client.get(reverse("background-tasks"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_sees_a_stuck_task_of_its_region_with_its_age_and_who_started_it(client, users, stuck_import):
    alive()

    html = page(client, users["admin"])

    row = html.split(f'id="task-{stuck_import.pk}"')[1].split("</tr>")[0]
    assert "Storing an import" in row
    assert "running" in row
    assert "2\xa0hours" in row
    assert str(users["desa_a"]) in row


def test_an_admin_of_another_regency_does_not_see_it(client, regions, stuck_import):
    elsewhere = UserFactory(username="admin_lain", role="admin", region=regions["other_regency"])

    html = page(client, elsewhere)

    assert f'id="task-{stuck_import.pk}"' not in html
    assert "No task is stuck." in html


def test_a_system_task_is_shown_to_every_admin(client, regions, users):
    monitoring = aged(run_monitoring.enqueue(None), minutes=90)
    elsewhere = UserFactory(username="admin_lain", role="admin", region=regions["other_regency"])

    for admin in (users["admin"], elsewhere):
        row = page(client, admin).split(f'id="task-{monitoring.pk}"')[1].split("</tr>")[0]
        assert "Daily monitoring run" in row
        assert "waiting" in row
        assert "Berdaya (system)" in row


def test_a_task_younger_than_the_limit_is_not_stuck(client, users, regions, settings):
    settings.BERDAYA_TASK_STUCK_MINUTES = 30
    young = aged(commit_import.enqueue(job(regions["village_a"], users["desa_a"]).pk), minutes=20, running=True)

    assert f'id="task-{young.pk}"' not in page(client, users["admin"])


@pytest.mark.parametrize("role", ["officer", "monitor", "camat", "desa_a", "facilitator"])
def test_only_the_admin_dinas_may_open_the_page(client, users, role):
    client.force_login(users[role])

    assert client.get(reverse("background-tasks")).status_code == 403


def test_the_page_shows_the_workers_heartbeat(client, users):
    alive(minutes_ago=2)

    html = page(client, users["admin"])

    assert "server:42" in html
    assert 'id="worker-silent"' not in html


def test_the_page_warns_when_no_worker_was_seen_lately(client, users, settings):
    settings.BERDAYA_WORKER_SILENT_MINUTES = 5
    alive(minutes_ago=6)

    assert 'id="worker-silent"' in page(client, users["admin"])


def kinds(user: Any) -> dict[str, int]:
    return {item.kind: item.count for item in worklist.gather(user)}


def test_my_tasks_warns_the_admin_of_a_stuck_task(client, users, stuck_import):
    alive()
    client.force_login(users["admin"])

    html = client.get(reverse("tasks")).content.decode()

    assert kinds(users["admin"])["stuck-tasks"] == 1
    assert "1 background task is stuck: waiting or running for over 30 minutes" in html
    assert reverse("background-tasks") in html


def test_my_tasks_warns_of_no_stuck_task_outside_the_admins_scope(regions, stuck_import):
    elsewhere = UserFactory(username="admin_lain", role="admin", region=regions["other_regency"])
    alive()

    assert "stuck-tasks" not in kinds(elsewhere)


def test_my_tasks_warns_the_admin_when_tasks_wait_and_no_worker_is_seen(users, settings):
    settings.BERDAYA_WORKER_SILENT_MINUTES = 5
    aged(run_monitoring.enqueue(None), minutes=3)
    alive(minutes_ago=10)

    [warning] = [item for item in worklist.gather(users["admin"]) if item.kind == "worker-silent"]

    assert warning.urgent
    assert warning.text == "1 background task waits, and the task worker has not been seen for 5 minutes"


def test_no_warning_while_the_worker_is_seen(users):
    aged(run_monitoring.enqueue(None), minutes=3)
    alive(minutes_ago=1)

    assert "worker-silent" not in kinds(users["admin"])


def test_other_roles_get_no_worker_warnings(users, stuck_import):
    aged(run_monitoring.enqueue(None), minutes=90)

    assert not {"stuck-tasks", "worker-silent"} & set(kinds(users["officer"]))


def test_every_task_of_every_app_is_a_known_kind() -> None:
    """A new task must say what it is called and whose record it works on, or its stuck copy has no scope."""
    import importlib
    import pkgutil

    from django_tasks.base import Task

    import berdaya
    from berdaya import taskwatch

    found = set()
    for app in pkgutil.iter_modules(berdaya.__path__):
        try:
            module = importlib.import_module(f"berdaya.{app.name}.tasks")
        except ModuleNotFoundError:
            continue
        found |= {value.module_path for value in vars(module).values() if isinstance(value, Task)}

    assert "berdaya.business.tasks.commit_cash_import" in found
    assert found - set(taskwatch.KINDS) == set()
