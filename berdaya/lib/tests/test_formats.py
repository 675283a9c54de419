"""Numbers, Rupiah, dates and times as the reader's language writes them, times in the office's zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines
from django.utils import translation

from berdaya.lib import formats

# 1 Dec 2026 23:05:59.123456 UTC is 2 Dec 2026 07:05 in Paser (WITA, UTC+8).
MOMENT = dt.datetime(2026, 12, 1, 23, 5, 59, 123456, tzinfo=dt.UTC)


def render(text: str, **context: object) -> str:
    return engines["django"].from_string(text).render(context)


@pytest.mark.parametrize(("language", "shown"), [("id", "Rp 2.000.000.000"), ("en", "Rp 2,000,000,000")])
def test_rupiah_groups_digits_as_the_language_does(language, shown):
    with translation.override(language):
        assert formats.rupiah(2_000_000_000) == shown
        assert render("{{ amount|rupiah }}", amount=2_000_000_000) == shown


@pytest.mark.parametrize(("language", "shown"), [("id", "1.234.567"), ("en", "1,234,567")])
def test_a_number_is_grouped_by_thousands(language, shown):
    with translation.override(language):
        assert render("{{ count|number }}", count=1_234_567) == shown


@pytest.mark.parametrize(("language", "shown"), [("id", "3 Des 2026"), ("en", "3 Dec 2026")])
def test_a_date_has_one_readable_style(language, shown):
    with translation.override(language):
        assert render("{{ day|day }}", day=dt.date(2026, 12, 3)) == shown


@pytest.mark.parametrize(("language", "shown"), [("id", "2 Des 2026 07:05"), ("en", "2 Dec 2026 07:05")])
def test_a_moment_is_shown_in_the_offices_zone_to_the_minute(settings, language, shown):
    settings.TIME_ZONE = "Asia/Makassar"

    with translation.override(language):
        assert render("{{ moment|day_time }}", moment=MOMENT) == shown
        assert formats.day_time(MOMENT) == shown


def test_a_moments_day_is_its_day_in_the_office():
    with translation.override("id"):
        assert formats.day(MOMENT) == "2 Des 2026"


@pytest.mark.parametrize(("language", "shown"), [("id", "Des 2026"), ("en", "Dec 2026")])
def test_a_month_is_named(language, shown):
    with translation.override(language):
        assert render("{{ month|month }}", month=dt.date(2026, 12, 1)) == shown


def test_nothing_shows_as_the_default():
    assert render('{{ amount|rupiah|default:"—" }} {{ day|day|default:"—" }}', amount=None, day=None) == "— —"


def test_a_messages_whole_numbers_are_grouped_when_shown():
    with translation.override("id"):
        assert formats.grouped({"amount": 2_000_000, "name": "Mawar", "yes": True}) == {
            "amount": "2.000.000",
            "name": "Mawar",
            "yes": True,
        }
