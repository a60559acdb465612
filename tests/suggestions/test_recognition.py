"""The office's recognition of suggestions (suggestions.services.recognition): excellent
suggestions (优秀建言) selected with a citation and withdrawn with a reason, and the press briefing
(新闻发布会) held on a high-attention one; the admin's action pages (the office only, 403 before
anything is rendered for everyone else), the list filters, the public pages and the report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from portal.exceptions import DomainError, IllegalTransition, NotPermitted
from portal.models import Notice
from portal.notifications import notice_text
from suggestions.models import Campaign, Forwarding, ForwardingBatch, Phase, Suggestion, SuggestionEvent
from suggestions.services import follows, recognition, reports
from tests.factories import DepartmentFactory, UserFactory, citizen, clerk, staff_of
from tests.suggestions.factories import CampaignFactory, SuggestionFactory, phase_dates, submitted
from tests.suggestions.staffside import approved, expert, reviewer

pytestmark = pytest.mark.django_db

S = Suggestion.State
Action = SuggestionEvent.Action
CHANGELIST = "admin:suggestions_suggestion_changelist"
LINK = "https://news.example.gov.cn/briefings/2026-05"


@pytest.fixture(autouse=True)
def english(client, settings, tmp_path):
    """Refusals and pages read in English (the messages matched below); one test reads zh-hans."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


def change_url(suggestion) -> str:
    return reverse("admin:suggestions_suggestion_change", args=[suggestion.pk])


def act_url(suggestion, action) -> str:
    return reverse("admin:suggestions_suggestion_act", args=[suggestion.pk, action])


def detail_url(suggestion) -> str:
    return reverse("suggestions:detail", args=[suggestion.campaign.slug, suggestion.pk])


def fresh(suggestion) -> Suggestion:
    return Suggestion.objects.get(pk=suggestion.pk)


def high_attention(suggestion, *, days_ago: int = 3) -> Suggestion:
    """Flagged as by suggestions.services.follows, some days after it was received."""
    received = timezone.now() - timedelta(days=days_ago + 5)
    Suggestion.objects.filter(pk=suggestion.pk).update(
        received_at=received, high_attention_at=timezone.now() - timedelta(days=days_ago), follower_count=60
    )
    return fresh(suggestion)


@pytest.fixture
def office():
    return clerk()


@pytest.fixture
def author():
    return citizen()


@pytest.fixture
def published(author):
    """Submitted online by `author` (consenting to publish, not to be named) and approved."""
    return approved(citizen=author, title="建议在人民公园增设健身步道")


# --- excellent suggestions: the services ------------------------------------------------------------


