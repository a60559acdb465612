"""Every export endpoint, fed hostile department, category and ticket names (formula text, control
characters already stored in the database), hands out a file that opens with no formula in it.

EXPORTS declares each export URL: the portal's here, a domain app's in EXPORTS of its
tests/<app_label>/security.py, with its `seed_hostile_names` making its records from the hostile
names. A URL whose route ends in .csv or .xlsx, or whose name says "export", without an entry fails
the guard test, so a new export cannot skip this.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import Department
from tests.factories import clerk
from tests.security.discovery import declared, declared_by_app
from tests.security.urlconf import named_urls

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NOVEMBER_3 = datetime(2026, 11, 3, 12, 0, tzinfo=SH)
OCTOBER_5 = datetime(2026, 10, 5, 10, 0, tzinfo=SH)

# Names as a hostile administrator (or a careless paste) leaves them in the database. NUL and
# lone surrogates cannot be stored in PostgreSQL at all; everything else here can.
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example","点我")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "＝1+1",
    "＋1",
    "－1",
    "＠A1",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\x01=1+1",
    "路灯\x0b不亮",
    "\x1b[31m红色\x7f",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# url name -> [(kwargs, query string, format)]; the apps' exports are about October 2026 too.
EXPORTS = {
    "dashboard_performance_export": [(None, "period=month&month=2026-10", "xlsx")],
}
EXPORTS = declared("EXPORTS", EXPORTS)
CASES = [
    pytest.param(name, kwargs, query, fmt, id=f"{name}-{fmt}")
    for name, calls in EXPORTS.items()
    for kwargs, query, fmt in calls
]


def starts_a_formula(text: str) -> bool:
    return any(unicodedata.normalize("NFKC", head[:1]).startswith(FORMULA_STARTS) for head in (text, text.lstrip()))


@pytest.fixture
def hostile_world(db):
    """A department named with each hostile name, and every app's records named with it, received
    in October (petitions: a category and a ticket, and October's monthly report stored, its
    department names frozen into it)."""
    with time_machine.travel(NOVEMBER_3, tick=False):
        departments = [
            (name, Department.objects.create(name=name, code=f"hostile-{number}"))
            for number, name in enumerate(HOSTILE_NAMES)
        ]
        for _label, seed in declared_by_app("seed_hostile_names"):
            seed(departments=departments, received_at=OCTOBER_5)
    return clerk("export_clerk")


def cells_of(content: bytes, fmt: str) -> list:
    if fmt == "csv":
        text = content.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    workbook = load_workbook(io.BytesIO(content))
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a formula cell"
    return [cell.value for cell in cells]


@pytest.mark.parametrize(("name", "kwargs", "query", "fmt"), CASES)
def test_export_with_hostile_names_has_no_formula(hostile_world, name, kwargs, query, fmt):
    client = Client()
    client.force_login(hostile_world)
    url = reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")

    with time_machine.travel(NOVEMBER_3, tick=False):
        response = client.get(url)

    assert response.status_code == 200, url
    texts = [value for value in cells_of(b"".join(response.streaming_content), fmt) if isinstance(value, str)]
    assert not [text for text in texts if starts_a_formula(text)]
    assert not [text for text in texts if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text)]
    # The hostile names are there, guarded, not dropped: the test exercised them.
    assert '\'=HYPERLINK("http://evil.example","点我")' in texts
    assert "'＝1+1" in texts and "路灯不亮" in texts


def test_every_export_url_is_declared():
    routes = {
        url.name
        for url in named_urls().values()
        if not url.name.startswith("admin:")
        and (".csv" in url.route or ".xlsx" in url.route or "xlsx" in url.route or "export" in url.name)
    }
    assert routes <= set(EXPORTS), (
        f"declare these exports in EXPORTS of {__name__} (the portal's) or of the app's "
        f"tests/<app_label>/security.py: {sorted(routes - set(EXPORTS))}"
    )
