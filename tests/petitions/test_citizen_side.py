"""What a signed-in citizen sees of their tickets: in-app notices for each step that concerns them
(in the step's own transaction), a return explained without the department's reason, and every
due date with how it was computed on the receipt, the tracking page and "my tickets"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from petitions import policies, selectors, services
from petitions.models import Petition, PetitionEvent
from portal import notifications
from portal.models import Clock, Notice
from tests.petitions.staffside import build_staffside, petition_in, submit
from tests.petitions.test_views import form_data

pytestmark = pytest.mark.django_db

S = Petition.State
RETURN_REASON = "本单位职责外INTERNAL-REASON"


@pytest.fixture
def side():
    return build_staffside()


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def detail_url(petition) -> str:
    return reverse("petitions:track_detail", args=[petition.reference])


def citizen_notices(side) -> list[str]:
    with translation.override("en"):
        rendered = notifications.notices_rendered(notifications.notices_for_user(user=side.citizen))
    return [text for _notice, text, _url in rendered]


# --- notices -------------------------------------------------------------------------------------


def test_each_step_that_concerns_the_citizen_leaves_a_notice(side):
    petition = petition_in(side, S.ASSIGNED)
    assert Notice.objects.filter(recipient=side.citizen).count() == 0  # received, assigned: nothing yet
    services.petition_accept(petition=petition, actor=side.staff_lead)
    services.petition_extend(petition=petition, actor=side.clerk, days=3, reason="需要现场勘查")
    services.petition_reply(petition=petition, actor=side.staff_lead, body="已修复。")
    services.petition_close(petition=petition, actor=side.clerk, reason="已答复完毕")
    kinds = list(Notice.objects.filter(recipient=side.citizen).order_by("id").values_list("kind", flat=True))
    assert kinds == [
        "petition_citizen_accepted",
        "petition_citizen_extended",
        "petition_citizen_replied",
        "petition_citizen_closed",
    ]
    notice = Notice.objects.filter(recipient=side.citizen).first()
    assert notice.url == detail_url(petition) and notice.read_at is None
    texts = citizen_notices(side)
    assert all(petition.reference in text for text in texts)
    reply_clock = Clock.objects.for_subject(petition).get(kind=policies.REPLY)
    due = timezone.localtime(reply_clock.due_at)
    assert any("extended" in text and str(due.year) in text for text in texts)
    assert any("已答复完毕" in text for text in texts)  # the office's closing reason is public


def test_a_citizen_notice_sends_no_second_email(side):
    """The e-mails of acceptance and reply go to the ticket's contact address (_tell_citizen); the
    notice adds nothing to the outbox for the account's address."""
    from portal.models import OutboundEmail

    petition = petition_in(side, S.ASSIGNED, contact_email="contact@example.com")
    before = set(OutboundEmail.objects.values_list("to", flat=True))
    services.petition_accept(petition=petition, actor=side.staff_lead)
    added = set(OutboundEmail.objects.values_list("to", flat=True)) - before
    assert side.citizen.email not in added


def test_declined_and_unrated_closing_tell_the_citizen(side):
    declined = petition_in(side, S.ASSIGNED)
    services.petition_decline(petition=declined, actor=side.staff_lead, reason="不属于受理范围")
    unrated = petition_in(side, S.REPLIED)
    Petition.objects.filter(pk=unrated.pk).update(replied_at=timezone.now() - timedelta(days=8))
    assert services.petitions_close_unrated() == 1
    by_ticket = dict(Notice.objects.filter(recipient=side.citizen).values_list("url", "kind").order_by("id"))
    assert by_ticket[detail_url(declined)] == "petition_citizen_declined"
    assert by_ticket[detail_url(unrated)] == "petition_citizen_closed"


def test_a_ticket_without_an_account_gets_no_notice(side):
    petition = petition_in(side, S.ASSIGNED)
    Petition.objects.filter(pk=petition.pk).update(citizen=None)
    petition.refresh_from_db()
    notices = Notice.objects.count()
    services.petition_accept(petition=petition, actor=side.staff_lead)
    assert Notice.objects.count() == notices


def test_the_notice_is_written_in_the_steps_transaction(side):
    petition = petition_in(side, S.ASSIGNED)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.petition_accept(petition=petition, actor=side.staff_lead)
        assert Notice.objects.filter(recipient=side.citizen).exists()
        raise RuntimeError("the step fails after the service")
    assert not Notice.objects.filter(recipient=side.citizen).exists()


