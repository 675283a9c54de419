"""The REST API's foundation: tokens, the two ways in, the rate limit, the one error shape and keyset paging."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from berdaya.accounts.models import AccessToken, User
from berdaya.accounts.services import create_token, revoke_token
from berdaya.accounts.tests.factories import UserFactory
from berdaya.registry.models import Disclosure, Person
from berdaya.registry.tests.factories import HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_counts():
    cache.clear()


def _token(user: User, *, read_only: bool = False, days: int = 30) -> str:
    return create_token(
        by=user,
        owner=user,
        name="dashboard provinsi",
        expires_on=timezone.localdate() + dt.timedelta(days=days),
        read_only=read_only,
    ).secret


def _get(path: str, token: str | None = None, **headers: str):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return Client().get(path, headers=headers)


def _post(path: str, token: str | None = None, **headers: str):
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return Client(enforce_csrf_checks=True).post(path, headers=headers)


@pytest.fixture
def admin() -> User:
    return UserFactory(role=User.Role.ADMIN, region__code="64.01")


def test_a_call_without_credentials_is_a_401_in_the_error_shape():
    response = _get("/api/v1/regions/")

    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "fields"}
    assert response.json()["code"] == "unauthenticated"


def test_a_token_lists_what_its_owner_may_see(admin):
    PersonFactory(household__village__code="64.01.04.2004", name="Siti Aminah")
    PersonFactory(household__village__code="64.02.01.2001", name="Orang Luar")

    response = _get("/api/v1/registry/persons", _token(admin))

    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == ["Siti Aminah"]


def test_the_token_is_stored_only_as_a_hash(admin):
    secret = _token(admin)

    stored = AccessToken.objects.get()
    assert secret not in {stored.key_hash, stored.prefix, stored.name}
    assert secret.startswith(f"bdy_{stored.prefix}_")


def test_a_revoked_token_is_a_401(admin):
    secret = _token(admin)
    revoke_token(by=admin, token=AccessToken.objects.get())

    response = _get("/api/v1/regions/", secret)

    assert response.status_code == 401
    assert response.json()["code"] == "token_invalid"


def test_an_expired_token_is_a_401(admin):
    secret = _token(admin, days=2)

    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        response = _get("/api/v1/regions/", secret)

    assert response.status_code == 401


def test_a_token_of_a_disabled_account_is_a_401(admin):
    secret = _token(admin)
    admin.is_active = False
    admin.save()

    assert _get("/api/v1/regions/", secret).status_code == 401


def test_a_read_only_token_cannot_write(admin):
    person = PersonFactory(household__village__code="64.01.04.2004")

    response = _post(f"/api/v1/registry/persons/{person.pk}/reveal", _token(admin, read_only=True))

    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"
    assert not Disclosure.objects.exists()


def test_a_token_write_needs_no_csrf_but_a_session_write_does(admin):
    person = PersonFactory(household__village__code="64.01.04.2004")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin)

    by_session = browser.post(f"/api/v1/registry/persons/{person.pk}/reveal")
    by_token = _post(f"/api/v1/registry/persons/{person.pk}/reveal", _token(admin))

    assert by_session.status_code == 403
    assert by_token.status_code == 200


def test_a_token_reveal_is_one_row_of_the_access_log(admin):
    person = PersonFactory(household__village__code="64.01.04.2004")
    secret = _token(admin)

    response = _post(f"/api/v1/registry/persons/{person.pk}/reveal", secret)

    assert response.json() == {"id": person.pk, "nik": person.nik}
    reveal = Disclosure.objects.get()
    assert (reveal.kind, reveal.person, reveal.by) == (Disclosure.Kind.REVEAL, person, admin)


def test_every_history_row_written_through_a_token_names_its_user_and_the_token(admin, monkeypatch):
    from berdaya.registry import api as registry_api
    from berdaya.registry.services import update_person

    person = PersonFactory(household__village__code="64.01.04.2004")
    secret = _token(admin)
    prefix = AccessToken.objects.get().prefix

    # A write endpoint in place of the reveal: a service that changes a record, called as the API calls services.
    def writing(*, person, by, request):
        update_person(person=person, by=by, occupation="Nelayan")
        return person.nik

    monkeypatch.setattr(registry_api.services, "reveal_nik", writing)
    _post(f"/api/v1/registry/persons/{person.pk}/reveal", secret)

    row = Person.history.filter(id=person.pk).latest("history_date")
    assert row.occupation == "Nelayan"
    assert row.history_user == admin
    assert row.history_change_reason == f"via API token {prefix}"


def test_a_write_after_an_api_call_is_not_named_after_its_token(admin):
    from berdaya.registry.services import update_person

    person = PersonFactory(household__village__code="64.01.04.2004")
    _get("/api/v1/regions/", _token(admin))

    update_person(person=person, by=admin, occupation="Petani")

    assert Person.history.filter(id=person.pk).latest("history_date").history_change_reason in (None, "")


@override_settings(BERDAYA_API_RATE_LIMIT=3)
def test_calls_past_the_rate_limit_are_a_429_with_retry_after(admin):
    secret = _token(admin)

    answers = [_get("/api/v1/regions/", secret) for _ in range(4)]

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert answers[-1].json()["code"] == "rate_limited"
    assert 1 <= int(answers[-1]["Retry-After"]) <= 61


@override_settings(BERDAYA_API_RATE_LIMIT=1)
def test_the_rate_limit_is_per_token(admin):
    first, second = _token(admin), _token(admin)

    _get("/api/v1/regions/", first)

    assert _get("/api/v1/regions/", second).status_code == 200
    assert _get("/api/v1/regions/", first).status_code == 429


def test_an_object_outside_the_scope_is_a_404(admin):
    far = PersonFactory(household__village__code="64.02.01.2001")

    response = _get(f"/api/v1/registry/persons/{far.pk}", _token(admin))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_role_without_the_permission_is_a_403(admin):
    facilitator = UserFactory(role=User.Role.FACILITATOR, region__code="64.01")

    response = _get("/api/v1/registry/persons", _token(facilitator))

    assert response.status_code == 403


def test_the_message_is_in_the_callers_language():
    english = _get("/api/v1/regions/", **{"Accept-Language": "en"})
    indonesian = _get("/api/v1/regions/")

    assert english["Content-Language"] == "en"
    assert indonesian["Content-Language"] == "id"
    assert english.json()["message"].startswith("Sign in")


def test_a_bad_query_value_is_a_422_naming_the_field(admin):
    response = _get("/api/v1/regions/?limit=5000", _token(admin))

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert "limit" in response.json()["fields"]


def test_a_forged_cursor_is_a_400(admin):
    response = _get("/api/v1/registry/persons?after=bm90LWpzb24", _token(admin))

    assert response.status_code == 400
    assert response.json()["code"] == "bad_cursor"


def test_a_server_error_is_a_500_without_a_stack_trace(admin, monkeypatch):
    from berdaya.registry import api as registry_api

    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(registry_api.selectors, "households_for_list", broken)

    response = _get("/api/v1/registry/households", _token(admin))

    assert response.status_code == 500
    assert "secret internals" not in response.content.decode()
    assert response.json()["code"] == "server_error"


def test_pages_follow_the_ids_to_the_end(admin):
    household = HouseholdFactory(village__code="64.01.04.2004")
    made = sorted(PersonFactory(household=household).pk for _ in range(5))
    secret = _token(admin)

    seen, url = [], "/api/v1/registry/persons?limit=2"
    while url:
        page = _get(url, secret).json()
        seen += [item["id"] for item in page["items"]]
        url = f"/api/v1/registry/persons?limit=2&after={page['next']}" if page["next"] else ""

    assert seen == made


def test_the_schema_is_served_to_a_token_and_lists_the_operations(admin):
    response = _get("/api/v1/openapi.json", _token(admin))

    assert response.status_code == 200
    assert response.json()["info"]["version"] == "1"
    assert "/api/v1/registry/persons/{pk}/reveal" in response.json()["paths"]


def test_the_schema_needs_a_caller():
    assert _get("/api/v1/openapi.json").status_code == 401


def test_the_docs_are_for_signed_in_users_and_use_no_cdn(admin):
    browser = Client()
    anonymous = browser.get("/api/v1/docs")
    browser.force_login(admin)
    page = browser.get("/api/v1/docs")

    assert anonymous.status_code == 302
    assert page.status_code == 200
    assert "cdn" not in page.content.decode().lower()
    assert "/static/ninja/swagger-ui-bundle.js" in page.content.decode()


def test_since_a_day_filters_records_dated_by_a_moment(admin):
    response = _get("/api/v1/business/plans?since=2027-01-01", _token(admin))

    assert response.status_code == 200
