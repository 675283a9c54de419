"""A page does not write its session on every request, so it answers while a long write holds SQLite's lock; the
idle timeout still counts from the last request (to within SESSION_TOUCH_SECONDS)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from berdaya.accounts.tests.factories import UserFactory
from berdaya.lib.sessions import TOUCHED
from berdaya.regions.tests.factories import RegionFactory
from berdaya.worker.tests.filedb import file_database, in_thread, write_lock


def expiry(client: Client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_page_within_the_touch_interval_does_not_write_the_session(client, users):
    client.force_login(users["officer"])
    client.get(reverse("regions:region-list"))  # the first page touches it
    before = expiry(client)

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=30)):
        assert client.get(reverse("regions:region-list")).status_code == 200

    assert expiry(client) == before


def test_a_page_after_the_touch_interval_pushes_the_idle_timeout_on(client, users, settings):
    client.force_login(users["officer"])
    client.get(reverse("regions:region-list"))
    before = expiry(client)

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=settings.SESSION_TOUCH_SECONDS + 30)):
        assert client.get(reverse("regions:region-list")).status_code == 200

    assert expiry(client) - before >= dt.timedelta(seconds=settings.SESSION_TOUCH_SECONDS)


def test_an_idle_session_still_ends(client, users, settings):
    client.force_login(users["officer"])
    client.get(reverse("regions:region-list"))

    with time_machine.travel(timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)):
        response = client.get(reverse("regions:region-list"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.fixture
def on_file(transactional_db: None, tmp_path: Any) -> Any:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")
    UserFactory(username="petugas", role="officer", region=RegionFactory(code="64.01", name="Kabupaten Paser"))
    with file_database(tmp_path / "berdaya.sqlite3", timeout=5) as path:
        yield path


def signed_in() -> Client:
    from berdaya.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="petugas"))
    client.get(reverse("tasks"))  # the first page touches the session
    return client


@pytest.mark.parametrize("touch_due", [False, True], ids=["touched-lately", "touch-due"])
def test_a_page_answers_while_another_connection_holds_a_long_write(on_file, touch_due):
    client = in_thread(signed_in)
    if touch_due:
        in_thread(lambda: _age_the_touch(client))

    with write_lock(on_file):  # as a long import commit holds it
        answers = [in_thread(lambda url=url: client.get(url).status_code) for url in (reverse("tasks"), "/")]

    assert answers == [200, 200]
    # Still signed in afterwards: a touch skipped on a busy database leaves the session as it was.
    assert in_thread(lambda: client.get(reverse("tasks")).status_code) == 200


def _age_the_touch(client: Client) -> None:
    session = client.session
    session[TOUCHED] = session[TOUCHED] - 3600
    session.save()


def test_sqlite_connections_run_in_wal_mode_and_take_the_write_lock_at_begin(on_file):
    def pragmas() -> tuple[str, str | None]:
        with connection.cursor() as cursor:
            (mode,) = cursor.execute("PRAGMA journal_mode").fetchone()
        return mode, connection.transaction_mode  # type: ignore[attr-defined]

    assert in_thread(pragmas) == ("wal", "IMMEDIATE")
