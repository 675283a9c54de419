"""The cash book as a spreadsheet: an export in the layout a treasurer keeps on paper, and an import of one.

The import follows the registry's rules: a dry run reports every row and stores nothing; the commit re-checks the
file under the group's lock and stores it in one transaction. For a ledger a partial import would give a wrong
balance, so the commit stores nothing while any row is rejected. Rows already in the book (same date, direction,
amount and description) are skipped, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.errors import DomainError
from berdaya.lib.exports import safe_cell
from berdaya.registry.importing import parse_date

from .models import CashEntry, month_start
from .services import _lock, cash_balance, locked_until

MAX_ROWS = 20_000
MONEY_FORMAT = "#,##0"


class CashImportError(DomainError):
    pass


# Export ----------------------------------------------------------------------------------------------------------


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
            yield ["", "", _("Total for %(month)s") % {"month": f"{month:%m/%Y}"}, "", month_in, month_out, balance]
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
        yield ["", "", _("Total for %(month)s") % {"month": f"{month:%m/%Y}"}, "", month_in, month_out, balance]


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


# Import ----------------------------------------------------------------------------------------------------------

_ALIASES = {
    "tanggal": "date",
    "tgl": "date",
    "date": "date",
    "uraian": "description",
    "keterangan": "description",
    "description": "description",
    "kategori": "category",
    "category": "category",
    "masuk": "income",
    "pemasukan": "income",
    "debet": "income",
    "debit": "income",
    "in": "income",
    "inrp": "income",
    "masukrp": "income",
    "income": "income",
    "keluar": "expense",
    "pengeluaran": "expense",
    "kredit": "expense",
    "credit": "expense",
    "out": "expense",
    "outrp": "expense",
    "keluarrp": "expense",
    "expense": "expense",
    "produk": "product",
    "product": "product",
    "jumlah": "quantity",
    "qty": "quantity",
    "quantity": "quantity",
    "hargasatuan": "unit_price",
    "unitprice": "unit_price",
    "saluran": "channel",
    "saluranpemasaran": "channel",
    "channel": "channel",
    "pembeli": "buyer_type",
    "buyer": "buyer_type",
}
REQUIRED = ("date", "description", "income", "expense")
_NUMBER = re.compile(r"^(?:\d+|\d{1,3}(?:\.\d{3})+|\d{1,3}(?:,\d{3})+)$")


def _key(title: Any) -> str:
    return re.sub(r"[^a-z]", "", str(title or "").lower())


def _choice_table(choices: list[tuple[str, Any]]) -> dict[str, str]:
    """Codes and labels (in English and Indonesian) of a choice list, as _key()s."""
    from django.utils import translation

    table: dict[str, str] = {}
    for code, label in choices:
        table[_key(code)] = code
        for language in ("en", "id"):
            with translation.override(language):
                table[_key(str(label))] = code
    return table


@dataclass
class ImportIssue:
    line: int
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return _(self.msgid) % {"line": self.line, **self.params}


@dataclass
class ImportReport:
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    income: int = 0
    expense: int = 0
    committed: bool = False
    issues: list[ImportIssue] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        issues = [ImportIssue(**issue) for issue in data.get("issues", [])]
        return cls(**{**data, "issues": issues})


def _amount(value: Any) -> int | None:
    """A cell as whole Rupiah; None when empty. A spreadsheet number that is not whole is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        # Spreadsheets store numbers as floats; only an exact whole number below 2**53 converts without loss.
        if value.is_integer() and abs(value) < 2**53:
            return int(value)
        raise ValueError(value)
    text = re.sub(r"^rp\.?\s*", "", str(value).strip(), flags=re.IGNORECASE).replace(" ", "")
    if text in ("", "-"):
        return None
    negative = text.startswith("-")
    if not _NUMBER.match(text.lstrip("-")):
        raise ValueError(value)
    number = int(re.sub(r"[.,]", "", text.lstrip("-")))
    return -number if negative else number


# The export's own headers, in every UI language, so that an exported book imports back.
_EXPORT_HEADERS = {
    "date": N_("Date"),
    "description": N_("Description"),
    "category": N_("Category"),
    "income": N_("In (Rp)"),
    "expense": N_("Out (Rp)"),
    "product": N_("Product"),
    "quantity": N_("Quantity"),
    "channel": N_("Market channel"),
}
_SUMMARY_ROWS = ("total", "jumlah", "subtotal", "saldo")


