"""Walk every page of the demo as each role would, in Indonesian and in English, and read what each page says.

A crawler starts at the dashboard and follows every link inside Berdaya, so new pages are walked without listing
them here. Every page must answer 200 in the language asked for, and every app's pages must have been reached.

The demo is built and walked once for the module (it takes most of a minute); the tests then read the pages kept:

- an Indonesian page shows no English UI text: no message of the Indonesian catalogue in its English form (one of
  two words or more, or a status or choice label), and none of the known leaks (a history reason in its stored
  English form, a raw field name, "None", "True", a timestamp with microseconds or a UTC offset);
- an English page shows no Indonesian status or choice label (statuses, officer titles, roles, aid stages: every
  choice of every model whose Indonesian label differs from its English one).

Only what a reader sees is read: text outside <script> and <style>, and the attributes a browser shows (title,
placeholder, aria-label, a button's value). Each test reports every offence (page, text) in one failure.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve
from django.utils import translation

from berdaya import worklist
from berdaya.mentoring.models import MonthlyReport
from berdaya.tests.paser import build_paser_demo

# The walk's fixture builds its data in a transaction that it rolls back; the mark makes the test database exist.
pytestmark = pytest.mark.django_db

ROLES = ["admin", "dinas", "camat.tanahgrogot", "desa.tanahperiuk", "pendamping1"]
LANGUAGES = ["id", "en"]
PER_URL_NAME = 1  # pages of one kind to open per role and language: the walk is about templates, not records
APPS = ["accounts", "regions", "registry", "screening", "targeting", "groups", "mentoring", "training", "business"]
CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "id" / "LC_MESSAGES" / "django.po"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
                self.hrefs.append(href)


class VisibleText(HTMLParser):
    """The text a reader sees: text nodes outside <script>/<style>, and the attributes a browser shows."""

    SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
    HIDDEN = {"script", "style", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
            return
        named = dict(attrs)
        for name in self.SHOWN_ATTRIBUTES:
            if named.get(name):
                self.parts.append(str(named[name]))
        if tag == "input" and named.get("type") in ("submit", "button") and named.get("value"):
            self.parts.append(str(named["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.parts.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return " \n ".join(" ".join(part.split()) for part in parser.parts)


@dataclass(frozen=True)
class Page:
    language: str
    username: str
    path: str
    text: str  # visible text only

    def without(self, user_data: list[str]) -> Page:
        """The page with the texts people typed (names, notes, descriptions) taken out: those are no UI text."""
        text = self.text
        for typed in user_data:
            if typed in text:
                text = text.replace(typed, " ¦ ")
        return Page(self.language, self.username, self.path, text)


def walk(client: Client, language: str, username: str, pages: list[Page]) -> Counter[str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    seen: set[str] = set()
    per_name: Counter[str] = Counter()
    queue = ["/"]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            pytest.fail(f"a link points at {path}, which is no page")
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if per_name[name] >= PER_URL_NAME or name.startswith("api:"):
            continue  # the API's docs are Swagger UI's page, not ours (tests/test_browser_csp.py opens them)
        per_name[name] += 1
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code} to {username} in {language}"
        if response.streaming:
            # A download: read it to the end, as a browser would; that closes its file. Calling close() directly
            # would fire request_finished and close the database connection in the middle of the walk.
            b"".join(response.streaming_content)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, f"{path} is not in {language}"
        pages.append(Page(language, username, path, VisibleText.of(html)))
        parser = Links()
        parser.feed(html)
        for href in parser.hrefs:
            target = urljoin(path, href)
            parts = urlsplit(target)
            if parts.netloc or "/static/" in parts.path or "/media/" in parts.path:
                continue
            queue.append(parts.path)  # query strings (filters, pages) would multiply the walk without new pages
    return per_name


# Text fields that hold what the system wrote (a message to translate, a stored reason or status), not what people
# typed: a leak there must be found, so they are not taken out of the pages.
SYSTEM_TEXT = {
    "targeting.Flag": {"message"},
    "targeting.Transition": {"from_status", "to_status", "reason"},
    "targeting.Notification": {"subject", "body", "url"},
    "screening.MatchCandidate": {"reason"},
    "screening.ScreeningRun": {"trigger", "error"},
}


def _user_data() -> list[str]:
    """Every text people typed or imported: the values of Berdaya's text fields that have no choices (history rows
    and SYSTEM_TEXT aside), longest first."""
    typed: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("berdaya") or model.__name__.startswith("Historical"):
            continue
        system = SYSTEM_TEXT.get(model._meta.label, set())
        names = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and not f.choices
            and not f.is_relation
            and f.name not in system
        ]
        for name in names:
            for value in model._default_manager.values_list(name, flat=True).distinct():
                if value and len(value.strip()) > 2:
                    typed.add(" ".join(value.split()))
    return sorted(typed, key=len, reverse=True)


@dataclass
class Walked:
    reached: Counter[str]
    pages: list[Page]
    # What waits for each demo account ("My tasks"): kind -> count.
    tasks: dict[str, dict[str, int]]

    def in_language(self, language: str) -> list[Page]:
        return [page for page in self.pages if page.language == language]


@pytest.fixture(scope="module")
def walked(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walked]:
    """The demo built once, every role's walk in both languages, then everything rolled back as a test's would be."""
    from berdaya.accounts.models import User

    tmp = tmp_path_factory.mktemp("walk")
    reached: Counter[str] = Counter()
    pages: list[Page] = []
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp / "media"), transaction.atomic():
        build_paser_demo(tmp)
        client = Client()
        for language in LANGUAGES:
            for username in ROLES:
                client.force_login(User.objects.get(username=username))
                reached += walk(client, language, username, pages)
                client.logout()
        user_data = _user_data()
        tasks = {
            user.username: {item.kind: item.count for item in worklist.gather(user)}
            for user in User.objects.filter(username__in=[*ROLES, "pemantau"])
        }
        transaction.set_rollback(True)
    translation.activate(settings.LANGUAGE_CODE)
    if os.environ.get("BERDAYA_WALK_DUMP"):  # to read what the tests read: one text file per page
        dump = Path(os.environ["BERDAYA_WALK_DUMP"])
        for page in pages:
            name = f"{page.language}_{page.username}_{page.path.strip('/').replace('/', '_') or 'home'}.txt"
            (dump / name).write_text(page.text, encoding="utf-8")
    yield Walked(reached, [page.without(user_data) for page in pages], tasks)


def test_the_demo_leaves_work_at_each_desk(walked):
    # The demo leaves nominees at each Dinas step, duplicates to review and lists submitted to the kecamatan.
    for desk in ("dinas", "admin"):
        assert {"targeting.verify", "targeting.decide", "screening.review"} <= set(walked.tasks[desk]), desk
    assert walked.tasks["camat.tanahgrogot"]["targeting.endorse"] > 0
    assert walked.tasks["pemantau"] == {}
    # Tanah Periuk's list is endorsed in the demo (it shows the list's whole way to the decree): nothing waits for
    # its operator in targeting (the walk has opened its tasks page in both languages).
    assert not any(kind.startswith("targeting.") for kind in walked.tasks["desa.tanahperiuk"])
    assert {"tasks"} <= set(walked.reached)


def test_every_app_is_reached_by_following_links(walked):
    apps_reached = {name.split(":", 1)[0] for name in walked.reached if ":" in name}

    assert set(APPS) - apps_reached == set(), "apps whose pages no role reached by following links"


# --- English on Indonesian pages ------------------------------------------------------------------------------------

# Words an Indonesian page may share with English, each with its reason. A message of the catalogue whose English
# form is one of these (whatever its case) is not looked for.
SHARED_WORDS = {
    "status": "Indonesian uses the English word (Status)",
    "kube": "the programme's name (Kelompok Usaha Bersama)",
    "nik": "the national identity number's Indonesian abbreviation",
    "email": "Indonesian uses the English word",
    "e-mail": "Indonesian uses the English word",
    "login": "Indonesian uses the English word",
    "berdaya": "the system's name",
    "whatsapp": "a brand",
    "pdf": "a file format",
    "xlsx": "a file format",
    "csv": "a file format",
    "excel": "a brand",
    "dtsen": "the national social register's name",
    "sk": "Surat Keputusan, the decree's Indonesian abbreviation",
    "iks": "the welfare index's Indonesian abbreviation",
    "ok": "shared",
    "total": "Indonesian uses the same word",
    "admin": "Indonesian uses the same word",
    "online": "Indonesian uses the English word",
    "offline": "Indonesian uses the English word",
    "gps": "shared abbreviation",
}
# Leaks that are no message of the catalogue: what the code wrote by itself.
KNOWN_LEAKS: dict[str, re.Pattern[str]] = {
    "a history reason as stored": re.compile(
        r"\((?:submit|endorse|verify|approve|reject|return|add|override|opened|removed|escalated|resolved)\)"
    ),
    "a field's English name": re.compile(
        r"\b(?:submitted|reviewed|created|closed|entered|added|paid|updated) (?:at|by)\b", re.IGNORECASE
    ),
    "a raw field name": re.compile(r"\b[a-z]+_(?:at|by|id|on|date|code|type|status)\b"),
    "Python's None/True/False": re.compile(r"\b(?:None|True|False)\b"),
    "a timestamp with microseconds": re.compile(r"\d{2}:\d{2}:\d{2}\.\d{3,6}"),
    "a UTC offset": re.compile(r"[+-]\d{2}:\d{2}\b(?!\d)"),
    "an ISO timestamp": re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}"),
    "an ISO date": re.compile(r"(?<![\d.-])\d{4}-\d{2}-\d{2}(?![\d-])"),
}
_PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdif]|\{\w*\}|%%")
_WORD = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")


def _choice_labels(language: str) -> set[str]:
    """Every model choice's label, in `language`."""
    labels: set[str] = set()
    with translation.override(language):
        for model in apps.get_models():
            for model_field in model._meta.get_fields():
                for _value, label in getattr(model_field, "flatchoices", None) or []:
                    labels.add(str(label))
    return labels


