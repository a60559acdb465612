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
