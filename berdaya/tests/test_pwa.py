"""The site-wide service worker (berdaya/pwa.py) and pages that keep a facilitator working without signal (the
browser side is in mentoring/tests/test_browser_offline.py)."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_service_worker_is_served_from_the_root_without_login(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"  # browsers must see a new version when one is deployed


def test_the_service_worker_keeps_the_caseload_and_visit_forms_and_nothing_from_the_registry(client):
    script = client.get("/sw.js").content.decode()

    (kept,) = [line for line in script.splitlines() if line.startswith("const KEPT = ")]
    patterns = kept.removeprefix("const KEPT = [").removesuffix("];").split(", ")
    assert patterns == [
        'new RegExp("^/mentoring/$")',
        *(
            f'new RegExp("^/mentoring/groups/\\u005Cd+/{form}/new/$")'
            for form in ("visits", "meetings", "problems", "environment")
        ),
        'new RegExp("^/monitoring/monev/$")',
        'new RegExp("^/monitoring/monev/groups/\\u005Cd+/new/$")',
    ]


def test_the_service_worker_names_the_static_files_it_keeps(client):
    script = client.get("/sw.js").content.decode()

    assert "/static/berdaya/outbox.js" in script
    assert "/static/berdaya/berdaya.css" in script


def test_the_no_signal_page_needs_no_login(client):
    response = client.get(reverse("offline"))

    assert response.status_code == 200
    assert reverse("mentoring:caseload") in response.content.decode()


@pytest.mark.parametrize(("language", "heading"), [("id", "Tidak ada sinyal"), ("en", "No signal")])
def test_the_no_signal_page_speaks_the_users_language(client, settings, language, heading):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    page = client.get(reverse("offline")).content.decode()

    assert f'<html lang="{language}">' in page
    assert f"<h1>{heading}</h1>" in page


def test_a_facilitators_pages_carry_the_outbox(client, users):
    client.force_login(users["facilitator"])

    page = client.get(reverse("mentoring:caseload")).content.decode()

    assert 'id="outbox"' in page
    assert '<meta name="berdaya-user" content="facilitator">' in page


def test_the_dinas_officers_who_make_monev_visits_carry_the_outbox(client, users):
    client.force_login(users["officer"])

    assert 'id="outbox"' in client.get(reverse("monitoring:monev-due")).content.decode()


@pytest.mark.parametrize("username", ["monitor", "desa_a"])
def test_office_users_pages_do_not_register_the_service_worker(client, users, username):
    client.force_login(users[username])

    page = client.get(reverse("dashboard")).content.decode()

    assert "outbox.js" not in page


def test_a_facilitators_phone_can_put_berdaya_on_its_home_screen(client, users):
    client.force_login(users["facilitator"])
    page = client.get(reverse("mentoring:caseload")).content.decode()
    (href,) = re.findall(r'<link rel="manifest" href="([^"]+)"', page)

    manifest = json.loads(b"".join(client.get(href).streaming_content))

    assert (manifest["start_url"], manifest["display"]) == (reverse("mentoring:caseload"), "standalone")
    for icon in manifest["icons"]:
        assert finders.find(f"berdaya/{icon['src']}"), icon
