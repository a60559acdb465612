"""The shared admin action page (portal.admin_actions, templates/admin/action_form.html): the
clock's actions use it, and a form may group its fields in fieldsets; the workflow mixin's system
checks (portal.E350–E352), the ActionForm contract and the transition table's guard."""

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


def _admin_errors(admin_class, model) -> list:
    from django.contrib import admin as django_admin

    return admin_class(model, django_admin.AdminSite(name="checked")).check()


def test_a_workflow_action_missing_from_the_transition_table_is_a_system_check_error():
    from petitions.admin import PetitionAdmin
    from petitions.models import Petition

    class Broken(PetitionAdmin):
        workflow_actions = {**PetitionAdmin.workflow_actions, "teleport": PetitionAdmin.workflow_actions["note"]}

    errors = [e for e in _admin_errors(Broken, Petition) if e.id == "portal.E350"]
    assert len(errors) == 1 and "'teleport'" in errors[0].msg
    assert not [e for e in _admin_errors(PetitionAdmin, Petition) if e.id.startswith("portal.E35")]


def test_a_workflow_form_that_is_no_action_form_is_a_system_check_error():
    from tests.throwaway.admin import ErrandAdmin
    from tests.throwaway.models import Errand

    class Plain(forms.Form):
        note = forms.CharField()

    class Broken(ErrandAdmin):
        workflow_actions = {"finish": (Plain, ErrandAdmin.workflow_actions["finish"][1])}

    errors = [e for e in _admin_errors(Broken, Errand) if e.id == "portal.E351"]
    assert len(errors) == 1 and "workflow_actions['finish']" in errors[0].msg
    assert not [e for e in _admin_errors(ErrandAdmin, Errand) if e.id.startswith("portal.E35")]


def test_a_change_form_that_would_hide_the_buttons_is_a_system_check_error():
    from tests.throwaway.admin import ErrandAdmin
    from tests.throwaway.models import Errand

    class Broken(ErrandAdmin):
        change_form_template = "admin/change_form.html"  # Django's own: no workflow buttons

    errors = [e for e in _admin_errors(Broken, Errand) if e.id == "portal.E352"]
    assert len(errors) == 1 and "admin/workflow_change_form.html" in errors[0].msg


def test_the_action_form_keeps_the_object_and_the_user_and_gives_the_services_arguments():
    from portal.admin_actions import ActionForm

    class ConfirmForm(ActionForm):
        form_only_fields = ("confirm",)
        reason = forms.CharField()
        confirm = forms.BooleanField()

    obj, user = object(), object()
    form = ConfirmForm({"reason": "已核实", "confirm": "on"}, obj=obj, user=user)
    assert form.obj is obj and form.user is user
    assert form.is_valid() and form.service_arguments() == {"reason": "已核实"}
    with pytest.raises(TypeError):
        ConfirmForm({"reason": "x"})  # the object and the user are required


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