def test_the_citizen_reads_their_notices_in_their_language(client, side):
    petition = petition_in(side, S.ASSIGNED)
    services.petition_accept(petition=petition, actor=side.staff_lead)
    client.force_login(side.citizen)
    english = client.get(reverse("notice_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"has accepted (受理) your ticket {petition.reference}" in english
    assert f'href="{detail_url(petition)}"' in english
    chinese = client.get(reverse("notice_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "已受理您的问政" in chinese and "暂无通知" not in chinese


# --- a return, as the citizen sees it --------------------------------------------------------------


def test_a_return_is_explained_to_the_citizen_without_the_reason(english, side):
    petition = petition_in(side, S.ASSIGNED)
    services.petition_return(petition=petition, actor=side.staff_lead, reason=RETURN_REASON)
    english.force_login(side.citizen)
    html = english.get(detail_url(petition)).content.decode()
    assert "found the matter outside its responsibilities" in html
    assert "assigning it to the responsible department" in html
    assert "INTERNAL-REASON" not in html
    (notice,) = Notice.objects.filter(recipient=side.citizen, kind="petition_citizen_returned")
    assert "INTERNAL-REASON" not in str(notice.context)
    assert all("INTERNAL-REASON" not in text for text in citizen_notices(side))


def test_the_staff_timeline_keeps_the_reason_and_says_what_the_citizen_sees(side):
    petition = petition_in(side, S.ASSIGNED)
    services.petition_return(petition=petition, actor=side.staff_lead, reason=RETURN_REASON)
    staff_events = selectors.timeline(petition, public_only=False)
    (returned,) = [e for e in staff_events if e.action == PetitionEvent.Action.RETURNED]
    assert returned.note == RETURN_REASON and returned.shown_to_citizen
    public_events = selectors.timeline(petition, public_only=True)
    assert [e.action for e in public_events][-1] == PetitionEvent.Action.RETURNED
    assert all(e.shown_to_citizen for e in public_events)
    assert PetitionEvent.objects.get(pk=returned.pk).note == RETURN_REASON  # nothing saved


# --- due dates and how they were computed ----------------------------------------------------------


def test_tracking_explains_every_due_date(english, side):
    petition = petition_in(side, S.ACCEPTED)
    services.petition_extend(petition=petition, actor=side.clerk, days=2, reason="需要现场勘查")
    english.force_login(side.citizen)
    html = english.get(detail_url(petition)).content.decode()
    assert html.count('<li class="due-date">') == Clock.objects.for_subject(petition).count() == 2
    assert html.count("How this date was computed") == 2
    assert html.count('class="clock-explanation"') == 2
    assert "Rule" in html and "Source" in html and "working days counted" in html
    assert "Extended by 2 working days." in html


def test_the_receipt_uses_the_same_explanation(english, side):
    english.force_login(side.citizen)
    response = english.post(reverse("petitions:new"), form_data(category=side.category.pk))
    assert response.status_code == 302, response.context["form"].errors
    response = english.get(reverse("petitions:receipt"))
    html = response.content.decode()
    assert "includes/due_dates.html" in [t.name for t in response.templates]
    assert html.count('<li class="due-date">') == 2 and html.count('class="clock-explanation"') == 2


def test_my_tickets_explain_each_tickets_due_dates(english, side):
    petitions = [petition_in(side, state) for state in (S.SUBMITTED, S.ACCEPTED, S.REPLIED)]
    english.force_login(side.citizen)
    response = english.get(reverse("petitions:mine"))
    html = response.content.decode()
    assert html.count('<details class="mine-due-dates">') == 3
    clocks = Clock.objects.for_subjects(Petition, [p.pk for p in petitions]).count()
    assert html.count('class="clock-explanation"') == clocks
    assert "On time" in html  # the replied ticket's met deadlines


def test_my_tickets_label_the_receipt_date_as_received_not_accepted(client, side):
    """收件时间 is when the ticket arrived; 受理时间 is the department's acceptance, a later step."""
    petition_in(side, S.SUBMITTED)
    client.force_login(side.citizen)
    html = client.get(reverse("petitions:mine"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "收件时间" in html and "受理时间" not in html
    assert "办理时限：" in html and "办理时限:" not in html  # full-width colon inside Chinese text


def test_my_tickets_read_all_due_dates_in_one_query(english, side, django_assert_num_queries):
    for _ in range(2):
        submit(side)
    english.force_login(side.citizen)
    english.get(reverse("petitions:mine"))  # the calendar's years are cached after this
    with django_assert_num_queries(5) as few:  # user, unread notices, count, page, all the page's clocks
        english.get(reverse("petitions:mine"))
    for _ in range(5):
        submit(side)
    with django_assert_num_queries(len(few.captured_queries)):
        html = english.get(reverse("petitions:mine")).content.decode()
    assert html.count('<details class="mine-due-dates">') == 7


def test_tracking_reads_the_due_dates_in_one_query(english, side, django_assert_max_num_queries):
    petition = petition_in(side, S.REEXAMINING)  # three clocks and their explanations
    english.force_login(side.citizen)
    english.get(detail_url(petition))
    with django_assert_max_num_queries(12) as captured:
        english.get(detail_url(petition))
    clock_queries = [q for q in captured.captured_queries if '"portal_clock"' in q["sql"]]
    assert len(clock_queries) == 1
