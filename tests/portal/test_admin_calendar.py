"""Administrators edit the work calendar in the admin; edits go through the calendar service."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from portal import clocks
from portal.models import Notice, WorkCalendarDay
from tests.factories import DepartmentFactory, UserFactory, clerk, staff_of

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def administrator():
    return UserFactory(username="cityadmin", role="Administrator")


def test_administrator_enters_a_2027_holiday_and_provisional_clocks_are_recomputed(client, administrator):
    clock = clocks.clock_start(
        subject=DepartmentFactory(), policy="petition.reply.ordinary", started_at=datetime(2026, 12, 28, 9, tzinfo=SH)
    )
    assert clock.provisional and clock.due_at.date() == date(2027, 1, 6)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:portal_workcalendarday_add"),
        {"date": "2027-01-01", "is_working_day": "", "name": "元旦"},
    )
    assert response.status_code == 302
    row = WorkCalendarDay.objects.get(date=date(2027, 1, 1))
    assert row.source == "manual" and row.history.first().history_user == administrator
    clock.refresh_from_db()
    assert clock.provisional is False
    assert clock.due_at == datetime(2027, 1, 7, 23, 59, 59, 999999, tzinfo=SH)
    assert clock.history.first().history_user == administrator


def test_a_weekday_cannot_be_entered_as_an_adjusted_working_day(client, administrator):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.force_login(administrator)
    response = client.post(
        reverse("admin:portal_workcalendarday_add"), {"date": "2027-03-03", "is_working_day": "on", "name": "调休"}
    )
    assert response.status_code == 200
    assert "Only a weekend day can be an adjusted working day" in response.content.decode()
    assert not WorkCalendarDay.objects.filter(date=date(2027, 3, 3)).exists()


@pytest.mark.parametrize("who", ["clerk", "staff"])
def test_only_administrators_may_edit_the_calendar(client, who):
    user = clerk() if who == "clerk" else staff_of(DepartmentFactory())
    client.force_login(user)
    response = client.post(
        reverse("admin:portal_workcalendarday_add"), {"date": "2027-01-01", "is_working_day": "", "name": "元旦"}
    )
    assert response.status_code == 403
    assert not WorkCalendarDay.objects.filter(date=date(2027, 1, 1)).exists()


def test_notice_list_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    department = DepartmentFactory()
    user = staff_of(department)
    for _ in range(20):
        clock = clocks.clock_start(subject=DepartmentFactory(), policy="petition.acknowledge", department=department)
        Notice.objects.create(recipient=user, kind="clock_overdue", clock=clock, clock_due_at=clock.due_at)
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("notice_list"))
    assert response.status_code == 200
    assert response.content.decode().count("notice-unread") == 20
