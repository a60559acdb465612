"""The ledger (问题台账): who may see it, its filters, its columns, the streamed CSV and XLSX
exports (no personal data, whatever the tickets contain) and a bounded number of queries."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from petitions import ledger
from petitions.models import Petition
from portal import deadlines
from tests.factories import DepartmentFactory, citizen, staff_of
from tests.petitions.test_reports import SH, Story

pytestmark = pytest.mark.django_db

MOBILE = "13912345678"
EMAIL = "secret.person@example.com"
NOW = datetime(2026, 11, 3, 12, 0, tzinfo=SH)


@pytest.fixture
def world():
    story = Story()
    zjj = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    jyj = DepartmentFactory(name="教育局", code="JYJ")
    sthjj = DepartmentFactory(name="生态环境局", code="STHJJ")
    # An overdue ticket of 住建局 whose title and contact fields carry personal data.
    overdue = story.received(
        datetime(2026, 10, 12, 9, 0, tzinfo=SH),
        title=f"路灯不亮 请回电{MOBILE} 或发邮件{EMAIL}",
        mobile=MOBILE,
        email=EMAIL,
        contact_name="李秘密",
    )
    overdue = story.assigned(overdue, datetime(2026, 10, 12, 10, 0, tzinfo=SH), zjj, co_departments=[sthjj])
    overdue = story.accepted(overdue, datetime(2026, 10, 12, 11, 0, tzinfo=SH))
    # 教育局: replied late (met late), then a fresh one in November, unassigned.
    late = story.handled(
        datetime(2026, 10, 5, 9, 0, tzinfo=SH),
        jyj,
        accept_after=timedelta(hours=2),
        reply_after=timedelta(days=11),
    )
    fresh = story.received(datetime(2026, 11, 2, 9, 0, tzinfo=SH), title="公交站台缺少遮雨棚")
    return {"story": story, "zjj": zjj, "jyj": jyj, "overdue": overdue, "late": late, "fresh": fresh}


@pytest.fixture
def clerk_client(client, world):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world["story"].clerk)
    return client


def _get(client, url, **params):
    with time_machine.travel(NOW, tick=False):
        return client.get(url, params)


def _csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 BOM for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- access -----------------------------------------------------------------------------------------


def test_the_clerk_sees_every_ticket(clerk_client, world):
    response = _get(clerk_client, "/petitions/ledger/")
    html = response.content.decode()
    assert response.status_code == 200
    for petition in (world["overdue"], world["late"], world["fresh"]):
        assert petition.reference in html
    assert "no contact details" in html


@pytest.mark.parametrize("who", ["citizen", "staff"])
def test_without_the_permission_the_ledger_is_forbidden(client, world, who):
    user = citizen() if who == "citizen" else staff_of(world["zjj"])
    client.force_login(user)
    for url in ("/petitions/ledger/", "/petitions/ledger/export.csv", "/petitions/ledger/export.xlsx"):
        assert client.get(url).status_code == 403, url


def test_the_anonymous_are_sent_to_log_in(client):
    response = client.get("/petitions/ledger/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_department_user_given_the_permission_sees_only_the_department(client, world):
    user = staff_of(world["jyj"])
    user.user_permissions.add(Permission.objects.get(codename="view_ledger"))
    client.force_login(user)
    html = _get(client, "/petitions/ledger/").content.decode()
    assert world["late"].reference in html
    assert world["overdue"].reference not in html and world["fresh"].reference not in html

    # A co-handling department sees the ticket it co-handles.
    co_user = staff_of(DepartmentFactory(code="STHJJ"))
    co_user.user_permissions.add(Permission.objects.get(codename="view_ledger"))
    client.force_login(co_user)
    rows = _csv(_get(client, "/petitions/ledger/export.csv"))
    assert [row[0] for row in rows[1:]] == [world["overdue"].reference]


# --- filters and columns ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "accepted"}, ["overdue"]),
        ({"state": "submitted"}, ["fresh"]),
        ({"overdue_only": "on"}, ["overdue"]),
        ({"kind": "complaint", "channel": "hotline"}, ["fresh", "overdue", "late"]),
        ({"received_from": "2026-10-06", "received_to": "2026-10-31"}, ["overdue"]),
        ({"received_to": "2026-10-05"}, ["late"]),
        ({"received_from": "not a date", "state": "submitted"}, ["fresh"]),  # a bad value is ignored
    ],
)
def test_filters(clerk_client, world, params, expected):
    rows = _csv(_get(clerk_client, "/petitions/ledger/export.csv", **params))
    assert [row[0] for row in rows[1:]] == [world[name].reference for name in expected]


def test_filter_by_department(clerk_client, world):
    rows = _csv(_get(clerk_client, "/petitions/ledger/export.csv", department=world["jyj"].pk))
    assert [row[0] for row in rows[1:]] == [world["late"].reference]
    page = _get(clerk_client, "/petitions/ledger/", department=world["jyj"].pk).content.decode()
    assert world["late"].reference in page and world["overdue"].reference not in page


def test_columns_dates_and_overdue_days(clerk_client, world):
    rows = _csv(_get(clerk_client, "/petitions/ledger/export.csv"))
    header, *body = rows
    assert header[:3] == ["Tracking number", "Title", "Lead department"]
    by_reference = {row[0]: dict(zip(header, row, strict=True)) for row in body}

    overdue = by_reference[world["overdue"].reference]
    assert overdue["Lead department"] == "住房和城乡建设局"
    assert overdue["Co-handling departments"] == "生态环境局"
    assert overdue["Received"] == "2026-10-12 09:00"
    assert overdue["Accepted"] == "2026-10-12 11:00"
    # Co-handled, so 15 working days (on the work calendar, holidays included) after receipt.
    due = deadlines.due_after_working_days(world["overdue"].received_at, 15)
    assert overdue["Reply due"] == f"{due:%Y-%m-%d}"
    assert overdue["Working days overdue"] == str(deadlines.working_days_between(due, NOW))
    assert int(overdue["Working days overdue"]) > 0
    assert overdue["Category"] == "城市管理"

    late = by_reference[world["late"].reference]
    assert late["Replied"] == "2026-10-16 09:00"
    due = deadlines.due_after_working_days(world["late"].received_at, 7)
    assert late["Reply due"] == f"{due:%Y-%m-%d}"
    # How late the reply was, in working days.
    assert late["Working days overdue"] == str(deadlines.working_days_between(due, world["late"].replied_at))
    assert int(late["Working days overdue"]) > 0

    fresh = by_reference[world["fresh"].reference]
    assert fresh["Lead department"] == "" and fresh["Working days overdue"] == ""


# --- no personal data -------------------------------------------------------------------------------


def test_exports_contain_no_personal_data(clerk_client, world):
    csv_body = b"".join(_get(clerk_client, "/petitions/ledger/export.csv").streaming_content).decode("utf-8-sig")
    xlsx = _get(clerk_client, "/petitions/ledger/export.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    xlsx_text = "\n".join(
        str(value) for row in workbook.active.iter_rows(values_only=True) for value in row if value is not None
    )
    page = _get(clerk_client, "/petitions/ledger/").content.decode()
    for text in (csv_body, xlsx_text, page):
        assert MOBILE not in text
        assert EMAIL not in text
        assert "secret.person" not in text
        assert "李秘密" not in text
        assert "路灯不亮 请回电139****5678" in text  # the title, masked
        assert "人民路的路灯坏了两周" not in text  # no content


def test_csv_is_utf8_with_bom_and_chinese(clerk_client, world):
    response = _get(clerk_client, "/petitions/ledger/export.csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="minsheng-ledger-')
    rows = _csv(response)
    assert any("教育局" in row for row in rows)


def test_xlsx_loads_back(clerk_client, world):
    response = _get(clerk_client, "/petitions/ledger/export.xlsx", state="accepted")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == "Tracking number"
    assert [row[0] for row in rows[1:]] == [world["overdue"].reference]
    assert rows[1][2] == "住房和城乡建设局"


def test_exports_do_not_turn_titles_into_formulas(clerk_client, world):
    world["story"].received(datetime(2026, 11, 2, 10, 0, tzinfo=SH), title='=HYPERLINK("http://evil.example","点我")')
    rows = _csv(_get(clerk_client, "/petitions/ledger/export.csv"))
    assert "'=HYPERLINK(" in [row[1][:12] for row in rows[1:]]
    xlsx = _get(clerk_client, "/petitions/ledger/export.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    cell = next(row[1] for row in workbook.active.iter_rows(min_row=2) if "HYPERLINK" in str(row[1].value))
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_unknown_export_format_is_not_found(clerk_client):
    assert clerk_client.get("/petitions/ledger/export.pdf").status_code == 404


# --- cost -------------------------------------------------------------------------------------------


def _queries(client, url, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = _get(client, url, **params)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(queries)


def _more_tickets(world, count):
    story = world["story"]
    for number in range(count):
        petition = story.received(datetime(2026, 10, 20, 9, number, tzinfo=SH), title=f"更多工单{number}")
        story.assigned(petition, datetime(2026, 10, 20, 10, number, tzinfo=SH), world["zjj"])


@pytest.mark.parametrize("url", ["/petitions/ledger/", "/petitions/ledger/export.csv", "/petitions/ledger/export.xlsx"])
def test_queries_do_not_grow_with_the_rows(clerk_client, world, url):
    _queries(clerk_client, url)  # warm the content-type cache
    few = _queries(clerk_client, url)
    _more_tickets(world, 6)
    assert _queries(clerk_client, url) == few


def test_exports_fetch_clocks_once_per_chunk(clerk_client, world, monkeypatch):
    _queries(clerk_client, "/petitions/ledger/export.csv")
    one_chunk = _queries(clerk_client, "/petitions/ledger/export.csv")
    monkeypatch.setattr(ledger, "CHUNK_SIZE", 2)  # 3 tickets: two chunks
    assert _queries(clerk_client, "/petitions/ledger/export.csv") == one_chunk + 2  # clocks, co-handling


def test_pages_without_counting(clerk_client, world, monkeypatch):
    monkeypatch.setattr(ledger, "PAGE_SIZE", 2)
    first = _get(clerk_client, "/petitions/ledger/").content.decode()
    assert 'rel="next"' in first and world["fresh"].reference in first and world["late"].reference not in first
    second = _get(clerk_client, "/petitions/ledger/", page=2).content.decode()
    assert world["late"].reference in second and 'rel="next"' not in second and 'rel="prev"' in second
    with CaptureQueriesContext(connection) as queries:
        _get(clerk_client, "/petitions/ledger/")
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "petitions_" in q["sql"]]
    assert not counts
    assert Petition.objects.count() == 3
