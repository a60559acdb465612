"""The staff side in the admin: scoping, the list (query count, search, filters), the change
page's buttons and public-version editing, each action form end to end, and the urge action."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from petitions import policies, selectors, workflow
from petitions.models import Attachment, CoHandling, HandlingNote, Petition, PetitionEvent
from portal.models import Clock
from tests.petitions.staffside import build_staffside, open_clock, petition_in, submit

pytestmark = pytest.mark.django_db

S = Petition.State
CHANGELIST = "admin:petitions_petition_changelist"


@pytest.fixture
def side():
    return build_staffside()


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def change_url(petition) -> str:
    return reverse("admin:petitions_petition_change", args=[petition.pk])


def act_url(petition, action) -> str:
    return reverse("admin:petitions_petition_act", args=[petition.pk, action])


def listed(client, **params) -> set[str]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {p.reference for p in response.context["cl"].result_list}


# --- scoping -------------------------------------------------------------------------------------


def test_staff_see_their_departments_tickets_only(client, side):
    own = petition_in(side, S.ASSIGNED)  # lead: side.lead, co-handled by side.co
    other = submit(side)
    from petitions import services

    services.petition_assign(petition=other, actor=side.clerk, lead_department=side.other)
    unassigned = submit(side)

    client.force_login(side.staff_lead)
    assert listed(client) == {own.reference}
    assert client.get(change_url(own)).status_code == 200
    assert client.get(change_url(other)).status_code == 403
    assert client.get(act_url(other, "note")).status_code == 403

    client.force_login(side.staff_co)
    assert listed(client) == {own.reference}
    assert client.get(change_url(own)).status_code == 200

    client.force_login(side.staff_other)
    assert listed(client) == {other.reference}
    assert client.get(change_url(own)).status_code == 403

    client.force_login(side.clerk)
    assert listed(client) == {own.reference, other.reference, unassigned.reference}


def test_citizens_are_sent_to_the_admin_login(client, side):
    petition = submit(side)
    client.force_login(side.citizen)
    response = client.get(change_url(petition))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


# --- the change page -----------------------------------------------------------------------------


def _buttons(response) -> set[str]:
    return set(re.findall(r"/act/([a-z_]+)/", response.content.decode()))


@pytest.mark.parametrize("state", [S.SUBMITTED, S.ASSIGNED, S.ACCEPTED, S.REPLIED, S.REEXAMINING, S.CLOSED])
def test_buttons_are_exactly_the_available_actions(client, side, state):
    petition = petition_in(side, state)
    for user in (side.clerk, side.staff_lead, side.staff_co):
        client.force_login(user)
        response = client.get(change_url(petition))
        if response.status_code == 403:  # not yet assigned: department staff do not see it
            assert state == S.SUBMITTED and user != side.clerk
            continue
        expected = {step.action for step in workflow.available_actions(user, petition)}
        assert _buttons(response) == expected, (user, state)


def test_change_page_shows_everything_staff_need(english, side):
    petition = petition_in(side, S.REPLIED, content="请联系13912345678。")
    from petitions import services

    services.petition_note(petition=petition, actor=side.staff_lead, body="已电话联系市民")
    services.petition_set_withheld(petition=petition, actor=side.clerk, withheld=False)
    english.force_login(side.clerk)
    page = english.get(change_url(petition)).content.decode()
    assert "13812345678" in page  # the contact mobile, for staff
    assert "已电话联系市民" in page  # internal note
    assert "路灯已于本周修复。" in page  # the reply
    assert "How the due moment was computed" in page
    assert reverse("admin:petitions_petition_history", args=[petition.pk]) in page
    for event in selectors.timeline(petition, public_only=False):
        assert str(event.get_action_display()) in page
    assert reverse("admin:petitions_petition_reissue_code", args=[petition.pk]) in page


def _public_form(petition, **changes) -> dict:
    data = {
        "public_title": petition.public_title,
        "public_content": petition.public_content,
        "withheld_reason": "",
    }
    if petition.publication_withheld:
        data["publication_withheld"] = "on"
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_public_version_is_saved_through_the_service_and_masked(client, side):
    petition = petition_in(side, S.REPLIED)
    client.force_login(side.staff_lead)
    response = client.post(
        change_url(petition), _public_form(petition, public_title="路灯 13912345678", public_content="张三的路灯")
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert "13912345678" not in petition.public_title and "张三" not in petition.public_content
    assert petition.title == "小区路灯损坏"  # the original is untouched
    assert petition.history.first().history_change_reason == "public version edited"


def test_withholding_needs_a_reason_and_unpublishes(client, side):
    petition = petition_in(side, S.REPLIED)
    assert petition.published_at
    client.force_login(side.staff_lead)
    response = client.post(change_url(petition), _public_form(petition, publication_withheld="on"))
    assert response.status_code == 200 and response.context["adminform"].form.errors
    petition.refresh_from_db()
    assert not petition.publication_withheld
    response = client.post(
        change_url(petition), _public_form(petition, publication_withheld="on", withheld_reason="涉及个人隐私")
    )
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.publication_withheld and petition.published_at is None
    assert petition.events.filter(action=PetitionEvent.Action.WITHHELD, note="涉及个人隐私").exists()


def test_original_fields_cannot_be_changed(client, side):
    petition = petition_in(side, S.ACCEPTED)
    client.force_login(side.clerk)
    client.post(change_url(petition), _public_form(petition, title="改过的标题", state="closed", content="x"))
    petition.refresh_from_db()
    assert petition.title == "小区路灯损坏" and petition.state == S.ACCEPTED


def test_no_add_and_no_delete(client, side):
    petition = submit(side)
    client.force_login(side.clerk)
    assert client.get(reverse("admin:petitions_petition_add")).status_code == 403
    assert client.get(reverse("admin:petitions_petition_delete", args=[petition.pk])).status_code == 403
    response = client.get(reverse(CHANGELIST))
    assert reverse("petitions:record") in response.content.decode()
    assert "delete_selected" not in response.content.decode()


# --- the action pages ----------------------------------------------------------------------------


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("回复.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf")


ACTION_CASES = {
    "assign": (S.SUBMITTED, "clerk", lambda s: {"lead_department": s.lead.pk, "co_departments": [s.co.pk]}),
    "return": (S.ASSIGNED, "staff_lead", lambda s: {"reason": "不属于本单位职责"}),
    "accept": (S.ASSIGNED, "staff_lead", lambda s: {"confirm": "on"}),
    "decline": (S.ASSIGNED, "staff_lead", lambda s: {"reason": "不属于受理范围"}),
    "reply": (S.ACCEPTED, "staff_lead", lambda s: {"body": "路灯已修复。", "attachments": [pdf()]}),
    "opinion": (S.ACCEPTED, "staff_co", lambda s: {"department": s.co.pk, "opinion": "同意"}),
    "note": (S.ACCEPTED, "staff_lead", lambda s: {"body": "已电话联系"}),
    "extend": (S.ACCEPTED, "clerk", lambda s: {"days": 2, "reason": "需要现场勘查"}),
    "urge": (S.ACCEPTED, "clerk", lambda s: {"note": "请尽快办理"}),
    "close": (S.REPLIED, "clerk", lambda s: {"reason": "已答复"}),
}


def step_label(action: str) -> str:
    return str(workflow.transition(action).label)


def _effect_seen(action, petition, side) -> bool:
    petition.refresh_from_db()
    return {
        "assign": lambda: petition.state == S.ASSIGNED and CoHandling.objects.filter(petition=petition).exists(),
        "return": lambda: petition.state == S.RETURNED and petition.return_reason == "不属于本单位职责",
        "accept": lambda: petition.state == S.ACCEPTED,
        "decline": lambda: petition.state == S.REPLIED and petition.replies.get().is_decline,
        "reply": lambda: petition.state == S.REPLIED and Attachment.objects.filter(reply__petition=petition).exists(),
        "opinion": lambda: CoHandling.objects.get(petition=petition, department=side.co).opinion == "同意",
        "note": lambda: HandlingNote.objects.filter(petition=petition, body="已电话联系").exists(),
        "extend": lambda: open_clock(petition).extension_days == 2,
        "urge": lambda: open_clock(petition).last_urged_at is not None,
        "close": lambda: petition.state == S.CLOSED and petition.closure == Petition.Closure.OFFICE,
    }[action]()


@pytest.mark.parametrize("action", sorted(ACTION_CASES))
def test_each_action_form_works_end_to_end(client, side, action):
    state, who, data = ACTION_CASES[action]
    petition = petition_in(side, state, co=True)
    client.force_login(getattr(side, who))
    page = client.get(act_url(petition, action))
    assert page.status_code == 200
    response = client.post(act_url(petition, action), data(side))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert response["Location"] == change_url(petition)
    assert _effect_seen(action, petition, side)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages and step_label(action) in messages[-1]
    for attachment in Attachment.objects.filter(petition=petition):
        attachment.file.delete(save=False)


def test_the_accept_page_shows_the_standard_acknowledgement(client, side):
    from petitions.services import ACKNOWLEDGEMENT

    petition = petition_in(side, S.ASSIGNED)
    client.force_login(side.staff_lead)
    assert ACKNOWLEDGEMENT in client.get(act_url(petition, "accept")).content.decode()


def test_a_refused_action_shows_the_error_keeps_the_input_and_saves_nothing(english, side):
    petition = petition_in(side, S.ACCEPTED)  # declining is only possible before accepting
    english.force_login(side.staff_lead)
    events = petition.events.count()
    response = english.post(act_url(petition, "decline"), {"reason": "我的理由很长"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "cannot be handled this way" in response.content.decode()
    assert "我的理由很长" in response.content.decode()
    petition.refresh_from_db()
    assert petition.state == S.ACCEPTED and petition.events.count() == events


def test_an_invalid_upload_is_a_form_error(client, side):
    petition = petition_in(side, S.ACCEPTED)
    client.force_login(side.staff_lead)
    fake = SimpleUploadedFile("x.pdf", b"MZ this is not a pdf", "application/pdf")
    response = client.post(act_url(petition, "reply"), {"body": "见附件", "attachments": [fake]})
    assert response.status_code == 200 and response.context["form"].errors["attachments"]
    petition.refresh_from_db()
    assert petition.state == S.ACCEPTED


def test_actions_the_user_may_not_take_are_forbidden(client, side):
    petition = petition_in(side, S.ASSIGNED)
    client.force_login(side.clerk)
    assert client.get(act_url(petition, "accept")).status_code == 403
    assert client.get(act_url(petition, "close")).status_code == 403
    assert client.get(act_url(petition, "no-such-action")).status_code == 404
    client.force_login(side.staff_lead)
    assert client.get(act_url(petition, "assign")).status_code == 403
    # A POST is refused the same way, before the form (and the ticket) is shown.
    response = client.post(act_url(petition, "assign"), {"lead_department": side.other.pk})
    assert response.status_code == 403
    assert petition.reference not in response.content.decode()
    petition.refresh_from_db()
    assert petition.lead_department == side.lead


def test_a_post_after_the_ticket_moved_on_shows_the_services_refusal_on_the_form(client, side):
    """Someone who may take the action, posting after the ticket left the action's states (a
    colleague was quicker): the form again, with the service's reason."""
    petition = petition_in(side, S.ASSIGNED)
    client.force_login(side.clerk)
    assert client.get(act_url(petition, "close")).status_code == 403  # not offered: not replied yet
    response = client.post(act_url(petition, "close"), {"reason": "已办结"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    petition.refresh_from_db()
    assert petition.state == S.ASSIGNED


def test_urge_list_action_reports_counts(client, side):
    handling = [petition_in(side, S.ACCEPTED), petition_in(side, S.ASSIGNED)]
    waiting = submit(side)
    client.force_login(side.clerk)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "urge_selected", "_selected_action": [p.pk for p in [*handling, waiting]]},
        follow=True,
    )
    texts = [str(m) for m in response.context["messages"]]
    assert any("2" in text for text in texts) and any("1" in text for text in texts)
    for petition in handling:
        assert petition.events.filter(action=PetitionEvent.Action.URGED).exists()
    assert not waiting.events.filter(action=PetitionEvent.Action.URGED).exists()


