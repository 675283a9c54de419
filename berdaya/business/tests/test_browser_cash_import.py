"""In headless Chromium: a treasurer's cash-book file goes through the task worker, its progress bar on the page,
from the upload to the entries in the book."""

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from berdaya.accounts.tests.factories import PASSWORD
from berdaya.business.models import CashEntry
from berdaya.groups.tests.factories import KubeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def work_off_the_queue():
    """What `berdaya db_worker` does in production: run every queued task, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_a_cash_book_file_is_checked_and_imported_by_the_worker(page, users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    kube = KubeFactory(facilitator=users["facilitator"])
    workbook = Workbook()
    workbook.active.append(["Tanggal", "Uraian", "Masuk", "Keluar"])
    workbook.active.append(["2027-11-05", "Jual kue", 150000, None])
    workbook.active.append(["2027-11-06", "Beli tepung", None, 40000])
    upload = tmp_path / "kas.xlsx"
    workbook.save(upload)
    page.goto("/accounts/login/")
    page.fill("#id_username", "facilitator")
    page.fill("#id_password", PASSWORD)
    page.locator("button.primary").click()

    page.goto(f"/business/{kube.pk}/cash/import/")
    page.set_input_files("input[name=file]", str(upload))
    page.locator("#import-form button").click()
    page.locator("#progress progress").wait_for(state="visible")  # queued: the bar waits for the worker
    work_off_the_queue()
    page.locator("#progress progress").wait_for(state="detached")  # htmx polling saw the check finish
    page.locator("#commit").click()
    page.locator("#confirm-button").click()
    work_off_the_queue()
    page.locator("#to-book").wait_for()

    assert sorted(CashEntry.objects.values_list("amount", flat=True)) == [40_000, 150_000]
