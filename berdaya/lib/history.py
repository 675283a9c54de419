"""A record's change history (django-simple-history) as a user reads it: who, when, and what changed, old -> new."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime
    who: str
    action: str  # "+" created, "~" changed, "-" deleted
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


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
                verbose = str(getattr(model._meta.get_field(name), "verbose_name", name))
                changes.append(
                    FieldChange(verbose, _display(model, name, change.old), _display(model, name, change.new))
                )
        user = version.history_user
        entries.append(
            HistoryEntry(
                when=version.history_date,
                who=str(user) if user else "system",
                action=version.history_type,
                reason=version.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
