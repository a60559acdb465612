"""Department performance (/dashboard/performance/): periods, figures, percentiles on PostgreSQL and
in Python, ranking, the plug-in protocol with a real provider app, trend, charts' data, XLSX export."""

import itertools
import json
import re
from datetime import date, datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from portal import clocks, dashboards
from portal.dashboards import DashboardScope, Period, period_bounds
from portal.models import Clock, Membership
from tests.factories import DepartmentFactory, clerk, staff_of
from tests.portal import dashboard_provider

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
ALL = DashboardScope(department_ids=None, can_urge=True)
_names = itertools.count()
PROVIDER_APP = "tests.portal.dashboard_provider.ProviderConfig"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def start(department, policy="petition.reply.ordinary", at=None, on=None):
    return clocks.clock_start(
        subject=on or Group.objects.create(name=f"事项{next(_names)}"),
        policy=policy,
        started_at=at or local(2026, 3, 2, 9),
        department=department,
    )


def replied(department, started, days, policy="petition.reply.ordinary"):
    clock = start(department, policy=policy, at=started)
    return clocks.clock_meet(clock=clock, at=started + timedelta(days=days))


@pytest.fixture
def world(db):
    housing = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    education = DepartmentFactory(name="教育局", code="JYJ")
    return {
        "housing": housing,
        "education": education,
        "clerk": clerk("office"),
        "head": staff_of(education, "education_head", role=Membership.Role.HEAD),
        "staff": staff_of(housing, "housing_staff"),
    }


@pytest.mark.parametrize(
    ("kind", "month", "start", "end"),
    [
        (Period.MONTH, date(2026, 2, 1), local(2026, 2, 1), local(2026, 3, 1)),
        (Period.MONTH, date(2026, 12, 1), local(2026, 12, 1), local(2027, 1, 1)),
        (Period.QUARTER, date(2026, 5, 1), local(2026, 4, 1), local(2026, 7, 1)),
        (Period.QUARTER, date(2026, 12, 1), local(2026, 10, 1), local(2027, 1, 1)),
        (Period.YEAR, date(2026, 7, 1), local(2026, 1, 1), local(2027, 1, 1)),
    ],
)
def test_period_bounds_are_local_midnights(kind, month, start, end):
    assert period_bounds(kind, month) == (start, end)


def test_figures_per_department_for_a_month(world):
    housing = world["housing"]
    ticket = Group.objects.create(name="工单")
    acknowledge = start(housing, policy="petition.acknowledge", at=local(2026, 3, 2, 9), on=ticket)
    clocks.clock_meet(clock=acknowledge, at=local(2026, 3, 2, 20))  # within 24 hours
    late_ack = start(housing, policy="petition.acknowledge", at=local(2026, 3, 3, 9))
    clocks.clock_meet(clock=late_ack, at=local(2026, 3, 5, 9))
    reply = start(housing, at=local(2026, 3, 2, 21), on=ticket)  # same ticket: received once
    clocks.clock_meet(clock=reply, at=local(2026, 3, 4, 21))  # 2 days, on time
    replied(housing, local(2026, 2, 2, 9), 40)  # started in Feb, replied late in March: 40 days
    start(housing, at=local(2026, 3, 2, 9))  # due 11 March, still open: overdue in March
    replied(housing, local(2026, 4, 1, 9), 1)  # April: not in the period
    start_m, end_m = period_bounds(Period.MONTH, date(2026, 3, 1))
    rows = dashboards.performance_figures(
        department_ids=[housing.pk, world["education"].pk], start=start_m, end=end_m, now=local(2026, 4, 10)
    )
    row = rows[housing.pk]
    assert row.received == 3  # the ticket, the late-acknowledged item, the open item
    assert (row.acknowledge_due, row.acknowledged_in_time, row.acknowledged_rate) == (2, 1, 0.5)
    assert (row.replied, row.replied_on_time, row.on_time_rate) == (2, 1, 0.5)
    assert (row.met_late, row.open_overdue, row.overdue) == (2, 1, 3)  # a late ack, a late reply, the open one
    assert row.average_reply_days == pytest.approx(21)
    assert row.p90_reply_days == pytest.approx(2 + 0.9 * 38)
    assert (row.replies_started, row.replies_started_met, row.reply_rate) == (2, 1, 0.5)
    assert world["education"].pk not in rows


