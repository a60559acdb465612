"""Clock subjects (portal.subjects): the board and the clock admin act on a ticket's clocks through
the ticket's own services, so its timeline records the urge or the extension and the citizen sees
an extension; the board, notices and e-mails show a subject as its adapter tells, never by guessed
attributes; a broken declaration is refused at start-up; the clock engine and the notifications no
longer import each other."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.apps import AppConfig, apps
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from petitions import policies
from petitions.models import Petition, PetitionEvent
from portal import clocks, notifications, subjects
from portal.models import Clock, Membership, Notice
from tests.factories import staff_of
from tests.petitions.staffside import build_staffside, open_clock, petition_in

pytestmark = pytest.mark.django_db

S = Petition.State
Action = PetitionEvent.Action
PORTAL = Path(__file__).resolve().parents[2] / "portal"


@pytest.fixture
def side():
    return build_staffside()


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def tracking_page(client, side, petition) -> str:
    client.force_login(side.citizen)
    response = client.get(reverse("petitions:track_detail", args=[petition.reference]))
    assert response.status_code == 200
    return response.content.decode()


# --- the board's urge ------------------------------------------------------------------------------


def test_urging_a_tickets_clocks_from_the_board_writes_one_timeline_event(english, side):
    petition = petition_in(side, S.ASSIGNED)  # acknowledgement and reply both running
    ticked = list(Clock.objects.for_subject(petition).open().values_list("pk", flat=True))
    assert len(ticked) == 2
    english.force_login(side.clerk)
    response = english.post(reverse("dashboard_urge"), {"clocks": ticked, "note": "请今日答复URGE-NOTE"}, follow=True)
    assert "Urged 2 items" in response.content.decode()
    urged = petition.events.get(action=Action.URGED)  # one event for the ticket, not one per clock
    assert (urged.note, urged.actor, urged.department, urged.public) == (
        "请今日答复URGE-NOTE",
        side.clerk,
        side.lead,
        False,
    )
    assert all(Clock.objects.filter(pk__in=ticked).values_list("last_urged_at", flat=True))
    assert Notice.objects.filter(recipient=side.staff_lead, kind="clock_urged", clock_id__in=ticked).count() == 2
    # An urge is internal, as on the ticket's own admin page: the citizen's page does not show it.
    assert "URGE-NOTE" not in tracking_page(english, side, petition)


def test_only_the_ticked_clocks_of_a_ticket_are_urged(client, side):
    petition = petition_in(side, S.ASSIGNED)
    reply = open_clock(petition)
    acknowledgement = open_clock(petition, policies.ACKNOWLEDGE)
    client.force_login(side.clerk)
    client.post(reverse("dashboard_urge"), {"clocks": [reply.pk], "note": "请加快"})
    assert Clock.objects.get(pk=reply.pk).last_urged_at is not None
    assert Clock.objects.get(pk=acknowledgement.pk).last_urged_at is None
    assert petition.events.filter(action=Action.URGED).count() == 1


def test_the_tickets_service_refuses_the_board_as_it_refuses_the_tickets_page(english, side):
    """A head of department given portal.urge_work sees the urge button, but urging a ticket is the
    office's (petitions.workflow): refused by the service, nothing urged, and said so."""
    head = staff_of(side.lead, "lead_head", role=Membership.Role.HEAD)
    head.user_permissions.add(Permission.objects.get(codename="urge_work"))
    petition = petition_in(side, S.ACCEPTED)
    english.force_login(head)
    response = english.post(reverse("dashboard_urge"), {"clocks": [open_clock(petition).pk], "note": "x"}, follow=True)
    html = response.content.decode()
    assert f"1 item was not urged: {petition.reference}: You are not allowed to do this." in html
    assert "Urged 0 items" not in html
    assert open_clock(petition).last_urged_at is None
    assert not petition.events.filter(action=Action.URGED).exists()


def test_one_refused_ticket_leaves_the_others_urged(english, side):
    handled = petition_in(side, S.ACCEPTED, co=False)
    returned = petition_in(side, S.RETURNED, co=False)  # back with the office: nothing to urge
    returned_clock = Clock.objects.for_subject(returned).open().first()
    english.force_login(side.clerk)
    response = english.post(
        reverse("dashboard_urge"),
        {"clocks": [open_clock(handled).pk, returned_clock.pk], "note": "请办理"},
        follow=True,
    )
    html = response.content.decode()
    assert "Urged 1 item" in html and f"1 item was not urged: {returned.reference}: " in html
    assert handled.events.filter(action=Action.URGED).exists()
    assert not returned.events.filter(action=Action.URGED).exists()
    assert Clock.objects.get(pk=returned_clock.pk).last_urged_at is None


