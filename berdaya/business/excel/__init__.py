"""The cash book as a spreadsheet: an export in the layout a treasurer keeps on paper, and an import of one."""

from .export import MONEY_FORMAT, write_cash_book
from .importing import ImportIssue, ImportReport, balance_after, check_cash_book_file
from .reading import CashImportError

__all__ = [
    "MONEY_FORMAT",
    "CashImportError",
    "ImportIssue",
    "ImportReport",
    "balance_after",
    "check_cash_book_file",
    "write_cash_book",
]
