"""A nomination's change history reads in the reader's language: steps, field names, moments in WITA, file names."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation

from berdaya.lib.history import record_history
from berdaya.targeting.tests.test_workflow import submitted

pytestmark = pytest.mark.django_db


def history_section(html: str) -> str:
    match = re.search(r'<section class="card" id="history">.*?</section>', html, re.S)
    assert match, "the page has no history"
    return match.group(0)


def test_an_indonesian_page_names_the_step_not_its_english_tag(client, village_list, users):
    nominee = submitted(village_list, users, 1)[0]
    client.force_login(users["officer"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "id"

    history = history_section(client.get(nominee.get_absolute_url()).text)

    assert "(Diajukan)" in history
    assert "(submit)" not in history


def test_the_submission_moment_is_shown_in_wita_to_the_minute(village_list, users):
    submitted(village_list, users, 1)  # at 1 March 2027 10:00 WITA (02:00 UTC), the tests' today

    with translation.override("id"):
        changes = {c.new for entry in record_history(village_list) for c in entry.changes}

    assert "1 Mar 2027 10:00" in changes
    assert not any("+00:00" in value or "02:00" in value for value in changes)


def test_an_attached_file_is_shown_by_its_name_not_its_path(village_list, users):
    submitted(village_list, users, 1)

    changes = {c.new for entry in record_history(village_list) for c in entry.changes}

    names = [value for value in changes if value.endswith(".pdf")]
    assert names
    assert all("/" not in name for name in names)
