"""The public operations page (/stats/, 公布运行情况): cached figures, no personal data, the beat task
and its command twin, and a spike that costs no heavy queries."""

import itertools
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from portal import clocks, dashboards, tasks
from tests.factories import DepartmentFactory, citizen

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
_names = itertools.count()
PROVIDER_APP = "tests.portal.dashboard_provider.ProviderConfig"
AREA_APP = "tests.portal.area_app.AreaAppConfig"


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def replied(department, policy, started, days):
    clock = clocks.clock_start(
        subject=Group.objects.create(name=f"事项{next(_names)}"),
        policy=policy,
        started_at=started,
        department=department,
    )
    return clocks.clock_meet(clock=clock, at=started + timedelta(days=days))


def petition_figures(response) -> dict:
    """The petitions' section of /stats/ (other built areas have theirs beside it)."""
    [figures] = [section["figures"] for section in response.context["sections"] if section["area"] == "petition"]
    return figures


@pytest.fixture
def figures(db):
    housing = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    education = DepartmentFactory(name="教育局", code="JYJ")
    replied(housing, "petition.reply.ordinary", local(2026, 10, 12, 9), 2)
    replied(housing, "petition.reply.ordinary", local(2026, 10, 12, 9), 30)
    replied(education, "petition.reply.complex", local(2026, 11, 2, 9), 3)
    replied(education, "suggestion.respond.single", local(2026, 11, 2, 9), 3)
    replied(education, "disclosure.reply", local(2026, 9, 1, 9), 10)
    return {"housing": housing, "education": education}


