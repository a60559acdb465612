"""petitions.reports: the monthly report's figures on known data, storing it once, the pages,
the workbook, the command twin; and petitions.selectors.performance_metrics."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from petitions import reports, selectors, services
from petitions.models import MonthlyReport, Petition
from portal import dashboards
from portal.dashboards import as_percent, half_up
from portal.exceptions import DomainError
from tests.factories import DepartmentFactory, citizen, clerk, staff_of
from tests.petitions.factories import CategoryFactory

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
# October 2026 in Beijing time; the Mondays 5, 12, 19 and 26 (the test calendar is Monday-Friday).
OCTOBER = date(2026, 10, 1)
NOVEMBER_3 = datetime(2026, 11, 3, 12, 0, tzinfo=SH)


def at(moment: datetime, function, /, **kwargs):
    """Run a service as if it were `moment` (what the citizen and the staff did, when)."""
    with time_machine.travel(moment, tick=False):
        return function(**kwargs)


class Story:
    """Tickets moved through the real services at chosen moments."""

    def __init__(self):
        self.clerk = clerk()
        self.category = CategoryFactory(name="城市管理")
        self.staff = {}

    def staff_for(self, department):
        if department.pk not in self.staff:
            self.staff[department.pk] = staff_of(department)
        return self.staff[department.pk]

    def received(self, moment: datetime, *, title="路灯不亮", mobile="", email="", **fields) -> Petition:
        petition, _code = at(
            moment,
            services.petition_record,
            actor=self.clerk,
            channel=Petition.Channel.HOTLINE,
            kind=fields.pop("kind", Petition.Kind.COMPLAINT),
            category=fields.pop("category", self.category),
            title=title,
            content="人民路的路灯坏了两周。",
            contact_name=fields.pop("contact_name", "张三"),
            contact_mobile=mobile,
            contact_email=email,
            **fields,
        )
        return petition

    def assigned(self, petition, moment, department, **kwargs) -> Petition:
        return at(
            moment,
            services.petition_assign,
            petition=petition,
            actor=self.clerk,
            lead_department=department,
            **kwargs,
        )

    def accepted(self, petition, moment) -> Petition:
        return at(moment, services.petition_accept, petition=petition, actor=self.staff_for(petition.lead_department))

    def replied(self, petition, moment) -> Petition:
        return at(
            moment,
            services.petition_reply,
            petition=petition,
            actor=self.staff_for(petition.lead_department),
            body="已修复。",
        )

    def handled(self, moment: datetime, department, *, accept_after, reply_after=None, rating=None, rate_after=None):
        petition = self.received(moment)
        petition = self.assigned(petition, moment + timedelta(minutes=1), department)
        petition = self.accepted(petition, moment + accept_after)
        if reply_after is not None:
            petition = self.replied(petition, moment + reply_after)
        if rating:
            petition = services.petition_rate(petition=petition, rating=rating, now=moment + rate_after)
        return petition


@pytest.fixture
def story():
    return Story()


@pytest.fixture
def departments():
    return DepartmentFactory(name="住房和城乡建设局", code="ZJJ"), DepartmentFactory(name="教育局", code="JYJ")


def october_story(story, departments):
    zjj, jyj = departments
    monday = datetime(2026, 10, 5, 9, 0, tzinfo=SH)
    # Accepted exactly 24 hours after receipt (on time), replied on the 4th working day, satisfied.
    story.handled(
        monday,
        zjj,
        accept_after=timedelta(hours=24),
        reply_after=timedelta(days=3),
        rating=Petition.Rating.SATISFIED,
        rate_after=timedelta(days=4),
    )
    # Accepted one second late, replied after the 7 working days (late), rated unsatisfied.
    story.handled(
        monday,
        zjj,
        accept_after=timedelta(hours=24, seconds=1),
        reply_after=timedelta(days=11),
        rating=Petition.Rating.UNSATISFIED,
        rate_after=timedelta(days=12),
    )
    # 教育局: assigned, never accepted: overdue on 3 November (acknowledgement and reply).
    late = story.received(datetime(2026, 10, 20, 10, 0, tzinfo=SH))
    story.assigned(late, datetime(2026, 10, 20, 11, 0, tzinfo=SH), jyj)
    # Received in September, replied in October: a reply of October, not a receipt.
    story.handled(
        datetime(2026, 9, 28, 9, 0, tzinfo=SH),
        jyj,
        accept_after=timedelta(hours=2),
        reply_after=timedelta(days=4),
        rating=Petition.Rating.BASICALLY,
        rate_after=timedelta(days=5),
    )
    # November: not in October's figures.
    story.received(datetime(2026, 11, 2, 9, 0, tzinfo=SH))


def _row(figures, name):
    return next(row for row in figures["rows"] if row["department"] == name)


def _percent(fraction):  # as the performance page shows a rate
    return float(as_percent(fraction)) if fraction is not None else None


def _round(days):  # as the performance page shows days
    return float(half_up(days)) if days is not None else None


def test_figures_on_known_data(story, departments):
    october_story(story, departments)

    with CaptureQueriesContext(connection) as queries:
        figures = reports.monthly_report_figures(OCTOBER, NOVEMBER_3)
    # The performance table's (departments; received, started, met, reply times, overdue; the
    # ratings; the overall 90th percentile): a fixed number, whatever the number of tickets.
    assert len(queries) <= 8

    zjj = _row(figures, "住房和城乡建设局")
    assert {key: zjj[key] for key in reports.COUNT_KEYS} == {
        "received": 2,
        "acknowledge_due": 2,
        "acknowledged_in_time": 1,  # exactly 24 hours is on time; 24 hours and a second is not
        "replied": 2,
        "replied_on_time": 1,
        # Deadlines missed in October: the late acknowledgement and the late reply (met late),
        # and the re-examination still open past its due moment (7 working days from 17 October).
        "overdue": 3,
        "rated": 2,
        "satisfied": 1,
    }
    assert zjj["satisfaction_rate"] == 0.5
    assert zjj["on_time_rate"] == 0.5
    assert zjj["acknowledged_rate"] == 0.5
    assert zjj["average_reply_days"] == 7.0  # (3 + 11) / 2 calendar days

    jyj = _row(figures, "教育局")
    assert {key: jyj[key] for key in reports.COUNT_KEYS} == {
        "received": 1,
        "acknowledge_due": 1,
        "acknowledged_in_time": 0,
        "replied": 1,  # the September ticket's reply on 2 October
        "replied_on_time": 1,
        "overdue": 2,  # both deadlines of the ticket never accepted (deadlines, not tickets)
        "rated": 1,
        "satisfied": 1,
    }
    assert jyj["satisfaction_rate"] == 1.0

    total = figures["total"]
    assert total["received"] == 3
    assert total["replied"] == 3
    assert total["rated"] == 3
    assert total["satisfaction_rate"] == 2 / 3  # stored as the page has it; shown rounded (report_cell)
    assert total["average_reply_days"] == 6.0  # (3 + 11 + 4) / 3
    assert figures["month"] == "2026-10" and figures["format"] == reports.FORMAT


def test_every_figure_the_report_shares_with_the_performance_page_is_the_pages(client, story, departments):
    """The same month and data, at the boundaries: a ticket received at 23:59 on the month's last
    day and acknowledged exactly at its due moment (24 hours later, in the next month), one
    acknowledged a second late, replies on time and late. Every figure the report shares with
    the performance page (per department, the unassigned, the total) is the page's, to the last
    digit; the ratings are what petitions provide the page."""
    october_story(story, departments)
    last_minute = datetime(2026, 10, 31, 23, 59, tzinfo=SH)
    on_the_dot = story.assigned(story.received(last_minute), last_minute + timedelta(seconds=30), departments[1])
    story.accepted(on_the_dot, last_minute + timedelta(hours=24))  # 1 November 23:59: met on time
    story.received(datetime(2026, 10, 30, 9, 0, tzinfo=SH))  # never assigned: a row of its own

    figures = reports.monthly_report_figures(OCTOBER, NOVEMBER_3)
    client.force_login(story.clerk)
    with time_machine.travel(NOVEMBER_3, tick=False):
        page = client.get(reverse("dashboard_performance"), {"period": "month", "month": "2026-10"})
    assert page.status_code == 200
    table = page.context["report"]
    shown = {row.department_id: row for row in table.rows}

    # The page's rows (ranked there), by name, the work not yet assigned last.
    by_name = sorted((pk for pk in shown if pk is not None), key=lambda pk: shown[pk].name)
    assert [row["department_id"] for row in figures["rows"]] == [*by_name, None]
    pairs = [(stored, shown[stored["department_id"]]) for stored in figures["rows"]]
    for stored, row in [*pairs, (figures["total"], table.totals)]:
        assert {key: stored[key] for key in reports.SHARED_KEYS} == {
            key: getattr(row, key) for key in reports.SHARED_KEYS
        }, row.name
        for key in reports.PETITION_KEYS:
            assert stored[key] == row.extra.get(key, 0 if key in reports.COUNT_KEYS else None), (row.name, key)
        # As shown: the report's cells and the page's rounding agree too.
        assert reports.report_cell(stored, "acknowledged_rate") == _percent(row.acknowledged_rate)
        assert reports.report_cell(stored, "average_reply_days") == _round(row.average_reply_days)

    jyj = _row(figures, "教育局")
    # The 23:59 ticket is October's, and its acknowledgement at the due moment is on time.
    assert (jyj["received"], jyj["acknowledge_due"], jyj["acknowledged_in_time"]) == (2, 2, 1)
    assert figures["total"]["received"] == 5
    # Both divide acknowledgements met in time by acknowledgements due (not by tickets received).
    assert figures["total"]["acknowledged_rate"] == table.totals.acknowledged_rate == 2 / 5


def test_the_unassigned_have_their_own_row(story, departments):
    story.received(datetime(2026, 10, 5, 9, 0, tzinfo=SH))
    figures = reports.monthly_report_figures(OCTOBER, NOVEMBER_3)
    unassigned = next(row for row in figures["rows"] if row["department_id"] is None)
    # Deadlines missed: its acknowledgement and its reply, both open past due (deadlines, not tickets).
    assert (unassigned["received"], unassigned["overdue"]) == (1, 2)
    assert figures["total"]["received"] == 1


def test_generate_stores_last_month_once_and_never_rewrites_it(story, departments):
    october_story(story, departments)
    report, created = reports.monthly_report_generate(now=NOVEMBER_3)
    assert created and report.month == OCTOBER
    frozen = MonthlyReport.objects.get().figures

    # Later data about October (a late-recorded ticket, a late rating) does not change the report.
    story.handled(datetime(2026, 10, 28, 9, 0, tzinfo=SH), departments[0], accept_after=timedelta(hours=1))
    again, created_again = reports.monthly_report_generate(now=NOVEMBER_3 + timedelta(days=1))

    assert not created_again and again.pk == report.pk
    assert MonthlyReport.objects.count() == 1
    assert MonthlyReport.objects.get().figures == frozen
    assert reports.monthly_report_figures(OCTOBER, NOVEMBER_3)["total"]["received"] == 4  # live figures moved


def test_generate_refuses_a_month_that_has_not_ended():
    with pytest.raises(DomainError):
        reports.monthly_report_generate(month=date(2026, 11, 1), now=NOVEMBER_3)
    assert not MonthlyReport.objects.exists()


def test_generate_loses_a_race_cleanly(monkeypatch, departments):
    """Another run stores the month between our check and our insert: we return its report."""
    compute = reports.monthly_report_figures

    def compute_while_another_run_stores(month, now):
        MonthlyReport.objects.create(month=month, figures={"theirs": True})
        return compute(month, now)

    monkeypatch.setattr(reports, "monthly_report_figures", compute_while_another_run_stores)
    report, created = reports.monthly_report_generate(now=NOVEMBER_3)
    assert not created
    assert report.figures == {"theirs": True}
    assert MonthlyReport.objects.count() == 1


def test_command_twin(departments):
    out = io.StringIO()
    call_command("generate_monthly_report", "--month", "2026-10", stdout=out)
    assert "stored the report of 2026-10" in out.getvalue()
    out = io.StringIO()
    call_command("generate_monthly_report", "--month", "2026-10", stdout=out)
    assert "already stored" in out.getvalue()
    assert MonthlyReport.objects.filter(month=OCTOBER).count() == 1
    with pytest.raises(CommandError):
        call_command("generate_monthly_report", "--month", "2026-13", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("generate_monthly_report", "--month", "2999-01", stdout=io.StringIO())


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_report_pages_for_the_clerk(english, story, departments):
    october_story(story, departments)
    reports.monthly_report_generate(now=NOVEMBER_3)
    english.force_login(story.clerk)

    listing = english.get("/petitions/reports/")
    assert listing.status_code == 200
    assert "/petitions/reports/2026-10/" in listing.content.decode()

    page = english.get("/petitions/reports/2026-10/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<caption>" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "住房和城乡建设局" in html and "50.0%" in html
    assert "Provisional" not in html

    # The current month (or any month not stored) is computed live and labelled provisional.
    with time_machine.travel(NOVEMBER_3, tick=False):
        live = english.get("/petitions/reports/2026-11/")
    assert live.status_code == 200
    assert "Provisional" in live.content.decode()
    with time_machine.travel(NOVEMBER_3, tick=False):
        assert english.get("/petitions/reports/2026-12/").status_code == 404
    assert english.get("/petitions/reports/2026-13/").status_code == 404


def test_report_workbook(english, story, departments):
    october_story(story, departments)
    reports.monthly_report_generate(now=NOVEMBER_3)
    english.force_login(story.clerk)

    response = english.get("/petitions/reports/2026-10/report.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    header = rows[2]
    assert header[:4] == ["Department", "Received", "Due for acknowledgement", "Acknowledged within 24 hours"]
    by_name = {row[0]: row for row in rows[3:] if row and row[0]}
    assert by_name["住房和城乡建设局"][1] == 2
    assert by_name["住房和城乡建设局"][header.index("Satisfaction (%)")] == 50.0
    assert by_name["All departments"][1] == 3

    assert english.get("/petitions/reports/2026-09/report.xlsx").status_code == 404  # not stored


# A report stored before the report was the performance page's table (format 1): its own figures.
LEGACY = {
    "month": "2026-09",
    "computed_at": "2026-10-01T01:30:00+08:00",
    "rows": [
        {
            "department_id": 1,
            "department": "住房和城乡建设局",
            "received": 4,
            "acknowledge_due": 4,
            "accepted_in_24h": 3,
            "accepted_in_24h_rate": 0.75,
            "replied": 2,
            "replied_on_time": 1,
            "on_time_rate": 0.5,
            "overdue": 1,
            "average_reply_days": 6.5,
            "rated": 1,
            "satisfied": 1,
            "satisfaction_rate": 1.0,
            "reply_seconds": 1123200,
        }
    ],
    "total": {"department_id": None, "department": "", "total": True, "received": 4, "accepted_in_24h": 3},
}


def test_a_report_stored_before_is_shown_as_it_was_stored(english, departments):
    MonthlyReport.objects.create(month=date(2026, 9, 1), figures=LEGACY)
    english.force_login(clerk())
    html = english.get("/petitions/reports/2026-09/").content.decode()
    assert "Accepted within 24 hours (%)" in html and "75.0%" in html
    assert "Overdue: tickets past a deadline when the figures were computed" in html  # its own caption
    assert "How the figures are counted" not in html  # not the performance page's definitions

    response = english.get("/petitions/reports/2026-09/report.xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert rows[2][:5] == ["Department", "Received", "Due for acknowledgement", "Accepted within 24 hours",
                           "Accepted within 24 hours (%)"]  # fmt: skip
    assert rows[3][:5] == ["住房和城乡建设局", 4, 4, 3, 75.0]
    assert MonthlyReport.objects.get(month=date(2026, 9, 1)).figures == LEGACY  # never rewritten


def test_a_new_report_defines_its_figures_as_the_performance_page_does(english, story, departments):
    october_story(story, departments)
    reports.monthly_report_generate(now=NOVEMBER_3)
    english.force_login(story.clerk)
    html = english.get("/petitions/reports/2026-10/").content.decode()
    assert "How the figures are counted" in html and "Deadlines missed" in html
    assert str(dashboards.FIGURES["overdue"].definition) in html


@pytest.mark.parametrize("who", ["citizen", "staff"])
def test_reports_are_forbidden_without_the_permission(client, who, departments):
    user = citizen() if who == "citizen" else staff_of(departments[0])
    client.force_login(user)
    MonthlyReport.objects.create(month=OCTOBER, figures={})
    for url in ("/petitions/reports/", "/petitions/reports/2026-10/", "/petitions/reports/2026-10/report.xlsx"):
        assert client.get(url).status_code == 403, url


def test_reports_send_the_anonymous_to_log_in(client):
    response = client.get("/petitions/reports/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_report_counts_are_labelled_as_counts_and_rates_rounded_half_up_from_them():
    from django.utils import translation

    with translation.override("zh-hans"):
        labels = dict(reports.report_columns())
    assert labels["received"] == "收件数" and labels["replied"] == "答复数"
    assert "受理时间" not in labels.values() and "答复时间" not in labels.values()
    # Every rate's numerator and denominator are columns of the report too, in either format.
    legacy = dict(reports.report_columns({"rows": []}))
    for columns in (labels, legacy):
        rates = [key for key in columns if key in reports.RATE_KEYS]
        assert len(rates) == 3
        for key in rates:
            assert set(reports.RATE_PARTS[key]) <= set(columns)
    row = {"replied_on_time": 6, "replied": 13, "on_time_rate": 0.4615, "acknowledged_in_time": 2, "received": 3}
    row |= {"acknowledge_due": 3, "acknowledged_rate": 0.6667, "satisfied": 1, "rated": 16, "satisfaction_rate": 0.0625}
    assert reports.report_cell(row, "on_time_rate") == 46.2  # not 46.1 or 46.15 truncated
    assert reports.report_cell(row, "acknowledged_rate") == 66.7
    assert reports.report_cell(row, "satisfaction_rate") == 6.3  # 6.25 half up, not to even
    assert reports.report_cell({"on_time_rate": None, "replied": 0, "replied_on_time": 0}, "on_time_rate") is None
    assert reports.report_cell({"average_reply_days": 6.25}, "average_reply_days") == 6.3  # half up, as the page
    # A report stored before (format 1) keeps its own columns: "accepted within 24 hours", "overdue".
    old = {"accepted_in_24h": 2, "acknowledge_due": 3, "accepted_in_24h_rate": 0.6667}
    assert "accepted_in_24h" in legacy and reports.report_cell(old, "accepted_in_24h_rate") == 66.7


# --- performance_metrics (the dashboards' plug-in) --------------------------------------------------


def test_performance_metrics(story, departments):
    zjj, jyj = departments
    october_story(story, departments)
    start, end = datetime(2026, 10, 1, tzinfo=SH), datetime(2026, 11, 1, tzinfo=SH)

    with CaptureQueriesContext(connection) as queries:
        provided = selectors.performance_metrics([zjj.pk, jyj.pk], start, end)
    assert len(queries) == 1

    assert [metric.key for metric in provided.metrics] == [
        "rated",
        "satisfied",
        "satisfaction_rate",
        "replied_tickets",
        "reopened",
        "reopen_rate",
    ]
    rates = ("satisfaction_rate", "reopen_rate")
    assert {key: provided.values[zjj.pk][key] for key in rates} == {"satisfaction_rate": 0.5, "reopen_rate": 0.5}
    assert {key: provided.values[jyj.pk][key] for key in rates} == {"satisfaction_rate": 1.0, "reopen_rate": 0.0}
    assert provided.values[None]["satisfaction_rate"] == pytest.approx(2 / 3)
    assert provided.values[None]["reopen_rate"] == pytest.approx(1 / 3)
    # Every rate is provided beside the two counts it divides, and is their quotient.
    by_key = {metric.key: metric for metric in provided.metrics}
    for metric in provided.metrics:
        if metric.format == "rate":
            numerator, denominator = metric.ratio
            assert {numerator, denominator} <= set(by_key) and str(metric.definition)
            for values in provided.values.values():
                expected = values[numerator] / values[denominator] if values[denominator] else None
                assert values[metric.key] == expected

    other = DepartmentFactory()
    empty = selectors.performance_metrics([other.pk], start, end)
    assert {key: empty.values[other.pk][key] for key in rates} == {"satisfaction_rate": None, "reopen_rate": None}


def test_performance_metrics_reach_the_dashboards(story, departments):
    from portal.dashboards import provided_metrics

    october_story(story, departments)
    merged = provided_metrics([departments[0].pk], datetime(2026, 10, 1, tzinfo=SH), datetime(2026, 11, 1, tzinfo=SH))
    assert merged.values[departments[0].pk]["satisfaction_rate"] == 0.5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_store_one_report(monkeypatch):
    """Both runs find no report, compute, then insert at the same moment: one stores it, the
    other gets it back (the unique month, get_or_create), and neither fails."""
    import threading

    from django.db import connections

    barrier = threading.Barrier(2, timeout=20)
    compute = reports.monthly_report_figures

    def compute_in_step(month, now):
        figures = compute(month, now)
        barrier.wait()  # both runs have passed the "already stored?" check
        return figures

    monkeypatch.setattr(reports, "monthly_report_figures", compute_in_step)
    results, errors = [], []

    def run():
        try:
            report, created = reports.monthly_report_generate(now=NOVEMBER_3)
            results.append((report.pk, created))
        except Exception as error:  # surfaced below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(created for _pk, created in results) == [False, True]
    assert len({pk for pk, _created in results}) == 1
    assert MonthlyReport.objects.count() == 1
