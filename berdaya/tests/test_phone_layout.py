"""Every page fits a cheap Android phone (360 × 740), as each of the six demo roles sees it.

Headless Chromium logs in as each demo account and follows every link inside Berdaya (one page per URL name, so
new pages are checked without listing them here). On every page: nothing is wider than the screen, the header
and menu leave most of the first screen to the page, at most one menu item is marked as the current one, and the
Content-Security-Policy refuses nothing (no inline script or style, no handler, nothing from elsewhere).
The demo is built once for the module; the crawl runs once and the tests below read what it measured. On a phone
tables become cards whose cells name their column (berdaya.css, tables.js), also after htmx replaces the rows.

Set BERDAYA_PHONE_SHOTS to a folder to keep a screenshot of every page walked (to look at, not asserted).
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django.urls import Resolver404, resolve, reverse

from berdaya.accounts.tests.factories import PASSWORD as USERS_PASSWORD
from berdaya.tests.paser import build_paser_demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["admin", "dinas", "camat.tanahgrogot", "desa.tanahperiuk", "pendamping1", "pemantau"]
PASSWORD = "berdaya-demo"
PHONE = {"width": 360, "height": 740}
HEADER_SHARE = 0.25  # of the first screen's height
PER_URL_NAME = 1  # the check is about templates, not records
SHOT = 1200  # px of page per screenshot
# The API's docs are Swagger UI's page, for a desk (tests/test_browser_csp.py opens them).
NOT_PAGES = {"logout", "set_language", "api:openapi-view", "api:openapi-json"}
DOWNLOADS = (".pdf", ".xlsx", ".csv")

MEASURE = """() => {
  const viewport = window.innerWidth;
  const header = document.querySelector("body > header");
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.id) name += "#" + el.id;
    if (el.classList.length) name += "." + [...el.classList].join(".");
    return name + " (" + Math.round(el.getBoundingClientRect().right) + " px)";
  };
  // The innermost elements that stick out on the right: the ones to fix.
  const wide = [...document.body.querySelectorAll("*")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > viewport + 1 && ![...el.children].some(
      (child) => child.getBoundingClientRect().right > viewport + 1);
  });
  return {
    width: document.documentElement.scrollWidth,
    viewport: viewport,
    header: header ? Math.round(header.getBoundingClientRect().bottom) : 0,
    current: document.querySelectorAll("body > header nav [aria-current]").length,
    wide: wide.slice(0, 3).map(describe),
    refused: window.__refused || [],
  };
}"""


# What the Content-Security-Policy refused on the page (the browser fires one event per refusal).
RECORD_REFUSALS = """
window.__refused = [];
document.addEventListener("securitypolicyviolation", (e) => window.__refused.push(
  `${e.effectiveDirective} refused ${e.blockedURI || "inline"} (${e.sourceFile || "page"}:${e.lineNumber}) ${e.sample}`));
