"""Suggestions on the department performance page and /stats/, through the existing plug-ins: the
answers as replies (on time, days to answer), adoption (采纳率) beside the counts it divides, per
department and in total; the suggestions' section of /stats/ counts each forwarding as an item a
department received, and its months and departments add up."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from portal import dashboards
from portal.dashboards.scope import DashboardScope
from suggestions.metrics import performance_metrics
from suggestions.models import Outcome
from tests.suggestions.forwarding import build_side

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
FORWARDED_AT = datetime(2026, 11, 2, 10, tzinfo=SH)
ANSWERED_AT = datetime(2026, 11, 5, 10, tzinfo=SH)
ALL = DashboardScope(department_ids=None, can_urge=True)
NOVEMBER = (datetime(2026, 11, 1, tzinfo=SH), datetime(2026, 12, 1, tzinfo=SH))


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def side():
    """Housing answers three (adopted, partly, not adopted), transport two (under study, adopted)."""
    with time_machine.travel(FORWARDED_AT, tick=False):
        side = build_side()
        shared = [side.suggestion() for _ in range(2)]
        alone = side.suggestion()
        for suggestion in shared:
            side.forward(suggestion, lead=side.housing, others=[side.transport])
        side.forward(alone, lead=side.housing)
        unanswered = side.suggestion()
        side.forward(unanswered, lead=side.education)
    with time_machine.travel(ANSWERED_AT, tick=False):
        side.answer(shared[0], side.housing, Outcome.ADOPTED)
        side.answer(shared[1], side.housing, Outcome.PARTLY)
        side.answer(alone, side.housing, Outcome.NOT_ADOPTED, "不具备条件,理由如下。")
        side.answer(shared[0], side.transport, Outcome.STUDYING)
        side.answer(shared[1], side.transport, Outcome.ADOPTED)
    return side


def test_adoption_per_department_beside_its_counts(side):
    ids = [side.housing.pk, side.transport.pk, side.education.pk]
    provided = performance_metrics(ids, *NOVEMBER)
    assert [metric.key for metric in provided.metrics] == ["suggestions_answered", "adopted", "adoption_rate"]
    assert provided.metrics[2].ratio == ("adopted", "suggestions_answered")
    values = provided.values
    assert (values[side.housing.pk]["suggestions_answered"], values[side.housing.pk]["adopted"]) == (3, 2)
    assert values[side.housing.pk]["adoption_rate"] == pytest.approx(2 / 3)
    assert values[side.transport.pk]["adoption_rate"] == pytest.approx(1 / 2)
    assert values[side.education.pk] == {"suggestions_answered": 0, "adopted": 0, "adoption_rate": None}
    assert values[None] == {"suggestions_answered": 5, "adopted": 3, "adoption_rate": pytest.approx(3 / 5)}
    october = performance_metrics(ids, datetime(2026, 10, 1, tzinfo=SH), NOVEMBER[0])
    assert october.values[None]["suggestions_answered"] == 0


def test_the_performance_page_counts_answers_as_replies_and_shows_adoption(client, side):
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=SH), tick=False):
        report = dashboards.department_performance(scope=ALL, start=NOVEMBER[0], end=NOVEMBER[1], now=timezone.now())
        rows = {row.department_id: row for row in report.rows}
        housing, transport, education = rows[side.housing.pk], rows[side.transport.pk], rows[side.education.pk]
        # Each forwarding is an item the department received; each first answer a reply, on time.
        assert (housing.received, housing.replied, housing.replied_on_time) == (3, 3, 3)
        assert (transport.received, transport.replied) == (2, 2)
        assert (education.received, education.replied) == (1, 0)
        assert report.totals.received == 6  # no review or milestone counted as an item
        assert housing.extra["adoption_rate"] == pytest.approx(2 / 3)
        client.force_login(side.clerk)
        html = client.get(
            reverse("dashboard_performance"), {"period": "month", "month": "2026-11"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    assert "采纳率" in html and "66.7%" in html and "已答复建言数" in html


def test_stats_has_the_suggestions_section_adding_up_and_adoption(client, side):
    with time_machine.travel(datetime(2026, 11, 20, 10, tzinfo=SH), tick=False):
        response = client.get(reverse("stats"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    sections = {section["area"]: section["figures"] for section in response.context["sections"]}
    figures = sections["suggestion"]
    assert (figures["received"], figures["answered"], figures["answered_on_time"]) == (6, 5, 5)
    for key in ("received", "answered", "answered_on_time"):
        assert figures[key] == sum(month[key] for month in figures["months"])
        assert figures[key] == sum(row[key] for row in figures["departments"])
    html = response.content.decode()
    assert "Adoption rate" in html and "60.0%" in html  # 3 of 5 answered, adopted fully or partly
    assert side.author.username not in html and "王小民" not in html
    stats = cache.get(dashboards.PUBLIC_STATS_KEY)
    assert stats["provided"]["total"]["adoption_rate"] == pytest.approx(3 / 5)
    departments = {row["name"]: row["values"] for row in stats["provided"]["departments"]}
    assert departments[side.housing.name]["adopted"] == 2
