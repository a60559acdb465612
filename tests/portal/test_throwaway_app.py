"""The plug-in core, proved on a throwaway domain app (tests/throwaway/: one model, one transition
table, one policy, installed by tests/settings.py only). By declaration alone it gets clocks from
its policy, the board, the sweep's notices, department scoping in the admin, the admin action pages
of portal.admin_actions, urging through its ClockSubject, and the security matrix
(tests/security/access.py declares its admin and its action URL)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from portal import clocks, periods, registry
from portal.dashboards import DashboardScope
from portal.dashboards.board import board_departments, board_headline
from portal.dashboards.performance import performance_figures
from portal.models import Clock, Notice, User
from tests.factories import DepartmentFactory, clerk, staff_of
from tests.throwaway.models import Errand
from tests.throwaway.services import errand_create, errand_move

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
STARTED = datetime(2026, 3, 2, 9, tzinfo=SH)  # Monday; 3 working days: due end of Thursday 5 March
LATE = datetime(2026, 3, 9, 10, tzinfo=SH)


@pytest.fixture
def world():
    ours, theirs = DepartmentFactory(name="住房和城乡建设局", code="ZJJ"), DepartmentFactory(name="教育局", code="JYJ")
    with time_machine.travel(STARTED, tick=False):
        errand = errand_create(title="修路灯ERRAND", department=ours)
    return {
        "errand": errand,
        "clerk": clerk("office"),
        "staff": staff_of(ours, "ours_staff"),
        "other": staff_of(theirs, "their_staff"),
        "superuser": User.objects.create_superuser("root", "root@example.com", "unused-password-1"),
    }


def test_installed_for_tests_only_and_its_declarations_pass_the_checks():
    assert "tests.throwaway.apps.ThrowawayConfig" in settings.INSTALLED_APPS
    assert registry.clock_areas()["errand"] == "Errand"
    assert registry.clock_kinds()["errand"] == "Errand done"
    call_command("check", fail_level="ERROR")  # registry, subjects, admin mixins: no error


def test_a_clock_starts_from_its_policy_and_is_on_the_board(client, world):
    clock = Clock.objects.for_subject(world["errand"]).get()
    assert (clock.area, clock.kind, clock.policy, clock.department) == (
        "errand",
        "errand",
        "errand.reply",
        world["errand"].department,
    )
    assert clock.due_at == datetime(2026, 3, 5, 23, 59, 59, 999999, tzinfo=SH)
    with time_machine.travel(LATE, tick=False):
        headline = board_headline(scope=DashboardScope(department_ids=None, can_urge=True), now=LATE)
        assert headline.by_area["errand"].overdue == 1
        client.force_login(world["clerk"])
        client.cookies["django_language"] = "en"
        html = client.get(reverse("dashboard")).content.decode()
    assert f">ERR-{world['errand'].pk}</a>" in html  # the list, shown by its adapter
    assert "Errand" in html and "Errand: done within 3 working days" in html  # the headline's rows


def test_the_sweep_marks_it_overdue_and_tells_its_departments_staff(world):
    result = clocks.sweep_deadlines(now=LATE)
    clock = Clock.objects.for_subject(world["errand"]).get()
    assert result.overdue == [clock.pk]
    clock.refresh_from_db()
    assert clock.state == Clock.State.OVERDUE
    told = set(Notice.objects.filter(clock=clock, kind="clock_overdue").values_list("recipient__username", flat=True))
    assert told == {"ours_staff"}
    assert Notice.objects.filter(clock=clock, kind="clock_escalated", recipient=world["clerk"]).exists()


def test_another_departments_staff_cannot_see_it_in_the_admin(client, world):
    errand = world["errand"]
    change = reverse("admin:throwaway_errand_change", args=[errand.pk])
    client.force_login(world["other"])
    assert client.get(change).status_code == 403
    assert "修路灯ERRAND" not in client.get(reverse("admin:throwaway_errand_changelist")).content.decode()
    client.force_login(world["staff"])
    assert client.get(change).status_code == 200


def test_the_admin_action_page_renders_and_performs_a_transition(client, world):
    errand = world["errand"]
    url = reverse("admin:throwaway_errand_act", args=[errand.pk, "finish"])
    client.force_login(world["staff"])
    page = client.get(url)
    assert page.status_code == 200 and 'name="note"' in page.content.decode()
    with time_machine.travel(datetime(2026, 3, 3, 10, tzinfo=SH), tick=False):
        response = client.post(url, {"note": "已修好"})
    assert response.status_code == 302
    errand.refresh_from_db()
    assert errand.state == Errand.State.DONE
    assert Clock.objects.for_subject(errand).get().state == Clock.State.MET_ON_TIME
    assert errand.history.first().history_change_reason == "finish: 已修好"


# The buttons come from the declaration (ErrandAdmin.workflow_actions: finish, drop) and the table:
# the lead department's staff finish, the office drops, the superuser does both (it acts in every
# role); "urge" is in the table but not declared, so it has no button.
BUTTONS = {"staff": {"finish"}, "clerk": {"drop"}, "superuser": {"finish", "drop"}}


@pytest.mark.parametrize("who", BUTTONS)
def test_the_change_page_shows_exactly_the_permitted_buttons(client, world, who):
    errand = world["errand"]
    client.force_login(world[who])
    html = client.get(reverse("admin:throwaway_errand_change", args=[errand.pk])).content.decode()
    assert set(re.findall(r"/act/([a-z_]+)/", html)) == BUTTONS[who]
    for action in BUTTONS[who]:
        url = reverse("admin:throwaway_errand_act", args=[errand.pk, action])
        assert f'href="{url}" class="workflow-action errand-action errand-action-{action}"' in html
    errand.state = Errand.State.DONE
    errand.save()
    html = client.get(reverse("admin:throwaway_errand_change", args=[errand.pk])).content.decode()
    assert "/act/" not in html  # nothing may be done to a finished errand


@pytest.mark.parametrize(
    ("who", "action"),
    [("staff", "drop"), ("other", "finish"), ("clerk", "finish")],  # no permission; other department; not lead
)
def test_the_action_is_refused_with_nothing_shown_to_who_may_not(client, world, who, action):
    errand = world["errand"]
    client.force_login(world[who])
    url = reverse("admin:throwaway_errand_act", args=[errand.pk, action])
    for response in (client.get(url), client.post(url, {"note": "x"})):
        assert response.status_code == 403
        assert "修路灯ERRAND" not in response.content.decode()
    errand.refresh_from_db()
    assert errand.state == Errand.State.OPEN


def test_urging_from_the_board_goes_through_its_clock_subject(client, world):
    errand, clock = world["errand"], Clock.objects.for_subject(world["errand"]).get()
    client.force_login(world["clerk"])
    with time_machine.travel(LATE, tick=False):
        response = client.post(reverse("dashboard_urge"), {"clocks": [clock.pk], "note": "请今日办URGE"})
    assert response.status_code == 302
    assert errand.history.first().history_change_reason == "urged: 请今日办URGE"  # the errand's own service
    assert Notice.objects.filter(recipient=world["staff"], kind="clock_urged", clock=clock).exists()
    assert not Notice.objects.filter(recipient=world["other"]).exists()


def test_its_declared_reply_kind_counts_as_a_reply_in_the_figures(world):
    """`reply_kinds = ("errand",)` alone makes a finished errand a reply on the performance page
    and the board, with no kind of its named in portal."""
    finished = datetime(2026, 3, 4, 9, tzinfo=SH)  # two days after it started, before its deadline
    with time_machine.travel(finished, tick=False):
        errand_move(errand=world["errand"], actor=world["staff"], action="finish")
    start, end = periods.period_bounds(periods.Period.MONTH, date(2026, 3, 1))
    department = world["errand"].department_id
    row = performance_figures(department_ids=None, start=start, end=end, now=LATE, area="errand")[department]
    assert (row.received, row.acknowledge_due, row.replied, row.replied_on_time) == (1, 0, 1, 1)
    assert row.average_reply_days == 2.0
    scope = DashboardScope(department_ids=None, can_urge=False)
    status = next(s for s in board_departments(scope=scope, now=finished) if s.department_id == department)
    assert status.average_reply_days == 2.0
