"""On a phone (360×740): a kecamatan operator finds Reports in the menu, asks for its kecamatan's recap as XLSX,
and downloads it; the file holds its three groups and nothing else, and nothing asks for sideways scrolling."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from berdaya.reports.models import ReportRequest

from .test_browser_awards import fits_the_screen, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_kecamatan_operator_asks_for_a_recap_and_downloads_it(
    browser, page, live_server, programme, users, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    page.set_viewport_size({"width": 360, "height": 740})

    log_in(page, "camat")
    page.locator("header summary").click()  # on a phone the menu folds behind one button
    page.locator('nav a[href="/reports/laporan/"]').click()
    page.wait_for_url("**/reports/laporan/")
    assert fits_the_screen(page)
    page.locator('select[name="kind"]').select_option("recap")
    page.locator('select[name="span"]').select_option("year")
    page.locator('input[name="year"]').fill("2027")
    page.locator('input[name="as_of"]').fill("2027-09-30")
    page.locator('select[name="fmt"]').select_option("xlsx")
    page.locator("#upward-form button[type=submit]").click()
    wanted = ReportRequest.objects.get()
    page.wait_for_url(f"**{wanted.get_absolute_url()}")
    assert fits_the_screen(page)
    with page.expect_download() as download:
        page.locator("#upward-download").click()

    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).worksheets[0]
    rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert [row[0] for row in rows[:-1]] == ["Tanah Periuk", "Tapis"]
    assert rows[-1][1] == 3  # KUBE: a1, a2 and b1; Kuaro's groups are not in it
