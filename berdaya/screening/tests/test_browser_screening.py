"""In headless Chromium: import a registry file, watch the progress bar finish, review the flagged match, confirm it."""

import re

import pytest
from django.core.management import call_command

from berdaya.accounts.tests.factories import PASSWORD
from berdaya.screening.models import MatchCandidate

from .test_review import different_people, swap

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def work_off_the_queue():
    """What `berdaya db_worker` does in production: run every queued task, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_an_officer_imports_a_file_and_confirms_the_duplicate_it_brought(page, users, regions, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    _, original = different_people(regions)
    upload = tmp_path / "desa-tapis.csv"
    upload.write_text(
        "NIK,Nomor KK,Nama,Kode Desa,Jenis Kelamin,Tanggal Lahir,Alamat\n"
        f"{swap(original.nik, 6)},6401041506700099,Moh. Sukarno,64.01.04.2005,L,15/06/1970,Jl. Baru 2\n",
        encoding="utf-8",
    )
    page.goto("/accounts/login/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.locator("button.primary").click()

    page.goto("/registry/imports/")
    page.locator("select[name=kind]").select_option("registry")
    page.set_input_files("input[name=file]", str(upload))
    page.locator("form.card button.primary").click()
    # Queued: the bar waits for the worker (waited for: the click only starts the page's load).
    page.locator("#progress progress").wait_for(state="visible")
    work_off_the_queue()
    page.locator("#progress progress").wait_for(state="detached")  # htmx polling saw the check finish
    page.locator("form[action$='/commit/'] button.primary").click()
    page.locator("#confirm-button").click()
    work_off_the_queue()  # the commit, which queues a screening of the regency
    page.locator("#progress progress").wait_for(state="detached")
    work_off_the_queue()  # the screening

    page.goto("/screening/")
    page.get_by_role("link", name=re.compile(r"^\d[.,]\d\d$")).first.click()
    assert "dua digit tertukar" in page.locator("main").inner_text()  # the engine's reason, in Indonesian
    page.locator("button[value=same]").click()

    page.locator("#decision form[action$='/merge/']").wait_for()
    assert MatchCandidate.objects.get().status == MatchCandidate.Status.CONFIRMED
