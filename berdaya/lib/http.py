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


def wants_json(request: HttpRequest) -> bool:
    """The page's script (a phone's outbox sending a saved report) asked for JSON, not a page to show."""
    return request.headers.get("Accept", "").split(",")[0].strip() == "application/json"


def form_errors(form: forms.BaseForm) -> list[str]:
    """A form's errors as sentences a person can read out of context: "Date: Enter a valid date."."""
    errors: list[str] = []
    for name, messages in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        errors.extend(f"{label}: {message}" if label else str(message) for message in messages)
    return errors
