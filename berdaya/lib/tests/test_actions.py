"""One way to run an action: a refusal becomes a message or a form error, and `next` never leaves the site."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django.utils import translation

from berdaya.lib.actions import act, perform, safe_next
from berdaya.lib.errors import DomainError


class _User:
    pk = 1


def _post(data: dict[str, str] | None = None, secure: bool = False):
    request = RequestFactory().post("/x/", data or {}, secure=secure)
    request.user = _User()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


class AmountForm(forms.Form):
    amount = forms.IntegerField(label="Amount")


def _record(*, by, amount: int = 0, note: str = "") -> int:
    if amount < 0:
        raise DomainError("An amount cannot be negative.")
    return amount


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http://testserver.evil/", ""])
def test_a_next_that_leaves_the_site_falls_back(target):
    assert safe_next(_post({"next": target}), "/kube/1/") == "/kube/1/"


def test_a_next_on_this_site_is_followed():
    assert safe_next(_post({"next": "/targeting/nominees/3/"}), "/kube/1/") == "/targeting/nominees/3/"


def test_an_http_next_is_refused_on_an_https_request():
    assert safe_next(_post({"next": "http://testserver/x/"}, secure=True), "/kube/1/") == "/kube/1/"


def test_perform_gives_the_service_the_acting_user_and_the_forms_data():
    seen = {}

    def service(*, by, amount, note):
        seen.update(by=by, amount=amount, note=note)
        return "done"

    request = _post({"amount": "5"})
    outcome = perform(request, service, form=AmountForm(request.POST), note="cash")

    assert (bool(outcome), outcome.value) == (True, "done")
    assert seen == {"by": request.user, "amount": 5, "note": "cash"}


def test_a_refusal_without_a_form_becomes_an_error_message():
    request = _post()

    outcome = perform(request, _record, amount=-1)

    assert not outcome
    assert [str(m) for m in get_messages(request)] == ["An amount cannot be negative."]


def test_a_refusal_with_a_form_stays_on_the_form():
    request = _post({"amount": "-1"})
    form = AmountForm(request.POST)

    perform(request, _record, form=form)

    assert form.non_field_errors() == ["An amount cannot be negative."]


def test_an_invalid_form_runs_nothing():
    calls = []
    request = _post({"amount": "lima"})

    outcome = perform(request, lambda **kwargs: calls.append(kwargs), form=AmountForm(request.POST))

    assert (bool(outcome), calls) == (False, [])


def test_act_turns_form_errors_into_messages_and_goes_back():
    request = _post({"amount": "lima", "next": "https://evil.example/"})

    with translation.override("en"):
        response = act(request, _record, back="/kube/1/", form=AmountForm(request.POST))

    assert response.url == "/kube/1/"
    assert [str(m) for m in get_messages(request)] == ["Amount: Enter a whole number."]


def test_act_shows_the_success_message():
    request = _post({"next": "/kube/1/cash/"})

    response = act(request, _record, back="/kube/1/", amount=3, success="Saved.")

    assert (response.url, [str(m) for m in get_messages(request)]) == ("/kube/1/cash/", ["Saved."])