def test_department_staff_have_no_urge_action(client, side):
    petition_in(side, S.ACCEPTED)
    client.force_login(side.staff_lead)
    response = client.get(reverse(CHANGELIST))
    assert "urge_selected" not in response.content.decode()


# --- the list --------------------------------------------------------------------------------------


def test_changelist_queries_are_bounded(client, side, django_assert_max_num_queries):
    for index in range(55):
        petition_in(side, S.ASSIGNED if index % 2 else S.SUBMITTED, co=bool(index % 3))
    client.force_login(side.clerk)
    with django_assert_max_num_queries(14):
        response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200 and len(response.context["cl"].result_list) == 50
    client.force_login(side.staff_lead)
    with django_assert_max_num_queries(14):
        assert client.get(reverse(CHANGELIST), {"state__exact": "assigned"}).status_code == 200


def test_reply_due_and_overdue_columns(english, side):
    petition = petition_in(side, S.ACCEPTED)
    clock = open_clock(petition)
    Clock.objects.filter(pk=clock.pk).update(state=Clock.State.OVERDUE)
    english.force_login(side.clerk)
    page = english.get(reverse(CHANGELIST)).content.decode()
    assert timezone.localtime(clock.due_at).strftime("%Y-%m-%d %H:%M") in page
    assert "Reply overdue (答复超期)" in page


