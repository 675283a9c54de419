"""Typed request for views: LoginRequiredMiddleware guarantees a user, django-htmx the htmx details."""

from typing import TYPE_CHECKING, Any, Protocol

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
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


def wants_json(request: HttpRequest) -> bool:
    """The page's script (a phone's outbox sending a saved report) asked for JSON, not a page to show."""
    return request.headers.get("Accept", "").split(",")[0].strip() == "application/json"


def form_errors(form: forms.BaseForm) -> list[str]:
    """A form's errors as sentences a person can read out of context: "Date: Enter a valid date."."""
    errors: list[str] = []
    for name, said in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        errors.extend(f"{label}: {message}" if label else str(message) for message in said)
    return errors


# A form a phone's outbox may post later (data-outbox; berdaya/static/berdaya/outbox.js) -----------------------------


class _Shown(Protocol):
    def get_absolute_url(self) -> str: ...


def stored_response(request: HttpRequest, record: _Shown, message: str = "") -> HttpResponse:
    """Stored: show it, or tell the page's script where it is (it goes there, or it was the outbox sending later)."""
    if message and (not wants_json(request) or request.headers.get("X-Berdaya-Direct")):
        messages.success(request, message)
    if wants_json(request):
        return JsonResponse({"url": record.get_absolute_url()}, status=201)
    return redirect(record.get_absolute_url())


def form_again(
    request: HttpRequest, template: str, context: dict[str, Any], sections: tuple[forms.BaseForm, ...] = ()
) -> HttpResponse:
    """The form to fill (again); for the phone's outbox, why its report was refused (the form's errors and its
    bound `sections`', e.g. a bina lingkungan section posted with it)."""
    if request.method == "POST" and wants_json(request):
        errors = form_errors(context["form"])
        for section in sections:
            errors += form_errors(section)
        return JsonResponse({"errors": errors}, status=400)
    return render(request, template, context)
