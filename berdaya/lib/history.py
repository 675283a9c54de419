"""A record's change history (django-simple-history) as a user reads it: who, when, and what changed, old -> new.

Everything is shown in the reader's language: a reason a service gave (stored as written, in English: "submit",
"escalated") through REASONS, a value through its field (a choice by its label, a moment in the office's zone
to the minute, an amount grouped, a file by its name, never its path).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.formats import number_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.lib import formats
from berdaya.lib.stored_text import keep, show

# The reasons services give their history rows (berdaya/lib/audit.py: `acting_as(by, reason)`,
# `because(record, reason)`), stored in English as written and shown in the reader's language. A step of the
# nomination workflow is stored by its action ("submit"); a reason that is a status of the record ("submitted", a
# monthly report's) is shown by the record's own choices; anything else (a note someone typed) as written.
REASONS: dict[str, str] = {
    "add": N_("Added"),
    "override": N_("Flags justified"),
    "flags overridden": N_("Flags justified"),
    "submit": N_("Submitted"),
    "return": N_("Returned"),
    "endorse": N_("Endorsed"),
    "verify": N_("Verified"),
    "approve": N_("Approved"),
    "reject": N_("Rejected"),
    "opened": N_("Nominations open"),
    "removed": N_("Removed"),
    "minutes attached": N_("Minutes attached"),
    "decree issued": N_("Decree issued"),
    "escalated": N_("Escalated"),
    "resolved": N_("Resolved"),
    "rules": N_("Rules"),
    "officers": N_("Officers"),
    "unlocked after failed logins": N_("Unlocked after failed logins"),
}
# Reasons that name a value: the stored text's pattern and the message that shows it.
REASON_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"merged with #(?P<pk>\d+)"), N_("Merged with #%(pk)s")),
    (re.compile(r"merged into #(?P<pk>\d+)"), N_("Merged into #%(pk)s")),
    (re.compile(r"condition check on (?P<date>\d{4}-\d{2}-\d{2})"), N_("Condition check on %(date)s")),
    (
        re.compile(r"paid before its condition was met: (?P<reason>.*)", re.DOTALL),
        N_("Paid before its condition was met: %(reason)s"),
    ),
]
# Every field a history tracks has a translated verbose name (berdaya/tests/test_field_leftovers.py checks it); these
# are the names for a field that lost it (Django would show its English name, "submitted at"), in the reader's language.
FIELD_NAMES: dict[str, str] = {
    "status": N_("status"),
    "submitted_at": N_("submitted at"),
    "reviewed_by": N_("reviewed by"),
    "reviewed_at": N_("reviewed at"),
    "created_by": N_("created by"),
    "created_at": N_("created at"),
    "closed_by": N_("closed by"),
    "closed_at": N_("closed at"),
    "paid_by": N_("paid by"),
    "added_by": N_("added by"),
    "by": N_("recorded by"),
    "at": N_("entered at"),
    "entered_at": N_("entered at"),
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime  # aware; the template shows it with |day_time, in the office's zone
    who: str
    action: str  # "+" created, "~" changed, "-" deleted
    reason: str  # in the reader's language
    changes: list[FieldChange] = field(default_factory=list)


def shown_reason(model: type[models.Model], reason: str) -> str:
    """A stored reason in the active language: a known one translated, a status by its label, else as written."""
    reason = reason.strip()
    if not reason:
        return ""
    if reason in REASONS:
        return show(keep(REASONS[reason]))
    for pattern, message in REASON_PATTERNS:
        match = pattern.fullmatch(reason)
        if match:
            return show(keep(message, **match.groupdict()))
    label = _choice_label(model, reason)
    return reason if label is None else label


def _choice_label(model: type[models.Model], text: str) -> str | None:
    """The label of the record's choice `text` names, by its value or by its label in any language (a service that
    stored a status's label stored it in the language of whoever acted)."""
    for model_field in model._meta.concrete_fields:
        if not model_field.choices:
            continue
        choices = dict(model_field.flatchoices)
        if text in choices:
            return str(choices[text])
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                named = next((value for value, label in choices.items() if str(label) == text), None)
            if named is not None:
                return str(choices[named])  # in the reader's language, outside the override
    return None


def _field_name(model: type[models.Model], name: str) -> str:
    verbose = str(getattr(model._meta.get_field(name), "verbose_name", name))
    if verbose == name.replace("_", " ") and name in FIELD_NAMES:  # Django's default, the field's English name
        return _(FIELD_NAMES[name])
    return verbose


def _display(model: type[models.Model], name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    model_field = model._meta.get_field(name)
    assert isinstance(model_field, models.Field)  # history tracks concrete fields only
    if model_field.is_relation and model_field.related_model is not None:
        # Show the related record by name ("Tanah Periuk"), not by key; a deleted one by its key.
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(model_field, models.FileField):
        return PurePosixPath(str(value)).name  # the file's name; where it is stored is nobody's business
    if isinstance(value, dt.datetime):
        return formats.day_time(value)
    if isinstance(value, dt.date):
        return formats.day(value)
    if isinstance(value, dt.time):
        return time_format(value, "TIME_FORMAT")
    if isinstance(model_field, models.BigIntegerField) and isinstance(value, int):
        return formats.number(value)  # amounts of Rupiah are kept in BigIntegerFields
    if isinstance(value, float | Decimal):
        return number_format(value, use_l10n=True)
    return str(value)


def record_history(record: models.Model, *, limit: int = 50) -> list[HistoryEntry]:
    """The newest changes of one record first, each compared with the version before it."""
    versions = list(
        record.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1]  # type: ignore[attr-defined]
    )
    model = type(record)
    entries = []
    for index, version in enumerate(versions[:limit]):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        changes: list[FieldChange] = []
        if previous is not None and version.history_type == "~":
            delta = version.diff_against(previous)
            for change in delta.changes:
                name = change.field
                verbose = _field_name(model, name)
                changes.append(
                    FieldChange(verbose, _display(model, name, change.old), _display(model, name, change.new))
                )
        user = version.history_user
        entries.append(
            HistoryEntry(
                when=version.history_date,
                who=str(user) if user else _("system"),
                action=version.history_type,
                reason=shown_reason(model, version.history_change_reason or ""),
                changes=changes,
            )
        )
    return entries
