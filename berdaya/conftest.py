"""Fixtures shared by every app's tests: a small map of two kecamatan and one user per role and scope."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.servers.basehttp import WSGIServer
from django.test import override_settings
from django.test.testcases import LiveServerThread

from berdaya.accounts.models import User
from berdaya.accounts.tests.factories import UserFactory
from berdaya.regions.models import Region
from berdaya.regions.tests.factories import RegionFactory

# Two villages in Tanah Grogot (64.01.04) and one in another kecamatan (64.01.05).
VILLAGE_A = "64.01.04.2004"
VILLAGE_B = "64.01.04.2005"
VILLAGE_C = "64.01.05.2001"


CHROMIUM = os.environ.get("BERDAYA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_MISSING = shutil.which(CHROMIUM) is None


def pytest_configure(config: pytest.Config) -> None:
    # A deliberately slow password hash would make every test that creates a user slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not CHROMIUM_MISSING:
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if CHROMIUM_MISSING:
        terminalreporter.write_sep(
            "!", "BROWSER TESTS SKIPPED: Chromium is missing (apt-get install chromium)", red=True
        )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's chromium driven by Playwright) for the whole run."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make around it are still
    # synchronous, so Django's async-safety guard would refuse them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


class OneRequestAtATime(WSGIServer):
    """The live server, answering one request at a time (and closing each connection, as a server without threads
    does). Django's default serves each request in a thread; on SQLite's in-memory test database every thread shares
    one connection, and two requests at once (a slow page still being worked out when the browser asks for the next)
    deadlock in the sqlite3 module: CI hung on it. The connections are the serving thread's own (LiveServerThread.run
    gives it the test's)."""

    def __init__(self, *args: Any, connections_override: dict[str, Any] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = OneRequestAtATime


@pytest.fixture(scope="session", autouse=True)
def no_session_left_behind(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """On PostgreSQL, name (on stderr) and end any other session still connected to the test database when the run
    ends: PostgreSQL refuses to drop a database with a session connected, and the whole run then fails at its very
    end. Once (2026-12-04, CI on PostgreSQL) a session was left on one xdist worker's database by a test not yet
    found; this says which, the next time, instead of failing a run whose tests all passed."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        cursor.execute(f"SELECT pid, application_name, state, left(query, 300) {others}")
        for pid, application, state, query in cursor.fetchall():
            sys.__stderr__.write(
                f"\nA session was left on the test database: pid {pid} {application!r} {state}: {query}\n"
            )
        cursor.execute(f"SELECT pg_terminate_backend(pid) {others}")
    connection.close()


@pytest.fixture(scope="session", autouse=True)
def cache_of_its_own() -> Iterator[None]:
    """Each test process its own in-memory cache. The settings' file cache is shared by every process of a machine,
    the xdist workers included: one worker's `cache.clear()` would wipe another's rate-limit counts, and tests must
    not write into the developer's var/ either."""
    memory = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "berdaya-tests"}}
    with override_settings(CACHES=memory):
        yield


@pytest.fixture(scope="session")
def live_server(django_db_setup: None, live_server: Any) -> Any:
    """pytest-django's live server, started only once the test database exists: it then stops (closing its thread's
    connection) before the database is dropped, which PostgreSQL refuses while a session is still connected."""
    return live_server


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page against the live test server."""
    context = browser.new_context(base_url=live_server.url, locale="id-ID")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def regions(db: None) -> dict[str, Region]:
    return {
        "regency": RegionFactory(code="64.01", name="Kabupaten Paser"),
        "kec_a": RegionFactory(code="64.01.04", name="Tanah Grogot"),
        "kec_c": RegionFactory(code="64.01.05", name="Kuaro"),
        "village_a": RegionFactory(code=VILLAGE_A, name="Tanah Periuk"),
        "village_b": RegionFactory(code=VILLAGE_B, name="Tapis"),
        "village_c": RegionFactory(code=VILLAGE_C, name="Kuaro Desa"),
        "other_regency": RegionFactory(code="64.02.01.2001", name="Desa Lain"),
    }


@pytest.fixture
def users(regions: dict[str, Region]) -> dict[str, User]:
    """One user per role and scope; the keys name who they are in the scope matrices."""
    specs = {
        "admin": (User.Role.ADMIN, "regency"),
        "officer": (User.Role.OFFICER, "regency"),
        "monitor": (User.Role.MONITOR, "regency"),
        "camat": (User.Role.KECAMATAN_OPERATOR, "kec_a"),
        "camat_c": (User.Role.KECAMATAN_OPERATOR, "kec_c"),
        "desa_a": (User.Role.VILLAGE_OPERATOR, "village_a"),
        "desa_b": (User.Role.VILLAGE_OPERATOR, "village_b"),
        "desa_c": (User.Role.VILLAGE_OPERATOR, "village_c"),
        "facilitator": (User.Role.FACILITATOR, "regency"),
        "other_facilitator": (User.Role.FACILITATOR, "regency"),
    }
    made = {key: UserFactory(username=key, role=role, region=regions[scope]) for key, (role, scope) in specs.items()}
    made["no_region"] = UserFactory(username="no_region", role=User.Role.ADMIN, region=None)
    return made


@pytest.fixture
def boundaries(regions: dict[str, Region]) -> dict[str, Region]:
    """The shipped map outlines of the test regions (only those: the loader skips regions not in the table)."""
    from berdaya.regions.services import load_boundaries

    load_boundaries()
    return regions
