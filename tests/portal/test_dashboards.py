"""The overdue board (/dashboard/): who sees what, exact boundaries, working days overdue, urging,
departments' status, and a fixed number of queries however many clocks there are."""

import itertools
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation

from portal import clocks, dashboards
from portal.dashboards import DashboardScope, DepartmentStatus
from portal.models import Clock, Membership
from tests.factories import DepartmentFactory, citizen, clerk, staff_of

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
_names = itertools.count()


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def end_of(year, month, day) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=SH)


def subject():
    # Any saved model instance can be a clock's subject; a group keeps the departments list clean.
    return Group.objects.create(name=f"事项{next(_names)}")


def start(department, policy="petition.reply.ordinary", at=None, on=None):
    return clocks.clock_start(
        subject=on or subject(), policy=policy, started_at=at or local(2026, 3, 2, 9), department=department
    )


ALL = DashboardScope(department_ids=None, can_urge=True)


@pytest.fixture
def world(db):
    housing = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    education = DepartmentFactory(name="教育局", code="JYJ")
    return {
        "housing": housing,
        "education": education,
        "clerk": clerk("office"),
        "head": staff_of(housing, "housing_head", role=Membership.Role.HEAD),
        "staff": staff_of(housing, "housing_staff"),
        "citizen": citizen("someone"),
    }


# --- who may open it ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["citizen", "staff"])
def test_citizens_and_department_staff_are_refused(client, world, who):
    client.force_login(world[who])
    assert client.get(reverse("dashboard")).status_code == 403
    assert client.get(reverse("dashboard_performance")).status_code == 403
    assert client.post(reverse("dashboard_urge"), {"clocks": ["1"]}).status_code == 403


def test_a_head_sees_only_their_departments_and_a_clerk_sees_all(client, world):
    ours = start(world["housing"], at=local(2026, 3, 2, 9))
    theirs = start(world["education"], at=local(2026, 3, 2, 9))
    ours_ref, theirs_ref = str(ours.object_id), str(theirs.object_id)
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        client.force_login(world["head"])
        html = client.get(reverse("dashboard")).content.decode()
        assert "住房和城乡建设局" in html and "教育局" not in html
        assert f">{ours_ref}</a>" in html and f">{theirs_ref}</a>" not in html
        # A head without portal.urge_work gets no urge button, and the POST is refused.
        assert reverse("dashboard_urge") not in html
        assert client.post(reverse("dashboard_urge"), {"clocks": [ours.pk]}).status_code == 403

        client.force_login(world["clerk"])
        html = client.get(reverse("dashboard")).content.decode()
        assert "住房和城乡建设局" in html and "教育局" in html
        assert f">{ours_ref}</a>" in html and f">{theirs_ref}</a>" in html
        assert reverse("dashboard_urge") in html


def test_the_dashboard_link_is_shown_to_those_who_may_open_it(client, world):
    for who, shown in (("clerk", True), ("head", True), ("staff", False), ("citizen", False)):
        client.force_login(world[who])
        assert (reverse("dashboard") in client.get(reverse("home")).content.decode()) is shown, who
    client.force_login(world["clerk"])
    assert reverse("dashboard") in client.get(reverse("admin:index")).content.decode()


def test_the_statistics_link_is_in_every_public_page(client):
    assert reverse("stats") in client.get(reverse("home")).content.decode()


# --- headline figures at exact boundaries --------------------------------------------------------


def test_at_the_due_moment_it_is_due_soon_and_one_microsecond_later_overdue(world):
    clock = start(world["housing"])  # due end of Wed 2026-03-11
    at_due = dashboards.board_headline(scope=ALL, now=clock.due_at)
    assert (at_due.totals.overdue, at_due.totals.due_today, at_due.totals.due_soon) == (0, 1, 1)
    after = dashboards.board_headline(scope=ALL, now=clock.due_at + timedelta(microseconds=1))
    assert (after.totals.overdue, after.totals.due_today, after.totals.due_soon) == (1, 0, 0)
    assert after.by_area["petition"].overdue == 1
    assert [(row.policy, row.figures.overdue) for row in after.by_policy] == [("petition.reply.ordinary", 1)]