"""


@dataclass
class Walked:
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # "role url" -> what MEASURE returned
    names: Counter[str] = field(default_factory=Counter)


def url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def crawl(context: Any, username: str, walked: Walked, shots: Path | None) -> None:
    from playwright.sync_api import Error as PlaywrightError

    page = context.new_page()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    seen: set[str] = set()
    per_name: Counter[str] = Counter()
    queue = ["/"]
    while queue:
        path = queue.pop(0)
        if path in seen or path.endswith(DOWNLOADS):
            continue
        seen.add(path)
        name = url_name(path)
        if name is None or name in NOT_PAGES or per_name[name] >= PER_URL_NAME:
            continue
        per_name[name] += 1
        try:
            response = page.goto(path)
        except PlaywrightError as error:
            if "Download is starting" in error.message:  # a file without a file's suffix (uploaded documents)
                continue
            raise
        if response is None or not response.headers.get("content-type", "").startswith("text/html"):
            continue
        walked.names[name] += 1
        walked.pages[f"{username} {path}"] = page.evaluate(MEASURE)
        if shots is not None:
            height = page.evaluate("document.documentElement.scrollHeight")
            for part, top in enumerate(range(0, min(height, 4 * SHOT), SHOT)):
                clip = {"x": 0, "y": top, "width": PHONE["width"], "height": min(SHOT, height - top)}
                page.screenshot(
                    path=str(shots / f"{username}-{name.replace(':', '-')}-{part}.png"), clip=clip, full_page=True
                )
        for href in page.eval_on_selector_all("a[href]", "links => links.map((a) => a.getAttribute('href'))"):
            if href.startswith(("#", "mailto:", "tel:", "javascript:")):
                continue
            parts = urlsplit(urljoin(path, href))
            if parts.netloc or "/static/" in parts.path or "/media/" in parts.path:
                continue
            queue.append(parts.path)  # query strings (filters, pages) would multiply the walk without new pages
    page.close()


@pytest.fixture(scope="module")
def walked(
    django_db_setup: None, browser: Any, live_server: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[Walked]:
    folder = tmp_path_factory.mktemp("phone")
    shots = Path(os.environ["BERDAYA_PHONE_SHOTS"]) if os.environ.get("BERDAYA_PHONE_SHOTS") else None
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
    result = Walked()
    with override_settings(MEDIA_ROOT=folder / "media"), django_db_blocker.unblock():
        try:
            build_paser_demo(folder)
            for username in ROLES:
                # One context per role: its own cookies; no service worker, so every page comes from the server.
                context = browser.new_context(
                    base_url=live_server.url, locale="id-ID", viewport=PHONE, service_workers="block"
                )
                context.set_default_timeout(15_000)
                context.route("**/*.{png,jpg,jpeg,webp}", lambda route: route.abort())
                context.add_init_script(RECORD_REFUSALS)
                try:
                    crawl(context, username, result, shots)
                finally:
                    context.close()
            if shots is not None:
                (shots / "measured.json").write_text(json.dumps(result.pages, indent=1))
            yield result
        finally:
            # The demo was written outside any test's transaction: leave the database empty for the next tests.
            call_command("flush", interactive=False, verbosity=0)
            # Playwright's sync API runs in a greenlet, and Django's connections are per context: the one this
            # fixture used is not the one the test run closes, and PostgreSQL refuses to drop a database that a
            # session still holds.
            connections.close_all()


def test_the_walk_reaches_the_pages_of_every_role(walked):
    assert len(walked.pages) > 6 * 5, "the crawl found too few pages: did logging in fail?"


def test_rows_that_a_search_brings_keep_their_column_labels_on_a_phone(page, users):
    from playwright.sync_api import expect

    from berdaya.registry.tests.factories import PersonFactory

    PersonFactory(name="Siti Aminah", household__village=users["desa_a"].region)
    PersonFactory(name="Bambang Wijaya", household__village=users["desa_a"].region)
    page.set_viewport_size(PHONE)
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill("desa_a")
    page.locator("input[name=password]").fill(USERS_PASSWORD)
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(reverse("registry:person-list"))

    page.locator("input[name=q]").fill("Siti")  # htmx replaces the rows
    # Locator assertions, not wait_for_function: that evaluates a string in the page, which the policy refuses.
    expect(page.locator("#results tbody tr")).to_have_count(1)
    expect(page.locator("#results tbody td").first).to_have_attribute("data-label", re.compile(".+"), timeout=5_000)

    cells = page.locator("#results tbody td")
    assert cells.first.get_attribute("data-label") == "NIK"
    assert cells.nth(1).get_attribute("data-label") == "Nama"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def report(found: dict[str, str], total: int) -> str:
    return f"{len(found)} of {total} pages:\n" + "\n".join(f"  {key}: {what}" for key, what in sorted(found.items()))


def test_no_page_is_wider_than_a_phone(walked):
    too_wide = {
        key: f"{found['width']} px, sticking out: {', '.join(found['wide'])}"
        for key, found in walked.pages.items()
        if found["width"] > found["viewport"]
    }

    assert not too_wide, f"wider than {PHONE['width']} px: " + report(too_wide, len(walked.pages))


def test_the_header_and_menu_leave_the_first_screen_to_the_page(walked):
    limit = PHONE["height"] * HEADER_SHARE
    tall = {key: f"{found['header']} px" for key, found in walked.pages.items() if found["header"] > limit}

    assert not tall, f"header and menu lower than {limit:.0f} px: " + report(tall, len(walked.pages))


def test_the_content_security_policy_refuses_nothing_on_any_page(walked):
    refused = {key: "; ".join(found["refused"]) for key, found in walked.pages.items() if found["refused"]}

    assert not refused, "the Content-Security-Policy refused: " + report(refused, len(walked.pages))


def test_at_most_one_menu_item_is_current(walked):
    several = {key: f"{found['current']} items" for key, found in walked.pages.items() if found["current"] > 1}

    assert not several, "several menu items marked current: " + report(several, len(walked.pages))