def _summary_prefixes() -> tuple[str, ...]:
    from django.utils import translation

    prefixes = set(_SUMMARY_ROWS)
    for language in ("en", "id"):
        with translation.override(language):
            prefixes.add(_key(_("Total for %(month)s") % {"month": ""}))
    return tuple(p for p in prefixes if p)


def _aliases() -> dict[str, str]:
    from django.utils import translation

    aliases = dict(_ALIASES)
    for language in ("en", "id"):
        with translation.override(language):
            for name, msgid in _EXPORT_HEADERS.items():
                aliases.setdefault(_key(_(msgid)), name)
    return aliases


def _open(path: Any) -> tuple[dict[str, int], Iterator[tuple[int, tuple[Any, ...]]], Any]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged or non-XLSX file
        raise CashImportError(_("The file is not an XLSX workbook that can be opened.")) from error
    values = workbook.worksheets[0].iter_rows(values_only=True)
    aliases = _aliases()
    # The header is the first row that names the required columns (an export has a title block above it).
    for number, cells in enumerate(values, start=1):
        columns: dict[str, int] = {}
        for index, title in enumerate(cells):
            name = aliases.get(_key(title))
            if name and name not in columns:
                columns[name] = index
        if all(name in columns for name in REQUIRED):
            start = number

            def rows(start: int = start) -> Iterator[tuple[int, tuple[Any, ...]]]:
                for line, row in enumerate(values, start=start + 1):
                    if any(cell not in (None, "") for cell in row):
                        yield line, row

            return columns, rows(), workbook
        if number >= 20:
            break
    workbook.close()
    raise CashImportError(
        _("No header row with the columns Date, Description, In and Out (Tanggal, Uraian, Masuk, Keluar) was found.")
    )


