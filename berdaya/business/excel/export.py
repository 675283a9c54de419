"""The cash book as a spreadsheet, in the layout a treasurer keeps on paper: a running balance, month totals."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from berdaya.groups.models import Kube
from berdaya.lib import formats
from berdaya.lib.exports import safe_cell

from ..models import CashEntry, month_start

MONEY_FORMAT = "#,##0"


def _rows(kube: Kube) -> Iterator[list[Any]]:
    balance = 0
    month: dt.date | None = None
    month_in = month_out = 0
    entries = CashEntry.objects.filter(kube=kube).order_by("entry_date", "pk")
    fields = ("entry_date", "description", "category", "kind", "amount", "product", "quantity", "channel")
    labels = dict(CashEntry.Category.choices)
    channels = dict(CashEntry.Channel.choices)
    for number, (entry_date, description, category, kind, amount, product, quantity, channel) in enumerate(
        entries.values_list(*fields).iterator(chunk_size=2000), start=1
    ):
        if month is not None and month_start(entry_date) != month:
            yield ["", "", _("Total for %(month)s") % {"month": formats.month(month)}, "", month_in, month_out, balance]
            month_in = month_out = 0
        month = month_start(entry_date)
        income = amount if kind == CashEntry.Kind.INCOME else None
        expense = amount if kind == CashEntry.Kind.EXPENSE else None
        balance += amount if income else -amount
        month_in += income or 0
        month_out += expense or 0
        yield [
            number,
            entry_date,
            safe_cell(description),
            str(labels.get(category, category)),
            income,
            expense,
            balance,
            safe_cell(product),
            quantity,
            str(channels.get(channel, "")) if channel else "",
        ]
    if month is not None:
        yield ["", "", _("Total for %(month)s") % {"month": formats.month(month)}, "", month_in, month_out, balance]


def write_cash_book(*, kube: Kube, stream: IO[bytes]) -> None:
    """Write the whole cash book: a title, one line per entry with its running balance, a total under each month."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Cash book")[:31])
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 48
    sheet.column_dimensions["D"].width = 22
    for column in "EFG":
        sheet.column_dimensions[column].width = 16
    bold = Font(bold=True)

    def cell(value: Any, *, strong: bool = False, money: bool = False, date: bool = False) -> Any:
        if not (strong or money or date) or value in (None, ""):
            return value  # a plain value costs openpyxl a fraction of a styled cell
        c = WriteOnlyCell(sheet, value=value)
        if strong:
            c.font = bold
        if money:
            c.number_format = MONEY_FORMAT
        if date:
            c.number_format = "DD/MM/YYYY"
        return c

    sheet.append([cell(_("CASH BOOK"), strong=True)])
    sheet.append([_("KUBE"), safe_cell(kube.name)])
    sheet.append([_("Village"), safe_cell(str(kube.village))])
    sheet.append([_("Printed on"), cell(timezone.localdate(), date=True)])
    sheet.append([])
    header = [_("No."), _("Date"), _("Description"), _("Category"), _("In (Rp)"), _("Out (Rp)"), _("Balance (Rp)")]
    header += [_("Product"), _("Quantity"), _("Market channel")]
    sheet.append([cell(title, strong=True) for title in header])
    for row in _rows(kube):
        total = row[0] == ""
        sheet.append(
            [
                row[0],
                cell(row[1], date=True),
                cell(row[2], strong=total),
                row[3],
                cell(row[4], money=True, strong=total),
                cell(row[5], money=True, strong=total),
                cell(row[6], money=True, strong=total),
                *row[7:],
            ]
        )
    workbook.save(stream)
