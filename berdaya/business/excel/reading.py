"""Reading a cash-book spreadsheet: find the header row (in Indonesian or English), and turn cells into values.

What a cell means is decided here; whether the row may enter the book is decided by cash_rules, as for the form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.lib.errors import DomainError
from berdaya.lib.uploads import Limits, check_dimension, check_upload, counted


class CashImportError(DomainError):
    pass


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


def _open(path: Path) -> tuple[dict[str, int], Iterator[tuple[int, tuple[Any, ...]]], Any]:
    """The columns, the rows under the header (line number, cells) and the workbook to close afterwards.

    The file is first judged by what it expands to (berdaya.lib.uploads, the cash book's limits): a file beyond them
    raises FileRefused before a row is read, or as soon as the rows read (empty ones too) pass them.
    """
    from openpyxl import load_workbook

    limits = Limits.of("cash_book")
    check_upload(path, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many types for a damaged or non-XLSX file
        raise CashImportError(_("The file is not an XLSX workbook that can be opened.")) from error
    sheet = workbook.worksheets[0]
    try:
        check_dimension(sheet, limits)
    except DomainError:
        workbook.close()
        raise
    values = counted(sheet.iter_rows(values_only=True), limits)
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
