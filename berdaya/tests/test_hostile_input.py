"""No 5xx on bad input: every named URL, asked with hostile values in its query string, answers below 500.

Generated like the scope matrix (berdaya/tests/scope_matrix.py): every named URL of the URLconf, filled with the
world's in-scope record, is asked as the Dinas admin and a facilitator with every query parameter a view reads
(found in the source: `request.GET.get("name")`, and the fields of the GET forms the page shows) set to one
hostile value at a time: text where a number is expected, a fraction, a negative number, an id
beyond any database key, an impossible date, a format string, a non-ASCII digit, a NUL byte, a very long value.
A view may ignore the value, refuse it (400, 404) or say what is wrong; it may not fail.

The same values are then posted to every form those pages show the two roles (each field typed or hidden set to
the value, a submit button's own value kept so that its branch of the view runs): a form's clean and a view that
reads the POST by hand must answer with a message too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from django.urls import Resolver404, resolve, reverse

from .scope_matrix import MATRIX, ask, url_names
from .scope_world import ADMIN, FACILITATOR, IN, World, rolled_back_world

ROLES = (ADMIN, FACILITATOR)  # a village operator reads the same parameters; only its scope differs
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


FIELDS = ("input", "select", "textarea", "button")


class PostForms(HTMLParser):
    """The page's POST forms: where each posts, and its fields (name -> the value to post, None for "hostile")."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.current: dict[str, str | None] | None = None
        self.forms: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            if (found.get("method") or "get").lower() == "post":
                self.current = {}
                self.forms.append((urljoin(self.url, found.get("action") or self.url), self.current))
            else:
                self.current = None
            return
        name = found.get("name")
        if self.current is None or not name or name == "csrfmiddlewaretoken" or tag not in FIELDS:
            return
        if tag == "button" or found.get("type") == "submit":
            self.current.setdefault(name, found.get("value") or "")
        else:
            self.current[name] = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The scope matrix's world, built once for the module and rolled back at the end."""
    with rolled_back_world(django_db_blocker, tmp_path_factory.mktemp("media")) as world:
        yield world


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


@pytest.fixture(scope="module")
def post_forms(world: World, pages: Any) -> list[tuple[str, str, dict[str, str | None]]]:
    """(role, URL, fields) of every POST form the pages show the roles, each form once per role."""
    found: dict[tuple[str, str], dict[str, str | None]] = {}
    for _name, url, _parameters in pages:
        for role in ROLES:
            answer = ask(world, role, url)
            if answer.status != 200:
                continue
            forms = PostForms(url)
            forms.feed(answer.body)
            for action, fields in forms.forms:
                try:
                    target = resolve(urlsplit(action).path)
                except Resolver404:
                    continue
                if target.view_name not in SKIPPED:
                    found.setdefault((role, action), fields)
    return [(role, action, fields) for (role, action), fields in found.items()]


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


def test_the_forms_found_include_the_common_ones(post_forms: Any) -> None:
    actions = {urlsplit(action).path for _role, action, _fields in post_forms}

    assert any(path.endswith("/visits/new/") for path in actions)
    assert len(actions) > 30, "too few forms found: did the pages answer?"


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
def test_no_form_fails_on_a_hostile_value(db: None, world: World, post_forms: Any, value: str) -> None:
    failures = []
    for role, action, fields in post_forms:
        data = {name: value if declared is None else declared for name, declared in fields.items()}
        answer = ask(world, role, action, data, post=True)
        if answer.status >= 500:
            failures.append(f"{action} as {role}: {answer.status} {answer.body[:300]}")

    assert not failures, f"{len(failures)} posts failed:\n" + "\n".join(failures)


def test_a_nul_character_in_the_query_string_is_a_bad_request(client, users):
    client.force_login(users["admin"])

    response = client.get(reverse("registry:person-list"), {"q": "Siti\x00"})

    assert response.status_code == 400