def test_due_today_and_due_within_one_working_day_split_by_policy(world):
    housing = world["housing"]
    start(housing, policy="petition.acknowledge", at=local(2026, 3, 5, 15))  # due Fri 6th 15:00
    start(housing, policy="petition.reply.ordinary", at=local(2026, 2, 27, 9))  # due end of Mon 9th (28th 调休)
    start(housing, policy="petition.reply.complex", at=local(2026, 3, 2, 9))  # due 23rd: not soon
    now = local(2026, 3, 6, 9)  # Friday: the next working day ends Monday night
    headline = dashboards.board_headline(scope=ALL, now=now)
    figures = {row.policy: row.figures for row in headline.by_policy}
    assert figures["petition.acknowledge"].due_today == 1
    assert figures["petition.reply.ordinary"].due_today == 0
    assert figures["petition.reply.ordinary"].due_soon == 1
    assert "petition.reply.complex" not in figures
    # Due soon is ClockQuerySet.due_soon, the sweep's reminder rule: an hour clock is due soon
    # within 4 hours (the acknowledgement, 6 hours ahead, is due today but not yet due soon).
    assert figures["petition.acknowledge"].due_soon == 0
    assert (headline.totals.due_today, headline.totals.due_soon, headline.totals.overdue) == (1, 1, 0)
    later = dashboards.board_headline(scope=ALL, now=local(2026, 3, 6, 11)).totals
    assert (later.due_today, later.due_soon) == (1, 2)


def test_met_late_counts_this_month_only(world):
    last_month = start(world["housing"], at=local(2026, 2, 2, 9))
    clocks.clock_meet(clock=last_month, at=local(2026, 2, 28, 10))
    this_month = start(world["housing"], at=local(2026, 2, 10, 9))
    clocks.clock_meet(clock=this_month, at=local(2026, 3, 10, 10))
    headline = dashboards.board_headline(scope=ALL, now=local(2026, 3, 20, 10))
    assert headline.totals.met_late == 1


def test_a_head_scope_counts_only_their_departments(world):
    start(world["housing"])
    start(world["education"])
    scope = dashboards.dashboard_scope(world["head"])
    assert scope.department_ids == (world["housing"].pk,) and not scope.can_urge
    assert dashboards.board_headline(scope=scope, now=local(2026, 4, 1)).totals.overdue == 1
    assert dashboards.board_headline(scope=ALL, now=local(2026, 4, 1)).totals.overdue == 2


# --- how long overdue: working days across weekends and holidays ---------------------------------


@pytest.mark.parametrize(
    ("due", "now", "working_days", "hours"),
    [
        (end_of(2026, 3, 6), local(2026, 3, 7, 10), 0, 10),  # Fri → Sat: no working day yet
        (end_of(2026, 3, 6), local(2026, 3, 9, 10), 1, 58),  # Fri → Mon: one (the weekend skipped)
        (end_of(2026, 2, 13), local(2026, 2, 24, 9), 2, 249),  # 14 Sat is 调休 (working), 16-23 Spring Festival
        (end_of(2026, 9, 30), local(2026, 10, 9, 9), 2, 201),  # National Day 1-7 Oct skipped: the 8th and 9th
    ],
)
def test_days_overdue_are_working_days_plus_hours(due, now, working_days, hours):
    overdue = dashboards.overdue_by(due, now)
    assert (overdue.working_days, overdue.hours) == (working_days, hours)


def test_not_overdue_at_or_before_the_due_moment():
    assert dashboards.overdue_by(end_of(2026, 3, 6), end_of(2026, 3, 6)) is None


def test_the_list_shows_working_days_and_hours_overdue(client, world):
    start(world["housing"], at=local(2026, 2, 27, 9))  # due end of Mon 9 March (Sat 28 Feb is 调休)
    client.force_login(world["clerk"])
    client.cookies["django_language"] = "en"
    with time_machine.travel(local(2026, 3, 12, 13), tick=False):
        html = client.get(reverse("dashboard")).content.decode()
    assert "3 working days (61 hours)" in html  # Tue, Wed, Thu


ZERO = re.compile(r"(?<![0-9])0 ?(个工作日|小时|working day|hour)")


def overdue_for(elapsed: timedelta, working_days: int = 0) -> dashboards.Overdue:
    return dashboards.Overdue(working_days=working_days, elapsed=elapsed)


