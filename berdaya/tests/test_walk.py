"""Walk every page of the demo as each role would, in Indonesian and in English.

A crawler starts at the dashboard and follows every link inside Berdaya, so new pages are walked without listing
them here. Every page must answer 200 in the language asked for, and every app's pages must have been reached.
"""

from __future__ import annotations

import csv
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import Resolver404, resolve

from berdaya.regions.services import WILAYAH_CSV, load_regions

ROLES = ["admin", "desa.tanahperiuk", "pendamping1"]
PER_URL_NAME = 1  # pages of one kind to open per role and language: the walk is about templates, not records
APPS = ["accounts", "regions", "registry", "screening", "targeting", "groups", "mentoring", "training", "business"]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href and not href.startswith(("#", "mailto:", "tel:", "javascript:")):
                self.hrefs.append(href)


@pytest.fixture
def demo(db, tmp_path, settings):
    """Kabupaten Paser's regions only (not all 91,599) and the demo scenario on top."""
    paser = tmp_path / "paser.csv"
    with WILAYAH_CSV.open(encoding="utf-8") as source, paser.open("w", encoding="utf-8", newline="") as target:
        rows = csv.DictReader(source)
        out = csv.DictWriter(target, fieldnames=["code", "name", "level"])
        out.writeheader()
        out.writerows(r for r in rows if r["code"] == "64" or r["code"] == "64.01" or r["code"].startswith("64.01."))
    settings.MEDIA_ROOT = tmp_path / "media"
    load_regions(path=paser)
    call_command("demo", "--seed", "11", verbosity=0)


def walk(client, language: str) -> Counter[str]:
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
        if per_name[name] >= PER_URL_NAME:
            continue
        per_name[name] += 1
        response = client.get(path)
        assert response.status_code == 200, f"{path} answered {response.status_code}"
        if response.streaming:
            # A download: read it to the end, as a browser would; that closes its file. Calling close() directly
            # would fire request_finished and close the database connection in the middle of the test.
            b"".join(response.streaming_content)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        assert f'<html lang="{language}">' in html, f"{path} is not in {language}"
        parser = Links()
        parser.feed(html)
        for href in parser.hrefs:
            target = urljoin(path, href)
            parts = urlsplit(target)
            if parts.netloc or "/static/" in parts.path or "/media/" in parts.path:
                continue
            queue.append(parts.path)  # query strings (filters, pages) would multiply the walk without new pages
    return per_name


def test_every_page_reachable_by_each_role_renders_in_both_languages(client, demo):
    from berdaya.accounts.models import User

    reached: Counter[str] = Counter()
    for language in ["id", "en"]:
        for username in ROLES:
            client.force_login(User.objects.get(username=username))
            reached += walk(client, language)
            client.logout()

    apps_reached = {name.split(":", 1)[0] for name in reached if ":" in name}
    assert set(APPS) - apps_reached == set(), "apps whose pages no role reached by following links"