def check_cash_book_file(*, kube: Kube, path: Any, by: User, commit: bool = False) -> ImportReport:
    """Check every row of a cash-book spreadsheet; with `commit`, store the accepted rows in one transaction."""
    summaries = _summary_prefixes()
    categories = _choice_table(CashEntry.Category.choices)
    channels = _choice_table(CashEntry.Channel.choices)
    buyers = _choice_table(CashEntry.BuyerType.choices)
    ceiling = settings.BERDAYA_CASH_ENTRY_MAX
    today = timezone.localdate()
    report = ImportReport()
    with transaction.atomic():
        if commit:
            kube = _lock(kube)
        lock_end = locked_until(kube)
        existing = set(CashEntry.objects.filter(kube=kube).values_list("entry_date", "kind", "amount", "description"))
        columns, rows, workbook = _open(path)
        new: list[CashEntry] = []
        try:
            for line, cells in rows:
                report.rows += 1
                if report.rows > MAX_ROWS:
                    raise CashImportError(_("The file has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}"})
                problems: list[ImportIssue] = []

                def cell(name: str, cells: tuple[Any, ...] = cells) -> Any:
                    index = columns.get(name)
                    return cells[index] if index is not None and index < len(cells) else None

                def refuse(msgid: str, line: int = line, problems: list[ImportIssue] = problems, **params: Any) -> None:
                    problems.append(ImportIssue(line, msgid, params))

                description = str(cell("description") or "").strip()
                if cell("date") in (None, "") and _key(description).startswith(summaries):
                    report.rows -= 1  # a month's total under its entries, as in our own export
                    continue
                first = str(cell("description") or "")
                if first.startswith(("=", "+", "@")) and len(first) > 1 and not first[1:2].isdigit():
                    refuse(N_("Line %(line)s: formulas are not accepted in the description."))
                try:
                    entry_date = parse_date(cell("date"))
                except (ValueError, OverflowError):
                    entry_date = None
                    refuse(N_("Line %(line)s: %(value)s is not a date."), value=str(cell("date")))
                else:
                    if entry_date is None:
                        refuse(N_("Line %(line)s: the date is missing."))
                if not description:
                    refuse(N_("Line %(line)s: the description is missing."))
                try:
                    income, expense = _amount(cell("income")), _amount(cell("expense"))
                except ValueError:
                    income = expense = None
                    refuse(N_("Line %(line)s: the amount must be a whole number of Rupiah."))
                    amounts_ok = False
                else:
                    amounts_ok = True
                kind, amount = "", 0
                if amounts_ok:
                    if (income is None) == (expense is None):
                        refuse(N_("Line %(line)s: fill in exactly one of In and Out."))
                    else:
                        kind = CashEntry.Kind.INCOME if income is not None else CashEntry.Kind.EXPENSE
                        amount = income if income is not None else expense  # type: ignore[assignment]
                        if amount <= 0:
                            refuse(N_("Line %(line)s: the amount must be more than zero."))
                        elif amount > ceiling:
                            refuse(
                                N_("Line %(line)s: Rp %(amount)s is more than the limit of Rp %(limit)s."),
                                amount=f"{amount:,}",
                                limit=f"{ceiling:,}",
                            )
                if entry_date is not None:
                    if entry_date > today:
                        refuse(N_("Line %(line)s: the date is in the future."))
                    elif lock_end is not None and entry_date <= lock_end:
                        refuse(N_("Line %(line)s: %(month)s is closed."), month=f"{entry_date:%m/%Y}")
                product = str(cell("product") or "").strip()
                raw_category = cell("category")
                category = categories.get(_key(raw_category)) if raw_category else None
                if raw_category and category is None:
                    refuse(N_("Line %(line)s: unknown category %(value)s."), value=str(raw_category))
                if category is None and kind:
                    if kind == CashEntry.Kind.INCOME:
                        category = CashEntry.Category.SALES if product else CashEntry.Category.OTHER_INCOME
                    else:
                        category = CashEntry.Category.OTHER_EXPENSE
                if category and kind:
                    allowed = (
                        CashEntry.INCOME_CATEGORIES if kind == CashEntry.Kind.INCOME else CashEntry.EXPENSE_CATEGORIES
                    )
                    if category not in allowed or category == CashEntry.Category.AID:
                        refuse(
                            N_("Line %(line)s: category %(value)s cannot be imported on this side."),
                            value=str(raw_category),
                        )
                channel = channels.get(_key(cell("channel")), "") if cell("channel") else ""
                buyer = buyers.get(_key(cell("buyer_type")), "") if cell("buyer_type") else ""
                quantity: int | None = None
                unit_price: int | None = None
                if category == CashEntry.Category.SALES:
                    if not product:
                        refuse(N_("Line %(line)s: a sale needs the product."))
                    if not channel:
                        channel = CashEntry.Channel.OTHER
                    try:
                        quantity, unit_price = _amount(cell("quantity")), _amount(cell("unit_price"))
                    except ValueError:
                        refuse(N_("Line %(line)s: quantity and unit price must be whole numbers."))
                if problems:
                    report.rejected += 1
                    report.issues.extend(problems)
                    continue
                assert entry_date is not None and category is not None
                key = (entry_date, kind, amount, description[:255])
                if key in existing:
                    report.duplicates += 1
                    continue
                existing.add(key)
                report.accepted += 1
                if kind == CashEntry.Kind.INCOME:
                    report.income += amount
                else:
                    report.expense += amount
                new.append(
                    CashEntry(
                        kube=kube,
                        entry_date=entry_date,
                        month=entry_date.replace(day=1),  # bulk_create does not call save()
                        kind=kind,
                        category=category,
                        amount=amount,
                        description=description[:255],
                        product=product[:100] if category == CashEntry.Category.SALES else "",
                        quantity=quantity
                        if category == CashEntry.Category.SALES and quantity and quantity > 0
                        else None,
                        unit_price=unit_price if category == CashEntry.Category.SALES else None,
                        buyer_type=buyer if category == CashEntry.Category.SALES else "",
                        channel=channel if category == CashEntry.Category.SALES else "",
                        entered_by=by,
                    )
                )
        finally:
            workbook.close()
        if report.rows == 0:
            raise CashImportError(_("The file has a header but no rows."))
        if commit:
            if report.rejected:
                raise CashImportError(
                    _("%(count)s rows are rejected: correct them and upload the file again.")
                    % {"count": report.rejected}
                )
            from simple_history.utils import bulk_create_with_history

            bulk_create_with_history(new, CashEntry, batch_size=1000, default_user=by)
            report.committed = True
    return report


def balance_after(*, kube: Kube, report: ImportReport) -> int:
    """What the book's balance will be once the accepted rows are stored."""
    return cash_balance(kube=kube) + report.income - report.expense
