"""No 5xx on bad input: every named URL, asked with hostile values in its query string, answers below 500.

Generated like the scope matrix (berdaya/tests/scope_matrix.py): every named URL of the URLconf, filled with the
world's in-scope record, is asked as the Dinas admin, a village operator and a facilitator with every query
parameter a view reads (found in the source: `request.GET.get("name")`, and the fields of the GET forms the page
shows) set to one hostile value at a time: text where a number is expected, a fraction, a negative number, an id
beyond any database key, an impossible date, a format string, a non-ASCII digit, a NUL byte, a very long value.
A view may ignore the value, refuse it (400, 404) or say what is wrong; it may not fail.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from .scope_matrix import MATRIX, ask, url_names
from .scope_world import ADMIN, DESA, FACILITATOR, IN, World, build_world

TODAY = dt.datetime(2027, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))
ROLES = (ADMIN, DESA, FACILITATOR)
# Named URLs that take no query parameters worth asking (they end the session or change the language).
SKIPPED = {"logout", "set_language"}

HOSTILE = {
    "text": "abc",
    "fraction": "1.5",
    "negative": "-1",
    "huge id": "99999999999999999999",
    "bad date": "2026-13-45",
    "bad month": "2026-00",
    "format attribute": "{seq.x}",
    "format index": "{seq[0]}",
    "percent": "%s%n%(x)s",
    "superscript digit": "\u00b2",
    "nul byte": "a\x00b",
    "long": "9" * 5000,
}

SOURCE = Path(__file__).resolve().parent.parent
# request.GET.get("name"), request.GET["name"], query_id(request, "name") (berdaya/lib/http.py).
READ = re.compile(r"""(?:request\.GET\.get(?:list)?\(|request\.GET\[|query_id\(request,)\s*["'](\w+)["']""")


def parameters_read_in_the_source() -> set[str]:
    names: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for match in READ.finditer(path.read_text(encoding="utf-8")):
            names.add(match.group(1))
    return names


class GetForms(HTMLParser):
    """The names of the fields of the page's GET forms (filters, searches, periods)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = (found.get("method") or "get").lower() == "get"
        elif self.inside and tag in ("input", "select", "textarea") and found.get("name"):
            self.names.add(str(found["name"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The scope matrix's world, built once for the module and rolled back at the end (see test_scope_matrix.py)."""
    requests_log = logging.getLogger("django.request")
    level = requests_log.level
    requests_log.setLevel(logging.CRITICAL)  # thousands of expected 400s and 404s; a 500 is what the test reports
    with (
        django_db_blocker.unblock(),
        time_machine.travel(TODAY, tick=False),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)
    requests_log.setLevel(level)


@pytest.fixture(scope="module")
def pages(world: World) -> list[tuple[str, str, set[str]]]:
    """(URL name, URL, parameter names) of every page a GET reaches, the in-scope record in its arguments."""
    read = parameters_read_in_the_source()
    found = []
    for name in url_names():
        if name in SKIPPED:
            continue
        spec = MATRIX[name]
        url = reverse(
            name, kwargs={arg: getattr(world.records[kind][IN], attr) for arg, (kind, attr) in spec.args.items()}
        )
        answer = ask(world, ADMIN, url)
        if answer.status == 405:  # a view that takes only POST
            continue
        forms = GetForms()
        forms.feed(answer.body)
        found.append((name, url, read | forms.names))
    return found


def test_the_source_reads_the_parameters_the_test_sends():
    assert {"cycle", "kube", "page", "q", "month"} <= parameters_read_in_the_source()


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_no_page_fails_on_a_hostile_query_parameter(db: None, world: World, pages: Any, value: str) -> None:
    failures = []
    for name, url, parameters in pages:
        query = urlencode(dict.fromkeys(sorted(parameters), value))
        for role in ROLES:
            answer = ask(world, role, f"{url}?{query}")
            if answer.status >= 500:
                failures.append(f"{name} as {role}: {answer.status} {answer.body[:300]}")

    assert not failures, f"{len(failures)} requests failed:\n" + "\n".join(failures)
