from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

_CHOOSE = _("Choose: same person or different people.")


class ReviewForm(forms.Form):
    """A reviewer's decision on a pair: the same person or different people, and a note."""

    decision = forms.ChoiceField(
        choices=[("same", "same"), ("different", "different")],
        error_messages={"required": _CHOOSE, "invalid_choice": _CHOOSE},
    )
    note = forms.CharField(required=False, strip=False)

    def clean(self) -> dict[str, Any]:
        """As the service takes it: `same_person` and `note`."""
        cleaned = super().clean() or {}
        return {"same_person": cleaned.get("decision") == "same", "note": cleaned.get("note", "")}
