"""The scheduled monitoring run, the `berdaya monitor` command, the warnings in "My tasks", and the warning pages."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from berdaya.groups.models import Kube
from berdaya.groups.tests.factories import KubeFactory
from berdaya.lib.stored_text import keep
from berdaya.management.commands.monitor import next_run
from berdaya.monitoring.models import EarlyWarning
from berdaya.monitoring.tasks import SYSTEM_USERNAME, run_monitoring
from berdaya.monitoring.waiting import waiting_for
from berdaya.worklist import gather

D = dt.date
Kind = EarlyWarning.Kind
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def kube(users: dict[str, Any], regions: dict[str, Any]) -> Kube:
    return KubeFactory(
        village=regions["village_a"],
        facilitator=users["facilitator"],
        status=Kube.Status.ACTIVE,
        formed_on=D(2027, 6, 1),
    )


AUGUST_1 = D(2027, 8, 1)


def warning(kube: Kube, *, raised_on: dt.date = AUGUST_1, responsible: Any = None, **fields: Any) -> EarlyWarning:
    defaults: dict[str, Any] = {
        "kind": Kind.NOT_VISITED,
        "key": "",
        "message": keep("No visit for %(days)s days.", days=61),
        "evidence_url": reverse("mentoring:kube-timeline", args=[kube.pk]),
    }
    return EarlyWarning.objects.create(
        kube=kube, raised_on=raised_on, responsible=responsible, **{**defaults, **fields}
    )


# The task and the command ------------------------------------------------------------------------------------------


def test_the_task_checks_the_warnings_as_the_system_account(kube, settings):
    settings.TASKS = IMMEDIATE

    result = run_monitoring.enqueue("2027-08-15")

    assert result.return_value["raised"] == 1
    history = EarlyWarning.history.get(kube=kube)
    assert history.history_user.username == SYSTEM_USERNAME
    assert not history.history_user.is_active


def test_the_command_runs_the_check_now_by_default(kube):
    out = io.StringIO()

    call_command("monitor", "--today", "2027-08-15", stdout=out)

    assert EarlyWarning.objects.open().filter(kube=kube, kind=Kind.NOT_VISITED).exists()
    assert "raised 1" in out.getvalue()


def test_the_command_queues_the_run_for_the_worker_with_enqueue(kube, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    out = io.StringIO()

    call_command("monitor", "--enqueue", stdout=out)

    assert "Queued monitoring run" in out.getvalue()
    assert not EarlyWarning.objects.exists()  # queued, not run


def test_the_daily_loop_runs_next_at_one_in_the_morning():
    zone = ZoneInfo("Asia/Makassar")

    assert next_run(dt.datetime(2027, 8, 2, 0, 30, tzinfo=zone)) == dt.datetime(2027, 8, 2, 1, 0, tzinfo=zone)
    assert next_run(dt.datetime(2027, 8, 2, 1, 0, tzinfo=zone)) == dt.datetime(2027, 8, 3, 1, 0, tzinfo=zone)


# My tasks ----------------------------------------------------------------------------------------------------------


def test_the_facilitator_has_its_open_warnings_to_handle(kube, users):
    mine = warning(kube, responsible=users["facilitator"])
    warning(kube, kind=Kind.ASSET_DAMAGED, key="9", responsible=users["facilitator"], handled_note="done",
            handled_at=dt.datetime(2027, 8, 2, tzinfo=ZoneInfo("UTC")), handled_by=users["facilitator"])  # fmt: skip

    (item,) = waiting_for(users["facilitator"], today=D(2027, 8, 2))

    assert (item.count, item.url) == (1, reverse("monitoring:warning-detail", args=[mine.pk]))


def test_the_dinas_has_the_warnings_of_groups_without_a_facilitator_and_the_old_ones(kube, users, regions):
    orphan = KubeFactory(village=regions["village_b"], status=Kube.Status.ACTIVE)
    warning(orphan)  # no one responsible
    warning(kube, responsible=users["facilitator"], raised_on=D(2027, 7, 1))  # 32 days old: escalated
    warning(kube, kind=Kind.MEMBERS_LEAVING, responsible=users["facilitator"], raised_on=D(2027, 7, 30))  # fresh

    (item,) = waiting_for(users["officer"], today=D(2027, 8, 2))

    assert item.count == 2
    assert item.url == reverse("monitoring:warning-list") + "?escalated=1"


def test_warnings_reach_the_worklist_and_not_a_monitor(kube, users):
    warning(kube, responsible=users["facilitator"])

    assert "monitoring.warnings.mine" in {item.kind for item in gather(users["facilitator"], today=D(2027, 8, 2))}
    assert gather(users["monitor"], today=D(2027, 8, 2)) == []


# The pages ---------------------------------------------------------------------------------------------------------


def test_the_list_shows_open_warnings_in_scope_filtered_by_kind(client, kube, users, regions):
    shown = warning(kube, responsible=users["facilitator"])
    warning(kube, kind=Kind.ASSET_DAMAGED, key="3")
    warning(KubeFactory(village=regions["other_regency"], status=Kube.Status.ACTIVE))
    client.force_login(users["officer"])

    response = client.get(reverse("monitoring:warning-list"), {"kind": Kind.NOT_VISITED})

    assert [w.pk for w in response.context["warnings"]] == [shown.pk]
    assert shown.evidence_url in response.content.decode()


def test_mine_lists_only_the_warnings_the_user_is_responsible_for(client, kube, users):
    mine = warning(kube, responsible=users["facilitator"])
    warning(kube, kind=Kind.ASSET_DAMAGED, key="3")
    client.force_login(users["facilitator"])

    response = client.get(reverse("monitoring:warning-list"), {"mine": "1"})

    assert [w.pk for w in response.context["warnings"]] == [mine.pk]


def test_the_list_costs_a_bounded_number_of_queries(client, kube, users, django_assert_max_num_queries):
    for number in range(30):
        warning(kube, kind=Kind.PROBLEM_OVERDUE, key=str(number), responsible=users["facilitator"])
    client.force_login(users["officer"])

    with django_assert_max_num_queries(15):
        client.get(reverse("monitoring:warning-list"))


def test_the_detail_page_offers_handling_to_the_facilitator_only_while_open(client, kube, users):
    shown = warning(kube, responsible=users["facilitator"])
    client.force_login(users["facilitator"])

    page = client.get(shown.get_absolute_url()).content.decode()

    assert 'id="warning-handle"' in page and "No visit for 61 days." in page


def test_the_monitor_reads_a_warning_but_cannot_handle_it(client, kube, users):
    shown = warning(kube, responsible=users["facilitator"])
    client.force_login(users["monitor"])

    assert 'id="warning-handle"' not in client.get(shown.get_absolute_url()).content.decode()
    assert client.post(reverse("monitoring:warning-handle", args=[shown.pk]), {"note": "x"}).status_code == 403


def test_marking_handled_with_a_note_closes_the_warning(client, kube, users):
    shown = warning(kube, responsible=users["facilitator"])
    client.force_login(users["facilitator"])

    response = client.post(reverse("monitoring:warning-handle", args=[shown.pk]), {"note": "Visited on Monday"})

    shown.refresh_from_db()
    assert response.status_code == 302
    assert (shown.is_open, shown.handled_note, shown.handled_by) == (False, "Visited on Monday", users["facilitator"])


def test_marking_handled_without_a_note_changes_nothing(client, kube, users):
    shown = warning(kube, responsible=users["facilitator"])
    client.force_login(users["facilitator"])

    client.post(reverse("monitoring:warning-handle", args=[shown.pk]), {"note": ""})

    shown.refresh_from_db()
    assert shown.is_open


def test_the_list_narrows_to_a_kecamatan(client, kube, users, regions):
    warning(kube, responsible=users["facilitator"])
    elsewhere = warning(KubeFactory(village=regions["village_c"], status=Kube.Status.ACTIVE))
    client.force_login(users["admin"])

    response = client.get(reverse("monitoring:warning-list"), {"kecamatan": regions["kec_c"].code})

    assert [w.pk for w in response.context["warnings"]] == [elsewhere.pk]
