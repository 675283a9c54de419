"""Personal access tokens: made by their owner (or the Admin Dinas for a service account), shown once, revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from berdaya.accounts.models import AccessToken, User
from berdaya.accounts.services import AccountError, create_token, revoke_token, token_for
from berdaya.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _in(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def test_a_user_makes_a_token_on_its_page_and_sees_it_once(client):
    user = UserFactory(role=User.Role.VILLAGE_OPERATOR, region__code="64.01.04.2004")
    client.force_login(user)

    made = client.post("/accounts/tokens/", {"name": "skrip desa", "expires_on": _in(30).isoformat()})
    again = client.get("/accounts/tokens/")

    token = AccessToken.objects.get(user=user)
    shown = made.content.decode()
    assert f"bdy_{token.prefix}_" in shown
    secret = shown.split(f"bdy_{token.prefix}_")[1].split("<")[0]
    assert token_for(f"bdy_{token.prefix}_{secret}") == token
    assert secret not in again.content.decode()


def test_a_token_lasts_at_most_a_year():
    user = UserFactory()

    with pytest.raises(AccountError, match="at most 365 days"):
        create_token(by=user, owner=user, name="x", expires_on=_in(400), read_only=True)


def test_a_token_must_expire_after_today():
    user = UserFactory()

    with pytest.raises(AccountError, match="after today"):
        create_token(by=user, owner=user, name="x", expires_on=timezone.localdate(), read_only=True)


def test_the_admin_dinas_makes_tokens_for_a_service_account_of_its_region(client):
    admin = UserFactory(role=User.Role.ADMIN, region__code="64.01")
    service = UserFactory(role=User.Role.MONITOR, region__code="64.01", is_service_account=True)
    client.force_login(admin)

    client.post(f"/accounts/users/{service.pk}/tokens/", {"name": "dashboard", "expires_on": _in(30).isoformat()})

    assert AccessToken.objects.get().user == service


def test_the_admin_dinas_cannot_make_a_token_for_a_person(client):
    admin = UserFactory(role=User.Role.ADMIN, region__code="64.01")
    person = UserFactory(role=User.Role.OFFICER, region__code="64.01")
    client.force_login(admin)

    response = client.post(f"/accounts/users/{person.pk}/tokens/", {"name": "x", "expires_on": _in(3).isoformat()})

    assert response.status_code == 404
    assert not AccessToken.objects.exists()


def test_a_service_account_cannot_log_in(client):
    UserFactory(username="dasbor", is_service_account=True)

    response = client.post("/accounts/login/", {"username": "dasbor", "password": PASSWORD})

    assert "_auth_user_id" not in client.session
    assert "service account" in response.content.decode() or "akun layanan" in response.content.decode().lower()


def test_revoking_asks_first_then_stops_the_token(client):
    user = UserFactory()
    token = create_token(by=user, owner=user, name="x", expires_on=_in(3), read_only=True).record
    client.force_login(user)

    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is None
    client.post(f"/accounts/tokens/{token.pk}/revoke/", {"confirmed": "1"})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_revokes_another_persons_token():
    owner, other = UserFactory(), UserFactory()
    token = create_token(by=owner, owner=owner, name="x", expires_on=_in(3), read_only=True).record

    with pytest.raises(AccountError):
        revoke_token(by=other, token=token)


def test_making_and_revoking_a_token_is_in_the_history():
    user = UserFactory()
    token = create_token(by=user, owner=user, name="x", expires_on=_in(3), read_only=True).record
    revoke_token(by=user, token=token)

    rows = list(token.history.order_by("history_date"))
    assert [row.history_user for row in rows] == [user, user]
    assert rows[-1].history_change_reason == "token revoked"