def test_postgresql_percentile_matches_the_python_fallback(world, monkeypatch):
    for days in (1, 2, 3, 5, 8, 13, 21):
        replied(world["housing"], local(2026, 3, 2, 9), days)
    for days in (4, 6):
        replied(world["education"], local(2026, 3, 2, 9), days)
    queryset = Clock.objects.filter(kind="reply", met_at__isnull=False)
    in_database = dashboards.reply_times(queryset, "department_id")
    monkeypatch.setattr(connection, "vendor", "sqlite")
    in_python = dashboards.reply_times(queryset, "department_id")
    assert in_database.keys() == in_python.keys()
    for key, (average, p90, count) in in_database.items():
        assert in_python[key] == (pytest.approx(average), pytest.approx(p90), count)
    assert in_database[world["housing"].pk][1] == pytest.approx(dashboards.percentile([1, 2, 3, 5, 8, 13, 21], 0.9))
    assert dashboards.percentile([1, 2, 3, 5, 8, 13, 21], 0.9) == pytest.approx(16.2)  # 13 + 0.4 × 8
    assert dashboards.percentile([], 0.9) is None
    assert dashboards.percentile([4], 0.9) == 4


def test_ranking_by_on_time_share_then_acknowledgement(world):
    replied(world["housing"], local(2026, 3, 2, 9), 20)  # late
    replied(world["education"], local(2026, 3, 2, 9), 1)  # on time
    third = DepartmentFactory(name="生态环境局", code="STHJJ")  # nothing to measure: last
    start_m, end_m = period_bounds(Period.MONTH, date(2026, 3, 1))
    report = dashboards.department_performance(scope=ALL, start=start_m, end=end_m, now=local(2026, 4, 20))
    assert [(row.rank, row.department_id) for row in report.rows] == [
        (1, world["education"].pk),
        (2, world["housing"].pk),
        (3, third.pk),
    ]
    assert report.totals.replied == 2 and report.totals.on_time_rate == 0.5
    assert report.totals.p90_reply_days == pytest.approx(1 + 0.9 * 19)


def with_provider():
    """Install the test app whose AppConfig names a provider (last, so its keys win)."""
    return override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, PROVIDER_APP])


def test_a_provider_app_adds_its_figures_through_the_protocol(world):
    replied(world["housing"], local(2026, 3, 2, 9), 1)
    start_m, end_m = period_bounds(Period.MONTH, date(2026, 3, 1))
    dashboard_provider.CALLS.clear()
    without = dashboards.performance_providers()
    with with_provider():
        providers = dashboards.performance_providers()
        report = dashboards.department_performance(scope=ALL, start=start_m, end=end_m, now=local(2026, 4, 1))
    assert providers == [*without, dashboard_provider.performance_metrics]
    ids = sorted([world["housing"].pk, world["education"].pk])
    assert [(ids, start_m, end_m)] == dashboard_provider.CALLS
    keys = [metric.key for metric in report.metrics]
    assert {"satisfaction_rate", "ratings"} <= set(keys)
    assert next(metric for metric in report.metrics if metric.key == "ratings").format == "count"
    by_id = {row.department_id: row for row in report.rows}
    assert by_id[ids[0]].extra["satisfaction_rate"] == 0.5 and by_id[ids[0]].extra["ratings"] == 1
    assert by_id[ids[1]].extra["satisfaction_rate"] == pytest.approx(0.6)
    assert report.totals.extra["satisfaction_rate"] == 0.75 and report.totals.extra["ratings"] == 2
    # Uninstalled again, the provider is no longer asked.
    assert dashboard_provider.performance_metrics not in dashboards.performance_providers()


