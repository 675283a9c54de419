"""Names as people typed them, less what only hides or reorders what they say."""

from __future__ import annotations

import re
import unicodedata

from django import forms

# Bidirectional controls (LRE, RLE, PDF, LRO, RLO; LRI, RLI, FSI, PDI; LRM, RLM; the Arabic letter mark) and
# zero-width characters (ZWSP, ZWNJ, ZWJ, word joiner, byte-order mark). None belongs in a Latin-script
# Indonesian name; a right-to-left override makes "Siti" display as another name, and a zero-width space makes two
# records of the same person look identical while the screening engine and a search tell them apart.
_HIDDEN = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b-\u200d\ufeff\u2060]")


def clean_name(value: str) -> str:
    """The name in Unicode NFC, without bidi controls or zero-width characters, its spaces collapsed."""
    if not value.isascii():  # the usual name is plain ASCII: imports clean hundreds of thousands of them
        value = unicodedata.normalize("NFC", _HIDDEN.sub("", value))
    return " ".join(value.split())


def name_is_clean(value: str) -> bool:
    """True when clean_name would leave the text as it is (a quick test over a whole column joined together)."""
    if value.isascii():
        return True
    return _HIDDEN.search(value) is None and unicodedata.is_normalized("NFC", value)


class NameField(forms.CharField):
    """A form field for a person's, a household's, a group's or a user's name: cleaned by clean_name."""

    def to_python(self, value: object) -> str | None:
        text = super().to_python(value)
        return text if text is None else clean_name(text)
