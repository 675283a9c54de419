"""End to end in headless Chromium: log in, see the dashboard, switch language, log out; and the lockout."""

import pytest

from berdaya.accounts.tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def test_an_admin_logs_in_switches_to_english_and_logs_out(page, users):
    log_in(page, "admin")

    assert "Dasbor program KUBE" in page.locator("h1").inner_text()
    page.get_by_role("button", name="English").click()
    assert page.locator("h1").inner_text() == "KUBE programme dashboard: Kabupaten Paser"
    page.get_by_role("button", name="Log out").click()
    assert page.url.endswith("/accounts/login/")


def test_a_village_operator_sees_only_its_village_on_a_phone(page, users):
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, "desa_a")

    page.locator("header summary").click()  # on a phone the menu folds behind one button
    page.get_by_role("link", name="Wilayah").click()

    assert "Tanah Periuk" in page.locator("h1").inner_text()
    assert page.locator("#region-rows tr").count() == 1


def test_five_wrong_passwords_show_the_lockout_message(page, users):
    for _ in range(5):
        log_in(page, "desa_b", "salah-sekali")

    log_in(page, "desa_b")

    assert "Akun ini dikunci" in page.get_by_role("alert").first.inner_text()