def test_search_by_reference_and_by_chinese_words(client, side):
    lamp = submit(side)
    traffic = submit(side, title="学校门口交通拥堵", content="每天早上学校门口车辆拥堵,存在安全隐患。")
    client.force_login(side.clerk)
    assert listed(client, q=lamp.reference) == {lamp.reference}
    assert listed(client, q=traffic.reference.lower()) == {traffic.reference}
    assert listed(client, q="路灯") == {lamp.reference}
    assert listed(client, q="学校 拥堵") == {traffic.reference}
    assert listed(client, q="垃圾") == set()


def test_filters(client, side):
    accepted = petition_in(side, S.ACCEPTED)
    submitted = submit(side)
    elsewhere = submit(side)
    from petitions import services

    services.petition_assign(petition=elsewhere, actor=side.clerk, lead_department=side.other)
    old = submit(side)
    Petition.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=65))
    # Overdue is due_at < now (ClockQuerySet.overdue), not the recorded state alone.
    Clock.objects.filter(pk=open_clock(accepted).pk).update(
        state=Clock.State.OVERDUE, due_at=timezone.now() - timedelta(minutes=1)
    )
    Clock.objects.filter(pk=open_clock(submitted, policies.ACKNOWLEDGE).pk).update(
        due_at=timezone.now() + timedelta(hours=1)
    )
    client.force_login(side.clerk)
    assert listed(client, state__exact="accepted") == {accepted.reference}
    assert listed(client, overdue="yes") == {accepted.reference}
    assert accepted.reference not in listed(client, overdue="no")
    assert listed(client, due_soon="yes") == {submitted.reference}
    assert listed(client, lead_department=side.other.pk) == {elsewhere.reference}
    assert listed(client, kind__exact="complaint", channel__exact="online") >= {accepted.reference, old.reference}
    month = timezone.localtime(timezone.now() - timedelta(days=65)).strftime("%Y-%m")
    assert old.reference in listed(client, month=month)
    this_month = timezone.localtime().strftime("%Y-%m")
    assert old.reference not in listed(client, month=this_month)


