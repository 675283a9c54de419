"""Importing a cash-book spreadsheet: a dry run reports every row and stores nothing; the commit stores it whole.

Each row is read from its cells (here) and then checked by the same rules as the form (`cash_rules`); the commit
re-checks the file under the group's lock and writes through the book's one writer (`record_cash_entries`). For a
ledger a partial import would give a wrong balance, so the commit stores nothing while any row is rejected. Rows
already in the book (same date, direction, amount and description) are skipped, so importing the same file twice
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from berdaya.accounts.models import User
from berdaya.groups.models import Kube
from berdaya.lib.audit import acting_as
from berdaya.lib.formats import grouped, number
from berdaya.registry.importing import parse_date

from .. import selectors
from ..cash_rules import CheckedRow, check_cash_row
from ..models import CashEntry
from ..services.cashbook import record_cash_entries
from ..services.common import lock_kube
from .reading import CashImportError, _amount, _choice_table, _key, _open, _summary_prefixes

# How often (in rows) a running import tells its page how far it got.
PROGRESS_EVERY = 500
# A rule's message (shared with the form) with the line it is about; the reading's own messages name the line.
LINE = N_("Line %(line)s: %(message)s")
# What the import said of a rule before it shared the form's rules: still in reports stored then, so kept in the
# catalogue for them to be read in the reader's language.
STORED_BEFORE = (
    N_("Line %(line)s: the description is missing."),
    N_("Line %(line)s: the amount must be more than zero."),
    N_("Line %(line)s: Rp %(amount)s is more than the limit of Rp %(limit)s."),
    N_("Line %(line)s: the date is in the future."),
    N_("Line %(line)s: %(month)s is closed."),
    N_("Line %(line)s: category %(value)s cannot be imported on this side."),
    N_("Line %(line)s: a sale needs the product."),
)


@dataclass
class ImportIssue:
    line: int
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        if "%(line)s" in self.msgid:  # a reading problem, whose message names the line itself
            return _(self.msgid) % {"line": self.line, **grouped(self.params)}
        message = _(self.msgid) % grouped(self.params) if self.params else _(self.msgid)
        return _(LINE) % {"line": self.line, "message": message}


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
    # Why the file as a whole was refused (read by the task worker, in the office's language); nothing was stored.
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        issues = [ImportIssue(**issue) for issue in data.get("issues", [])]
        return cls(**{**data, "issues": issues})


class _Reader:
    """Turns one spreadsheet row into the values the cash-book rules check, noting what cannot be read."""

    def __init__(self, columns: dict[str, int]) -> None:
        self.columns = columns
        self.categories = _choice_table(CashEntry.Category.choices)
        self.channels = _choice_table(CashEntry.Channel.choices)
        self.buyers = _choice_table(CashEntry.BuyerType.choices)

    def cell(self, cells: tuple[Any, ...], name: str) -> Any:
        index = self.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else None

    def is_summary(self, cells: tuple[Any, ...], summaries: tuple[str, ...]) -> bool:
        """A month's total under its entries (no date, "Total ..."), as in our own export."""
        description = str(self.cell(cells, "description") or "").strip()
        return self.cell(cells, "date") in (None, "") and _key(description).startswith(summaries)

    def read(self, line: int, cells: tuple[Any, ...]) -> tuple[dict[str, Any] | None, list[ImportIssue]]:
        problems: list[ImportIssue] = []

        def cell(name: str) -> Any:
            return self.cell(cells, name)

        def refuse(msgid: str, **params: Any) -> None:
            problems.append(ImportIssue(line, msgid, params))

        description = str(cell("description") or "").strip()
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
        kind, amount = "", 0
        try:
            income, expense = _amount(cell("income")), _amount(cell("expense"))
        except ValueError:
            refuse(N_("Line %(line)s: the amount must be a whole number of Rupiah."))
        else:
            if (income is None) == (expense is None):
                refuse(N_("Line %(line)s: fill in exactly one of In and Out."))
            elif income is not None:
                kind, amount = CashEntry.Kind.INCOME, income
            elif expense is not None:
                kind, amount = CashEntry.Kind.EXPENSE, expense
        product = str(cell("product") or "").strip()
        raw_category = cell("category")
        category = self.categories.get(_key(raw_category)) if raw_category else None
        if raw_category and category is None:
            refuse(N_("Line %(line)s: unknown category %(value)s."), value=str(raw_category))
        if category is None and kind:
            if kind == CashEntry.Kind.INCOME:
                category = CashEntry.Category.SALES if product else CashEntry.Category.OTHER_INCOME
            else:
                category = CashEntry.Category.OTHER_EXPENSE
        quantity = unit_price = None
        if category == CashEntry.Category.SALES:
            try:
                quantity, unit_price = _amount(cell("quantity")), _amount(cell("unit_price"))
            except ValueError:
                refuse(N_("Line %(line)s: quantity and unit price must be whole numbers."))
        if problems or entry_date is None or category is None:
            return None, problems
        values = {
            "entry_date": entry_date,
            "kind": kind,
            "category": category,
            "amount": amount,
            "description": description[:255],
            "product": product[:100],
            "quantity": quantity,
            "unit_price": unit_price,
            "buyer_type": self.buyers.get(_key(cell("buyer_type")), "") if cell("buyer_type") else "",
            "channel": self.channels.get(_key(cell("channel")), "") if cell("channel") else "",
        }
        return values, problems


def check_cash_book_file(
    *, kube: Kube, path: Path, by: User, commit: bool = False, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Check every row of a cash-book spreadsheet; with `commit`, store the accepted rows in one transaction.

    A file beyond the cash book's import limits raises FileRefused (berdaya.lib.uploads), as a file that cannot be
    read raises CashImportError: both before anything is stored. `progress` is told the rows read so far.
    """
    summaries = _summary_prefixes()
    today = timezone.localdate()
    report = ImportReport()
    with acting_as(by):
        if commit:
            kube = lock_kube(kube)
        lock_end = selectors.locked_until(kube)
        existing = selectors.existing_entry_keys(kube)
        columns, rows, workbook = _open(Path(path))
        reader = _Reader(columns)
        accepted: list[CheckedRow] = []
        try:
            for line, cells in rows:
                report.rows += 1
                if progress is not None and report.rows % PROGRESS_EVERY == 0:
                    progress(report.rows)
                if reader.is_summary(cells, summaries):
                    report.rows -= 1
                    continue
                values, problems = reader.read(line, cells)
                row = None
                if values is not None:
                    check = check_cash_row(**values, today=today, locked_until=lock_end)
                    problems += [ImportIssue(line, error.msgid, error.params) for error in check.errors]
                    row = check.row
                if problems or row is None:
                    report.rejected += 1
                    report.issues.extend(problems)
                    continue
                key = (row.entry_date, row.kind, row.amount, row.description)
                if key in existing:
                    report.duplicates += 1
                    continue
                existing.add(key)
                report.accepted += 1
                if row.kind == CashEntry.Kind.INCOME:
                    report.income += row.amount
                else:
                    report.expense += row.amount
                accepted.append(row)
        finally:
            workbook.close()
        if report.rows == 0:
            raise CashImportError(_("The file has a header but no rows."))
        if commit:
            if report.rejected:
                raise CashImportError(
                    _("%(count)s rows are rejected: correct them and upload the file again.")
                    % {"count": number(report.rejected)}
                )
            record_cash_entries(kube=kube, rows=accepted, by=by)
            report.committed = True
    return report


def balance_after(*, kube: Kube, report: ImportReport) -> int:
    """What the book's balance will be once the accepted rows are stored."""
    return selectors.cash_balance(kube=kube) + report.income - report.expense
