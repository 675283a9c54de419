"""Spreadsheet-safe CSV downloads of records the user may see."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import StreamingHttpResponse

# A cell starting with one of these is run as a formula by Excel/LibreOffice (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # Only text is neutralised: a negative number stays a number.
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text
    return text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """Stream rows as a UTF-8 CSV with a byte-order mark, so Excel opens Indonesian names correctly."""
    writer = csv.writer(_Echo())

    def generate() -> Iterable[str]:
        yield "\ufeff" + writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([safe_cell(cell) for cell in row])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
