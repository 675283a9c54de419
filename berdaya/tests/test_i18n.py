"""Every page renders in Indonesian and English, and both catalogues are complete."""

from __future__ import annotations

import polib
import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from berdaya.lib import i18n_check

# Pages that need a record: how to build their URL from the `users` fixture and a region.
SAMPLE_ARGS = {
    "regions:region-detail": lambda users: ["64.01.04"],
    "accounts:user-detail": lambda users: [users["desa_a"].pk],
    "accounts:user-edit": lambda users: [users["desa_a"].pk],
    "accounts:user-password": lambda users: [users["desa_a"].pk],
    "accounts:user-tokens": lambda users: [_service_account(users).pk],
}


def _service_account(users):
    from berdaya.accounts.tests.factories import UserFactory

    return UserFactory(username="dasbor", role="monitor", region=users["admin"].region, is_service_account=True)


# URL names that are not pages: POST-only actions, downloads, the language switch and the login/logout flow, the
# service worker's script and its no-signal page (a page without the menu; tests/test_pwa.py).
NOT_PAGES = {"logout", "set_language", "login", "password_change_done", "service-worker", "offline"}
NOT_PAGES_SUFFIXES = ("-export",)


def all_url_names() -> list[str]:
    names: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


# The foundation's pages, each by name; test_walk.py crawls every app's pages in both languages from the demo.
FOUNDATION = ("accounts:", "regions:")
PAGES = [
    name
    for name in all_url_names()
    if name not in NOT_PAGES
    and not name.endswith(NOT_PAGES_SUFFIXES)
    and (":" not in name or name.startswith(FOUNDATION))
    and name not in ("accounts:user-unlock", "accounts:token-revoke")
]
LOG_OUT = {"id": "Keluar", "en": "Log out"}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("url_name", PAGES)
def test_every_page_renders_in_both_languages(client, users, url_name, language):
    client.force_login(users["admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    args = SAMPLE_ARGS[url_name](users) if url_name in SAMPLE_ARGS else []

    response = client.get(reverse(url_name, args=args))

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert LOG_OUT[language] in response.text


def test_the_login_page_switches_to_english(client, db):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)

    assert "Log in to Berdaya" in response.text


def test_both_catalogues_are_complete_and_compiled():
    # `make check` also extracts the strings from the source to find any missing from the catalogues.
    assert i18n_check.check(extract=False) == []


def test_indonesian_is_the_default_even_for_an_english_browser(client, db):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="id">' in response.text


@pytest.mark.parametrize(
    ("msgid", "msgstr", "flag", "wrong"),
    [
        ("NIK %(nik)s is not known.", "NIK %(nik)s tidak dikenal.", "python-format", False),
        ("NIK %(nik)s is not known.", "NIK %(niks)s tidak dikenal.", "python-format", True),
        ("NIK %(nik)s is not known.", "NIK tidak dikenal.", "python-format", True),
        ("same name '{}'", "nama sama '{}'", "python-brace-format", False),
        ("same name '{}'", "nama sama '{}' '{}'", "python-brace-format", True),
    ],
)
def test_a_translation_must_name_the_values_of_its_message(msgid, msgstr, flag, wrong):
    po = polib.POFile()
    po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=[flag]))

    assert bool(i18n_check.problems_in(po, "id")) is wrong