def test_the_office_selects_a_published_suggestion_as_excellent(
    office, author, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recognition.suggestion_select_excellent(
            suggestion=published, actor=office, citation="  李四的建议切实可行,电话13912345678,可推广。 "
        )
    assert callbacks  # the shared public pages are stale after commit (portal.pagecache)
    suggestion = fresh(published)
    assert suggestion.excellent_at is not None
    # A public text: the author's name and phone number masked, like every published one.
    assert "13912345678" not in suggestion.excellent_citation and "李四" not in suggestion.excellent_citation
    assert suggestion.excellent_citation.startswith("李某的建议切实可行")
    event = suggestion.events.get(action=Action.EXCELLENT)
    assert (event.public, event.actor, event.note) == (True, office, suggestion.excellent_citation)
    record = suggestion.history.first()
    assert (record.history_user, record.history_change_reason) == (office, "selected as excellent")
    notice = Notice.objects.get(kind=recognition.EXCELLENT_NOTICE)
    assert notice.recipient == author
    assert notice.url == reverse("suggestions:mine_detail", args=[suggestion.reference])
    with translation.override("en"):
        assert notice_text(notice) == (
            f"Your suggestion {suggestion.number} {suggestion.title} was selected as an excellent suggestion "
            f"(优秀建言) of the campaign {suggestion.campaign.title}."
        )


def test_the_citation_is_required(office, published):
    for citation in ("", "   ", "\n"):
        with pytest.raises(DomainError, match="citation"):
            recognition.suggestion_select_excellent(suggestion=published, actor=office, citation=citation)
    with pytest.raises(DomainError, match="1000"):
        recognition.suggestion_select_excellent(suggestion=published, actor=office, citation="好" * 1001)
    suggestion = fresh(published)
    assert suggestion.excellent_at is None and not suggestion.events.filter(action=Action.EXCELLENT).exists()


def test_only_accepted_published_suggestions_are_selected(office):
    unpublished = approved(publish_consent=False)
    with pytest.raises(DomainError, match="Only a published suggestion can be selected as excellent"):
        recognition.suggestion_select_excellent(suggestion=unpublished, actor=office, citation="思路清晰。")
    pending = submitted()
    with pytest.raises(IllegalTransition, match="Awaiting review"):
        recognition.suggestion_select_excellent(suggestion=pending, actor=office, citation="思路清晰。")
    for state in (S.REJECTED, S.WITHDRAWN):
        with pytest.raises(IllegalTransition):
            recognition.suggestion_select_excellent(
                suggestion=SuggestionFactory(state=state), actor=office, citation="思路清晰。"
            )
    assert not Suggestion.objects.filter(excellent_at__isnull=False).exists()
    assert not SuggestionEvent.objects.filter(action=Action.EXCELLENT).exists()


def test_a_selected_suggestion_is_not_selected_twice(office, published):
    recognition.suggestion_select_excellent(suggestion=published, actor=office, citation="第一次。")
    with pytest.raises(DomainError, match="already selected"):
        recognition.suggestion_select_excellent(suggestion=published, actor=office, citation="第二次。")
    assert fresh(published).excellent_citation == "第一次。"


def test_only_the_office_selects_and_withdraws(published):
    department = DepartmentFactory()
    others = [
        reviewer(),
        expert(published.campaign),
        staff_of(department),
        citizen(),
        UserFactory(role="Administrator"),
    ]
    for user in others:
        with pytest.raises(NotPermitted):
            recognition.suggestion_select_excellent(suggestion=published, actor=user, citation="好。")
    recognition.suggestion_select_excellent(suggestion=published, actor=clerk(), citation="好。")
    for user in others:
        with pytest.raises(NotPermitted):
            recognition.suggestion_unselect_excellent(suggestion=published, actor=user, reason="误选。")
        with pytest.raises(NotPermitted):
            recognition.suggestion_record_briefing(
                suggestion=high_attention(published), actor=user, held_on=timezone.localdate(), link=LINK
            )
    assert fresh(published).excellent_at is not None and fresh(published).briefing_held_on is None


def test_withdrawing_a_selection_needs_a_reason_and_is_logged(office, published, django_capture_on_commit_callbacks):
    recognition.suggestion_select_excellent(suggestion=published, actor=office, citation="思路清晰。")
    with pytest.raises(DomainError, match="why"):
        recognition.suggestion_unselect_excellent(suggestion=published, actor=office, reason=" ")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recognition.suggestion_unselect_excellent(suggestion=published, actor=office, reason="与另一条优秀建言重复。")
    assert callbacks
    suggestion = fresh(published)
    assert suggestion.excellent_at is None and suggestion.excellent_citation == ""
    record = suggestion.history.first()
    assert record.history_user == office
    assert record.history_change_reason == "excellent selection withdrawn: 与另一条优秀建言重复。"
    notes = list(suggestion.events.filter(action=Action.NOTE).order_by("id").values_list("public", "note"))
    # The reason for the staff; the author reads only that the selection was withdrawn.
    assert notes[0][0] is False and "与另一条优秀建言重复。" in notes[0][1]
    assert notes[1][0] is True and "与另一条" not in notes[1][1]
    with pytest.raises(DomainError, match="not selected"):
        recognition.suggestion_unselect_excellent(suggestion=published, actor=office, reason="再次。")
    # Selected again afterwards, with a new citation.
    recognition.suggestion_select_excellent(suggestion=published, actor=office, citation="补充论证后再次入选。")
    assert fresh(published).excellent_citation == "补充论证后再次入选。"


# --- press briefings: the service ----------------------------------------------------------------------


def test_the_office_records_a_press_briefing_on_a_high_attention_suggestion(
    office, published, django_capture_on_commit_callbacks
):
    suggestion = high_attention(published)
    held_on = timezone.localdate() - timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        recognition.suggestion_record_briefing(suggestion=suggestion, actor=office, held_on=held_on, link=f" {LINK} ")
    assert callbacks
    suggestion = fresh(suggestion)
    assert (suggestion.briefing_held_on, suggestion.briefing_link) == (held_on, LINK)
    event = suggestion.events.get(action=Action.BRIEFING)
    assert event.public and event.actor == office and LINK in event.note
    assert suggestion.history.first().history_change_reason == "press briefing recorded"
    # Recorded again: corrected, with the earlier date and link in the history.
    today = timezone.localdate()
    recognition.suggestion_record_briefing(
        suggestion=suggestion, actor=office, held_on=today, link="http://x.example/b"
    )
    suggestion = fresh(suggestion)
    assert (suggestion.briefing_held_on, suggestion.briefing_link) == (today, "http://x.example/b")
    assert suggestion.history.first().history_change_reason == "press briefing corrected"
    assert suggestion.history.all()[1].briefing_link == LINK


def test_a_briefing_is_for_high_attention_suggestions_only(office, published):
    with pytest.raises(DomainError, match="high-attention"):
        recognition.suggestion_record_briefing(
            suggestion=published, actor=office, held_on=timezone.localdate(), link=LINK
        )
    assert fresh(published).briefing_held_on is None


def test_a_briefing_reached_through_follows(office):
    suggestion = SuggestionFactory(state=S.APPROVED, published=True, campaign=CampaignFactory(attention_threshold=1))
    follows.suggestion_follow(suggestion=suggestion, user=citizen())
    recognition.suggestion_record_briefing(suggestion=suggestion, actor=office, held_on=timezone.localdate(), link=LINK)
    assert fresh(suggestion).briefing_link == LINK


@pytest.mark.parametrize(
    ("days", "message"),
    [(1, "future"), (30, "future"), (-60, "before the suggestion was received")],
)
def test_a_briefing_date_in_the_future_or_before_receipt_is_refused(office, published, days, message):
    suggestion = high_attention(published)
    with pytest.raises(DomainError, match=message):
        recognition.suggestion_record_briefing(
            suggestion=suggestion, actor=office, held_on=timezone.localdate() + timedelta(days=days), link=LINK
        )
    assert fresh(suggestion).briefing_held_on is None
    assert not suggestion.events.filter(action=Action.BRIEFING).exists()


@pytest.mark.parametrize(
    "link",
    [
        "",
        "   ",
        "news.example.gov.cn/briefing",
        "javascript:alert(1)",
        "ftp://files.example.gov.cn/briefing.mp4",
        "https://",
        "http://例子 .com/空格",
        "https://example.com/" + "a" * 500,
    ],
)
def test_a_briefing_link_is_an_http_address(office, published, link):
    suggestion = high_attention(published)
    with pytest.raises(DomainError, match="link"):
        recognition.suggestion_record_briefing(
            suggestion=suggestion, actor=office, held_on=timezone.localdate(), link=link
        )
    assert fresh(suggestion).briefing_link == ""


# --- the admin: buttons, action pages, filters -------------------------------------------------------------


def signed_in(client, user):
    client.force_login(user)
    return client


def forwarded_to(suggestion, department) -> Forwarding:
    batch = ForwardingBatch.objects.create(
        campaign=suggestion.campaign,
        report="suggestions/analysis/report.pdf",
        report_name="分析报告.pdf",
        report_content_type="application/pdf",
        created_by=clerk(),
    )
    Suggestion.objects.filter(pk=suggestion.pk).update(state=S.FORWARDED, forwarded_at=timezone.now())
    return Forwarding.objects.create(suggestion=suggestion, department=department, batch=batch, is_lead=True)


ACTIONS = ("excellent", "unselect_excellent", "briefing")
ANY_INPUT = {"citation": "好。", "reason": "误选。", "held_on": "2026-01-01", "link": LINK}


@pytest.mark.parametrize("action", ACTIONS)
def test_action_pages_refuse_everyone_but_the_office_before_rendering(client, published, action):
    department = DepartmentFactory()
    forwarded_to(published, department)
    suggestion = high_attention(published)
    Suggestion.objects.filter(pk=suggestion.pk).update(excellent_at=timezone.now(), excellent_citation="入选理由")
    history = suggestion.history.count()
    # Each sees the suggestion's change page (their scope) but may not take the office's actions.
    for user in (staff_of(department), reviewer(), expert(suggestion.campaign)):
        signed_in(client, user)
        assert client.get(change_url(suggestion)).status_code == 200
        assert act_url(suggestion, action) not in client.get(change_url(suggestion)).content.decode()
        for method in ("get", "post"):
            response = getattr(client, method)(act_url(suggestion, action), ANY_INPUT if method == "post" else {})
            assert response.status_code == 403, (user, method)
            assert suggestion.title not in response.content.decode()
    client.force_login(citizen())
    assert client.get(act_url(suggestion, action)).status_code == 302  # the admin's sign-in
    after = fresh(suggestion)
    assert (after.excellent_citation, after.briefing_held_on, after.history.count()) == ("入选理由", None, history)


def test_the_office_sees_the_buttons_the_suggestion_allows_now(client, office, published):
    signed_in(client, office)
    page = client.get(change_url(published)).content.decode()
    assert act_url(published, "excellent") in page
    assert act_url(published, "unselect_excellent") not in page and act_url(published, "briefing") not in page
    recognition.suggestion_select_excellent(suggestion=published, actor=office, citation="思路清晰。")
    high_attention(published)
    page = client.get(change_url(published)).content.decode()
    assert act_url(published, "excellent") not in page
    assert act_url(published, "unselect_excellent") in page and act_url(published, "briefing") in page
    # An unpublished suggestion is offered nothing to showcase, and its page is not opened.
    unpublished = approved(publish_consent=False)
    assert act_url(unpublished, "excellent") not in client.get(change_url(unpublished)).content.decode()
    assert client.get(act_url(unpublished, "excellent")).status_code == 403


def test_the_office_selects_and_withdraws_through_the_pages(client, office, published):
    signed_in(client, office)
    form = client.get(act_url(published, "excellent"))
    assert form.status_code == 200
    assert "Select as excellent (优秀建言)" in form.content.decode()
    empty = client.post(act_url(published, "excellent"), {"citation": "  "})
    assert empty.status_code == 200 and "citation" in empty.context["form"].errors
    done = client.post(act_url(published, "excellent"), {"citation": "切实可行,可推广。"})
    assert done.status_code == 302 and done["Location"] == change_url(published)
    assert fresh(published).excellent_citation == "切实可行,可推广。"
    # Posted twice (two clerks, two tabs): the second is refused on the form, not with a 500.
    twice = client.post(act_url(published, "excellent"), {"citation": "再选一次。"})
    assert twice.status_code == 200 and "already selected" in twice.content.decode()
    page = client.get(act_url(published, "unselect_excellent")).content.decode()
    assert "切实可行,可推广。" in page  # the citation being withdrawn, in the summary
    withdrawn = client.post(act_url(published, "unselect_excellent"), {"reason": "重复入选。"})
    assert withdrawn.status_code == 302
    assert fresh(published).excellent_at is None


def test_an_unpublished_suggestion_posted_is_refused_on_the_form(client, office):
    unpublished = approved(publish_consent=False)
    signed_in(client, office)
    response = client.post(act_url(unpublished, "excellent"), {"citation": "思路清晰。"})
    assert response.status_code == 200
    assert "Only a published suggestion can be selected as excellent" in response.content.decode()
    assert fresh(unpublished).excellent_at is None


def test_the_briefing_page_refuses_bad_dates_and_links_on_the_form(client, office, published):
    suggestion = high_attention(published)
    signed_in(client, office)
    assert client.get(act_url(suggestion, "briefing")).status_code == 200
    url = act_url(suggestion, "briefing")
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    today = timezone.localdate().isoformat()
    cases = [
        ({"held_on": tomorrow, "link": LINK}, "cannot be in the future"),
        ({"held_on": "2026-02-30", "link": LINK}, "Enter a valid date"),
        ({"held_on": "", "link": LINK}, "This field is required"),
        ({"held_on": today, "link": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"held_on": today, "link": "ftp://files.example.gov.cn/x.mp4"}, "The link must be a web address"),
        ({"held_on": today, "link": "\x00\x01"}, ""),
        ({"held_on": "9" * 200, "link": "x" * 5000}, ""),
    ]
    for data, message in cases:
        response = client.post(url, data)
        assert response.status_code == 200, data
        assert response.context["form"].errors or "errornote" in response.content.decode(), data
        assert message in response.content.decode(), data
    assert fresh(suggestion).briefing_held_on is None
    done = client.post(url, {"held_on": today, "link": LINK})
    assert done.status_code == 302
    assert fresh(suggestion).briefing_link == LINK


def test_the_list_filters_excellent_and_high_attention(client, office):
    campaign = CampaignFactory(phase=Phase.FEEDBACK)
    plain = SuggestionFactory(campaign=campaign, state=S.APPROVED, published=True)
    excellent = SuggestionFactory(
        campaign=campaign, state=S.APPROVED, published=True, excellent_at=timezone.now(), excellent_citation="好"
    )
    attention = SuggestionFactory(campaign=campaign, state=S.APPROVED, published=True, high_attention_at=timezone.now())
    briefed = SuggestionFactory(
        campaign=campaign,
        state=S.APPROVED,
        published=True,
        high_attention_at=timezone.now(),
        briefing_held_on=timezone.localdate(),
        briefing_link=LINK,
    )
    signed_in(client, office)

    def listed(**params) -> set[int]:
        response = client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {suggestion.pk for suggestion in response.context["cl"].result_list}

    assert listed(excellent="yes") == {excellent.pk}
    assert listed(excellent="no") == {plain.pk, attention.pk, briefed.pk}
    assert listed(attention="high") == {attention.pk, briefed.pk}
    assert listed(attention="no_briefing") == {attention.pk}
    assert listed(attention="briefing") == {briefed.pk}
    assert listed(excellent="maybe") == {plain.pk, excellent.pk, attention.pk, briefed.pk}
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "By excellent suggestions" in page and "By high attention" in page


# --- the public pages -----------------------------------------------------------------------------


def test_the_public_page_shows_the_badge_the_citation_and_the_briefing(client, office, published):
    suggestion = high_attention(published)
    recognition.suggestion_select_excellent(suggestion=suggestion, actor=office, citation="思路清晰,可操作性强。")
    held_on = timezone.localdate() - timedelta(days=2)
    recognition.suggestion_record_briefing(suggestion=suggestion, actor=office, held_on=held_on, link=LINK)
    html = client.get(detail_url(suggestion)).content.decode()
    assert "Excellent suggestion" in html and "excellent-badge" in html
    assert "Why it was selected (推荐理由)" in html and "思路清晰,可操作性强。" in html
    assert f"press briefing held on {held_on:%Y-%m-%d}" in html
    assert f'<a href="{LINK}" rel="external noopener noreferrer">' in html
    assert "13912345678" not in html and "李四" not in html  # the author did not consent to be named


def test_the_public_page_masks_a_citation_stored_unmasked(client, published):
    """A citation written before masking (or loaded in bulk) is masked as the page renders."""
    Suggestion.objects.filter(pk=published.pk).update(
        excellent_at=timezone.now(), excellent_citation="李四(13912345678)的建议切实可行。"
    )
    for url in (detail_url(published), reverse("suggestions:campaign", args=[published.campaign.slug])):
        html = client.get(url).content.decode()
        assert "的建议切实可行" in html
        assert "13912345678" not in html and "李四" not in html, url


def test_the_campaign_showcase_names_only_consenting_authors(client, office, django_capture_on_commit_callbacks):
    campaign = CampaignFactory()
    named = approved(campaign, title="建议开通社区微循环公交", contact_name="王小明", name_consent=True)
    anonymous = approved(campaign, title="建议增设口袋公园", contact_name="李大海", name_consent=False)
    ordinary = approved(campaign, title="建议延长图书馆开放时间")
    for suggestion, citation in ((named, "方便老年人出行。"), (anonymous, "利用边角地块。")):
        recognition.suggestion_select_excellent(suggestion=suggestion, actor=office, citation=citation)
    html = client.get(reverse("suggestions:campaign", args=[campaign.slug])).content.decode()
    showcase = html[html.index('id="excellent-title"') : html.index('id="published-title"')]
    assert named.public_title in showcase and anonymous.public_title in showcase
    assert ordinary.public_title not in showcase
    assert "方便老年人出行。" in showcase and "利用边角地块。" in showcase
    assert "by 王小明" in showcase
    assert "李大海" not in html
    # Withdrawn: off the showcase at once (the services make the shared page stale).
    with django_capture_on_commit_callbacks(execute=True):
        recognition.suggestion_unselect_excellent(suggestion=anonymous, actor=office, reason="重复。")
    html = client.get(reverse("suggestions:campaign", args=[campaign.slug])).content.decode()
    showcase = html[html.index('id="excellent-title"') : html.index('id="published-title"')]
    assert anonymous.public_title not in showcase and "利用边角地块。" not in showcase


def test_the_author_reads_the_selection_on_their_own_page(client, office, author, published):
    recognition.suggestion_select_excellent(suggestion=published, actor=office, citation="思路清晰。")
    client.force_login(author)
    html = client.get(reverse("suggestions:mine_detail", args=[published.reference])).content.decode()
    assert "Selected as excellent" in html and "思路清晰。" in html


def test_the_pages_render_in_chinese(client, office, published):
    suggestion = high_attention(published)
    recognition.suggestion_select_excellent(suggestion=suggestion, actor=office, citation="思路清晰。")
    recognition.suggestion_record_briefing(suggestion=suggestion, actor=office, held_on=timezone.localdate(), link=LINK)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get(detail_url(suggestion)).content.decode()
    assert "新闻发布会" in html and "Read about the briefing" not in html
    signed_in(client, office)
    for action in ("unselect_excellent", "briefing"):
        page = client.get(act_url(suggestion, action))
        assert page.status_code == 200
        assert "Withdraw the excellent selection" not in page.content.decode()
        assert "Held on" not in page.content.decode()


# --- the summary report ---------------------------------------------------------------------------


def test_the_report_counts_the_excellent_suggestions(office):
    campaign = CampaignFactory()
    chosen = approved(campaign, title="建议开通社区微循环公交", contact_name="王小明", name_consent=True)
    withdrawn = approved(campaign, title="建议增设口袋公园")
    approved(campaign, title="建议延长图书馆开放时间")
    Campaign.objects.filter(pk=campaign.pk).update(**phase_dates(Phase.SUMMARY))  # collected, now summed up
    campaign.refresh_from_db()
    recognition.suggestion_select_excellent(suggestion=chosen, actor=office, citation="王小明的建议方便老年人出行。")
    recognition.suggestion_select_excellent(suggestion=withdrawn, actor=office, citation="利用边角地块。")
    recognition.suggestion_unselect_excellent(suggestion=withdrawn, actor=office, reason="重复。")
    figures = reports.campaign_report_figures(campaign, timezone.now())
    assert [row["suggestion_id"] for row in figures["excellent"]] == [chosen.pk]
    assert figures["excellent"][0]["author"] == "王小明"  # consented; the staff version names them
    assert "王小明" not in figures["excellent"][0]["citation"]
    overview = reports.report_tables(figures, public=True, published_ids={chosen.pk})[0]
    assert [row[1:] for row in overview.rows if "优秀建言" in str(row[0])] == [[1, None]]
