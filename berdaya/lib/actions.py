"""One way to run a business action from a POST.

A view parses, asks `perform` to run one service for the acting user, and answers; `act` does the usual
"run it, then go back" in one call. A refused action (`DomainError`) becomes a message the user reads (or an
error on the form that is shown again); the way back is a `next` URL only when it is safe (this host, no
scheme switch), else the record's own page. An action that cannot be undone passes `confirm=`: its first POST
runs nothing and answers the confirmation page (`berdaya.lib.confirm`); the POST from that page runs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_stubs_ext import StrOrPromise

from berdaya.lib.confirm import ConfirmationSource, confirmation_page, is_confirmed, resolve
from berdaya.lib.errors import DomainError
from berdaya.lib.http import form_errors


@dataclass(frozen=True)
class Outcome:
    """What came of an action: whether it was done, and what the service returned."""

    done: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.done


def safe_next(request: HttpRequest, fallback: models.Model | str) -> str:
    """The posted (or linked) `next` URL when it stays on this site, else `fallback` (a record or a URL)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback)


def perform(
    request: HttpRequest,
    service: Callable[..., Any],
    /,
    *,
    form: forms.BaseForm | None = None,
    data: Mapping[str, Any] | None = None,
    success: StrOrPromise | None = None,
    **kwargs: Any,
) -> Outcome:
    """Run one service as the request's user, with the form's cleaned data (if a form is given) and `kwargs`.

    `data` replaces the form's cleaned data where the form's fields are not the service's arguments. An invalid
    form runs nothing and keeps its errors; a refusal is added to the form (when given, to be shown again) or
    becomes an error message; `success` is shown when the action was done.
    """
    if form is not None and not form.is_valid():
        return Outcome(done=False)
    if data is None:
        data = form.cleaned_data if form is not None else {}
    try:
        value = service(by=request.user, **data, **kwargs)
    except DomainError as error:
        if form is not None:
            form.add_error(None, error.message)
        else:
            messages.error(request, error.message)
        return Outcome(done=False)
    if success:
        messages.success(request, success)
    return Outcome(done=True, value=value)


def confirm_first(
    request: HttpRequest,
    confirm: ConfirmationSource,
    /,
    *,
    back: models.Model | str,
    form: forms.BaseForm | None = None,
) -> HttpResponse | None:
    """The confirmation page when the action must be confirmed first, else `None` (go on and run it).

    Nothing is asked when the form is invalid (running it shows what is wrong), when the confirmation says there is
    nothing to confirm (`None`: the action cannot be taken now, and the service says why), or once the user
    confirmed what is still true; confirmed figures that have changed since are shown again. Cancel goes to a safe
    `next`, else `back`.
    """
    if form is not None and not form.is_valid():
        return None
    confirmation = resolve(confirm)
    if confirmation is None:
        return None
    confirmed = is_confirmed(request)
    if confirmed and not confirmation.differs_from(request):
        return None
    return confirmation_page(request, confirmation, cancel=safe_next(request, back), changed=confirmed)


def act(
    request: HttpRequest,
    service: Callable[..., Any],
    /,
    *,
    back: models.Model | str,
    form: forms.BaseForm | None = None,
    data: Mapping[str, Any] | None = None,
    success: StrOrPromise | None = None,
    confirm: ConfirmationSource = None,
    **kwargs: Any,
) -> HttpResponse:
    """Run one service from a POST and go back: to a safe `next`, else `back`; what went wrong is a message.

    With `confirm`, the first POST answers the confirmation page instead and runs nothing (see `confirm_first`).
    """
    if confirm is not None and (asked := confirm_first(request, confirm, back=back, form=form)) is not None:
        return asked
    outcome = perform(request, service, form=form, data=data, success=success, **kwargs)
    if not outcome and form is not None:
        for message in form_errors(form):
            messages.error(request, message)
    return HttpResponseRedirect(safe_next(request, back))