# --- the clock admin -------------------------------------------------------------------------------


def test_extending_from_the_clock_admin_writes_the_tickets_event_and_the_citizen_sees_it(english, side):
    petition = petition_in(side, S.ACCEPTED)
    clock = open_clock(petition)
    before = clock.due_at
    english.force_login(side.clerk)
    response = english.post(
        reverse("admin:portal_clock_extend", args=[clock.pk]), {"days": 3, "reason": "需要现场勘查"}
    )
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.extension_days == 3 and clock.due_at > before
    extended = petition.events.get(action=Action.EXTENDED)
    assert extended.public and extended.actor == side.clerk and "需要现场勘查" in extended.note
    assert Notice.objects.filter(recipient=side.citizen, kind="petition_citizen_extended").exists()
    html = tracking_page(english, side, petition)
    assert "Deadline extended" in html  # the timeline step
    assert f"{timezone.localtime(clock.due_at):%Y-%m-%d %H:%M}" in html  # the new due moment
    assert "Extended by 3 working days." in html  # how it was computed


def test_the_clock_admin_refuses_what_the_tickets_service_refuses(english, side):
    petition = petition_in(side, S.ASSIGNED)
    acknowledgement = open_clock(petition, policies.ACKNOWLEDGE)  # not the reply deadline
    english.force_login(side.clerk)
    response = english.post(reverse("admin:portal_clock_extend", args=[acknowledgement.pk]), {"days": 2, "reason": "x"})
    assert response.status_code == 200
    assert "This ticket has no running reply deadline to extend." in response.content.decode()
    assert Clock.objects.get(pk=acknowledgement.pk).extension_days == 0
    assert not petition.events.filter(action=Action.EXTENDED).exists()


def test_urging_from_the_clock_admin_writes_the_tickets_event(client, side):
    petition = petition_in(side, S.ACCEPTED)
    clock = open_clock(petition)
    client.force_login(side.clerk)
    response = client.post(reverse("admin:portal_clock_urge", args=[clock.pk]), {"note": "催办ADMIN"})
    assert response.status_code == 302
    assert petition.events.get(action=Action.URGED).note == "催办ADMIN"
    assert Clock.objects.get(pk=clock.pk).last_urged_at is not None


def test_the_clock_admins_bulk_urge_goes_through_each_ticket(english, side):
    first, second = petition_in(side, S.ASSIGNED), petition_in(side, S.ACCEPTED)
    returned = petition_in(side, S.RETURNED, co=False)
    selected = list(
        Clock.objects.filter(object_id__in=[first.pk, second.pk, returned.pk]).open().values_list("pk", flat=True)
    )
    english.force_login(side.clerk)
    response = english.post(
        reverse("admin:portal_clock_changelist"),
        {"action": "urge_selected", "_selected_action": selected},
        follow=True,
    )
    assert response.status_code == 200
    assert first.events.filter(action=Action.URGED).count() == 1  # two clocks, one event
    assert second.events.filter(action=Action.URGED).count() == 1
    assert f"1 item was not urged: {returned.reference}: " in response.content.decode()


# --- showing subjects ------------------------------------------------------------------------------


def test_the_board_shows_each_ticket_by_its_adapter_in_a_fixed_number_of_queries(client, side):
    tickets = [petition_in(side, S.ACCEPTED, co=False) for _ in range(2)]
    client.force_login(side.clerk)
    later = timezone.now() + timedelta(days=30)  # every deadline overdue: all on the board
    with time_machine.travel(later, tick=False):
        client.get(reverse("dashboard"))  # warm the calendar and content-type caches
        cache.clear()
        with CaptureQueriesContext(connection) as few:
            response = client.get(reverse("dashboard"))
    rows = {row.clock.object_id: row for row in response.context["rows"]}
    for petition in tickets:
        row = rows[petition.pk]
        assert (row.reference, row.title) == (petition.reference, petition.title)
        assert row.url == reverse("admin:petitions_petition_change", args=[petition.pk])
    tickets += [petition_in(side, S.ASSIGNED, co=False) for _ in range(8)]
    cache.clear()
    with time_machine.travel(later, tick=False), CaptureQueriesContext(connection) as many:
        response = client.get(reverse("dashboard"))
    assert len(response.context["rows"]) == 18  # 10 reply deadlines, 8 acknowledgements
    assert {row.reference for row in response.context["rows"]} == {petition.reference for petition in tickets}
    assert len(many) <= len(few)


