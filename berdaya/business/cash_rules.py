"""The cash book's rules for one row, in one place: the form's service and the spreadsheet import both ask them.

`check_cash_row` is pure (no database): it takes one row's values, the day it is today and the last day of the
last closed month, and returns the cleaned row or the errors, each naming its field and carrying its message as
a msgid with its values, so that the form shows it now and an import report shows it later in the reader's
language. Reading a row from its source (a form field, a spreadsheet cell) stays with the source.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.lib import formats
from berdaya.lib.formats import grouped

from .models import CashEntry

Kind = CashEntry.Kind
Category = CashEntry.Category


@dataclass(frozen=True)
class RowError:
    """Why a row cannot enter the book: the field it concerns and its message (a msgid and its values; an amount
    stays a number, grouped in the reader's language when shown)."""

    field: str
    msgid: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def text(self) -> str:
        return _(self.msgid) % grouped(self.params) if self.params else _(self.msgid)


@dataclass(frozen=True)
class CheckedRow:
    """One row's cleaned values, ready to become a cash entry."""

    entry_date: dt.date
    kind: str
    category: str
    amount: int
    description: str
    product: str = ""
    quantity: int | None = None
    unit_price: int | None = None
    buyer_type: str = ""
    channel: str = ""


@dataclass(frozen=True)
class RowCheck:
    """The outcome of checking one row: the cleaned row, or (when `errors` is not empty) why it is refused."""

    row: CheckedRow | None
    errors: list[RowError]

    @property
    def message(self) -> str:
        return " ".join(error.text for error in self.errors)


def amount_error(amount: object, *, field: str = "amount", ceiling: int | None = None) -> RowError | None:
    """A positive whole number of Rupiah below the absurd-amount ceiling, else why not."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        return RowError(field, N_("The amount must be a whole number of Rupiah."))
    if amount <= 0:
        return RowError(field, N_("The amount must be more than zero."))
    ceiling = settings.BERDAYA_CASH_ENTRY_MAX if ceiling is None else ceiling
    if amount > ceiling:
        return RowError(
            field,
            N_("Rp %(amount)s is more than the limit of Rp %(limit)s for one entry: check for extra zeros."),
            {"amount": amount, "limit": ceiling},
        )
    return None


def closed_month_error(day: dt.date, locked_until: dt.date | None) -> RowError | None:
    """A day on or before the last day of the last closed month cannot be written to."""
    if locked_until is not None and day <= locked_until:
        return RowError(
            "entry_date",
            N_("%(month)s is closed: record a correction in an open month instead."),
            {"month": formats.month(day)},
        )
    return None


def check_cash_row(
    *,
    entry_date: dt.date,
    kind: str,
    category: str,
    amount: object,
    description: str,
    product: str = "",
    quantity: int | None = None,
    unit_price: int | None = None,
    buyer_type: str = "",
    channel: str = "",
    today: dt.date,
    locked_until: dt.date | None = None,
    ceiling: int | None = None,
) -> RowCheck:
    """Check one income or expense line against every rule of the cash book; all its errors, in a fixed order."""
    errors: list[RowError] = []
    bad_amount = amount_error(amount, ceiling=ceiling)
    if bad_amount is not None:
        errors.append(bad_amount)
    if kind not in Kind.values:
        errors.append(RowError("kind", N_("Say whether the money came in or went out.")))
    description = description.strip()
    if not description:
        errors.append(RowError("description", N_("Describe the entry.")))
    if kind == Kind.INCOME and category not in CashEntry.INCOME_CATEGORIES:
        errors.append(RowError("category", N_("This category is not a kind of income.")))
    elif kind == Kind.EXPENSE and category not in CashEntry.EXPENSE_CATEGORIES:
        errors.append(RowError("category", N_("This category is not a kind of expense.")))
    elif category == Category.AID:
        errors.append(RowError("category", N_("Aid enters the book when a disbursement stage is recorded as paid.")))
    if entry_date > today:
        errors.append(RowError("entry_date", N_("The date is in the future.")))
    else:
        closed = closed_month_error(entry_date, locked_until)
        if closed is not None:
            errors.append(closed)
    if category == Category.SALES:
        product = product.strip()
        if not product or channel not in CashEntry.Channel.values:
            errors.append(RowError("product", N_("A sale needs the product and the market channel.")))
        if quantity is not None and quantity <= 0:
            errors.append(RowError("quantity", N_("The quantity must be more than zero.")))
        elif quantity is not None and unit_price is not None and isinstance(amount, int):
            total = quantity * unit_price
            if total != amount:
                errors.append(
                    RowError(
                        "unit_price",
                        N_("%(quantity)s × Rp %(price)s is Rp %(total)s, not Rp %(amount)s."),
                        {
                            "quantity": quantity,
                            "price": unit_price,
                            "total": total,
                            "amount": amount,
                        },
                    )
                )
    else:
        # Sale details belong to sales only; on any other line they are dropped, not refused.
        product, quantity, unit_price, buyer_type, channel = "", None, None, "", ""
    if buyer_type not in CashEntry.BuyerType.values:
        buyer_type = ""
    if errors:
        return RowCheck(None, errors)
    assert isinstance(amount, int)
    row = CheckedRow(
        entry_date=entry_date,
        kind=kind,
        category=category,
        amount=amount,
        description=description,
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        buyer_type=buyer_type,
        channel=channel,
    )
    return RowCheck(row, [])
