"""The engine's reasons in the reader's language.

The engine has no Django in it: it writes each reason in English, as fixed phrases and name templates joined by "; "
(engine/pipeline.py marks every one of them with `_t`, which makemessages extracts). The reason is stored as written
(the command line prints the same text) and translated part by part when shown.
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import gettext

from .engine.pipeline import NAME_REASON_TEMPLATES, REASON_PHRASES, REASON_SEPARATOR


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    return [
        (template, re.compile("^" + re.escape(template).replace(re.escape("{}"), "(.*)") + "$"))
        for template in NAME_REASON_TEMPLATES
    ]


def _part(part: str) -> str:
    if part in REASON_PHRASES:
        return gettext(part)
    for template, pattern in _patterns():
        if found := pattern.match(part):
            try:
                return gettext(template).format(*found.groups())
            except (IndexError, KeyError, ValueError):  # a translation whose {} do not fit: the English is true
                return part
    return part  # not the engine's (a reason stored by an older version, say): shown as it is


def translated_reason(reason: str) -> str:
    """A reason of the engine, e.g. "same NIK; same birth date", in the active language."""
    return REASON_SEPARATOR.join(_part(part) for part in reason.split(REASON_SEPARATOR))
