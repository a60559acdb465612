"""Every admin action page on a ticket is laid out as the admin's own change form
(portal.admin_actions, templates/admin/action_form.html): breadcrumbs to the ticket, the action as
title and the ticket as subtitle, a read-only summary, `module aligned` fieldsets with help and
errors, and the submit row."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from petitions import workflow
from petitions.admin_forms import ACTION_FORMS
from petitions.models import Petition
from tests.petitions.staffside import build_staffside, petition_in
from tests.portal.test_pages import assert_csp_clean

pytestmark = pytest.mark.django_db

S = Petition.State
# The state each action is taken from, and who takes it.
WHERE = {
    "assign": (S.SUBMITTED, "clerk"),
    "return": (S.ASSIGNED, "staff_lead"),
    "accept": (S.ASSIGNED, "staff_lead"),
    "decline": (S.ASSIGNED, "staff_lead"),
    "reply": (S.ACCEPTED, "staff_lead"),
    "opinion": (S.ACCEPTED, "staff_co"),
    "note": (S.ACCEPTED, "staff_lead"),
    "extend": (S.ACCEPTED, "clerk"),
    "urge": (S.ACCEPTED, "clerk"),
    "close": (S.REPLIED, "clerk"),
}


@pytest.fixture
def side():
    return build_staffside()


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def act_url(petition, action) -> str:
    return reverse("admin:petitions_petition_act", args=[petition.pk, action])


def change_url(petition) -> str:
    return reverse("admin:petitions_petition_change", args=[petition.pk])


def test_every_action_has_a_case():
    assert set(WHERE) == set(ACTION_FORMS)


@pytest.mark.parametrize("action", sorted(WHERE))
def test_each_action_page_has_the_admin_form_layout(english, side, action):
    state, who = WHERE[action]
    petition = petition_in(side, state)
    english.force_login(getattr(side, who))
    response = english.get(act_url(petition, action))
    html = response.content.decode()
    assert response.status_code == 200
    assert "admin/action_form.html" in [t.name for t in response.templates]
    label = str(workflow.transition(action).label)
    # The admin's form styles, the action as the page's title and heading, the ticket as subtitle.
    assert "admin/css/forms.css" in html
    assert f"<title>{petition.reference} {petition.title} | {label} |" in html
    assert f"<h1>{label}</h1>" in html
    assert f"<h2>{petition.reference} {petition.title}</h2>" in html
    # Breadcrumbs back to the ticket, and Cancel leads there too.
    breadcrumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S).group(1)
    assert f'href="{change_url(petition)}"' in breadcrumbs and label in breadcrumbs
    assert f'href="{change_url(petition)}" class="closelink"' in html
    # The read-only summary, then the fields in aligned fieldsets with the action's description.
    assert 'class="module aligned action-summary"' in html and "State:" in html
    assert html.count('<fieldset class="module aligned"') >= 1
    assert f'<h2 id="action-fieldset-0-heading" class="fieldset-heading">{label}</h2>' in html
    description = str(ACTION_FORMS[action].description)
    assert description and description.replace("'", "&#x27;") in html
    for name in ACTION_FORMS[action].base_fields:
        assert f"form-row field-{name}" in html or f"form-row errors field-{name}" in html
    assert re.search(rf'<div class="submit-row">\s*<input type="submit" value="{re.escape(label)}"', html)
    assert_csp_clean(html)


def test_help_text_is_shown_under_its_field(english, side):
    petition = petition_in(side, S.SUBMITTED)
    english.force_login(side.clerk)
    html = english.get(act_url(petition, "assign")).content.decode()
    assert re.search(
        r'<div class="help" id="id_co_departments_helptext"><div>Several departments put the reply deadline at 15',
        html,
    )
    # A checkbox comes before its label, as in the admin's own forms.
    assert re.search(r'class="flex-container checkbox-row">\s*<input type="checkbox" name="is_complex"', html)


def test_field_errors_are_marked_on_their_row(english, side):
    petition = petition_in(side, S.ACCEPTED)
    english.force_login(side.clerk)
    response = english.post(act_url(petition, "extend"), {"days": "0", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<p class="errornote" role="alert">' in html
    assert "Please correct the errors below." in html
    row = r'<div class="form-row errors field-days">\s*<ul class="errorlist"[^>]*>(.*?)</ul>'
    days_row = re.search(row, html, re.S)
    reason_row = re.search(r'<div class="form-row errors field-reason">\s*<ul class="errorlist"', html)
    assert days_row and "greater than or equal to 1" in days_row.group(1)
    assert reason_row
    assert "<title>Error:" in html


def test_a_refused_action_is_a_non_field_error_above_the_fields(english, side):
    petition = petition_in(side, S.ACCEPTED)  # declining is only possible before accepting
    english.force_login(side.staff_lead)
    html = english.post(act_url(petition, "decline"), {"reason": "理由"}).content.decode()
    assert re.search(r'<ul class="errorlist nonfield"[^>]*><li>A ticket that is', html)
    assert html.index("errorlist nonfield") < html.index("field-reason")


def test_the_reply_page_takes_files(english, side):
    petition = petition_in(side, S.ACCEPTED)
    english.force_login(side.staff_lead)
    html = english.get(act_url(petition, "reply")).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert "Reply due:" in html


def test_the_reissue_page_uses_the_same_layout(english, side):
    petition = petition_in(side, S.ASSIGNED)
    english.force_login(side.clerk)
    response = english.get(reverse("admin:petitions_petition_reissue_code", args=[petition.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "admin/action_form.html" in [t.name for t in response.templates]
    assert "<h1>Reissue the query code</h1>" in html
    assert 'class="flex-container checkbox-row"' in html
    url = reverse("admin:petitions_petition_reissue_code", args=[petition.pk])
    html = english.post(url, {"confirm": ""}).content.decode()
    assert '<div class="form-row errors field-confirm">' in html


def test_the_action_page_in_chinese(client, side):
    petition = petition_in(side, S.ASSIGNED)
    client.force_login(side.staff_lead)
    html = client.get(act_url(petition, "accept"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<h1>受理</h1>" in html
    assert "首页" in html and "问政工单" in html  # breadcrumbs
    assert "您反映的问题已由我单位受理" in html
