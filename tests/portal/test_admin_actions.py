"""The shared admin action page (portal.admin_actions, templates/admin/action_form.html): the
clock's actions use it, and a form may group its fields in fieldsets."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.urls import reverse

from portal import clocks
from portal.admin_actions import action_fieldsets
from portal.models import User
from tests.factories import PASSWORD, DepartmentFactory

pytestmark = pytest.mark.django_db


class GroupedForm(forms.Form):
    fieldsets = [
        ("Who", {"fields": ("department", "missing"), "description": "Pick one."}),
        ("Why", {"fields": ("reason",)}),
    ]

    department = forms.CharField()
    reason = forms.CharField(help_text="Say why.")
    forgotten = forms.BooleanField(required=False)


def test_declared_fieldsets_keep_every_field_and_lead_with_the_description():
    sets = action_fieldsets(GroupedForm(), title="Act", description="What acting does.")
    assert [(s.name, [f.bound.name for f in s.fields]) for s in sets] == [
        ("Who", ["department"]),
        ("Why", ["reason"]),
        ("", ["forgotten"]),  # not listed, still shown
    ]
    assert sets[0].description == "What acting does. Pick one."
    assert sets[2].fields[0].is_checkbox


def test_without_fieldsets_one_fieldset_named_after_the_action():
    class Plain(forms.Form):
        note = forms.CharField()

    (only,) = action_fieldsets(Plain(), title="Urge", description="Reminds them.")
    assert (only.name, only.description, [f.bound.name for f in only.fields]) == ("Urge", "Reminds them.", ["note"])
    assert 'class="required"' in only.fields[0].label_tag


@pytest.fixture
def clock():
    subject = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    return clocks.clock_start(
        subject=subject,
        policy="petition.reply.ordinary",
        department=subject,
        started_at=datetime(2026, 11, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    client.cookies["django_language"] = "en"
    return client


@pytest.mark.parametrize(("name", "title"), [("extend", "Extend the deadline"), ("urge", "Urge the department")])
def test_clock_action_pages_use_the_shared_layout(admin_client, clock, name, title):
    response = admin_client.get(reverse(f"admin:portal_clock_{name}", args=[clock.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == ["admin/portal/clock/action_form.html", "admin/action_form.html"]
    assert "admin/css/forms.css" in html
    assert f"<h1>{title}" in html and f"<h2>{clock}</h2>" in html
    assert f'href="{reverse("admin:portal_clock_change", args=[clock.pk])}"' in html
    assert "Department:" in html and "住房和城乡建设局" in html  # the summary
    assert '<fieldset class="module aligned"' in html and '<div class="submit-row">' in html
    assert "clock-explanation" in html


def test_clock_action_errors_are_on_their_rows(admin_client, clock):
    response = admin_client.post(reverse("admin:portal_clock_extend", args=[clock.pk]), {"days": "0", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<div class="form-row errors field-days">\s*<ul class="errorlist"', html)
    assert re.search(r'<div class="form-row errors field-reason">\s*<ul class="errorlist"', html)


def test_a_workflow_action_missing_from_the_transition_table_is_a_system_check_error():
    from django.contrib import admin as django_admin

    from petitions.admin import PetitionAdmin
    from petitions.models import Petition

    class Broken(PetitionAdmin):
        workflow_actions = {**PetitionAdmin.workflow_actions, "teleport": PetitionAdmin.workflow_actions["note"]}

    site = django_admin.AdminSite(name="broken")
    errors = Broken(Petition, site).check()
    assert [e.id for e in errors if e.id == "portal.E101"] == ["portal.E101"]
    assert "'teleport'" in next(e.msg for e in errors if e.id == "portal.E101")
    assert not [e for e in PetitionAdmin(Petition, site).check() if e.id == "portal.E101"]


def test_the_transition_table_guards_state_permission_and_role_in_that_order():
    from types import SimpleNamespace

    from portal.exceptions import IllegalTransition, NotPermitted
    from portal.workflow import Transition, TransitionTable

    table = TransitionTable(
        [Transition("close", "Close", frozenset({"open"}), "closed", "closer", "app.close")],
        roles={"closer": lambda user, obj: user.closer},
        refusals={"closer": "Only the closer."},
        illegal_message="%(state)s: not %(action)s",
    )
    obj = SimpleNamespace(state="open", get_state_display=lambda: "Open")

    def user(*, closer: bool, perm: bool):
        return SimpleNamespace(
            closer=closer, has_perm=lambda p: perm, is_authenticated=True, is_active=True, is_superuser=False
        )

    allowed, no_role, no_perm = (
        user(closer=True, perm=True),
        user(closer=False, perm=True),
        user(closer=True, perm=False),
    )
    assert table.check(obj, "close", allowed).target == "closed"
    assert [s.action for s in table.available(allowed, obj)] == ["close"]
    with pytest.raises(NotPermitted, match="Only the closer"):
        table.check(obj, "close", no_role)
    with pytest.raises(NotPermitted):
        table.check(obj, "close", no_perm)
    assert not table.permitted(no_perm, obj, "close") and not table.may(no_role, obj, "close")
    closed = SimpleNamespace(state="closed", get_state_display=lambda: "Closed")
    with pytest.raises(IllegalTransition, match="Closed: not Close"):
        table.check(closed, "close", allowed)
    assert table.available(allowed, closed) == []