def test_the_page_is_public_and_shows_the_figures(client, figures):
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        response = client.get(reverse("stats"), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    petitions = petition_figures(response)
    assert (petitions["received"], petitions["answered"], petitions["answered_on_time"]) == (3, 3, 2)
    assert petitions["answered_on_time_rate"] == pytest.approx(2 / 3)
    months = {month["month"]: month for month in petitions["months"]}
    assert len(months) == 12 and "2025-12" in months and "2026-11" in months
    # By the month received: October's two tickets (one answered late), November's one.
    october, november = months["2026-10"], months["2026-11"]
    assert (october["received"], october["answered"], october["answered_on_time"]) == (2, 2, 1)
    assert october["average_answer_days"] == pytest.approx(16)
    assert (november["received"], november["answered"], november["average_answer_days"]) == (1, 1, 3)
    departments = {row["name"]: row for row in petitions["departments"]}
    assert departments["教育局"]["received"] == 1 and departments["住房和城乡建设局"]["answered"] == 2
    assert "住房和城乡建设局" in html
    assert 'id="stats-trend-data" type="application/json"' in html
    assert html.count("<caption>") >= 2


SUMMED = ("received", "answered", "answered_on_time")


def test_the_headline_is_the_sum_of_the_months_and_of_the_departments(client, figures):
    housing = figures["housing"]
    ticket = Group.objects.create(name="工单")  # acknowledgement and reply: one item
    acknowledge = clocks.clock_start(
        subject=ticket, policy="petition.acknowledge", started_at=local(2026, 10, 30, 9), department=housing
    )
    clocks.clock_meet(clock=acknowledge, at=local(2026, 10, 30, 10))
    reply = clocks.clock_start(
        subject=ticket, policy="petition.reply.ordinary", started_at=local(2026, 10, 30, 9), department=housing
    )
    clocks.clock_meet(clock=reply, at=local(2026, 11, 3, 9))
    # Rated unsatisfied: re-examined in November. Still the one item received in October.
    clocks.clock_start(
        subject=ticket, policy="petition.reply.reexamine", started_at=local(2026, 11, 5, 9), department=housing
    )
    waiting = Group.objects.create(name="待交办")
    clocks.clock_start(subject=waiting, policy="petition.acknowledge", started_at=local(2026, 11, 18, 9))
    clocks.clock_start(subject=waiting, policy="petition.reply.ordinary", started_at=local(2026, 11, 18, 9))
    retired = DepartmentFactory(name="原文化局", code="WHJ", is_active=False)
    replied(retired, "petition.reply.ordinary", local(2026, 6, 1, 9), 1)
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        response = client.get(reverse("stats"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    figures_shown = petition_figures(response)
    assert figures_shown["received"] == 6  # three from the fixture, the ticket, the waiting one, the retired one's
    for key in SUMMED:
        assert figures_shown[key] == sum(month[key] for month in figures_shown["months"]), key
        assert figures_shown[key] == sum(row[key] for row in figures_shown["departments"]), key
    rows = {row["name"]: row for row in figures_shown["departments"]}
    assert rows["原文化局"]["received"] == 1
    assert [row["received"] for row in figures_shown["departments"] if row["unassigned"]] == [1]
    html = response.content.decode()
    assert "尚未交办" in html and "合计" in html


def test_every_rate_divides_figures_shown_beside_it(client, figures):
    shown = set(dashboards.PUBLIC_STATS_FIGURES)
    rates = [key for key in shown if dashboards.FIGURES[key].ratio]
    assert set(rates) == {"reply_rate", "answered_on_time_rate"}
    for key in rates:
        assert set(dashboards.FIGURES[key].ratio) <= shown, key
    Group.objects.create(name="x")
    clocks.clock_start(
        subject=Group.objects.create(name="未答复"),
        policy="petition.reply.ordinary",
        started_at=local(2026, 11, 2, 9),
        department=figures["housing"],
    )
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        response = client.get(reverse("stats"), HTTP_ACCEPT_LANGUAGE="en")
    section = petition_figures(response)
    for row in [section, *section["months"], *section["departments"]]:
        for key in rates:
            numerator, denominator = (row[part] for part in dashboards.FIGURES[key].ratio)
            assert row[key] == (numerator / denominator if denominator else None), (key, row)
    assert (section["received"], section["answered"]) == (4, 3)
    html = response.content.decode()
    assert "75.0%" in html  # the reply rate, 3 of the 4 received, beside both
    for key in shown:
        assert f"<dt>{dashboards.FIGURES[key].label}</dt>" in html, key


def test_counts_are_labelled_as_counts_and_defined_in_chinese(client, figures):
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        html = client.get(reverse("stats"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert ">收件数<" in html and ">已答复数<" in html and ">答复率<" in html
    assert not re.search(r">\s*(受理时间|答复时间)\s*(<|（)", html)  # no count is labelled as a time
    assert "<dt>答复率</dt><dd>答复率 = 已答复数 ÷ 收件数。</dd>" in html
    assert "66.7%" in html  # 2 of 3 answered on time, rounded half up (not 66.6%)


def test_only_areas_of_installed_apps_have_a_section(client, figures):
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        html = client.get(reverse("stats"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        built = [section["area"] for section in client.get(reverse("stats")).context["sections"]]
    assert sorted(built) == ["petition", "suggestion"]
    assert "Test events" not in html and "Disclosure applications" not in html
    cache.clear()
    with (
        override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, AREA_APP], ROOT_URLCONF="tests.portal.area_app"),
        time_machine.travel(local(2026, 11, 20, 10), tick=False),
    ):
        response = client.get(reverse("stats"), HTTP_ACCEPT_LANGUAGE="en")
    assert [section["area"] for section in response.context["sections"]] == ["event", *built]
    received = {section["area"]: section["figures"]["received"] for section in response.context["sections"]}
    assert received["event"] == 0 and received["suggestion"] == 1  # the suggestion's department answer
    assert "Test events" in response.content.decode()


def test_no_personal_data_is_shown(client, figures):
    person = citizen("wangxiaomin", email="wang@example.com", first_name="王小民")
    html = client.get(reverse("stats")).content.decode()
    for private in (person.username, person.email, person.first_name):
        assert private not in html


def test_a_second_request_runs_no_queries(client, figures, django_assert_num_queries):
    cache.clear()
    client.get(reverse("stats"))  # a miss: computed once, kept briefly
    with django_assert_num_queries(0):
        assert client.get(reverse("stats")).status_code == 200


def test_the_beat_task_fills_the_cache_and_visitors_read_it(client, figures, django_assert_num_queries):
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        result = tasks.refresh_public_stats()
    assert result["computed_at"].startswith("2026-11-20T")
    assert cache.get(dashboards.PUBLIC_STATS_KEY)["computed_at"] == result["computed_at"]
    with django_assert_num_queries(0):
        html = client.get(reverse("stats")).content.decode()
    assert "2026-11-20" in html


def test_a_miss_never_overwrites_a_refresh(figures):
    with time_machine.travel(local(2026, 11, 20, 10), tick=False):
        dashboards.public_stats_refresh()
    with time_machine.travel(local(2026, 11, 20, 11), tick=False):
        assert dashboards.public_stats()["computed_at"].startswith("2026-11-20T10")


def test_the_command_twin_refreshes_too(figures, capsys):
    call_command("refresh_public_stats")
    assert "public statistics computed at" in capsys.readouterr().out
    assert cache.get(dashboards.PUBLIC_STATS_KEY) is not None


def test_beat_runs_the_refresh_every_ten_minutes():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "portal.refresh_public_stats")
    assert entry["schedule"] == float(settings.PUBLIC_STATS_REFRESH_SECONDS) == 600.0


def test_provided_satisfaction_is_published_by_month(client, figures):
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, PROVIDER_APP]):
        html = client.get(reverse("stats"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        stats = cache.get(dashboards.PUBLIC_STATS_KEY)
    assert stats["provided"]["total"]["satisfaction_rate"] == 0.75
    assert len(stats["provided"]["months"]) == 12
    assert "Satisfaction" in html and "75.0%" in html


def test_while_another_request_computes_a_spike_waits_instead_of_computing(client, figures, monkeypatch):
    cache.add(dashboards.PUBLIC_STATS_LOCK, True, 60)  # another request is computing right now
    monkeypatch.setattr(dashboards, "PUBLIC_STATS_WAIT_SECONDS", 0)
    assert dashboards.public_stats(wait=0) is None
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("stats"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert not [q for q in queries.captured_queries if "portal_clock" in q["sql"]]
    # Once the computing request has stored them, everyone reads them.
    cache.delete(dashboards.PUBLIC_STATS_LOCK)
    assert client.get(reverse("stats")).status_code == 200
