"""portal.exports: the one spreadsheet writer. Formula text is guarded and control characters are
gone in every cell, in CSV and XLSX alike; other values pass unchanged."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from portal import exports

# Text a spreadsheet runs as a formula, or that an XLSX cannot hold, and what the cell must say.
HOSTILE = [
    ('=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\n=1+1"),  # a carriage return is a line break ("\n") once cleaned
    ("＝1+1", "'＝1+1"),  # full-width: NFKC makes it "="
    ("＋1", "'＋1"),
    ("－1", "'－1"),
    ("＠A1", "'＠A1"),
    ("  =1+1", "'  =1+1"),
    ("\u3000=1+1", "'\u3000=1+1"),
    ("\x01=1+1", "'=1+1"),  # the control character goes first, then the formula is guarded
    ("路灯\x0b不亮", "路灯不亮"),
    ("\x1b[31m红色\x7f", "[31m红色"),
    ("a\ud800b\ufffe\uffff", "ab"),
    ("\n=1+1", "'\n=1+1"),
    ("路灯不亮", "路灯不亮"),
    ("a=b", "a=b"),
    ("", ""),
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_a_formula(text: str) -> bool:
    """What a spreadsheet could run: a formula character first, or first after white space."""
    return any(unicodedata.normalize("NFKC", head[:1]).startswith(FORMULA_STARTS) for head in (text, text.lstrip()))


@pytest.mark.parametrize(("value", "expected"), HOSTILE)
def test_spreadsheet_text_guards_formulas_and_drops_control_characters(value, expected):
    assert exports.spreadsheet_text(value) == expected


def test_cells_other_than_text_pass_unchanged():
    assert exports.spreadsheet_row([1, -2, 2.5, None, date(2026, 11, 1)]) == [1, -2, 2.5, None, date(2026, 11, 1)]
    label = gettext_lazy("Received")
    assert exports.spreadsheet_row([label]) == [str(label)]


def test_sheet_titles_are_ones_excel_accepts():
    assert exports.sheet_title("月报 2026/11 [草稿]: *?") == "月报 2026 11  草稿"
    assert exports.sheet_title("x" * 40) == "x" * 31
    assert exports.sheet_title("\x00") == "Sheet1"


def rows_with_every_hostile_text():
    return [["header", "value"], *[[f"row {number}", value] for number, (value, _) in enumerate(HOSTILE)], [1, None]]


def test_an_xlsx_has_no_formula_and_no_formula_text():
    handle = io.BytesIO()
    exports.write_xlsx(rows_with_every_hostile_text(), handle, title="=Sheet")
    workbook = load_workbook(io.BytesIO(handle.getvalue()))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert not [cell.value for cell in cells if isinstance(cell.value, str) and starts_a_formula(cell.value)]
    values = [row[1] for row in workbook.active.iter_rows(values_only=True)][1:-1]
    assert values == [expected or None for _value, expected in HOSTILE]  # an empty cell reads as None
    assert workbook.active.title == "=Sheet"  # a sheet's name is never run


def test_a_csv_has_no_formula_text():
    text = "".join(exports.csv_lines(rows_with_every_hostile_text()))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert rows[0] == ["header", "value"]
    assert [row[1] for row in rows[1:-1]] == [expected for _value, expected in HOSTILE]
    assert not [cell for row in rows for cell in row if starts_a_formula(cell)]


def test_csv_is_sent_in_blocks_of_rows():
    chunks = list(exports.csv_lines([[number] for number in range(450)]))
    assert len(chunks) == 4  # the byte order mark, 200 rows, 200 rows, 50 rows
