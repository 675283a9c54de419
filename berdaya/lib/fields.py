"""Form fields that refuse hostile input with a message where Django's own would fail."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from .http import record_id


class RecordsChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Several records chosen by id (checkboxes), where a posted value that is not an id is refused as unknown.

    Django checks each value, then filters `pk__in`; an id beyond the database's 64-bit keys passes the first check
    and overflows the second (a 500 on SQLite). Refused here first, with Django's own message.
    """

    def _check_values(self, value: Iterable[Any]) -> Any:
        if (self.to_field_name or "pk") == "pk" and isinstance(value, list | tuple):
            for pk in value:
                if record_id(str(pk)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                    )
        return super()._check_values(value)  # type: ignore[misc]  # not in django-stubs
