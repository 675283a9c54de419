"""The cash book's writes: entries (one from the form, many from an import), reversals and monthly closing.

Every entry, whoever writes it (the form, an import, an aid payment, a loan, a profit allocation), enters the
book through `write_cash_entries`, under the group's lock and only in an open month.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_
from simple_history.utils import bulk_create_with_history

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib import formats
from berdaya.lib.audit import acting_as
from berdaya.lib.images import prepare_photo
from berdaya.lib.sent_once import sent_once
from berdaya.lib.stored_text import in_office_language

from .. import selectors
from ..cash_rules import CheckedRow, check_cash_row, closed_month_error
from ..models import CashEntry, CashMonth, month_start
from .common import CashBookError, lock_kube

Kind = CashEntry.Kind
Category = CashEntry.Category


def new_entry(row: CheckedRow, *, kube: Kube, by: User) -> CashEntry:
    """An unsaved entry from a checked row."""
    return CashEntry(
        kube=kube,
        entry_date=row.entry_date,
        kind=row.kind,
        category=row.category,
        amount=row.amount,
        description=row.description,
        product=row.product,
        quantity=row.quantity,
        unit_price=row.unit_price,
        buyer_type=row.buyer_type,
        channel=row.channel,
        entered_by=by,
    )


def _refuse_closed(day: dt.date, lock_end: dt.date | None) -> None:
    error = closed_month_error(day, lock_end)
    if error is not None:
        raise CashBookError(error.text)


def ensure_open(kube: Kube, day: dt.date) -> None:
    """Refuse a day in a closed month before anything else is stored (the writer checks it again)."""
    _refuse_closed(day, selectors.locked_until(kube))


def write_cash_entries(*, kube: Kube, entries: Sequence[CashEntry], by: User) -> list[CashEntry]:
    """Write entries to the group's book in one transaction, under its lock; one in a closed month refuses all."""
    with acting_as(by):
        kube = lock_kube(kube)
        lock_end = selectors.locked_until(kube)
        for entry in entries:
            _refuse_closed(entry.entry_date, lock_end)
            entry.kube = kube
        if len(entries) <= 1:
            for entry in entries:
                entry.save()
            return list(entries)
        # bulk_create skips save(); the queryset derives each row's month, and the history rows name `by`.
        created: list[CashEntry] = bulk_create_with_history(list(entries), CashEntry, batch_size=1000, default_user=by)
        return created


def record_cash_entry(
    *,
    kube: Kube,
    entry_date: dt.date,
    kind: str,
    category: str,
    amount: int,
    description: str,
    receipt: UploadedFile[bytes] | None = None,
    product: str = "",
    quantity: int | None = None,
    unit_price: int | None = None,
    buyer_type: str = "",
    channel: str = "",
    by: User,
    client_key: uuid.UUID | None = None,
) -> CashEntry:
    """Write one income or expense line in the group's cash book; posted again with its `client_key` (a phone or a
    tool retrying after a lost answer), the entry already written (lib.sent_once)."""

    def store() -> CashEntry:
        check = check_cash_row(
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
            today=timezone.localdate(),
        )
        if check.row is None:
            raise CashBookError(check.message)
        # Checked before the transaction so that a bad photo never leaves a half-written entry.
        photo = prepare_photo(receipt).content if receipt else None
        with acting_as(by):
            locked = lock_kube(kube)
            # Before the receipt is stored, so that a refused entry leaves no file behind.
            ensure_open(locked, entry_date)
            entry = new_entry(check.row, kube=locked, by=by)
            entry.client_key = client_key
            if photo is not None:
                entry.receipt.save(photo.name or "receipt.jpg", photo, save=False)
            return write_cash_entries(kube=locked, entries=[entry], by=by)[0]

    refuse = CashBookError(_("This report was already sent for another group or by another user."))
    return sent_once(CashEntry, client_key, kube=kube, by=by, store=store, refuse=refuse, by_field="entered_by_id")


def record_cash_entries(*, kube: Kube, rows: Sequence[CheckedRow], by: User) -> list[CashEntry]:
    """Write checked rows (an import's) to the group's book all at once, or none of them."""
    return write_cash_entries(kube=kube, entries=[new_entry(row, kube=kube, by=by) for row in rows], by=by)


def reverse_cash_entry(*, entry: CashEntry, reason: str, by: User, on: dt.date | None = None) -> CashEntry:
    """Cancel an entry with an opposite entry of the same amount, dated in an open month."""
    on = on or timezone.localdate()
    if not reason.strip():
        raise CashBookError(_("Say why the entry is being reversed."))
    with acting_as(by):
        kube = lock_kube(entry.kube)
        entry = CashEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.is_reversal:
            raise CashBookError(_("A reversal cannot itself be reversed; record a new entry instead."))
        if entry.is_reversed:
            raise CashBookError(_("This entry has already been reversed."))
        if entry.is_derived:
            raise CashBookError(
                _("This entry was written by the %(source)s page; correct it there.")
                % {"source": entry.get_category_display()}
            )
        reversal = CashEntry(
            entry_date=on,
            kind=Kind.EXPENSE if entry.kind == Kind.INCOME else Kind.INCOME,
            category=Category.REVERSAL,
            amount=entry.amount,
            description=in_office_language(
                N_("Reversal of %(date)s %(description)s: %(reason)s"),
                date=entry.entry_date,
                description=entry.description,
                reason=reason.strip(),
            ),
            reverses=entry,
            entered_by=by,
        )
        return write_cash_entries(kube=kube, entries=[reversal], by=by)[0]


def close_cash_month(*, kube: Kube, month: dt.date, by: User) -> CashMonth:
    """Close a month of the cash book: its totals are fixed and nothing can be entered on or before it."""
    month = month_start(month)
    if not selectors.is_closable(month):
        raise CashBookError(_("A month can be closed only after it has ended."))
    try:
        with acting_as(by):
            # Two treasurers closing the same month at once: the second waits here, then finds it closed.
            kube = lock_kube(kube)
            if selectors.is_month_closed(kube=kube, month=month):
                raise CashBookError(_("%(month)s is already closed.") % {"month": formats.month(month)})
            expected = selectors.next_month_to_close(kube)
            if expected is None:
                raise CashBookError(_("The cash book has no entries yet."))
            if month != expected:
                raise CashBookError(
                    _("Months are closed in order: close %(month)s first.") % {"month": formats.month(expected)}
                )
            figures = selectors.month_closing(kube=kube, month=month)  # what its confirmation page showed
            return CashMonth.objects.create(
                kube=kube,
                month=month,
                opening_balance=figures.opening,
                income=figures.income,
                expense=figures.expense,
                closing_balance=figures.closing,
                closed_by=by,
            )
    except IntegrityError as error:
        # The unique (kube, month) constraint: only reached if the lock was bypassed.
        raise CashBookError(_("%(month)s is already closed.") % {"month": formats.month(month)}) from error
