"""The deadline sweep: overdue and due-soon stages, notices exactly once, escalation, catch-up."""

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from portal import clocks
from portal.models import Clock, Notice, OutboundEmail, SweepRun
from tests.factories import DepartmentFactory, clerk, staff_of

SH = ZoneInfo("Asia/Shanghai")


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture
def office(db):
    """A department with two staff members and one office clerk."""
    department = DepartmentFactory(name="教育局", code="JYJ")
    return {
        "department": department,
        "staff": [staff_of(department, "teacher1"), staff_of(department, "teacher2", email="")],
        "clerk": clerk("office1"),
    }


def start(department, policy="petition.reply.ordinary", at=local(2026, 3, 2, 9), subject=None):
    return clocks.clock_start(
        subject=subject or DepartmentFactory(), policy=policy, started_at=at, department=department
    )


@pytest.mark.django_db
def test_due_moment_itself_is_not_overdue_but_one_microsecond_later_is(office):
    clock = start(office["department"])
    with time_machine.travel(clock.due_at, tick=False):
        assert clock.pk not in clocks.sweep_deadlines().overdue
    with time_machine.travel(clock.due_at + timedelta(microseconds=1), tick=False):
        assert clocks.sweep_deadlines().overdue == [clock.pk]
    clock.refresh_from_db()
    assert clock.state == "overdue"
    assert clock.overdue_at == clock.due_at + timedelta(microseconds=1)


@pytest.mark.django_db
def test_overdue_notifies_department_staff_and_escalates_to_clerks_once(office):
    clock = start(office["department"])
    with time_machine.travel(clock.due_at + timedelta(hours=1), tick=False):
        clocks.sweep_deadlines()
        clocks.sweep_deadlines()
        clocks.sweep_deadlines()
    notices = Notice.objects.filter(clock=clock)
    assert sorted(notices.values_list("recipient__username", "kind")) == [
        ("office1", "clock_escalated"),
        ("teacher1", "clock_overdue"),
        ("teacher2", "clock_overdue"),
    ]
    # teacher2 has no e-mail address: an in-app notice only.
    assert sorted(OutboundEmail.objects.values_list("to", "template")) == [
        ("office1@example.com", "emails/clock_escalated"),
        ("teacher1@example.com", "emails/clock_overdue"),
    ]
    assert clock.history.filter(history_change_reason="sweep: overdue").count() == 1


@pytest.mark.django_db
def test_each_person_gets_one_digest_per_stage_not_one_email_per_clock(office):
    from django.core import mail

    from portal.notifications import outbox_drain

    for hour in range(3):
        start(office["department"], at=local(2026, 3, 2, 9 + hour))
    with time_machine.travel(local(2026, 4, 30), tick=False):
        clocks.sweep_deadlines()
    assert Notice.objects.filter(recipient__username="teacher1").count() == 3
    assert OutboundEmail.objects.count() == 2
    outbox_drain()
    teacher = next(message for message in mail.outbox if message.to == ["teacher1@example.com"])
    assert teacher.body.count("/admin/portal/department/") == 3  # each clock listed with its link


@pytest.mark.django_db
def test_unassigned_overdue_work_goes_to_the_clerks(office):
    clock = start(None)
    with time_machine.travel(clock.due_at + timedelta(hours=1), tick=False):
        clocks.sweep_deadlines()
    assert list(Notice.objects.filter(clock=clock).values_list("recipient__username", "kind")) == [
        ("office1", "clock_escalated")
    ]


@pytest.mark.django_db
def test_working_day_clock_is_reminded_once_within_one_working_day(office):
    clock = start(office["department"])  # due Wed 2026-03-11 end of day
    with time_machine.travel(local(2026, 3, 9, 23), tick=False):  # Monday: two working days left
        assert clocks.sweep_deadlines().reminded == []
    with time_machine.travel(local(2026, 3, 10, 8), tick=False):  # Tuesday: due at the end of the next
        assert clocks.sweep_deadlines().reminded == [clock.pk]
        assert clocks.sweep_deadlines().reminded == []
    assert Notice.objects.filter(clock=clock, kind="clock_due_soon").count() == 2


