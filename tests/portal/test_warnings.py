"""Clerks and administrators are warned of a missing holiday schedule and a stopped sweep."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal import clocks
from portal.models import SweepRun
from tests.factories import DepartmentFactory, clerk, staff_of

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("url_name", ["admin:index", "home"])
def test_clerk_is_warned_of_the_missing_2027_schedule_and_a_stale_sweep(client, url_name):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(clerk())
    with time_machine.travel(datetime(2026, 11, 22, 9, tzinfo=SH), tick=False):
        clocks.sweep_deadlines()
        page = client.get(reverse(url_name)).content.decode()
        assert "2027" in page and "provisional" in page
        assert "has not run since" not in page
    with time_machine.travel(datetime(2026, 11, 22, 9, 3, tzinfo=SH), tick=False):
        page = client.get(reverse(url_name)).content.decode()
    assert "has not run since" in page  # more than twice the 60 s period


def test_department_staff_are_not_shown_the_system_warnings(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(staff_of(DepartmentFactory()))
    page = client.get(reverse("admin:index")).content.decode()
    assert "holiday schedule has not been entered" not in page


def test_healthz_reports_a_stale_sweep(client):
    SweepRun.objects.create(
        started_at=datetime(2026, 11, 22, 9, tzinfo=SH), finished_at=datetime(2026, 11, 22, 9, tzinfo=SH)
    )
    with time_machine.travel(datetime(2026, 11, 22, 9, 1, tzinfo=SH), tick=False):
        assert client.get("/healthz").json()["sweep"]["stale"] is False
    with time_machine.travel(datetime(2026, 11, 22, 9, 0, tzinfo=SH) + timedelta(minutes=3), tick=False):
        body = client.get("/healthz").json()
    assert body["sweep"]["stale"] is True
    assert body["status"] == "ok"  # a stopped beat is a warning; the site still serves


def test_the_warning_is_translated(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.force_login(clerk())
    with time_machine.travel(datetime(2026, 11, 22, 9, tzinfo=SH), tick=False):
        page = client.get(reverse("admin:index")).content.decode()
    assert "2027" in page and "暂定" in page
