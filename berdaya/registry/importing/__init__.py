"""Import of registry and assistance-history files (CSV or XLSX): a dry run that reports every row, then a commit.

The file is streamed row by row and written in batches, so memory stays flat apart from the NIKs and KK numbers
already seen (needed to refuse duplicates inside one file). A commit is one transaction: either every accepted row is
stored or nothing is. Rows are matched on NIK (persons), KK number (households) and person + programme + year
(assistance), so importing the same file twice changes nothing.

Messages are English msgids with named placeholders, translated when the report is shown or written, so one report
can be read in Indonesian and in English.

The stages, one module each: `reading` (the file and its header), `checking` and `cells` (the rows: the public
`Checker`), `writing` and `sql` (storing the accepted rows and their history), `running` (`run_import`, which ties
them together) and `report` (text and XLSX). `vocabulary` holds the column names and the words a cell may hold.
"""

from __future__ import annotations

from .checking import BATCH_SIZE, Checker, checked_here
from .reading import open_rows, parse_date, resolve_columns
from .report import report_lines, write_report
from .results import ISSUES_ON_PAGE, Batch, ImportFileError, ImportResult, ImportSummary, Issue, issue_from_dict
from .running import PARALLEL_FROM_BYTES, run_import
from .sql import insert_with_history
from .vocabulary import FIELDS, REQUIRED, Kind, Level

__all__ = [
    "BATCH_SIZE",
    "FIELDS",
    "ISSUES_ON_PAGE",
    "PARALLEL_FROM_BYTES",
    "REQUIRED",
    "Batch",
    "Checker",
    "ImportFileError",
    "ImportResult",
    "ImportSummary",
    "Issue",
    "Kind",
    "Level",
    "checked_here",
    "insert_with_history",
    "issue_from_dict",
    "open_rows",
    "parse_date",
    "report_lines",
    "resolve_columns",
    "run_import",
    "write_report",
]
