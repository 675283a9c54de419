"""The engine's reasons (written in English) shown in the reader's language, part by part."""

from __future__ import annotations

import pytest
from django.utils import translation

from berdaya.screening.engine.pipeline import REASON_PHRASES, REASON_SEPARATOR, dedupe
from berdaya.screening.engine.records import read_people
from berdaya.screening.reasons import _patterns, translated_reason

from .test_engine import TODAY, background, write

REASON = (
    "NIK differs by one transposition; 'Moh. Sukarno' ≈ 'Muhammad Soekarno' (same name after normalising); "
    "same birth date; same village"
)


def test_a_reason_reads_in_indonesian():
    with translation.override("id"):
        assert translated_reason(REASON) == (
            "NIK berbeda karena dua digit tertukar; 'Moh. Sukarno' ≈ 'Muhammad Soekarno' (nama sama setelah ejaan "
            "diseragamkan); tanggal lahir sama; desa sama"
        )


def test_a_reason_reads_as_written_in_english():
    with translation.override("en"):
        assert translated_reason(REASON) == REASON


def test_names_with_brackets_keep_their_place_in_a_similarity():
    with translation.override("id"):
        assert translated_reason("'Siti (Ani)' ~ 'Siti Aminah' (name similarity 0.81)") == (
            "'Siti (Ani)' ~ 'Siti Aminah' (kemiripan nama 0.81)"
        )


def test_a_part_the_engine_does_not_write_is_shown_as_it_is():
    with translation.override("id"):
        assert translated_reason("same NIK; checked by hand") == "NIK sama; checked by hand"


@pytest.mark.parametrize("phrase", sorted(REASON_PHRASES))
def test_every_phrase_of_the_engine_has_its_indonesian(phrase):
    with translation.override("id"):
        assert translated_reason(phrase) != phrase


def test_every_part_of_the_engines_own_reasons_is_translated(tmp_path):
    people = read_people(write(tmp_path / "people.csv", background(400)), today=TODAY)
    reasons = set(dedupe(people).reasons)

    with translation.override("id"):
        shown = [translated_reason(reason) for reason in reasons]

    parts = {part for text in shown for part in text.split(REASON_SEPARATOR)}
    assert len(reasons) > 1
    assert not parts & REASON_PHRASES
    assert not [part for part in parts for _, english in _patterns() if english.match(part)]


def test_a_translation_whose_placeholders_do_not_fit_leaves_the_english(monkeypatch):
    monkeypatch.setattr("berdaya.screening.reasons.gettext", lambda text: "{} {} {} {}")

    assert translated_reason("same name 'Siti'") == "same name 'Siti'"
