"""The cash book in a spreadsheet: the treasurer's layout out, and a checked import in."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import excel, selectors, services
from berdaya.business.models import CashEntry, CashImport
from berdaya.business.tests.factories import CashEntryFactory, ExpenseFactory
from berdaya.groups.tests.factories import KubeFactory

pytestmark = pytest.mark.django_db

HEADER = ["Tanggal", "Uraian", "Kategori", "Masuk", "Keluar", "Produk", "Saluran"]


def _xlsx(tmp_path, rows, header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["BUKU KAS KUBE"])  # a title block above the header, as treasurers keep it
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "kas.xlsx"
    workbook.save(path)
    return path


@pytest.fixture
def by():
    return UserFactory(username="bendahara")


def test_the_export_has_a_running_balance_and_a_total_under_each_month():
    kube = KubeFactory(name="KUBE Sumber Rezeki")
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3), amount=500_000, description="=HYPERLINK(1)")
    ExpenseFactory(kube=kube, entry_date=dt.date(2027, 9, 20), amount=120_000)
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 10, 1), amount=80_000)
    stream = io.BytesIO()

    excel.write_cash_book(kube=kube, stream=stream)

    rows = list(load_workbook(stream).active.iter_rows(values_only=True))
    body = rows[6:]
    assert rows[1][1] == "KUBE Sumber Rezeki"
    assert [row[6] for row in body] == [500_000, 380_000, 380_000, 460_000, 460_000]
    assert body[2][4:6] == (500_000, 120_000)  # September's total row
    assert body[0][2].startswith("'=")  # a formula typed as a description stays text


def test_a_dry_run_reports_every_row_and_stores_nothing(tmp_path, by):
    kube = KubeFactory()
    path = _xlsx(
        tmp_path,
        [
            ["05/11/2027", "Jual kue", "Penjualan", 150000, None, "Kue lapis", "Pasar setempat"],
            ["06/11/2027", "Beli tepung", "Bahan baku", None, "60.000", None, None],
            ["07/11/2027", "Salah", None, 1000, 2000, None, None],
        ],
    )

    report = excel.check_cash_book_file(kube=kube, path=path, by=by)

    assert (report.rows, report.accepted, report.rejected) == (3, 2, 1)
    assert "Line 5" in report.issues[0].text
    assert not CashEntry.objects.exists()


def test_a_commit_stores_the_rows_in_one_go(tmp_path, by):
    kube = KubeFactory()
    path = _xlsx(tmp_path, [["2027-11-05", "Jual kue", "sales", 150000, None, "Kue lapis", "local_market"]])

    report = excel.check_cash_book_file(kube=kube, path=path, by=by, commit=True)

    entry = CashEntry.objects.get()
    assert report.committed
    assert (entry.category, entry.amount, entry.channel, entry.entered_by) == ("sales", 150_000, "local_market", by)


def test_importing_the_same_file_twice_changes_nothing(tmp_path, by):
    kube = KubeFactory()
    path = _xlsx(tmp_path, [["2027-11-05", "Jual kue", None, 150000, None, "Kue lapis", "Warung desa"]])
    excel.check_cash_book_file(kube=kube, path=path, by=by, commit=True)

    report = excel.check_cash_book_file(kube=kube, path=path, by=by, commit=True)

    assert (report.accepted, report.duplicates) == (0, 1)
    assert CashEntry.objects.count() == 1


def test_a_commit_with_a_rejected_row_stores_nothing(tmp_path, by):
    kube = KubeFactory()
    path = _xlsx(
        tmp_path,
        [
            ["2027-11-05", "Jual kue", None, 150000, None, "Kue", "Warung desa"],
            ["2027-11-06", "x", None, -5, None, None, None],
        ],
    )

    with pytest.raises(excel.CashImportError, match="1 rows are rejected"):
        excel.check_cash_book_file(kube=kube, path=path, by=by, commit=True)

    assert not CashEntry.objects.exists()


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        (-5, "more than zero"),
        (12.5, "whole number"),
        ("1,5", "whole number"),
        (10**13, "limit"),
        ("=1+1", "whole number"),
    ],
)
def test_a_bad_amount_in_the_file_is_rejected_with_its_line(tmp_path, by, cell, message):
    path = _xlsx(tmp_path, [["2027-11-05", "Jual", None, cell, None, "Kue", None]])

    report = excel.check_cash_book_file(kube=KubeFactory(), path=path, by=by)

    assert report.rejected == 1
    assert message in report.issues[0].text


def test_the_treasurer_reads_why_a_row_is_rejected_in_indonesian(tmp_path, by):
    path = _xlsx(tmp_path, [["2027-11-05", "Jual", None, -5, None, "Kue", None]])

    report = excel.check_cash_book_file(kube=KubeFactory(), path=path, by=by)

    with translation.override("id"):
        # The rule's own message, as the form shows it, after the line ("Baris 3: ...").
        assert report.issues[0].text.endswith(" 3: Jumlah harus lebih dari nol.")


def test_a_row_in_a_closed_month_is_rejected(tmp_path, by):
    kube = KubeFactory()
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3))
    services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=by)
    path = _xlsx(tmp_path, [["2027-09-10", "Jual", None, 1000, None, "Kue", None]])

    report = excel.check_cash_book_file(kube=kube, path=path, by=by)

    assert "Sep 2027 is closed" in report.issues[0].text


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path, by):
    path = tmp_path / "kas.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")

    with pytest.raises(excel.CashImportError, match="not an XLSX workbook"):
        excel.check_cash_book_file(kube=KubeFactory(), path=path, by=by)


def test_a_file_without_the_columns_is_refused(tmp_path, by):
    path = _xlsx(tmp_path, [["x"]], header=["Nama", "Alamat"])

    with pytest.raises(excel.CashImportError, match="No header row"):
        excel.check_cash_book_file(kube=KubeFactory(), path=path, by=by)


def test_an_exported_book_imports_into_an_empty_group(tmp_path, by):
    source = KubeFactory()
    CashEntryFactory(kube=source, entry_date=dt.date(2027, 9, 3), amount=500_000)
    ExpenseFactory(kube=source, entry_date=dt.date(2027, 9, 20), amount=120_000)
    path = tmp_path / "export.xlsx"
    with path.open("wb") as stream:
        excel.write_cash_book(kube=source, stream=stream)
    target = KubeFactory()

    report = excel.check_cash_book_file(kube=target, path=path, by=by, commit=True)

    assert (report.accepted, report.rejected) == (2, 0)  # the month totals are not entries
    assert selectors.cash_balance(kube=target) == 380_000


def test_the_import_pages_check_then_commit(client, users, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}  # the worker, at once
    kube = KubeFactory(facilitator=users["facilitator"])
    path = _xlsx(tmp_path, [["2027-11-05", "Jual kue", None, 150000, None, "Kue lapis", "Warung desa"]])
    client.force_login(users["facilitator"])

    upload = SimpleUploadedFile("kas.xlsx", path.read_bytes())
    response = client.post(reverse("business:cash-import", args=[kube.pk]), {"file": upload})
    job = CashImport.objects.get()
    stored_after_check = CashEntry.objects.count()
    client.post(reverse("business:cashimport-commit", args=[kube.pk, job.pk]), {"confirmed": "1"})

    assert response.status_code == 302
    assert stored_after_check == 0
    assert CashEntry.objects.count() == 1


def test_a_malformed_upload_is_shown_beside_the_field(client, users):
    kube = KubeFactory(facilitator=users["facilitator"])
    client.force_login(users["facilitator"])

    response = client.post(
        reverse("business:cash-import", args=[kube.pk]), {"file": SimpleUploadedFile("kas.xlsx", b"garbage")}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not CashImport.objects.exists()


def test_a_report_stored_before_the_shared_rules_still_reads_in_indonesian():
    stored = {"rows": 1, "rejected": 1, "issues": [{"line": 3, "msgid": "Line %(line)s: the date is missing."}]}

    report = excel.ImportReport.from_dict(stored)

    with translation.override("id"):
        assert report.issues[0].text.startswith("Baris 3")