def test_provided_figures_appear_on_the_page_and_in_the_export(client, world):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(world["clerk"])
    with with_provider():
        html = client.get(reverse("dashboard_performance"), {"period": "month", "month": "2026-03"}).content.decode()
        assert "Satisfaction" in html and "75.0%" in html
        response = client.get(reverse("dashboard_performance_export"), {"period": "month", "month": "2026-03"})
        sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    header = [cell.value for cell in sheet[3]]
    assert "Satisfaction" in header and "Ratings" in header


def test_trend_covers_twelve_months_ending_with_the_period(world):
    replied(world["housing"], local(2026, 3, 2, 9), 2)
    replied(world["housing"], local(2025, 4, 10, 9), 30)  # started and replied in the first month
    replied(world["housing"], local(2025, 3, 10, 9), 1)  # before the window
    trend = dashboards.performance_trend(department_ids=None, last_month=date(2026, 3, 1))
    assert trend[0].month == date(2025, 4, 1)
    assert trend[-1].month == date(2026, 3, 1) and len(trend) == 12
    assert (trend[0].received, trend[0].replied, trend[0].replied_on_time) == (1, 0, 0)
    assert (trend[1].replied, trend[1].on_time_rate, trend[1].average_reply_days) == (1, 0.0, pytest.approx(30))
    assert (trend[-1].received, trend[-1].replied, trend[-1].on_time_rate) == (1, 1, 1.0)
    data = dashboards.chart_data(trend)
    assert data["labels"][0] == "2025-04" and data["on_time_rate"][-1] == 100.0 and data["on_time_rate"][2] is None


# --- the page and the export -----------------------------------------------------------------------

SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def test_page_has_chart_data_as_json_tables_beside_the_charts_and_no_inline_script(client, world):
    replied(world["housing"], local(2026, 3, 2, 9), 2)
    client.force_login(world["clerk"])
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        response = client.get(reverse("dashboard_performance"))
    html = response.content.decode()
    assert response.status_code == 200
    for attributes in SCRIPT.findall(html):
        assert "src=" in attributes or 'type="application/json"' in attributes, attributes
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/dashboard.js" in html
    data = json.loads(re.search(r'id="performance-trend-data" type="application/json">(.*?)</script>', html).group(1))
    assert data["labels"][-1] == "2026-03" and data["replied"][-1] == 1
    assert html.count("<caption>") >= 3
    assert 'scope="col"' in html and 'scope="row"' in html
    assert "住房和城乡建设局" in html


def test_a_head_sees_only_their_departments_performance(client, world):
    client.force_login(world["head"])
    html = client.get(reverse("dashboard_performance")).content.decode()
    assert "教育局" in html and "住房和城乡建设局" not in html


def test_bad_period_parameters_fall_back_to_this_month(client, world):
    client.force_login(world["clerk"])
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        response = client.get(reverse("dashboard_performance"), {"period": "decade", "month": "soon"})
    assert response.status_code == 200
    assert response.context["report"].start == local(2026, 3, 1)


def test_xlsx_export_holds_the_table(client, world):
    replied(world["housing"], local(2026, 3, 2, 9), 2)
    replied(world["housing"], local(2026, 3, 2, 9), 20)
    client.force_login(world["clerk"])
    client.cookies["django_language"] = "en"
    response = client.get(reverse("dashboard_performance_export"), {"period": "quarter", "month": "2026-02"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "minsheng-performance-quarter-2026-01.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(b"".join(response.streaming_content))).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["Department performance", "Q1 2026"]
    assert rows[2][:5] == ["Rank", "Department", "Received", "Due for acknowledgement", "Acknowledged within 24 hours"]
    housing = next(row for row in rows if row[1] == "住房和城乡建设局")
    assert housing[0] == 1  # education has nothing to measure: it ranks after any measured share
    assert housing[6:9] == [2, 1, 50]
    assert housing[10] == 11 and housing[11] == pytest.approx(18.2)  # 2 + 0.9 × 18
    totals = next(row for row in rows if row[1] == "All departments")
    assert totals[6] == 2


def test_export_is_refused_to_department_staff(client, world):
    client.force_login(world["staff"])
    assert client.get(reverse("dashboard_performance_export")).status_code == 403


def test_the_trend_is_cached_between_requests(client, world):
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["clerk"])
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("dashboard_performance"))
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("dashboard_performance"))

    def trend_queries(captured):
        return [q for q in captured.captured_queries if "date_trunc" in q["sql"].lower()]

    assert len(trend_queries(first)) == 2
    assert trend_queries(second) == []


