"""One definition of "overdue" and of "due soon" (portal.models.ClockQuerySet), asked by every
list, filter, report and board: on the same clocks at the boundaries they all agree."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from petitions import ledger, policies, reports
from petitions.models import Petition
from portal import clocks, dashboards
from portal.models import Clock
from tests.petitions.staffside import build_staffside, open_clock, petition_in
from tests.petitions.test_admin import listed

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=SH)  # a Tuesday, a working day


@pytest.fixture
def boundary():
    """Reply deadlines of accepted tickets at the boundaries of both definitions."""
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        side = build_staffside()
        cases = {name: petition_in(side, Petition.State.ACCEPTED) for name in CASES}
    for name, (state, due_at, met_at) in CASES.items():
        Clock.objects.filter(pk=open_clock(cases[name]).pk).update(state=state, due_at=due_at, met_at=met_at)
    return side, {petition.reference: name for name, petition in cases.items()}


CASES = {
    "due_exactly_now": (Clock.State.RUNNING, NOW, None),
    "due_a_second_ago": (Clock.State.RUNNING, NOW - timedelta(seconds=1), None),
    "due_a_second_ahead": (Clock.State.RUNNING, NOW + timedelta(seconds=1), None),
    # The sweep recorded it overdue; then it was extended (a stale record must not count).
    "recorded_overdue_but_extended": (Clock.State.OVERDUE, NOW + timedelta(days=5), None),
    "recorded_overdue_and_past_due": (Clock.State.OVERDUE, NOW - timedelta(days=2), None),
    "met_late": (Clock.State.MET_LATE, NOW - timedelta(days=1), NOW - timedelta(hours=2)),
}
OVERDUE = {"due_a_second_ago", "recorded_overdue_and_past_due"}
DUE_SOON = {"due_exactly_now", "due_a_second_ahead"}


def test_every_reader_agrees_on_overdue_and_due_soon(client, boundary):
    side, names = boundary
    by_pk = {Petition.objects.get(reference=ref).pk: name for ref, name in names.items()}

    def named(refs):
        return {names[ref] for ref in refs if ref in names}

    # The vocabulary itself.
    assert {by_pk[c.object_id] for c in Clock.objects.overdue(NOW).filter(object_id__in=by_pk)} == OVERDUE
    assert {by_pk[c.object_id] for c in Clock.objects.due_soon(NOW).filter(object_id__in=by_pk)} == DUE_SOON

    # The board: its list, its status filters and its headline figures.
    scope = dashboards.DashboardScope(department_ids=None, can_urge=False)
    board = {
        status: {by_pk[c.object_id] for c in dashboards.board_items(scope=scope, now=NOW, status=status)}
        for status in ("", "overdue", "due_soon")
    }
    assert board == {"": OVERDUE | DUE_SOON, "overdue": OVERDUE, "due_soon": DUE_SOON}
    rows = dashboards.board_rows(dashboards.board_items(scope=scope, now=NOW), now=NOW)
    assert {by_pk[row.clock.object_id] for row in rows if row.is_overdue} == OVERDUE
    headline = dashboards.board_headline(scope=scope, now=NOW).totals
    assert (headline.overdue, headline.due_soon) == (len(OVERDUE), len(DUE_SOON))
    departments = dashboards.board_departments(scope=scope, now=NOW)
    assert sum(status.overdue for status in departments) == len(OVERDUE)

    # The admin's filters (they read the clock of the real time: frozen at NOW).
    client.force_login(side.clerk)
    with time_machine.travel(NOW, tick=False):
        assert named(listed(client, overdue="yes")) == OVERDUE
        assert named(listed(client, overdue="no")) == set(CASES) - OVERDUE
        assert named(listed(client, due_soon="yes")) == DUE_SOON

    # The ledger: its "overdue only" filter and its rows' marker.
    petitions = ledger.ledger_petitions(user=side.clerk, filters=ledger.LedgerFilter(overdue_only=True), now=NOW)
    assert {by_pk[p["id"]] for p in petitions} == OVERDUE
    every = ledger.ledger_petitions(user=side.clerk, filters=ledger.LedgerFilter(), now=NOW)
    assert {by_pk[row.id] for row in ledger.ledger_rows(every, now=NOW) if row.is_overdue} == OVERDUE

    # The monthly report's "overdue" is the performance page's "deadlines missed" in the month:
    # those still open past their due moment (exactly the overdue ones), plus those met late.
    met_late = {"met_late"}
    assert reports.monthly_report_figures(NOW.date(), NOW)["total"]["overdue"] == len(OVERDUE | met_late)

    # The sweep (SQL on `unit`) marks exactly the overdue running clocks and reminds exactly the
    # due-soon ones.
    result = clocks.sweep_deadlines(now=NOW)
    clock_names = _reply_clock_pks(by_pk)
    assert {clock_names[pk] for pk in result.overdue if pk in clock_names} == {"due_a_second_ago"}
    assert {clock_names[pk] for pk in result.reminded if pk in clock_names} == DUE_SOON


def _reply_clock_pks(by_pk) -> dict[int, str]:
    return {
        clock.pk: by_pk[clock.object_id] for clock in Clock.objects.filter(object_id__in=by_pk, kind=policies.REPLY)
    }
