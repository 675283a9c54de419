"""What an import finds and does: one issue per cell, the summary kept on the job, and the checked rows of a batch."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from berdaya.lib.errors import DomainError
from berdaya.lib.formats import shown_value

from .vocabulary import Level

# Kept on the job so that the page can show problems without opening the XLSX report.
ISSUES_ON_PAGE = 200


class ImportFileError(DomainError):
    """The file as a whole cannot be read: nothing in it is imported."""


@dataclass(frozen=True)
class Issue:
    """One finding about one cell (or the whole row when column is ""), with an English msgid and its values."""

    line: int
    column: str
    value: str
    level: Level
    message: str
    params: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        translated = _(self.message)
        if not self.params:
            return translated
        return translated % {name: shown_value(value) for name, value in self.params.items()}  # ISO dates readable


@dataclass
class ImportSummary:
    """What a dry run or commit found and did; stored on the ImportJob as JSON."""

    kind: str
    dry_run: bool
    total: int = 0
    accepted: int = 0
    warnings: int = 0
    rejected: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    households_created: int = 0
    households_updated: int = 0
    committed: bool = False
    error: str = ""
    # The file was refused by the import limits (berdaya.lib.uploads): its job ends failed, nothing was read.
    refused: bool = False
    unknown_headers: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)  # the first ISSUES_ON_PAGE, for the page

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ImportResult:
    """The summary, and every issue in line order (the report lists them all)."""

    summary: ImportSummary
    issues: list[Issue]


@dataclass
class Row:
    """One row as its cells are checked: the clean values so far and what was found."""

    line: int
    data: dict[str, Any]
    issues: list[Issue]


@dataclass
class Batch:
    """Checked rows, column by column: each field's clean values in row order, and the issues of the rows with any."""

    lines: list[int]
    data: dict[str, list[Any]]
    issues: dict[int, list[Issue]] = field(default_factory=dict)  # row index -> its issues

    def add(self, index: int, issues: list[Issue]) -> None:
        if issues:
            self.issues.setdefault(index, []).extend(issues)

    def rejected(self) -> set[int]:
        return {index for index, found in self.issues.items() if any(issue.level == "rejected" for issue in found)}


def issue_dict(issue: Issue) -> dict[str, Any]:
    return {
        "line": issue.line,
        "column": issue.column,
        "value": issue.value,
        "level": issue.level,
        "message": issue.message,
        "params": issue.params,
    }


def issue_from_dict(data: dict[str, Any]) -> Issue:
    return Issue(data["line"], data["column"], data["value"], data["level"], data["message"], data["params"])