# --- the figures add up, each rate beside its parts, rounded half up ---------------------------------

SUMMED = (
    "received",
    "acknowledge_due",
    "acknowledged_in_time",
    "replied",
    "replied_on_time",
    "met_late",
    "open_overdue",
)


def ticket(department, received, *, acknowledged=None, replied=None, reexamined=None):
    """A ticket as the petitions app makes one: acknowledgement and reply clocks from receipt,
    and a re-examination's reply clock started later (not a new item)."""
    on = Group.objects.create(name=f"工单{next(_names)}")
    acknowledge = start(department, policy="petition.acknowledge", at=received, on=on)
    reply = start(department, at=received, on=on)
    if acknowledged:
        clocks.clock_meet(clock=acknowledge, at=acknowledged)
    if replied:
        clocks.clock_meet(clock=reply, at=replied)
    if reexamined:
        start(department, policy="petition.reply.reexamine", at=reexamined, on=on)
    return on


@pytest.fixture
def year_of_work(world):
    housing, education = world["housing"], world["education"]
    retired = DepartmentFactory(name="原文化局", code="WHJ", is_active=False)
    ticket(housing, local(2026, 1, 5, 9), acknowledged=local(2026, 1, 5, 12), replied=local(2026, 1, 8, 9))
    ticket(
        housing,
        local(2026, 1, 30, 9),
        acknowledged=local(2026, 2, 2, 9),
        replied=local(2026, 2, 5, 9),
        reexamined=local(2026, 3, 2, 9),
    )
    ticket(education, local(2026, 2, 10, 9), acknowledged=local(2026, 2, 10, 10), replied=local(2026, 3, 20, 9))
    ticket(education, local(2026, 3, 3, 9), replied=local(2026, 3, 4, 9))
    ticket(retired, local(2026, 4, 1, 9), acknowledged=local(2026, 4, 1, 10), replied=local(2026, 4, 2, 9))
    ticket(None, local(2026, 5, 6, 9))  # still awaiting assignment
    ticket(None, local(2026, 5, 7, 9))
    ticket(housing, local(2025, 12, 30, 9), replied=local(2026, 1, 2, 9))  # received the year before
    return {"retired": retired}


def test_the_totals_row_is_the_sum_of_the_rows_shown(year_of_work):
    start_y, end_y = period_bounds(Period.YEAR, date(2026, 1, 1))
    report = dashboards.department_performance(scope=ALL, start=start_y, end=end_y, now=local(2026, 12, 31, 12))
    names = [row.name for row in report.rows]
    assert "原文化局" in names  # retired since, but its work is counted
    assert report.rows[-1].department_id is None and report.rows[-1].rank is None  # not yet assigned
    for attribute in SUMMED:
        assert getattr(report.totals, attribute) == sum(getattr(row, attribute) for row in report.rows), attribute
    assert report.totals.received == 7  # the re-examination is not a new item; December's ticket is last year's


def test_the_trend_months_add_up_to_the_years_totals(year_of_work):
    start_y, end_y = period_bounds(Period.YEAR, date(2026, 1, 1))
    report = dashboards.department_performance(scope=ALL, start=start_y, end=end_y, now=local(2026, 12, 31, 12))
    trend = dashboards.performance_trend(department_ids=None, last_month=date(2026, 12, 1))
    assert sum(point.received for point in trend) == report.totals.received == 7
    assert sum(point.replied for point in trend) == report.totals.replied
    assert sum(point.replied_on_time for point in trend) == report.totals.replied_on_time
    march = next(point for point in trend if point.month == date(2026, 3, 1))
    assert march.received == 1  # the re-examination started in March is not a ticket received in March


