"""Texts kept for later: shown in the reader's language, written in the office's."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from berdaya.lib.stored_text import in_office_language, keep, show

# A message both catalogues hold.
CALL = "Call for KUBE nominations: %(cycle)s"


def test_a_kept_message_is_shown_in_the_readers_language():
    kept = keep(CALL, cycle="KUBE 2027")

    with translation.override("id"):
        indonesian = show(kept)
    with translation.override("en"):
        english = show(kept)

    assert (indonesian, english) == ("Undangan pengusulan KUBE: KUBE 2027", "Call for KUBE nominations: KUBE 2027")


def test_values_are_kept_as_text():
    assert keep(CALL, cycle=2027)["params"] == {"cycle": "2027"}


def test_nothing_kept_shows_nothing():
    assert show({}) == ""


def test_a_translation_naming_other_values_falls_back_to_the_message_as_written(monkeypatch):
    monkeypatch.setattr("berdaya.lib.stored_text.gettext", lambda text: "Undangan: %(siklus)s")

    assert show(keep(CALL, cycle="KUBE 2027")) == "Call for KUBE nominations: KUBE 2027"


def test_a_record_is_written_in_the_offices_language_whatever_the_user_chose():
    with translation.override("en"):
        assert in_office_language(CALL, cycle="KUBE 2027") == "Undangan pengusulan KUBE: KUBE 2027"


def test_a_date_kept_as_iso_text_is_shown_in_the_readers_style():
    kept = keep("%(deadline)s", deadline="2027-03-31")

    with translation.override("id"):
        assert show(kept) == "31 Mar 2027"


def test_a_record_kept_as_written_writes_its_date_in_the_offices_style():
    with translation.override("en"):
        written = in_office_language("%(date)s", date=dt.date(2027, 12, 3))

    assert written == "3 Des 2027"
