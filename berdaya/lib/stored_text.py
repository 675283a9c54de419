"""Texts the system writes for others to read later, never in the language of whoever happened to cause them.

A message to a person (an inbox note) is kept as the message and its values and shown in the reader's language:

    note.message = keep(N_("Your list for %(cycle)s was returned"), cycle=cycle.name)
    show(note.message)  # "Daftar usulan Anda untuk ... dikembalikan", or English for a reader who chose English

A record kept as written (a cash-book line, what started a screening run) is written in the office's language:

    entry.description = in_office_language(N_("Loan to %(borrower)s"), borrower=name)

Mark the message with gettext_noop (imported as N_) so that makemessages finds it. Values are stored as text; a date
kept as ISO text (date.isoformat()) is shown in the readable style of the reader's language (berdaya/lib/formats.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from berdaya.lib.formats import shown_value


def keep(message: str, **params: Any) -> dict[str, Any]:
    return {"message": message, "params": {name: str(value) for name, value in params.items()}}


def show(kept: dict[str, Any] | None) -> str:
    """The kept text in the active language; an empty string for nothing kept."""
    if not kept:
        return ""
    params: dict[str, str] = kept.get("params") or {}
    message: str = kept["message"]
    text = gettext(message)
    if not params:
        return text
    params = {name: shown_value(value) for name, value in params.items()}  # a date kept as ISO: 3 Des 2026
    try:
        return text % params
    except (KeyError, ValueError, TypeError):  # a translation that names other values: the message as written
        return message % params


def in_office_language(message: str, **params: Any) -> str:
    """The message in the office's language (settings.LANGUAGE_CODE, Indonesian), whatever language is active; its
    values too (a date as 3 Des 2026)."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message)
        return text % {name: shown_value(value) for name, value in params.items()} if params else text
