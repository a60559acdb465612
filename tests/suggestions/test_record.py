"""One suggestion received offline, recorded by the office in the admin: a letter from a
suggestion box (意见箱), a field visit (实地走访) or a hotline call (suggestions.admin.intake's
record page, suggestions.intake_forms, suggestions.services.intake.suggestion_record).

Each is pending on its moderation clock with who recorded it, when and where; only those who may
record get the page (403 before anything renders for other staff, the admin's login for the rest);
bad input is refused with everything typed kept and nothing saved; hostile input never errs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.exceptions import DomainError
from portal.models import Clock
from portal.uploads import MAX_FILE_BYTES
from suggestions import policies
from suggestions.admin import intake as intake_admin
from suggestions.models import Phase, Suggestion, SuggestionAttachment, SuggestionEvent
from tests.factories import DepartmentFactory, citizen, clerk, staff_of
from tests.suggestions.factories import CampaignFactory, CategoryFactory
from tests.suggestions.staffside import expert, reviewer

pytestmark = pytest.mark.django_db

RECORD = reverse("admin:suggestions_suggestion_record")
CHANGELIST = reverse("admin:suggestions_suggestion_changelist")
ADMIN_LOGIN = reverse("admin:login")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
C = Suggestion.Channel


@pytest.fixture(autouse=True)
def english(client, settings, tmp_path):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign():
    transport = CategoryFactory(name="交通出行录入", code="RJT", name_en="Transport (record)")
    livelihood = CategoryFactory(name="社会民生录入", code="RSM", name_en="Livelihoods (record)")
    return CampaignFactory(title="城市发展建言", categories=[transport, livelihood])


@pytest.fixture
def office(client):
    client.force_login(clerk())
    return client


def pdf(name: str = "来信扫描件.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def post_data(campaign, **changes) -> dict:
    data = {
        "campaign": campaign.pk,
        "channel": C.LETTER,
        "received_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "place": "市民中心一楼意见箱",
        "category": campaign.categories.order_by("pk").first().pk,
        "title": "建议在地铁站增设无障碍电梯",
        "problem": "人民路地铁站只有楼梯,老人和轮椅使用者进出困难。",
        "measures": "在人民路地铁站B出口加装一部无障碍电梯。",
        "area": "城东区",
        "contact_name": "周大爷",
        "contact_mobile": "13700002222",
        "contact_email": "",
        "publish_consent": "on",
    } | changes
    return {key: value for key, value in data.items() if value is not None}


def media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- recording -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel", "place"),
    [(C.LETTER, "市民中心一楼意见箱"), (C.FIELD_VISIT, "幸福社区服务站"), (C.HOTLINE, "")],
)
def test_a_clerk_records_each_offline_channel_with_a_file(client, campaign, channel, place):
    recorder = clerk()
    client.force_login(recorder)
    page = client.get(RECORD)
    assert page.status_code == 200 and 'name="title"' in page.content.decode()
    assert page.context["form"].initial["campaign"] == campaign.pk  # the only campaign offered is chosen
    received_on = timezone.localdate() - timedelta(days=3)
    data = post_data(campaign, channel=channel, place=place, received_on=received_on.isoformat())
    response = client.post(RECORD, data | {"attachments": [pdf()]}, follow=True)

    suggestion = Suggestion.objects.get()
    assert response.redirect_chain == [(reverse("admin:suggestions_suggestion_change", args=[suggestion.pk]), 302)]
    assert response.status_code == 200
    said = [str(message) for message in response.context["messages"]]
    assert any(suggestion.reference in message and "awaits review" in message for message in said), said
    assert suggestion.state == Suggestion.State.PENDING
    assert suggestion.channel == channel
    assert suggestion.recorded_by == recorder and suggestion.citizen is None
    assert suggestion.received_on == received_on and suggestion.place == place
    assert suggestion.contact_name == "周大爷" and suggestion.publish_consent and not suggestion.name_consent
    assert suggestion.public_title == "建议在地铁站增设无障碍电梯"
    clock = Clock.objects.for_subject(suggestion).open().get()
    assert clock.kind == policies.MODERATE
    received = suggestion.events.get(action=SuggestionEvent.Action.RECEIVED)
    assert received.actor == recorder
    attachment = SuggestionAttachment.objects.get(suggestion=suggestion)
    assert attachment.original_name == "来信扫描件.pdf" and attachment.content_type == "application/pdf"
    assert attachment.uploaded_by == recorder


def test_record_and_enter_another_keeps_the_pile(client, office, campaign):
    day = timezone.localdate() - timedelta(days=1)
    response = office.post(RECORD, post_data(campaign, received_on=day.isoformat(), _addanother="1"))
    assert response.status_code == 302 and response["Location"].startswith(RECORD + "?")
    page = office.get(response["Location"])
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["campaign"] == campaign.pk and form.initial["channel"] == C.LETTER
    assert form.initial["received_on"] == day and form.initial["place"] == "市民中心一楼意见箱"
    html = page.content.decode()
    assert Suggestion.objects.get().reference in html  # the success message
    assert 'value="市民中心一楼意见箱"' in html


def test_the_suggestion_list_links_to_the_page_for_those_who_record(client, campaign):
    client.force_login(clerk())
    assert f'href="{RECORD}"' in client.get(CHANGELIST).content.decode()
    client.force_login(reviewer())
    listing = client.get(CHANGELIST)
    assert listing.status_code == 200 and RECORD not in listing.content.decode()


def test_the_form_offers_recording_campaigns_and_their_categories(office, campaign):
    preparing = CampaignFactory(phase=Phase.PREPARATION, title="筹备中的活动")
    unpublished = CampaignFactory(is_published=False, title="未公开的活动")
    summing_up = CampaignFactory(phase=Phase.SUMMARY, title="总结中的活动")
    offered = set(office.get(RECORD).context["form"].fields["campaign"].queryset)
    assert offered == {campaign, summing_up}
    page = office.get(RECORD).content.decode()
    assert 'optgroup label="城市发展建言"' in page and 'optgroup label="总结中的活动"' in page
    # A campaign given in the address: its categories only, ungrouped.
    narrowed = office.get(RECORD, {"campaign": campaign.pk})
    assert set(narrowed.context["form"].fields["category"].queryset) == set(campaign.categories.all())
    assert "optgroup" not in narrowed.content.decode()
    for refused in (preparing, unpublished):
        data = post_data(refused, category=refused.categories.get().pk)
        response = office.post(RECORD, data)
        assert response.status_code == 200 and "campaign" in response.context["form"].errors
    assert not Suggestion.objects.exists()


# --- who may record --------------------------------------------------------------------------------


def test_other_staff_are_refused_before_anything_renders(client, campaign):
    department = DepartmentFactory()
    for user in (reviewer(), staff_of(department), expert(campaign)):
        client.force_login(user)
        for response in (client.get(RECORD), client.post(RECORD, post_data(campaign))):
            assert response.status_code == 403
            assert "form" not in (response.context or {})
            assert "admin/suggestions/suggestion/record.html" not in [t.name for t in response.templates]
    assert not Suggestion.objects.exists()


def test_citizens_and_visitors_are_sent_to_the_admin_login(client, campaign):
    for response in (client.get(RECORD), client.post(RECORD, post_data(campaign))):
        assert response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)
    client.force_login(citizen())
    for response in (client.get(RECORD), client.post(RECORD, post_data(campaign))):
        assert response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN)
    assert not Suggestion.objects.exists()


# --- bad input: refused, everything typed kept, nothing saved ----------------------------------------


def _future() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def _foreign_category(campaign) -> int:
    return CategoryFactory(name="别的活动的分类", code="RXX").pk


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        (lambda c: {"received_on": _future()}, "received_on", "cannot be in the future"),
        (
            lambda c: {"received_on": (c.preparation_on - timedelta(days=1)).isoformat()},
            "received_on",
            "before the campaign began",
        ),
        (lambda c: {"received_on": "2026-02-30"}, "received_on", "valid date"),
        (lambda c: {"category": _foreign_category(c)}, "category", "does not take suggestions in that category"),
        (lambda c: {"title": ""}, "title", "required"),
        (lambda c: {"channel": C.LETTER, "place": " "}, "place", "which suggestion box"),
        (lambda c: {"channel": C.FIELD_VISIT, "place": ""}, "place", "where the visit was made"),
        (lambda c: {"channel": C.ONLINE}, "channel", "valid choice"),
        (lambda c: {"channel": C.SYMPOSIUM}, "channel", "valid choice"),
        (lambda c: {"name_consent": "on", "publish_consent": None}, "name_consent", "only with a published"),
        (lambda c: {"contact_mobile": "12345"}, "contact_mobile", "11-digit"),
        (
            lambda c: {"attachments": [SimpleUploadedFile("大文件.pdf", PDF + b"0" * MAX_FILE_BYTES)]},
            "attachments",
            "each file may be at most",
        ),
        (
            lambda c: {"attachments": [SimpleUploadedFile("伪装.pdf", b"MZ\x90\x00 an executable")]},
            "attachments",
            "checked by its content",
        ),
    ],
)
def test_bad_input_is_refused_with_everything_typed_kept(office, campaign, settings, change, field, says):
    data = post_data(campaign, problem="问题描述：<b>原样保留</b>", **change(campaign))
    response = office.post(RECORD, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert says in " ".join(form.errors[field])
    html = response.content.decode()
    assert "Nothing was saved" in html
    for name in ("title", "area", "contact_name"):
        if data.get(name):
            assert f'value="{data[name]}"' in html, name
    assert "问题描述：&lt;b&gt;原样保留&lt;/b&gt;" in html  # kept, and escaped
    assert not Suggestion.objects.exists() and not SuggestionAttachment.objects.exists()
    assert media_files(settings) == []


def test_files_are_asked_for_again_when_the_form_is_returned(office, campaign):
    response = office.post(RECORD, post_data(campaign, title="") | {"attachments": [pdf()]})
    assert "choose your files again" in " ".join(response.context["form"].errors["attachments"])


def test_a_refusal_of_the_service_becomes_a_form_error(office, campaign, settings, monkeypatch):
    def refuse(**kwargs):
        raise DomainError("This campaign is closed to offline suggestions.")

    monkeypatch.setattr(intake_admin.intake, "suggestion_record", refuse)
    response = office.post(RECORD, post_data(campaign) | {"attachments": [pdf()]})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == ["This campaign is closed to offline suggestions."]
    assert "choose your files again" in " ".join(form.errors["attachments"])
    assert 'value="建议在地铁站增设无障碍电梯"' in response.content.decode()
    assert not Suggestion.objects.exists()


# --- hostile input ---------------------------------------------------------------------------------

HOSTILE = [
    "abc",
    "-1",
    "0",
    "99999999999999999999999",
    "1 OR 1=1",
    "<script>alert(1)</script>",
    "\x00",
    "%00",
    "９",
    "0001-01-01",
    "99999-12-31",
    "x" * 5000,
]


def test_hostile_parameters_never_cause_a_server_error(office, campaign):
    for value in HOSTILE:
        # A NUL in the address is refused by the portal's middleware (400) before any view.
        expected = 400 if "\x00" in value else 200
        for name in ("campaign", "channel", "received_on", "place", "category"):
            response = office.get(RECORD, {name: value})
            assert response.status_code == expected, (name, value)
        response = office.get(RECORD, {"campaign": [value, str(campaign.pk)], "received_on": value})
        assert response.status_code == expected
        data = dict.fromkeys(post_data(campaign), value)
        assert office.post(RECORD, data).status_code == 200, value
        for name in ("campaign", "category", "received_on", "channel", "title", "contact_email"):
            response = office.post(RECORD, post_data(campaign) | {name: value})
            assert response.status_code in (200, 302), (name, value)
    assert office.post(RECORD, {}).status_code == 200
    assert office.post(RECORD, {"campaign": [str(campaign.pk), "abc"], "attachments": "not a file"}).status_code == 200
    # Markup typed as a title is stored as typed and shown escaped.
    stored = Suggestion.objects.get(title="<script>alert(1)</script>")
    html = office.get(reverse("admin:suggestions_suggestion_change", args=[stored.pk])).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_in_chinese(client, campaign):
    client.force_login(clerk())
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    html = client.get(RECORD).content.decode()
    assert "录入线下建言" in html and "意见箱来信" in html and "所在区域" in html
    assert f'type="date" name="received_on" value="{timezone.localdate():%Y-%m-%d}"' in html  # ISO, as inputs read
    assert "Record a suggestion" not in html and "How it came in" not in html
