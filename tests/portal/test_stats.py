"""The public operations page (/stats/, 公布运行情况): cached figures, no personal data, the beat task
and its command twin, and a spike that costs no heavy queries."""

import itertools
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
    petitions = response.context["petitions"]
    assert (petitions["received"], petitions["replied"]) == (3, 3)
    assert petitions["on_time_rate"] == pytest.approx(2 / 3, abs=1e-4)
    months = {month["month"]: month for month in petitions["months"]}
    assert len(months) == 12 and "2025-12" in months and "2026-11" in months
    assert (months["2026-10"]["received"], months["2026-10"]["replied"]) == (2, 1)
    assert months["2026-11"]["replied"] == 2 and months["2026-11"]["average_reply_days"] == 16.5
    departments = {row["name"]: row for row in petitions["departments"]}
    assert departments["教育局"]["received"] == 1 and departments["住房和城乡建设局"]["replied"] == 2
    assert response.context["suggestions"]["received"] == 1
    assert response.context["disclosure"]["replied"] == 1 and response.context["disclosure"]["on_time_rate"] == 1
    assert "住房和城乡建设局" in html
    assert 'id="stats-trend-data" type="application/json"' in html
    assert html.count("<caption>") >= 2


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
