"""The one writer of every spreadsheet the portal hands out (CSV and XLSX), for every app.

Whatever is in the rows, a file from here is safe to open:

* every text cell passes `spreadsheet_text`: control characters go (portal.text; an XLSX cannot
  hold them and openpyxl raises IllegalCharacterError), and text that a spreadsheet would run as
  a formula gets a leading apostrophe. Formula text is what starts with = + - @, a tab or a
  carriage return, also in its full-width form (＝＋－＠, the same after NFKC) and after leading
  white space or line breaks; a department renamed "=HYPERLINK(...)" is shown as text, never run (CSV injection);
* numbers, dates and empty cells (None) are written as they are.

CSV is streamed row by row with a UTF-8 byte order mark (Excel then reads Chinese as UTF-8); XLSX
is written by openpyxl in write-only mode into a temporary file (memory does not grow with the
rows) and streamed from there. Views pass rows, the first of which is usually the header.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

from django.http import FileResponse, StreamingHttpResponse
from django.utils.functional import Promise

from portal.text import clean_text

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# What a spreadsheet treats as the start of a formula (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_ROWS_PER_CHUNK = 200
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def spreadsheet_text(value: str) -> str:
    """`value` as a cell no spreadsheet runs: without control characters, and with a leading
    apostrophe if it would start a formula."""
    value = clean_text(value, multiline=True)
    first = unicodedata.normalize("NFKC", value[:1])
    first_visible = unicodedata.normalize("NFKC", value.lstrip()[:1])
    return f"'{value}" if first.startswith(FORMULA_STARTS) or first_visible.startswith(FORMULA_STARTS) else value


def spreadsheet_cell(value):
    """A cell's value as written: text (translated labels too) guarded, everything else unchanged."""
    if isinstance(value, Promise):
        value = str(value)
    return spreadsheet_text(value) if isinstance(value, str) else value


def spreadsheet_row(row: Iterable) -> list:
    return [spreadsheet_cell(value) for value in row]


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: none of []:*?/\\ and at most 31 characters."""
    cleaned = SHEET_TITLE_FORBIDDEN.sub(" ", clean_text(str(title), multiline=False)).strip(" '")
    return cleaned[:31] or "Sheet1"


# --- CSV ------------------------------------------------------------------------------------------


def csv_lines(rows: Iterable[Sequence]) -> Iterator[str]:
    """The rows as CSV text in blocks of rows (one tiny write per row would make a response
    slow), starting with a UTF-8 byte order mark. Lazy: rows are read as the text is sent."""
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for count, row in enumerate(rows, start=1):
        writer.writerow(spreadsheet_row(row))
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def csv_response(rows: Iterable[Sequence], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- XLSX -----------------------------------------------------------------------------------------


def write_xlsx(rows: Iterable[Sequence], handle, *, title: str) -> None:
    """The rows as a one-sheet XLSX workbook written into the open binary file `handle`."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    for row in rows:
        sheet.append(spreadsheet_row(row))
    workbook.save(handle)


def xlsx_response(rows: Iterable[Sequence], *, filename: str, title: str) -> FileResponse:
    """The rows as an XLSX download, through a temporary file that FileResponse closes (and so
    deletes) once it has been sent."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after streaming
    try:
        write_xlsx(rows, handle, title=title)
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
