"""CSV downloads that are safe to open in a spreadsheet.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return) is read
as a formula by Excel, LibreOffice and Google Sheets, so text typed by attendees
or organizers could run a formula on the provider's machine ("CSV injection").
Every text cell that starts with one of them gets a leading apostrophe, which
spreadsheets show as plain text (OWASP's advice). Numbers and dates are written
as they are: they are ours, not typed by a user.

Files start with a UTF-8 byte order mark by default, so Excel reads accented
names correctly; pass `bom=False` for files meant for other programs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: object) -> object:
    """The value as a spreadsheet will read it as text, never as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in values]


class _Echo:
    """A file-like object whose write() hands the line back (for streaming)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable[object]], *, bom: bool = True) -> Iterator[str]:
    """Each row as one CSV line, cells made safe; a BOM first if asked."""
    if bom:
        yield BOM
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(safe_row(row))


def csv_response(
    filename: str, rows: Iterable[Iterable[object]], *, bom: bool = True
) -> StreamingHttpResponse:
    """A CSV download streamed row by row (the header is the first row), so a
    large export never sits in memory whole."""
    response = StreamingHttpResponse(
        csv_lines(rows, bom=bom), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
