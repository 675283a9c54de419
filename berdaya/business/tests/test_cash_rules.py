"""The form and the spreadsheet import keep one cash book: the same bad row is refused with the same message."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from berdaya.accounts.tests.factories import UserFactory
from berdaya.business import excel, services
from berdaya.business.models import CashEntry, CashMonth
from berdaya.business.tests.factories import CashEntryFactory
from berdaya.groups.tests.factories import KubeFactory

pytestmark = pytest.mark.django_db

HEADER = ["Tanggal", "Uraian", "Kategori", "Masuk", "Keluar", "Produk", "Saluran", "Jumlah", "Harga satuan"]
SALE = {
    "entry_date": dt.date(2027, 11, 5),
    "kind": "income",
    "category": "sales",
    "amount": 150_000,
    "description": "Jual kue",
    "product": "Kue lapis",
    "channel": "local_market",
    "quantity": None,
    "unit_price": None,
}

# Each row breaks one rule; the message is what the form shows, and what the import shows after the line.
BAD_ROWS = [
    ({"amount": 0}, "The amount must be more than zero."),
    (
        {"amount": 2_000_000_000},
        "Rp 2,000,000,000 is more than the limit of Rp 1,000,000,000 for one entry: check for extra zeros.",
    ),
    ({"description": "   "}, "Describe the entry."),
    ({"category": "materials"}, "This category is not a kind of income."),
    ({"kind": "expense"}, "This category is not a kind of expense."),
    ({"category": "aid"}, "Aid enters the book when a disbursement stage is recorded as paid."),
    ({"entry_date": dt.date(2027, 12, 20)}, "The date is in the future."),
    ({"entry_date": dt.date(2027, 9, 20)}, "Sep 2027 is closed: record a correction in an open month instead."),
    ({"channel": ""}, "A sale needs the product and the market channel."),
    ({"product": ""}, "A sale needs the product and the market channel."),
    ({"quantity": 0, "unit_price": 5_000}, "The quantity must be more than zero."),
    ({"quantity": 28, "unit_price": 5_000}, "28 × Rp 5,000 is Rp 140,000, not Rp 150,000."),
]


def _sheet(tmp_path, values):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    income = values["amount"] if values["kind"] == "income" else None
    expense = values["amount"] if values["kind"] == "expense" else None
    sheet.append(
        [
            values["entry_date"].isoformat(),
            values["description"],
            values["category"],
            income,
            expense,
            values["product"] or None,
            values["channel"] or None,
            values["quantity"],
            values["unit_price"],
        ]
    )
    path = tmp_path / "kas.xlsx"
    workbook.save(path)
    return path


@pytest.fixture
def book():
    """A group whose September is closed, and its treasurer."""
    kube = KubeFactory()
    by = UserFactory(username="bendahara")
    CashEntryFactory(kube=kube, entry_date=dt.date(2027, 9, 3))
    services.close_cash_month(kube=kube, month=dt.date(2027, 9, 1), by=by)
    return kube, by


@pytest.mark.parametrize(("change", "message"), BAD_ROWS, ids=[m[:30] for _, m in BAD_ROWS])
def test_the_form_and_the_import_refuse_a_bad_row_with_the_same_message(tmp_path, settings, book, change, message):
    settings.BERDAYA_CASH_ENTRY_MAX = 1_000_000_000
    kube, by = book
    row = {**SALE, **change}

    with pytest.raises(services.CashBookError) as refused:
        services.record_cash_entry(kube=kube, by=by, **row)
    report = excel.check_cash_book_file(kube=kube, path=_sheet(tmp_path, row), by=by)

    assert refused.value.message == message
    assert [issue.text for issue in report.issues] == [f"Line 2: {message}"]
    assert CashEntry.objects.filter(kube=kube).count() == 1


def test_a_good_row_is_written_alike_by_the_form_and_the_import(tmp_path, book):
    kube, by = book
    row = {**SALE, "quantity": 30, "unit_price": 5_000}
    typed = services.record_cash_entry(kube=kube, by=by, **row)
    typed.delete()

    excel.check_cash_book_file(kube=kube, path=_sheet(tmp_path, row), by=by, commit=True)

    imported = CashEntry.objects.get(kube=kube, entry_date=row["entry_date"])
    fields = ("kind", "category", "amount", "description", "product", "quantity", "unit_price", "channel", "month")
    assert [getattr(imported, name) for name in fields] == [getattr(typed, name) for name in fields]
    assert imported.month == dt.date(2027, 11, 1)


def test_an_import_with_one_bad_row_writes_nothing(tmp_path, book):
    kube, by = book
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["2027-11-05", "Jual kue", "sales", 150_000, None, "Kue", "local_market", None, None])
    sheet.append(["2027-11-06", "Jual kue", "sales", 150_000, None, "Kue", "local_market", 28, 5_000])
    path = tmp_path / "kas.xlsx"
    workbook.save(path)

    with pytest.raises(excel.CashImportError, match="1 rows are rejected"):
        excel.check_cash_book_file(kube=kube, path=path, by=by, commit=True)

    assert CashEntry.objects.filter(kube=kube).count() == 1
    assert CashMonth.objects.filter(kube=kube).count() == 1
