from __future__ import annotations

import unicodedata

import pytest
from django.core.exceptions import ValidationError

from berdaya.lib.text import NameField, clean_name, name_is_clean


@pytest.mark.parametrize(
    "hidden",
    ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f"]
    + ["\u061c", "\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"],
)
def test_bidi_and_zero_width_characters_are_removed_from_a_name(hidden):
    assert clean_name(f"Si{hidden}ti Aminah") == "Siti Aminah"


def test_a_right_to_left_override_cannot_disguise_a_name():
    assert clean_name("\u202eharunA itiS") == "harunA itiS"


def test_a_decomposed_name_is_stored_composed():
    decomposed = unicodedata.normalize("NFD", "Désy")

    assert clean_name(decomposed) == "Désy"
    assert len(clean_name(decomposed)) == 4


def test_spaces_left_by_a_removed_character_are_collapsed():
    assert clean_name(" Budi \u200b Santoso ") == "Budi Santoso"


def test_a_plain_name_is_unchanged():
    assert clean_name("Nur'aini binti H. Abdul") == "Nur'aini binti H. Abdul"


@pytest.mark.parametrize(("text", "clean"), [("Siti", True), ("Désy", True), ("Si\u200bti", False)])
def test_name_is_clean_says_whether_clean_name_would_change_the_text(text, clean):
    assert name_is_clean(text) is clean


def test_name_is_clean_notices_a_decomposed_name():
    assert not name_is_clean(unicodedata.normalize("NFD", "Désy"))


def test_the_name_field_cleans_what_was_typed():
    assert NameField().clean("\u202eAgus\u200d") == "Agus"


def test_the_name_field_refuses_a_name_of_hidden_characters_only():
    with pytest.raises(ValidationError):
        NameField().clean("\u200b\u202e")