def test_a_notice_names_the_ticket_as_its_adapter_tells(side):
    petition = petition_in(side, S.ACCEPTED)
    clocks.clocks_urge(clock_ids=[open_clock(petition).pk], note="请加快", actor=side.clerk)
    with translation.override("en"):
        ((_notice, text, url),) = notifications.notices_rendered(
            notifications.notices_for_user(user=side.staff_lead).filter(kind="clock_urged")
        )
    assert petition.reference in text and petition.title in text
    assert url == reverse("admin:petitions_petition_change", args=[petition.pk])


def test_a_subject_without_an_adapter_is_shown_neutrally_not_by_guessed_attributes(side):
    petition = petition_in(side, S.ACCEPTED)
    clock = open_clock(petition)
    # Were Petition undeclared, its `reference` and `title` would not be read: its id and str().
    shown = subjects.describe(clock, petition, adapters={})
    assert (shown.reference, shown.title) == (str(petition.pk), str(petition))
    assert shown.admin_url == reverse("admin:petitions_petition_change", args=[petition.pk])
    group = Group.objects.create(name="事项")
    other = clocks.clock_start(subject=group, policy="petition.reply.ordinary", department=side.lead)
    assert subjects.adapter_for_clock(other) is None
    assert subjects.describe_all([other])[other.pk] == subjects.SubjectDisplay(
        str(group.pk), "事项", reverse("admin:auth_group_change", args=[group.pk])
    )


def test_the_petition_adapter_gives_the_public_page_and_departments_of_a_ticket(side):
    petition = petition_in(side, S.ACCEPTED)
    adapter = subjects.adapter_for(Petition)
    assert adapter.public_url(petition) is None  # not published
    assert adapter.department_ids(petition) == [side.lead.pk, side.co.pk]
    petition.published_at = timezone.now() - timedelta(hours=1)
    assert adapter.public_url(petition) == reverse("petitions:detail", args=[petition.reference])


# --- declarations ----------------------------------------------------------------------------------


def test_the_installed_declarations_pass_the_start_up_check():
    assert subjects.check_clock_subjects(app_configs=apps.get_app_configs()) == []
    call_command("check")


def test_a_broken_declaration_is_refused_at_start_up_with_a_clear_message():
    broken = AppConfig.create("tests.portal.subject_app.BrokenSubjectsConfig")
    listed = AppConfig.create("tests.portal.subject_app.ListedSubjectsConfig")
    messages = subjects.check_clock_subjects(app_configs=[apps.get_app_config("petitions"), broken, listed])
    by_id = {message.id: message.msg for message in messages}
    assert set(by_id) == {"portal.E201", "portal.E202", "portal.E203", "portal.E204", "portal.E205", "portal.E206"}
    assert "'nowhere.Thing'" in by_id["portal.E202"]
    assert "'tests.portal.subject_app.Missing' cannot be imported" in by_id["portal.E203"]
    assert "is not a subclass of portal.subjects.ClockSubject" in by_id["portal.E204"]
    assert "does not define urge, extend" in by_id["portal.E205"]
    assert "petitions.Petition has an adapter declared by petitions already" in by_id["portal.E206"]
    assert by_id["portal.E201"].startswith("tests.portal.subject_app.apps.ListedSubjectsConfig.clock_subjects must")


# --- no import cycle -------------------------------------------------------------------------------


def _portal_imports(module: str) -> set[str]:
    """The portal modules `module` imports anywhere in it, at module level or inside a function."""
    found = set()
    for node in ast.walk(ast.parse((PORTAL / f"{module}.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.module == "portal":
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("portal."):
            found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("portal.")}
    return found


def test_the_clock_engine_and_the_notifications_do_not_import_each_other():
    assert "notifications" in _portal_imports("clocks")  # the engine notifies
    assert "clocks" not in _portal_imports("notifications")
    # Both read the subjects, which import neither (nor any domain app).
    assert {"clocks", "notifications"}.isdisjoint(_portal_imports("subjects"))
    source = (PORTAL / "subjects.py").read_text()
    assert "petitions" not in {
        node.module.split(".")[0]
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    }


def test_a_broken_declaration_is_never_acted_on_and_the_registry_follows_the_installed_apps():
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.test import override_settings

    broken = [*settings.INSTALLED_APPS, "tests.portal.subject_app.BrokenSubjectsConfig"]
    with override_settings(INSTALLED_APPS=broken), pytest.raises(ImproperlyConfigured, match=r"nowhere\.Thing"):
        subjects.adapter_for(Petition)
    assert type(subjects.adapter_for(Petition)).__name__ == "PetitionSubject"