@pytest.mark.parametrize(
    ("elapsed", "working_days", "english", "chinese"),
    [
        (timedelta(seconds=20), 0, "less than a minute", "不足1分钟"),
        (timedelta(minutes=1), 0, "1 minute", "1分钟"),
        (timedelta(minutes=25, seconds=59), 0, "25 minutes", "25分钟"),
        (timedelta(minutes=59, seconds=59), 0, "59 minutes", "59分钟"),
        (timedelta(hours=1), 0, "1 hour", "1小时"),
        (timedelta(hours=10, minutes=30), 0, "10 hours", "10小时"),
        (timedelta(hours=58), 1, "1 working day (58 hours)", "1个工作日（58小时）"),
        (timedelta(hours=61), 3, "3 working days (61 hours)", "3个工作日（61小时）"),
    ],
)
def test_how_long_overdue_is_said_one_way_never_zero(elapsed, working_days, english, chinese):
    overdue = overdue_for(elapsed, working_days)
    with translation.override("en"):
        assert dashboards.describe_overdue(overdue) == english == str(overdue)
    with translation.override("zh-hans"):
        assert dashboards.describe_overdue(overdue) == chinese
        assert not ZERO.search(str(overdue))


def test_an_item_overdue_by_minutes_says_minutes_on_the_board(client, world):
    clock = start(world["housing"], policy="petition.acknowledge", at=local(2026, 3, 2, 9))  # due 3 March 09:00
    client.force_login(world["clerk"])
    with time_machine.travel(clock.due_at + timedelta(minutes=12), tick=False):
        html = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "12分钟" in html
    assert not ZERO.search(html)


def test_never_urged_says_not_urged_not_never_run(client, world):
    start(world["housing"], at=local(2026, 2, 20, 9))
    client.force_login(world["clerk"])
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        chinese = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        english = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The list's cell, not the system warnings (where "never run" belongs).
    assert re.search(r'data-label="[^"]+">未催办</td>', chinese)
    assert not re.search(r'data-label="[^"]+">从未运行</td>', chinese)
    assert re.search(r'data-label="Last urged">Not urged yet</td>', english)


# --- the list: filters, sorting, paging ------------------------------------------------------------


def test_filters_are_validated_and_narrow_the_list(world):
    start(world["housing"], policy="petition.acknowledge", at=local(2026, 3, 1, 9))
    start(world["education"], at=local(2026, 2, 20, 9))
    start(world["education"], policy="disclosure.reply", at=local(2026, 1, 20, 9))
    now = local(2026, 3, 12, 9)
    every = dashboards.board_items(scope=ALL, now=now)
    assert every.count() == 3
    assert every.first().policy == "disclosure.reply"  # most overdue first
    form = dashboards_form({"department": world["education"].pk, "area": "petition"})
    assert [c.department_id for c in dashboards.board_items(scope=ALL, now=now, **form.filters())] == [
        world["education"].pk
    ]
    form = dashboards_form({"kind": "acknowledge", "sort": "-due"})
    assert [c.kind for c in dashboards.board_items(scope=ALL, now=now, **form.filters())] == ["acknowledge"]
    # Nonsense is ignored, not a server error.
    form = dashboards_form({"department": "abc", "area": "weather", "sort": "drop table"})
    assert dashboards.board_items(scope=ALL, now=now, **form.filters()).count() == 3


def dashboards_form(data, scope=ALL):
    from portal.dashboard_forms import BoardFilterForm

    return BoardFilterForm(data, scope=scope)


def test_a_head_cannot_filter_on_another_department(world):
    scope = dashboards.dashboard_scope(world["head"])
    form = dashboards_form({"department": world["education"].pk}, scope=scope)
    assert not form.is_valid()


def test_the_page_renders_bad_parameters_without_error(client, world):
    client.force_login(world["clerk"])
    response = client.get(reverse("dashboard"), {"department": "x", "page": "999", "sort": "?"})
    assert response.status_code == 200


def test_rows_link_to_the_subjects_admin_page(client, world):
    clock = start(world["housing"], at=local(2026, 2, 20, 9))
    client.force_login(world["clerk"])
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        html = client.get(reverse("dashboard")).content.decode()
    assert reverse("admin:auth_group_change", args=[clock.object_id]) in html


# --- urging ----------------------------------------------------------------------------------------