def _english_needles() -> dict[str, str]:
    """The English texts an Indonesian page must not show, each with the message it comes from.

    For each message of the Indonesian catalogue: each run of its text between placeholders that has two words or
    more and that its translation does not contain; a message of one word only when it is a choice label. A message
    the catalogue has not translated yet (empty or fuzzy) is looked for too, its offence marked "missing translation
    only": translating it fixes it.
    """
    labels = _choice_labels("en")
    needles: dict[str, str] = {}
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or not entry.msgid or entry.msgid_plural:
            continue
        missing = not entry.msgstr or "fuzzy" in entry.flags
        translated = "" if missing else entry.msgstr
        if translated.strip() == entry.msgid.strip():
            continue
        for run in _PLACEHOLDER.split(entry.msgid):
            run = " ".join(run.split()).strip(" .,:;·—-–()[]\"'")
            words = _WORD.findall(run)
            if not words or run.casefold() in SHARED_WORDS or (translated and run in translated):
                continue
            if len(words) >= 2 or (entry.msgid == run and run in labels and len(run) > 2):
                source = f"message {entry.msgid!r}" + (", missing translation only" if missing else "")
                needles.setdefault(run, source)
    return needles


def _find(needles: dict[str, str], text: str, *, case_sensitive: bool = False) -> list[str]:
    found = []
    flags = 0 if case_sensitive else re.IGNORECASE
    for needle in needles:
        if needle.casefold() not in text.casefold():  # cheap test first
            continue
        if re.search(rf"(?<![\w-]){re.escape(needle)}(?![\w-])", text, flags):
            found.append(needle)
    return found