def test_department_filter_offers_only_own_departments_to_staff(client, side):
    petition_in(side, S.ASSIGNED)
    client.force_login(side.staff_lead)
    response = client.get(reverse(CHANGELIST))
    choices = [
        spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", "") == "lead_department"
    ]
    assert [title for _pk, title in choices[0].lookup_choices] == [side.lead.name]


# --- reissuing the query code ----------------------------------------------------------------------


def test_reissued_code_replaces_the_old_one_and_leads_to_the_slip(client, side):
    petition = submit(side)
    client.force_login(side.clerk)
    url = reverse("admin:petitions_petition_reissue_code", args=[petition.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("petitions:slip")
    slip = client.get(reverse("petitions:slip"))
    code = slip.context["query_code"]
    assert selectors.petition_for_tracking(petition.reference, code) == petition
    client.force_login(side.staff_lead)
    assert client.get(url).status_code in (403, 302)


def test_public_replies_are_edited_on_the_change_page_and_masked(client, side):
    petition = petition_in(side, S.REPLIED)
    reply = petition.replies.get()
    client.force_login(side.staff_lead)
    page = client.get(change_url(petition))
    assert f"public_reply_{reply.pk}" in page.content.decode()
    response = client.post(
        change_url(petition), _public_form(petition, **{f"public_reply_{reply.pk}": "已联系张三 13912345678"})
    )
    assert response.status_code == 302
    reply.refresh_from_db()
    assert "13912345678" not in reply.public_body and "张三" not in reply.public_body
    assert reply.body == "路灯已于本周修复。"


def test_view_only_administrators_see_the_page_read_only(client, side):
    from portal import roles
    from tests.factories import UserFactory

    petition = petition_in(side, S.REPLIED)
    administrator = UserFactory(username="admin_role", role=roles.ADMINISTRATOR)
    client.force_login(administrator)
    response = client.get(change_url(petition))
    assert response.status_code == 200
    assert 'name="public_title"' not in response.content.decode()
    assert _buttons(response) == {step.action for step in workflow.available_actions(administrator, petition)}


def test_the_unfiltered_list_of_a_huge_table_takes_the_planner_estimate(client, side, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from petitions.admin import EstimatedCountPaginator

    for _ in range(3):
        submit(side)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE petitions_petition")
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_COUNT_BELOW", 1)  # as if the table were huge
    client.force_login(side.clerk)

    def counts(**params) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return [
            q["sql"] for q in queries.captured_queries if 'COUNT(*) AS "__count" FROM "petitions_petition"' in q["sql"]
        ]

    assert counts() == []  # pg_class.reltuples instead of COUNT(*) over the whole table
    client.cookies["django_language"] = "en"
    response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].paginator.estimated
    assert "About 3 tickets" in response.content.decode()


def test_a_filtered_list_counts_up_to_a_cap_and_says_so(client, side, monkeypatch):
    from petitions.admin import EstimatedCountPaginator, PetitionAdmin

    for _ in range(3):
        submit(side)
    client.force_login(side.clerk)
    client.cookies["django_language"] = "en"
    exact = client.get(reverse(CHANGELIST), {"state__exact": "submitted"})
    assert exact.context["cl"].result_count == 3 and not exact.context["cl"].paginator.approximate
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_CAP", 2)
    monkeypatch.setattr(PetitionAdmin, "list_per_page", 1)
    capped = client.get(reverse(CHANGELIST), {"state__exact": "submitted"})
    html = capped.content.decode()
    assert capped.context["cl"].result_count == 2 and capped.context["cl"].paginator.capped
    assert "More than 2 tickets" in html and "more than 2 results" in html
    # No "select all" across pages: an action must not reach more tickets than the page says.
    assert "Select all 2" not in html and "Click here to select the objects across all pages" not in html
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_CAP", 10)
    uncapped = client.get(reverse(CHANGELIST), {"state__exact": "submitted"})
    assert "Click here to select the objects across all pages" in uncapped.content.decode()


def test_replies_and_notes_are_read_only_scoped_and_found_by_reference(client, side):
    from petitions import services

    petition = petition_in(side, S.REPLIED)
    services.petition_note(petition=petition, actor=side.staff_lead, body="已回访")
    other = submit(side)
    services.petition_assign(petition=other, actor=side.clerk, lead_department=side.other)
    for model in ("reply", "handlingnote"):
        changelist = reverse(f"admin:petitions_{model}_changelist")
        client.force_login(side.staff_lead)
        response = client.get(changelist, {"q": petition.reference.lower()})
        assert [row.petition_id for row in response.context["cl"].result_list] == [petition.pk]
        assert client.get(reverse(f"admin:petitions_{model}_add")).status_code == 403
        client.force_login(side.staff_other)
        assert list(client.get(changelist).context["cl"].result_list) == []


def test_history_versions_cannot_be_reverted(client, side):
    """django-simple-history saves an old version on POST with only the view permission."""
    petition = petition_in(side, S.REPLIED)
    reply = petition.replies.get()
    client.force_login(side.staff_lead)
    for model, obj in (("petition", petition), ("reply", reply)):
        version = obj.history.earliest().history_id
        url = reverse(f"admin:petitions_{model}_simple_history", args=[obj.pk, version])
        assert client.get(url).status_code == 200
        assert client.post(url, {"public_title": "x", "body": "改写"}).status_code == 403
    petition.refresh_from_db()
    assert petition.state == S.REPLIED and petition.public_title != "x"


def test_categories_are_never_reverted_from_the_history_page(client, side):
    from petitions.models import Category
    from portal import roles
    from tests.factories import UserFactory

    Category.objects.filter(pk=side.category.pk).update(name="城乡建设管理")
    side.category.name = "城乡建设管理"
    side.category.save()
    first = side.category.history.earliest().history_id
    url = reverse("admin:petitions_category_simple_history", args=[side.category.pk, first])
    for user in (side.clerk, UserFactory(username="category_admin", role=roles.ADMINISTRATOR)):
        client.force_login(user)
        assert client.get(url).status_code == 200
        assert client.post(url, {"name": "x", "order": 0, "is_active": "on"}).status_code == 403
    side.category.refresh_from_db()
    assert side.category.name == "城乡建设管理"


# --- labels, dates, notes and who acted (the review of the ticket's admin page) ----------------------


def test_no_two_fields_of_a_model_share_a_label_in_either_language():
    from django.apps import apps
    from django.utils import translation

    for language in ("zh-hans", "en"):
        with translation.override(language):
            for model in apps.get_models():
                labels: dict[str, str] = {}
                for field in model._meta.get_fields():
                    if field.auto_created and not field.concrete:
                        continue  # a reverse relation: no label of its own
                    label = str(field.verbose_name)
                    assert label not in labels, (language, model._meta.label, labels[label], field.name, label)
                    labels[label] = field.name


def test_received_and_accepted_are_told_apart_on_the_change_page(client, side):
    petition = petition_in(side, S.ACCEPTED)
    client.force_login(side.clerk)
    page = client.get(change_url(petition), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    labels = re.findall(r"<label[^>]*>([^<]*)</label>", page)
    assert "收件时间:" in labels and "受理时间:" in labels


def test_the_public_reply_is_labelled_with_its_local_date(client, side):
    import time_machine

    from petitions import services
    from petitions.admin_forms import public_version_form
    from petitions.models import Reply

    with time_machine.travel(datetime(2026, 11, 29, 9, 0, tzinfo=UTC), tick=False):
        petition = petition_in(side, S.ACCEPTED)
    # 01:00 on 30 November in Beijing is 17:00 on 29 November in UTC.
    with time_machine.travel(datetime(2026, 11, 29, 17, 0, tzinfo=UTC), tick=False):
        services.petition_reply(petition=petition, actor=side.staff_lead, body="已处理。")
    reply = Reply.objects.get(petition=petition)
    form = public_version_form([reply])
    label = str(next(field.label for name, field in form.base_fields.items() if name.startswith("public_reply")))
    assert "2026-11-30" in label and "2026-11-29" not in label
    assert str(reply).endswith("2026-11-30")
    note = services.petition_note(petition=petition, actor=side.staff_lead, body="x")
    note.created_at = reply.created_at
    assert "2026-11-30 01:00" in str(note)
    client.force_login(side.clerk)
    page = client.get(change_url(petition), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026-11-30" in page and "2026-11-29 答复的公开版本" not in page


def test_the_notes_section_lists_the_internal_notes_the_timeline_shows(client, side):
    from petitions import services

    petition = submit(side)
    services.petition_assign(petition=petition, actor=side.clerk, lead_department=side.lead, note="请重点核实现场情况")
    services.petition_note(petition=petition, actor=side.staff_lead, body="已电话联系市民")
    events = selectors.timeline_for_staff(petition)
    internal = [event for event in events if event.action == PetitionEvent.Action.NOTE and not event.public]
    assert selectors.internal_notes(events) == internal
    assert [event.note for event in internal] == ["请重点核实现场情况", "已电话联系市民"]
    client.force_login(side.clerk)
    page = client.get(change_url(petition), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    notes = page[page.index('id="petition-notes"') : page.index('id="petition-timeline"')]
    assert "请重点核实现场情况" in notes and "已电话联系市民" in notes
    assert "No handling notes." not in notes
    timeline = page[page.index('id="petition-timeline"') :]
    assert "请重点核实现场情况" in timeline and "已电话联系市民" in timeline


def test_a_note_written_before_the_timeline_carried_its_text_is_copied_to_its_step(side):
    import importlib

    from django.apps import apps

    from petitions import services

    petition = petition_in(side, S.ACCEPTED)
    note = services.petition_note(petition=petition, actor=side.staff_lead, body="旧的办理记录")
    step = PetitionEvent.objects.get(petition=petition, action=PetitionEvent.Action.NOTE)
    PetitionEvent.objects.filter(pk=step.pk).update(note="")  # as the service wrote it before
    migration = importlib.import_module("petitions.migrations.0005_note_text_on_timeline")
    migration.copy_note_text(apps, None)
    step.refresh_from_db()
    assert step.note == note.body
    assert [event.note for event in selectors.internal_notes(selectors.timeline_for_staff(petition))] == [note.body]


def test_each_step_names_the_unit_its_actor_acted_for(client, side):
    petition = petition_in(side, S.ACCEPTED)
    events = {event.action: event for event in selectors.timeline_for_staff(petition)}
    from django.utils import translation

    with translation.override("zh-hans"):
        assigned = events[PetitionEvent.Action.ASSIGNED]
        assert assigned.actor == side.clerk and str(assigned.actor_unit) == "网络问政办公室"
    assert events[PetitionEvent.Action.ACCEPTED].actor_unit == side.lead.name
    client.force_login(side.clerk)
    page = client.get(change_url(petition), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    timeline = page[page.index('id="petition-timeline"') :]
    assert f"{side.clerk}（网络问政办公室）" in timeline
    assert f"{side.lead.name} {side.clerk}" not in timeline  # the clerk is not of the department
    assert f"{side.staff_lead}（{side.lead.name}）" in timeline


MOMENT = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_list_writes_every_moment_one_way(client, side, language):
    petition_in(side, S.ACCEPTED)
    client.force_login(side.clerk)
    page = client.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    cells = re.findall(r'<td class="field-(received_at|reply_due)[^"]*">(.*?)</td>', page)
    assert {name for name, _ in cells} == {"received_at", "reply_due"}
    for _name, text in cells:
        assert MOMENT.fullmatch(text.strip()), text
    assert not re.search(r"\d{4}年\d{1,2}月\d{1,2}日|a\.m\.|p\.m\.", page)
    assert 'style="' not in page[page.index('id="result_list"') :]  # widths come from static/css/admin.css


def test_the_overdue_marker_says_which_deadline(english, side):
    only_acknowledgement = petition_in(side, S.ASSIGNED)
    Clock.objects.filter(pk=open_clock(only_acknowledgement, policies.ACKNOWLEDGE).pk).update(state=Clock.State.OVERDUE)
    both = petition_in(side, S.ASSIGNED)
    Clock.objects.for_subject(both).open().update(state=Clock.State.OVERDUE)
    english.force_login(side.clerk)
    response = english.get(reverse(CHANGELIST))
    admin = response.context["cl"].model_admin
    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert str(admin.overdue_marker(rows[only_acknowledgement.pk])).count("petition-overdue") == 1
    assert "Acknowledgement overdue (受理超期)" in str(admin.overdue_marker(rows[only_acknowledgement.pk]))
    assert "Reply overdue" not in str(admin.overdue_marker(rows[only_acknowledgement.pk]))
    marker = str(admin.overdue_marker(rows[both.pk]))
    assert "Acknowledgement overdue (受理超期)" in marker and "Reply overdue (答复超期)" in marker
    chinese = english.get(reverse(CHANGELIST), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "受理超期" in chinese and "答复超期" in chinese and ">超期</strong>" not in chinese
