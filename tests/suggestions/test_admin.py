"""The suggestions' staff side in the admin: who sees which suggestions (reviewers and the office
all, departments what was forwarded to them, experts their campaigns'), contacts hidden from
those who need not see them (page and history), the moderation queue, search, the action pages
(permission first: 403 before anything is rendered) and the bulk approval."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.models import Clock
from suggestions.models import Assessment, Forwarding, ForwardingBatch, Suggestion
from tests.factories import DepartmentFactory, citizen, clerk, staff_of
from tests.suggestions.factories import CampaignFactory, submitted
from tests.suggestions.staffside import approved, expert, reviewer

pytestmark = pytest.mark.django_db

S = Suggestion.State
CHANGELIST = "admin:suggestions_suggestion_changelist"
CONTACT = "13912345678"  # the factory author's mobile number (tests.suggestions.factories.submitted)


def change_url(suggestion) -> str:
    return reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])


def act_url(suggestion, action) -> str:
    return reverse("admin:suggestions_suggestion_act", args=[suggestion.pk, action])


def signed_in(client, user):
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def listed(client, **params) -> list[str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200, response.status_code
    return [s.reference for s in response.context["cl"].result_list]


def forward(suggestion, department) -> Forwarding:
    batch = ForwardingBatch.objects.create(
        campaign=suggestion.campaign,
        report="suggestions/analysis/report.pdf",
        report_name="分析报告.pdf",
        report_content_type="application/pdf",
        created_by=clerk(),
    )
    return Forwarding.objects.create(suggestion=suggestion, department=department, batch=batch, is_lead=True)


@pytest.fixture
def world():
    """Two campaigns with one suggestion each; an expert invited to the first; a department
    that got the second forwarded."""
    first, second = CampaignFactory(), CampaignFactory()
    ours, theirs = approved(first), approved(second)
    department = DepartmentFactory()
    forward(theirs, department)
    return {
        "first": first,
        "ours": ours,
        "theirs": theirs,
        "expert": expert(first),
        "staff": staff_of(department),
        "reviewer": reviewer(),
        "clerk": clerk(),
    }


# --- who sees what -------------------------------------------------------------------------------


def test_reviewers_and_clerks_see_every_suggestion_with_its_contacts(client, world):
    for role in ("reviewer", "clerk"):
        signed_in(client, world[role])
        assert sorted(listed(client)) == sorted([world["ours"].reference, world["theirs"].reference])
        page = client.get(change_url(world["ours"]))
        assert page.status_code == 200
        assert CONTACT in page.content.decode()


def test_an_expert_sees_only_the_suggestions_of_their_campaigns_and_no_contacts(client, world):
    signed_in(client, world["expert"])
    assert listed(client) == [world["ours"].reference]
    page = client.get(change_url(world["ours"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert CONTACT not in html and "lisi@example.com" not in html and "李四" not in html
    assert world["ours"].citizen.username not in html  # the author's account, on the timeline
    assert client.get(change_url(world["theirs"])).status_code == 403
    history = client.get(reverse("admin:suggestions_suggestion_history", args=[world["ours"].pk]))
    assert history.status_code == 200
    assert world["ours"].citizen.username not in history.content.decode()
    version = world["ours"].history.order_by("history_id").first()
    old = client.get(
        reverse("admin:suggestions_suggestion_simple_history", args=[world["ours"].pk, version.history_id])
    )
    assert old.status_code == 200 and CONTACT not in old.content.decode()


def test_department_staff_see_what_was_forwarded_to_them_without_contacts(client, world):
    signed_in(client, world["staff"])
    assert listed(client) == [world["theirs"].reference]
    assert CONTACT not in client.get(change_url(world["theirs"])).content.decode()
    assert client.get(change_url(world["ours"])).status_code == 403
    assert client.get(act_url(world["theirs"], "approve")).status_code == 403


def test_a_citizen_gets_no_admin_page(client, world):
    client.force_login(citizen())
    assert client.get(reverse(CHANGELIST)).status_code == 302  # to the admin's sign-in
    assert client.get(act_url(world["ours"], "assess")).status_code == 302


# --- action pages: permission first ----------------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "reject", "merge"])
def test_moderation_pages_refuse_every_role_but_reviewers_before_rendering(client, world, action):
    pending = submitted(world["first"])
    for role in ("expert", "staff", "clerk"):
        signed_in(client, world[role])
        assert client.get(act_url(pending, action)).status_code == 403, role
        assert client.post(act_url(pending, action), {"reason": "x", "into": "x"}).status_code == 403, role
    assert Suggestion.objects.get(pk=pending.pk).state == S.PENDING
    signed_in(client, world["reviewer"])
    assert client.get(act_url(pending, action)).status_code == 200


def test_a_reviewer_approves_from_the_change_page_button(client, world):
    pending = submitted(world["first"])
    signed_in(client, world["reviewer"])
    page = client.get(change_url(pending)).content.decode()
    assert act_url(pending, "approve") in page and act_url(pending, "assess") not in page
    response = client.post(act_url(pending, "approve"), {"category": pending.category_id})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.state == S.APPROVED and pending.number.endswith("-0002")


def test_reject_and_merge_pages_take_their_inputs(client, world):
    signed_in(client, world["reviewer"])
    pending = submitted(world["first"])
    empty = client.post(act_url(pending, "reject"), {"reason": ""})
    assert empty.status_code == 200 and empty.context["form"].errors
    unknown = client.post(act_url(pending, "merge"), {"into": "JY2000-XX-9999"})
    assert unknown.status_code == 200 and "into" in unknown.context["form"].errors
    other_campaign = client.post(act_url(pending, "merge"), {"into": world["theirs"].number})
    assert "into" in other_campaign.context["form"].errors
    merged = client.post(act_url(pending, "merge"), {"into": world["ours"].number.lower()})
    assert merged.status_code == 302
    pending.refresh_from_db()
    assert (pending.state, pending.merged_into) == (S.MERGED, world["ours"])
    assert world["ours"].number in client.get(change_url(pending)).content.decode()


def test_an_invited_expert_assesses_through_the_page_and_nowhere_else(client, world):
    signed_in(client, world["expert"])
    page = client.get(change_url(world["ours"])).content.decode()
    assert act_url(world["ours"], "assess") in page and act_url(world["ours"], "approve") not in page
    assert client.get(act_url(world["ours"], "assess")).status_code == 200
    bad = client.post(act_url(world["ours"], "assess"), {"reasonableness": "9", "feasibility": "3", "innovation": "3"})
    assert bad.status_code == 200 and "reasonableness" in bad.context["form"].errors
    done = client.post(
        act_url(world["ours"], "assess"), {"reasonableness": "4", "feasibility": "3", "innovation": "5", "note": "可行"}
    )
    assert done.status_code == 302
    assert Assessment.objects.get(assessor=world["expert"]).innovation == 5
    page = client.get(change_url(world["ours"])).content.decode()
    assert "Mean of 1 assessment: reasonableness 4.0, feasibility 3.0, innovation 5.0" in page
    again = client.get(act_url(world["ours"], "assess"))
    assert again.context["form"].initial["innovation"] == 5
    assert client.get(act_url(world["theirs"], "assess")).status_code == 403


def test_the_public_version_page_masks_what_the_reviewer_types(client, world):
    signed_in(client, world["reviewer"])
    response = client.post(
        act_url(world["ours"], "edit_public"),
        {"public_title": "建议增设健身步道", "public_problem": "电话13812345678", "public_measures": "修建步道"},
    )
    assert response.status_code == 302
    world["ours"].refresh_from_db()
    assert "13812345678" not in world["ours"].public_problem


# --- the list: queue, markers, search, filters ---------------------------------------------------


def test_the_moderation_queue_lists_pending_ones_the_most_urgent_first_with_markers(client, world):
    campaign = world["first"]
    calm, late, soon = submitted(campaign, title="一"), submitted(campaign, title="二"), submitted(campaign, title="三")
    Clock.objects.for_subject(late).update(due_at=timezone.now() - timedelta(hours=1))
    Clock.objects.for_subject(soon).update(due_at=timezone.now() + timedelta(hours=1))
    signed_in(client, world["reviewer"])
    assert listed(client, queue="moderation") == [late.reference, soon.reference, calm.reference]
    html = client.get(reverse(CHANGELIST), {"queue": "moderation"}).content.decode()
    assert "Review overdue" in html and "Review due soon" in html
    assert "?queue=moderation" in client.get(reverse(CHANGELIST)).content.decode()
    assert listed(client, overdue="yes") == [late.reference]
    assert listed(client, due_soon="yes") == [soon.reference]


def test_search_by_tracking_or_classified_number_and_by_words(client, world):
    signed_in(client, world["reviewer"])
    ours = world["ours"]
    assert listed(client, q=ours.reference.lower()) == [ours.reference]
    assert listed(client, q=ours.number) == [ours.reference]
    assert ours.reference in listed(client, q="健身步道")


def test_an_undeclared_filter_is_refused_and_a_campaign_filter_is_scoped(client, world):
    signed_in(client, world["reviewer"])
    response = client.get(reverse(CHANGELIST), {"contact_mobile__startswith": "139"})
    assert response.status_code == 302 and "e=1" in response["Location"]
    assert listed(client, campaign=str(world["first"].pk)) == [world["ours"].reference]
    assert listed(client, campaign="not-a-number") != []
    signed_in(client, world["expert"])
    page = client.get(reverse(CHANGELIST))
    choices = [
        choice["display"] for spec in page.context["cl"].filter_specs for choice in spec.choices(page.context["cl"])
    ]
    assert world["first"].title in choices
    assert world["theirs"].campaign.title not in choices


def test_a_reviewer_approves_several_at_once(client, world):
    campaign = world["first"]
    pending = [submitted(campaign, title=f"建议{n}") for n in range(3)]
    signed_in(client, world["reviewer"])
    response = client.post(
        reverse(CHANGELIST),
        {"action": "approve_selected", "_selected_action": [s.pk for s in pending] + [world["ours"].pk]},
    )
    assert response.status_code == 302
    assert Suggestion.objects.filter(pk__in=[s.pk for s in pending], state=S.APPROVED).count() == 3
    signed_in(client, world["expert"])
    assert client.get(reverse(CHANGELIST)).context["action_form"] is None  # no bulk action for experts


def test_nothing_is_added_changed_or_deleted_here(client, world):
    signed_in(client, world["reviewer"])
    assert client.get(reverse("admin:suggestions_suggestion_add")).status_code == 403
    assert client.get(reverse("admin:suggestions_suggestion_delete", args=[world["ours"].pk])).status_code == 403
    page = client.get(change_url(world["ours"]))
    assert not page.context["has_change_permission"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_pages_render_in_both_languages(client, world, language):
    pending = submitted(world["first"])
    moderation_user = world["reviewer"]
    client.force_login(moderation_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    urls = [
        reverse(CHANGELIST) + "?queue=moderation",
        change_url(world["ours"]),
        *(act_url(pending, action) for action in ("approve", "reject", "merge")),
        *(act_url(world["ours"], action) for action in ("assess", "edit_public")),
        reverse("admin:suggestions_suggestion_history", args=[world["ours"].pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