def test_no_english_on_indonesian_pages(walked):
    needles = _english_needles()
    offences = []
    for page in walked.in_language("id"):
        for needle in _find(needles, page.text):
            offences.append(f"{page.username} {page.path}: {needle!r} ({needles[needle]})")
        for what, pattern in KNOWN_LEAKS.items():
            for match in pattern.finditer(page.text):
                offences.append(f"{page.username} {page.path}: {match.group(0)!r} ({what})")

    assert offences == [], "English on Indonesian pages:\n" + "\n".join(sorted(set(offences)))


# --- Indonesian on English pages ------------------------------------------------------------------------------------


def _indonesian_labels() -> dict[str, str]:
    """Every model choice's Indonesian label that differs from its English one (statuses, officer titles, roles,
    aid stages...), with the English label."""
    labels: dict[str, str] = {}
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            for _value, label in getattr(model_field, "flatchoices", None) or []:
                with translation.override("id"):
                    indonesian = str(label)
                with translation.override("en"):
                    english = str(label)
                if indonesian != english and indonesian.casefold() not in SHARED_WORDS and len(indonesian) > 2:
                    labels.setdefault(indonesian, english)
    # An Indonesian label that is also another choice's English label (or contains it whole) is no evidence.
    english_labels = {english.casefold() for english in _choice_labels("en")}
    return {ind: eng for ind, eng in labels.items() if ind.casefold() not in english_labels}


def test_no_indonesian_label_on_english_pages(walked):
    labels = _indonesian_labels()
    offences = []
    for page in walked.in_language("en"):
        for label in _find(labels, page.text, case_sensitive=True):
            offences.append(f"{page.username} {page.path}: {label!r} (in English {labels[label]!r})")
        for what, pattern in KNOWN_LEAKS.items():
            if what == "a field's English name":
                continue
            for match in pattern.finditer(page.text):
                offences.append(f"{page.username} {page.path}: {match.group(0)!r} ({what})")

    assert offences == [], "Indonesian or raw values on English pages:\n" + "\n".join(sorted(set(offences)))


def test_the_detectors_find_what_they_look_for():
    """The walk's tests are only as good as their detectors: a page with known leaks is caught."""
    needles, labels = _english_needles(), _indonesian_labels()
    with translation.override("id"):
        submitted = str(MonthlyReport.Status.SUBMITTED.label)

    assert {"Change history", "Submitted"} <= set(_find(needles, "Change history \n Submitted \n Riwayat perubahan"))
    assert KNOWN_LEAKS["a history reason as stored"].search("diubah (submit)")
    assert KNOWN_LEAKS["a timestamp with microseconds"].search("2026-11-20 03:14:15.123456+00:00")
    assert KNOWN_LEAKS["a UTC offset"].search("03:14:15+00:00")
    assert _find(labels, f"Status: {submitted}", case_sensitive=True) == [submitted]