def test_a_clerk_urges_the_ticked_items_in_one_post(client, world):
    first = start(world["housing"], at=local(2026, 2, 20, 9))
    second = start(world["education"], at=local(2026, 2, 20, 9))
    untouched = start(world["education"], at=local(2026, 2, 20, 9))
    client.force_login(world["clerk"])
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        response = client.post(
            reverse("dashboard_urge"),
            {"clocks": [first.pk, second.pk], "note": "请今日答复", "query": "area=petition&evil=1"},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard") + "?area=petition"
    urged = dict(Clock.objects.values_list("pk", "last_urged_at"))
    assert urged[first.pk] == urged[second.pk] == local(2026, 3, 20, 10)
    assert urged[untouched.pk] is None
    assert world["staff"].notices.filter(kind="clock_urged", clock=first).exists()


def test_urging_nothing_or_a_closed_item_is_refused_with_a_message(client, world):
    closed = start(world["housing"])
    clocks.clock_meet(clock=closed, at=local(2026, 3, 3, 9))
    client.force_login(world["clerk"])
    response = client.post(reverse("dashboard_urge"), {"clocks": [closed.pk]}, follow=True)
    assert response.status_code == 200
    assert Clock.objects.get(pk=closed.pk).last_urged_at is None
    assert list(response.context["messages"])


def test_a_head_with_the_urge_permission_urges_only_in_their_departments(client, world):
    from django.contrib.auth.models import Permission

    head = world["head"]
    head.user_permissions.add(Permission.objects.get(codename="urge_work"))
    ours = start(world["housing"], at=local(2026, 2, 20, 9))
    theirs = start(world["education"], at=local(2026, 2, 20, 9))
    client.force_login(head)
    client.post(reverse("dashboard_urge"), {"clocks": [ours.pk, theirs.pk]})
    assert Clock.objects.get(pk=ours.pk).last_urged_at is not None
    assert Clock.objects.get(pk=theirs.pk).last_urged_at is None


# --- departments -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("open_items", "overdue", "met", "on_time", "rating"),
    [
        (10, 0, 10, 10, "green"),
        (0, 0, 0, 0, "green"),
        (20, 1, 10, 10, "amber"),  # anything overdue
        (10, 0, 100, 94, "amber"),  # under 95% on time
        (10, 1, 10, 10, "red"),  # a tenth overdue
        (10, 0, 100, 79, "red"),  # under 80% on time
    ],
)
def test_department_rating_thresholds(open_items, overdue, met, on_time, rating):
    status = DepartmentStatus(1, "x", open=open_items, overdue=overdue, met=met, met_on_time=on_time)
    assert status.rating == rating


def test_open_and_overdue_count_items_not_their_deadlines(client, world):
    """A ticket waits on two deadlines (acknowledge, reply): it is one open item, not two."""
    housing = world["housing"]
    for _ in range(4):  # four tickets awaiting assignment, each with both clocks running
        ticket = subject()
        start(None, policy="petition.acknowledge", at=local(2026, 3, 2, 9), on=ticket)
        start(None, policy="petition.reply.ordinary", at=local(2026, 3, 2, 9), on=ticket)
    for index in range(5):  # five open tickets at the department; one has both clocks open
        ticket = subject()
        start(housing, at=local(2026, 3, 16, 9), on=ticket)
        if index == 0:
            start(housing, policy="petition.acknowledge", at=local(2026, 3, 2, 9), on=ticket)  # overdue
    rows = {row.department_id: row for row in dashboards.board_departments(scope=ALL, now=local(2026, 3, 20, 10))}
    assert (rows[None].open, rows[None].overdue) == (4, 4)
    assert (rows[housing.pk].open, rows[housing.pk].overdue) == (5, 1)
    client.force_login(world["clerk"])
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        html = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">在办件数</th>" in html and ">逾期件数</th>" in html and ">在办事项</th>" not in html
    assert "一件事项只计一次" in html  # the definition under the page says what is counted


def test_area_totals_are_proper_labels_for_installed_areas_only(client, world):
    start(world["housing"], at=local(2026, 2, 20, 9))
    client.force_login(world["clerk"])
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        english = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        chinese = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "All of" not in english
    assert "All petition tickets" in english and "网络问政合计" in chinese
    # Disclosure is not built yet: no total promises it.
    assert sorted(dashboards.installed_areas()) == ["petition", "suggestion"]
    assert "All disclosure applications" not in english
    assert 'value="petition"' in english and 'value="suggestion"' in english  # the built areas only
    assert 'value="disclosure"' not in english


