"""The import's report: plain text lines for the command line, an XLSX workbook for the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from django.utils import translation
from django.utils.translation import gettext as _

from .results import ImportResult, ImportSummary
from .vocabulary import FIELDS


def _summary_lines(summary: ImportSummary) -> list[tuple[str, Any]]:
    return [
        (_("Rows in the file"), summary.total),
        (_("Accepted"), summary.accepted),
        (_("Accepted with warnings"), summary.warnings),
        (_("Rejected"), summary.rejected),
        (_("New"), summary.created),
        (_("Changed"), summary.updated),
        (_("Unchanged"), summary.unchanged),
        (_("Skipped"), summary.skipped),
    ]


def report_lines(result: ImportResult) -> Iterator[str]:
    """The report as plain text lines, for the command line."""
    summary = result.summary
    title = _("Dry run (nothing stored)") if summary.dry_run else _("Import")
    kinds = {"registry": _("registry"), "history": _("assistance history")}
    yield f"{title}: {kinds[summary.kind]}"
    if summary.unknown_headers:
        yield _("Columns not imported (unknown headers): %(headers)s") % {"headers": ", ".join(summary.unknown_headers)}
    for label, value in _summary_lines(summary):
        yield f"  {label}: {value}"
    level_text = {"warning": _("warning"), "rejected": _("rejected")}
    for issue in result.issues:
        column = _(FIELDS[summary.kind].get(issue.column, issue.column)) if issue.column else "—"
        yield _("Line %(line)s, %(column)s: %(level)s — %(message)s") % {
            "line": issue.line,
            "column": column,
            "level": level_text[issue.level],
            "message": issue.text(),
        }
    if summary.error:
        yield summary.error
    elif summary.committed:
        yield _("Stored.")


def write_report(result: ImportResult, stream: IO[bytes]) -> None:
    """The per-row, per-column report as an XLSX workbook, with each message in Indonesian and in English."""
    from openpyxl import Workbook

    from berdaya.lib.exports import safe_cell

    summary = result.summary
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Summary"))
    sheet.append([_("File check report"), ""])
    for label, value in _summary_lines(summary):
        sheet.append([label, value])
    if summary.unknown_headers:
        sheet.append([_("Columns not imported"), safe_cell(", ".join(summary.unknown_headers))])
    if summary.error:
        sheet.append([_("Error"), safe_cell(summary.error)])
    sheet.append([_("Rows not listed on the Rows sheet were accepted without remarks."), ""])
    rows = workbook.create_sheet(_("Rows"))
    rows.append([_("Line"), _("Column"), _("Value"), _("Status"), "Pesan (Bahasa Indonesia)", "Message (English)"])
    for issue in result.issues:
        column = FIELDS[summary.kind].get(issue.column, issue.column)
        status = _("rejected") if issue.level == "rejected" else _("warning")
        with translation.override("id"):
            message_id = issue.text()
        with translation.override("en"):
            message_en = issue.text()
        # The cells come from an untrusted file: neutralise anything a spreadsheet would run as a formula.
        rows.append(
            [
                issue.line,
                _(column) if column else "",
                safe_cell(issue.value),
                status,
                safe_cell(message_id),
                safe_cell(message_en),
            ]
        )
    workbook.save(stream)