def test_a_month_on_the_page_matches_its_trend_row(client, world, year_of_work):
    client.force_login(world["clerk"])
    with time_machine.travel(local(2026, 5, 20, 10), tick=False):
        response = client.get(reverse("dashboard_performance"), {"period": "month", "month": "2026-05"})
    totals, may = response.context["report"].totals, response.context["trend"][-1]
    assert (totals.received, totals.replied, totals.replied_on_time) == (may.received, may.replied, may.replied_on_time)
    assert totals.received == 2  # the two tickets awaiting assignment


def test_every_rate_is_shown_beside_its_numerator_and_denominator(client, world, year_of_work):
    from portal.dashboard_views import PERFORMANCE_FIGURES

    shown = set(PERFORMANCE_FIGURES)
    rates = [key for key in shown if dashboards.FIGURES[key].ratio]
    assert set(rates) == {"acknowledged_rate", "on_time_rate"}
    for key in rates:
        assert set(dashboards.FIGURES[key].ratio) <= shown, key
    client.force_login(world["clerk"])
    client.cookies["django_language"] = "en"
    html = client.get(reverse("dashboard_performance"), {"period": "year", "month": "2026-01"}).content.decode()
    for key in shown:
        assert str(dashboards.FIGURES[key].label) in html, key  # in the table
        assert f"<dt>{dashboards.FIGURES[key].label}</dt>" in html, key  # and defined under it
    report = dashboards.department_performance(
        scope=ALL, start=local(2026, 1, 1), end=local(2027, 1, 1), now=local(2027, 1, 1)
    )
    for row in [*report.rows, report.totals]:
        for key in rates:
            numerator, denominator = (getattr(row, part) for part in dashboards.FIGURES[key].ratio)
            assert getattr(row, key) == (numerator / denominator if denominator else None)
    # The areas' own rates (satisfaction, re-examination) come with their counts, as columns too.
    provided = {metric.key for metric in report.metrics}
    assert {"satisfaction_rate", "rated", "satisfied"} <= provided
    for metric in report.metrics:
        if metric.format == "rate":
            assert metric.ratio and set(metric.ratio) <= provided, metric.key
            assert f"<dt>{metric.label}</dt>" in html, metric.key


def test_counts_are_labelled_as_counts_in_chinese(client, world, year_of_work):
    client.force_login(world["clerk"])
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("dashboard_performance"), {"period": "year", "month": "2026-01"}).content.decode()
    for label in ("收件数", "应受理数", "按时受理数", "答复数", "按时答复数", "按时答复率", "超期数"):
        assert f">{label}" in html, label
    assert not re.search(r">\s*(受理时间|答复时间)\s*(<|（)", html)  # no count is labelled as a time
    assert "<dt>按时答复率</dt><dd>按时答复率 = 按时答复数 ÷ 答复数。</dd>" in html
    response = client.get(reverse("dashboard_performance_export"), {"period": "year", "month": "2026-01"})
    header = [cell.value for cell in load_workbook(BytesIO(b"".join(response.streaming_content))).active[3]]
    assert header[2:5] == ["收件数", "应受理数", "按时受理数"]


@pytest.mark.parametrize(
    ("fraction", "shown", "exported"),
    [
        (2 / 3, "66.7%", 66.7),  # not truncated to 66.6
        (6 / 13, "46.2%", 46.2),  # 46.153…
        (1 / 16, "6.3%", 6.3),  # 6.25: half up, not to even
        (247 / 2000, "12.4%", 12.4),  # 12.35 although the float is 0.12349999…
        (1 / 3, "33.3%", 33.3),
        (1.0, "100.0%", 100.0),
        (0.0, "0.0%", 0.0),
        (None, "—", None),
    ],
)
def test_percentages_are_rounded_half_up_to_one_decimal(fraction, shown, exported):
    from portal.dashboard_views import _percent
    from portal.templatetags.dashboard_tags import percent

    with override_settings(USE_THOUSAND_SEPARATOR=False):
        assert percent(fraction) == shown
    assert _percent(fraction) == exported
