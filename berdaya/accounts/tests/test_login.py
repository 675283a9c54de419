import pytest
from django.test import Client
from django.urls import reverse

from berdaya.accounts.tests.factories import PASSWORD


def login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password}, follow=True)


def test_the_login_page_is_public(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "Masuk ke Berdaya" in response.text


def test_an_admin_lands_on_a_kube_dashboard_with_a_logout_link(client, users):
    response = login(client, "admin")

    assert response.resolver_match.view_name == "dashboard"
    assert "KUBE" in response.text
    assert "Keluar" in response.text


def test_a_wrong_password_is_refused_with_an_indonesian_message(client, users):
    response = login(client, "admin", "salah-sekali")

    assert response.resolver_match.view_name == "login"
    assert "Nama pengguna atau kata sandi salah" in response.text


def test_five_wrong_passwords_lock_the_account_with_a_clear_message(client, users):
    for _ in range(5):
        login(client, "desa_a", "salah-sekali")

    response = login(client, "desa_a")  # even the right password is refused while locked

    assert response.status_code == 429
    assert "Akun ini dikunci selama 30 menit" in response.text
    assert "_auth_user_id" not in client.session


def test_a_lockout_of_one_username_does_not_lock_another(client, users):
    for _ in range(5):
        login(client, "desa_a", "salah-sekali")

    response = login(client, "desa_b")

    assert response.resolver_match.view_name == "dashboard"


def test_logout_ends_the_session(client, users):
    login(client, "admin")

    client.post(reverse("logout"))

    assert client.get(reverse("dashboard")).status_code == 302


def test_a_disabled_account_cannot_log_in(client, users):
    users["desa_a"].is_active = False
    users["desa_a"].save()

    response = login(client, "desa_a")

    assert response.resolver_match.view_name == "login"


def test_every_page_but_login_requires_a_session(client, db):
    response = client.get(reverse("accounts:user-list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("setting", ["SESSION_EXPIRE_AT_BROWSER_CLOSE"])
def test_sessions_expire(settings, setting):
    assert getattr(settings, setting) is True
    assert settings.SESSION_COOKIE_AGE <= 12 * 60 * 60


def test_an_admin_unlocks_a_locked_account(client, users):
    for _ in range(5):
        login(client, "desa_a", "salah-sekali")
    admin = Client()
    admin.force_login(users["admin"])

    admin.post(reverse("accounts:user-unlock", args=[users["desa_a"].pk]))

    assert login(client, "desa_a").resolver_match.view_name == "dashboard"


def test_the_user_page_shows_a_lockout(client, users):
    for _ in range(5):
        login(client, "desa_a", "salah-sekali")
    client.force_login(users["admin"])

    response = client.get(reverse("accounts:user-detail", args=[users["desa_a"].pk]))

    assert response.context["locked"] is True


def test_an_unlock_is_in_the_accounts_history(users):
    from berdaya.accounts.services import unlock_user

    unlock_user(by=users["admin"], user=users["desa_a"])

    latest = users["desa_a"].history.latest("history_date")
    assert (latest.history_user, latest.history_change_reason) == (users["admin"], "unlocked after failed logins")
