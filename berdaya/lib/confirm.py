"""A second look before an action that cannot be undone: one page, asked by every such action.

The action's POST without `confirmed=1` runs nothing and answers a page that says plainly what will happen (with
the numbers a read-only selector gives, the same ones the service uses), who or what is named, what can no longer
change afterwards, a Cancel link back and a button that posts the same fields again with `confirmed=1`. Only that
second POST runs the service. `berdaya.lib.actions.act(..., confirm=...)` and `confirm_first` are the way in.

The page also posts what it showed (`seen`, a digest of its sentences and rows). If the figures have changed by
the time the user confirms (another officer approved a nominee meanwhile), the page is shown again with the new
figures and a notice, instead of acting on figures the user did not read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_stubs_ext import StrOrPromise

CONFIRMED = "confirmed"
SEEN = "seen"
# Fields of the first POST that are not carried to the confirming one.
_NOT_CARRIED = frozenset({"csrfmiddlewaretoken", CONFIRMED, SEEN})


@dataclass(frozen=True)
class Confirmation:
    """What the confirmation page says.

    `effects`: what will happen, one sentence each, with the numbers ("7 families, Rp 14.000.000 will be decreed").
    `rows`: who or what is named, as (label, value) pairs (a village and its families, a total and its amount).
    `quote`: text the user typed that others will read (a rejection's reason), shown as typed, under `quote_label`.
    `final`: what can no longer change afterwards. `button`: the confirm button's words.
    `files`: file inputs (name, label) offered again on the page: a browser cannot post a chosen file twice, so a
    file chosen on the first form is chosen again here (the page says so when one was).
    """

    title: StrOrPromise
    effects: Sequence[StrOrPromise]
    final: StrOrPromise
    button: StrOrPromise
    rows: Sequence[tuple[StrOrPromise, StrOrPromise]] = ()
    rows_title: StrOrPromise = ""
    quote: str = ""
    quote_label: StrOrPromise = ""
    files: Sequence[tuple[str, StrOrPromise]] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """A fingerprint of what the page states (its sentences, rows and quote), to notice figures that changed."""
        stated = [str(self.title), *map(str, self.effects), *(f"{k}={v}" for k, v in self.rows), self.quote]
        return hashlib.sha256("\n".join(stated).encode()).hexdigest()[:16]

    def differs_from(self, request: HttpRequest) -> bool:
        """The confirming POST says it saw other figures than these (a POST without `seen` is taken as seen)."""
        seen = request.POST.get(SEEN)
        return seen is not None and seen != self.digest


# A confirmation, or a function that makes it (called only when the page is shown); `None` when there is nothing
# to confirm because the action cannot be taken now: the service then runs and says why not.
ConfirmationSource = Confirmation | Callable[[], Confirmation | None] | None


def is_confirmed(request: HttpRequest) -> bool:
    """The user has seen the confirmation page and confirmed (a POST with `confirmed=1`)."""
    return request.method == "POST" and request.POST.get(CONFIRMED) == "1"


def resolve(source: ConfirmationSource) -> Confirmation | None:
    return source() if callable(source) else source


def carried_fields(request: HttpRequest) -> list[tuple[str, str]]:
    """The first POST's fields, to post again with the confirmation (files cannot be carried)."""
    return [(name, value) for name, values in request.POST.lists() if name not in _NOT_CARRIED for value in values]


def confirmation_page(
    request: HttpRequest, confirmation: Confirmation, *, cancel: str, changed: bool = False
) -> HttpResponse:
    """The page that asks; it posts back to the same URL, so the view that asked runs the action. `changed`: shown
    again because the figures changed since the user read them."""
    return render(
        request,
        "confirm.html",
        {
            "confirmation": confirmation,
            "carried": carried_fields(request),
            "files_chosen": [name for name, _label in confirmation.files if name in request.FILES],
            "action": request.path,
            "cancel": cancel,
            "changed": changed,
        },
    )