@pytest.mark.django_db
def test_hour_clock_is_reminded_within_four_hours(office):
    clock = start(office["department"], policy="petition.acknowledge", at=local(2026, 3, 2, 9))
    with time_machine.travel(local(2026, 3, 3, 4, 59), tick=False):
        assert clocks.sweep_deadlines().reminded == []
    with time_machine.travel(local(2026, 3, 3, 5, 0), tick=False):
        assert clocks.sweep_deadlines().reminded == [clock.pk]


@pytest.mark.django_db
def test_a_sweep_after_an_outage_catches_everything_up(office):
    clock_ids = {start(office["department"], at=local(2026, 3, 2, 9) + timedelta(hours=h)).pk for h in range(30)}
    with time_machine.travel(local(2026, 4, 30), tick=False):
        result = clocks.sweep_deadlines()
    assert set(result.overdue) == clock_ids
    assert Clock.objects.filter(state="overdue").count() == 30


@pytest.mark.django_db
def test_met_clocks_are_left_alone(office):
    clock = start(office["department"])
    clocks.clock_meet(clock=clock, at=local(2026, 3, 3, 9))
    with time_machine.travel(local(2026, 4, 30), tick=False):
        assert clocks.sweep_deadlines().overdue == []
    assert not Notice.objects.exists()


@pytest.mark.django_db
def test_each_sweep_is_recorded(office):
    with time_machine.travel(local(2026, 3, 2, 9), tick=False):
        clocks.sweep_deadlines()
    run = SweepRun.objects.get()
    assert run.started_at == local(2026, 3, 2, 9)


@pytest.mark.django_db
def test_notices_of_a_rolled_back_sweep_are_never_sent(office, django_capture_on_commit_callbacks):
    clock = start(office["department"])
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        with time_machine.travel(clock.due_at + timedelta(hours=1), tick=False):
            clocks.sweep_deadlines()
        raise RuntimeError("the surrounding work failed")
    assert callbacks == []
    assert not Notice.objects.exists() and not OutboundEmail.objects.exists()
    clock.refresh_from_db()
    assert clock.state == "running"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_overlapping_sweeps_notify_each_clock_exactly_once(office):
    """Two sweeps in two database connections, started together, over 200 newly overdue clocks."""
    ids = {start(office["department"], at=local(2026, 3, 2, 9) + timedelta(minutes=m)).pk for m in range(200)}
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweep():
        try:
            barrier.wait()
            # No time travel here: it is process-wide; every clock is long overdue anyway.
            results.append(clocks.sweep_deadlines())
        except Exception as error:  # reported below, not swallowed
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    claimed = [clock_id for result in results for clock_id in result.overdue]
    assert sorted(claimed) == sorted(ids)  # every clock claimed by exactly one of the sweeps
    # 2 staff + 1 clerk per clock, each exactly once.
    assert Notice.objects.count() == 3 * 200
    # E-mails are digests; across both sweeps each person's digests list every clock once.
    listed = {}
    for email in OutboundEmail.objects.all():
        listed[email.to] = listed.get(email.to, 0) + len(email.context["items"]) + email.context["more"]
    assert listed == {"teacher1@example.com": 200, "office1@example.com": 200}


@pytest.mark.django_db
def test_emails_go_to_exactly_the_recipients_of_the_notices_created(office):
    """Who hears of a deadline is decided once (the notices' INSERT): a stage claimed again for the
    same due moment (re-armed, but the due moment came back the same) creates no notice, so it
    sends no e-mail either."""
    clock = start(office["department"], policy="petition.acknowledge", at=local(2026, 3, 2, 9))
    with time_machine.travel(clock.due_at - timedelta(hours=1), tick=False):
        assert clocks.sweep_deadlines().reminded == [clock.pk]
        noticed = set(Notice.objects.filter(clock=clock).values_list("recipient__email", flat=True))
        emailed = set(OutboundEmail.objects.values_list("to", flat=True))
        assert emailed == {email for email in noticed if email}
        Clock.objects.filter(pk=clock.pk).update(reminded_at=None)
        assert clocks.sweep_deadlines().reminded == [clock.pk]
    assert OutboundEmail.objects.count() == len(emailed)
