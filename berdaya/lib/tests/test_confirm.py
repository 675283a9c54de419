"""One confirmation page for every action that cannot be undone: the first POST runs nothing and asks, the POST with
`confirmed=1` runs the service, an invalid form or an action that cannot be taken now asks nothing."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django.utils import translation

from berdaya.lib.actions import act
from berdaya.lib.confirm import Confirmation, carried_fields, is_confirmed

pytestmark = pytest.mark.django_db


class ReasonForm(forms.Form):
    reason = forms.CharField()


def _post(user, data: dict[str, str | list[str]]):
    request = RequestFactory().post("/things/1/close/", data)
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    request.htmx = False
    return request


def _confirmation() -> Confirmation:
    return Confirmation(
        title="Close the thing?",
        effects=["3 things, Rp 9,000 will be closed"],
        rows=[("Tanah Periuk", "3")],
        final="Nothing can be added afterwards.",
        button="Close it",
        quote="Because.",
        quote_label="Reason",
    )


@pytest.fixture
def calls():
    return []


@pytest.fixture
def service(calls):
    def close(*, by, reason: str = "") -> str:
        calls.append(reason)
        return "closed"

    return close


def test_the_first_post_runs_nothing_and_answers_the_page(users, service, calls):
    request = _post(users["admin"], {"reason": "Because."})

    with translation.override("en"):
        response = act(request, service, back="/things/1/", form=ReasonForm(request.POST), confirm=_confirmation)

    html = response.content.decode()
    assert response.status_code == 200
    assert calls == []
    assert "3 things, Rp 9,000 will be closed" in html
    assert "Tanah Periuk" in html and "Nothing can be added afterwards." in html
    assert 'name="reason" value="Because."' in html
    assert 'name="confirmed" value="1"' in html
    assert 'action="/things/1/close/"' in html
    assert 'id="confirm-cancel" href="/things/1/"' in html


def test_the_confirmed_post_runs_the_service_and_goes_back(users, service, calls):
    request = _post(users["admin"], {"reason": "Because.", "confirmed": "1"})

    response = act(request, service, back="/things/1/", form=ReasonForm(request.POST), confirm=_confirmation)

    assert calls == ["Because."]
    assert response.status_code == 302 and response.url == "/things/1/"


def test_an_invalid_form_asks_nothing_and_says_what_is_wrong(users, service, calls):
    request = _post(users["admin"], {"reason": ""})

    response = act(request, service, back="/things/1/", form=ReasonForm(request.POST), confirm=_confirmation)

    assert response.status_code == 302
    assert calls == []
    assert [m.level_tag for m in request._messages] == ["error"]


def test_an_action_that_cannot_be_taken_now_asks_nothing_and_lets_the_service_refuse(users, calls):
    from berdaya.lib.errors import DomainError

    def refuse(*, by):
        raise DomainError("It is already closed.")

    request = _post(users["admin"], {})

    response = act(request, refuse, back="/things/1/", confirm=lambda: None)

    assert response.status_code == 302
    assert [str(m) for m in request._messages] == ["It is already closed."]


def test_the_first_posts_fields_are_carried_but_not_its_token():
    request = RequestFactory().post("/x/", {"next": "/lists/4/", "a": ["1", "2"], "csrfmiddlewaretoken": "t"})

    assert carried_fields(request) == [("next", "/lists/4/"), ("a", "1"), ("a", "2")]
    assert not is_confirmed(request)


def test_cancel_never_leaves_the_site(users, service):
    request = _post(users["admin"], {"reason": "Because.", "next": "https://evil.example/"})

    response = act(request, service, back="/things/1/", form=ReasonForm(request.POST), confirm=_confirmation)

    assert 'id="confirm-cancel" href="/things/1/"' in response.content.decode()


def test_only_a_post_with_confirmed_1_is_confirmed():
    assert is_confirmed(RequestFactory().post("/x/", {"confirmed": "1"}))
    assert not is_confirmed(RequestFactory().post("/x/", {"confirmed": "yes"}))
    assert not is_confirmed(RequestFactory().get("/x/", {"confirmed": "1"}))


def test_a_confirmation_of_figures_that_changed_since_asks_again_and_runs_nothing(users, service, calls):
    request = _post(users["admin"], {"reason": "Because.", "confirmed": "1", "seen": "0123456789abcdef"})

    with translation.override("en"):
        response = act(request, service, back="/things/1/", form=ReasonForm(request.POST), confirm=_confirmation)

    html = response.content.decode()
    assert response.status_code == 200
    assert calls == []
    assert 'id="confirm-changed"' in html
    assert f'name="seen" value="{_confirmation().digest}"' in html


def test_a_confirmation_of_the_figures_still_true_runs_the_service(users, service, calls):
    request = _post(users["admin"], {"reason": "Because.", "confirmed": "1", "seen": _confirmation().digest})

    act(request, service, back="/things/1/", form=ReasonForm(request.POST), confirm=_confirmation)

    assert calls == ["Because."]