def test_department_table_counts_open_overdue_on_time_and_reply_time(world):
    housing = world["housing"]
    start(housing, at=local(2026, 3, 2, 9))  # overdue on the 20th
    start(housing, at=local(2026, 3, 16, 9))  # open, not overdue
    on_time = start(housing, at=local(2026, 3, 2, 9))
    clocks.clock_meet(clock=on_time, at=local(2026, 3, 4, 9))  # 2 days
    late = start(housing, at=local(2026, 2, 20, 9))
    clocks.clock_meet(clock=late, at=local(2026, 3, 10, 9))  # 18 days
    start(None, at=local(2026, 3, 2, 9))  # not yet assigned
    rows = {row.department_id: row for row in dashboards.board_departments(scope=ALL, now=local(2026, 3, 20, 10))}
    housing_row = rows[housing.pk]
    assert (housing_row.open, housing_row.overdue, housing_row.met, housing_row.met_on_time) == (2, 1, 2, 1)
    assert housing_row.on_time_rate == 0.5
    assert housing_row.average_reply_days == pytest.approx(10)
    assert housing_row.rating == "red"
    assert rows[world["education"].pk].open == 0 and rows[world["education"].pk].rating == "green"
    assert rows[None].overdue == 1


def test_missing_calendar_year_is_warned_on_the_board(client, world):
    client.cookies["django_language"] = "en"
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        client.force_login(world["head"])  # heads get no system warnings: the board says it
        html = client.get(reverse("dashboard")).content.decode()
        assert "The work calendar has no entries for 2027" in html
        client.force_login(world["clerk"])  # clerks see it among the system warnings, once
        html = client.get(reverse("dashboard")).content.decode()
        assert "The 2027 holiday schedule has not been entered" in html
        assert "The work calendar has no entries for 2027" not in html


# --- cost ---------------------------------------------------------------------------------------


def _fill(departments, count):
    policies = ["petition.acknowledge", "petition.reply.ordinary", "petition.reply.complex", "disclosure.reply"]
    for index in range(count):
        department = departments[index % len(departments)]
        clock = start(department, policy=policies[index % 4], at=local(2026, 1, 5, 9) + timedelta(days=index % 60))
        if index % 3 == 0:
            clocks.clock_meet(clock=clock, at=clock.started_at + timedelta(days=5))


def test_the_board_costs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    departments = [world["housing"], world["education"], *[DepartmentFactory() for _ in range(3)]]
    client.force_login(world["clerk"])
    _fill(departments, 12)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        figures = dashboards.board_figures_key(ALL)
    with time_machine.travel(local(2026, 3, 20, 10), tick=False):
        client.get(reverse("dashboard"))  # warm the calendar and content-type caches
        cache.delete(figures)  # every measured request computes the figures too
        with CaptureQueriesContext(connection) as few:
            assert client.get(reverse("dashboard")).status_code == 200
    assert cache.get(figures) is not None  # computed by that request (deleted just before)
    _fill(departments, 150)
    cache.delete(figures)
    with time_machine.travel(local(2026, 3, 20, 10), tick=False), django_assert_max_num_queries(len(few)):
        response = client.get(reverse("dashboard"), {"sort": "department"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == dashboards.BOARD_PAGE_SIZE
    cache.delete(figures)
    with time_machine.travel(local(2026, 3, 20, 10), tick=False), django_assert_max_num_queries(len(few)):
        client.get(reverse("dashboard"), {"page": 2})


def test_the_figures_are_at_most_a_sweep_interval_old_and_the_list_is_live(client, world, settings):
    settings.CLOCK_SWEEP_SECONDS = 1
    client.force_login(world["clerk"])
    client.cookies["django_language"] = "en"
    with time_machine.travel(local(2026, 3, 12, 13), tick=False):
        first = client.get(reverse("dashboard"))
        start(world["housing"], at=local(2026, 2, 27, 9))  # overdue since Mon 9 March
        second = client.get(reverse("dashboard"))
    assert first.context["headline"].totals.overdue == 0
    assert second.context["headline"].totals.overdue == 0  # the figures of a moment ago
    assert len(second.context["rows"]) == 1  # the list of open work is read live
    assert "Figures and the department table as of" in second.content.decode()
    assert '<time datetime="2026-03-12T13:00:00+08:00">13:00:00</time>' in second.content.decode()
    time.sleep(1.2)  # the cache entry's real expiry
    with time_machine.travel(local(2026, 3, 12, 13, 1), tick=False):
        third = client.get(reverse("dashboard"))
    assert third.context["headline"].totals.overdue == 1


def test_an_invalid_filter_is_dropped_alone(world):
    form = dashboards_form({"department": "abc", "kind": "acknowledge"})
    assert form.filters()["kind"] == "acknowledge" and form.filters()["department_id"] is None
