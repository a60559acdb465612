"""petitions.tasks: the hourly close of unrated tickets and the monthly report, called directly,
through Celery (eager) and, once, by a real worker; and the command twin of the first."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from petitions import reports
from petitions.models import MonthlyReport, Petition
from petitions.tasks import close_unrated, generate_monthly_report
from tests.factories import DepartmentFactory
from tests.petitions.test_reports import SH, Story
from tests.processes import celery_worker, wait_until


def _replied_days_ago(days: int) -> Petition:
    story = Story()
    received = timezone.now() - timedelta(days=days + 1)
    return story.handled(received, DepartmentFactory(), accept_after=timedelta(hours=1), reply_after=timedelta(days=1))


@pytest.mark.django_db
def test_close_unrated_task_closes_only_expired_ratings():
    stale = _replied_days_ago(8)
    fresh = _replied_days_ago(2)

    result = close_unrated.apply().get()

    assert result == {"closed": 1}
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.state, stale.closure) == (Petition.State.CLOSED, Petition.Closure.UNRATED)
    assert fresh.state == Petition.State.REPLIED
    assert close_unrated.apply().get() == {"closed": 0}  # idempotent


@pytest.mark.django_db
def test_close_unrated_command_twin():
    _replied_days_ago(9)
    out = io.StringIO()
    call_command("close_unrated_petitions", stdout=out)
    assert "closed as unrated: 1" in out.getvalue()
    out = io.StringIO()
    call_command("close_unrated_petitions", stdout=out)
    assert "closed as unrated: 0" in out.getvalue()


@pytest.mark.django_db
def test_generate_monthly_report_task_stores_last_month_once():
    with time_machine.travel(datetime(2026, 11, 1, 1, 0, tzinfo=SH), tick=False):
        first = generate_monthly_report.apply().get()
        second = generate_monthly_report.apply().get()
    assert first == {"month": "2026-10-01", "created": True}
    assert second == {"month": "2026-10-01", "created": False}
    assert list(MonthlyReport.objects.values_list("month", flat=True)) == [date(2026, 10, 1)]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_generates_the_report(tmp_path):
    month = reports.previous_month(timezone.now())
    with celery_worker(tmp_path, "--pool", "solo"):
        generate_monthly_report.delay()
        generate_monthly_report.delay()
        wait_until(
            lambda: MonthlyReport.objects.filter(month=month).exists(),
            describe=f"the report stored by the worker; log: {tmp_path / 'worker.log'}",
        )
    assert MonthlyReport.objects.filter(month=month).count() == 1
