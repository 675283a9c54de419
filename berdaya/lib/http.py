"""Typed request for views: LoginRequiredMiddleware guarantees a user, django-htmx the htmx details."""

from typing import TYPE_CHECKING

from django import forms
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from berdaya.accounts.models import User


class AuthedRequest(HttpRequest):
    user: "User"
    htmx: HtmxDetails


def record_id(value: str | None) -> int | None:
    """The record id typed in `value`, or None for anything that is not one ("abc", "1.5", "-3", "²", an id beyond
    the database's 64-bit keys): a filter on such a value would raise (a 500), where None finds nothing."""
    if not value or not (value.isascii() and value.isdigit()) or len(value) > 18:
        return None
    return int(value)


def query_id(request: HttpRequest, name: str) -> int | None:
    """The record id in the query string's `name` (see record_id)."""
    return record_id(request.GET.get(name))


def form_errors(form: forms.BaseForm) -> list[str]:
    """A form's errors as sentences a person can read out of context: "Date: Enter a valid date."."""
    errors: list[str] = []
    for name, said in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        errors.extend(f"{label}: {message}" if label else str(message) for message in said)
    return errors
