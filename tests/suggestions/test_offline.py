"""Offline channels in bulk: a symposium (座谈会) with its suggestions in one transaction, and the
import of social-media comments (CSV or XLSX: preview, refusal with row-level errors and nothing
saved, confirmation once), through the services and the admin pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from portal.exceptions import DomainError, NotPermitted
from portal.models import Clock
from portal.uploads import DOCUMENT_TYPES, check_upload
from suggestions.models import Category, SocialImport, Suggestion, SuggestionEvent, Symposium
from suggestions.services import offline
from tests.factories import DepartmentFactory, citizen, clerk, staff_of
from tests.suggestions.factories import CampaignFactory, CategoryFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SYMPOSIUM = Suggestion.Channel.SYMPOSIUM
SOCIAL = Suggestion.Channel.SOCIAL_MEDIA


@pytest.fixture(autouse=True)
def english(client, settings, tmp_path):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def campaign():
    transport = CategoryFactory(name="交通出行测试", code="TJT", name_en="Transport test")
    livelihood = CategoryFactory(name="社会民生测试", code="TSM")
    return CampaignFactory(categories=[transport, livelihood])


def raised(campaign, **fields) -> offline.RaisedSuggestion:
    values = {
        "category": campaign.categories.order_by("pk").first(),
        "title": "建议增设公交站",
        "problem": "小区门口没有公交站。",
        "measures": "在小区门口增设一个公交站。",
        "contact_name": "钱七",
        "contact_mobile": "13600001111",
    } | fields
    return offline.RaisedSuggestion(**values)


# --- symposiums ------------------------------------------------------------------------------------


def test_symposium_records_the_meeting_and_its_suggestions_together(campaign, tmp_path):
    staff = clerk()
    housing = DepartmentFactory(name="住建局测试")
    minutes = check_upload(SimpleUploadedFile("座谈会纪要.pdf", PDF), allowed=DOCUMENT_TYPES)
    held = timezone.localdate() - timedelta(days=2)
    symposium = offline.symposium_record(
        actor=staff,
        campaign=campaign,
        held_on=held,
        place="市民中心三楼会议室",
        participants=25,
        departments=[housing],
        minutes=minutes,
        suggestions=[raised(campaign), raised(campaign, title="建议延长图书馆开放时间", publish_consent=True)],
    )
    assert list(symposium.departments.all()) == [housing]
    assert symposium.minutes.name.endswith(".pdf") and "座谈会" not in symposium.minutes.name
    assert symposium.minutes_content_type == "application/pdf"
    suggestions = list(symposium.suggestions.order_by("pk"))
    assert [s.channel for s in suggestions] == [SYMPOSIUM, SYMPOSIUM]
    assert all(s.state == Suggestion.State.PENDING for s in suggestions)
    assert all(
        s.received_on == held and s.place == "市民中心三楼会议室" and s.recorded_by == staff for s in suggestions
    )
    # Each on its 24-hour moderation clock with its timeline, like an online one.
    assert Clock.objects.filter(kind="moderate", object_id__in=[s.pk for s in suggestions]).count() == 2
    assert SuggestionEvent.objects.filter(suggestion__in=suggestions, action="received").count() == 2
    assert symposium.history.latest().history_user == staff  # its history, departments included


def test_one_bad_suggestion_and_nothing_is_saved(campaign, settings):
    minutes = check_upload(SimpleUploadedFile("纪要.pdf", PDF), allowed=DOCUMENT_TYPES)
    foreign = CategoryFactory(name="别的分类", code="TXX")  # not a category of this campaign
    with pytest.raises(offline.SuggestionRowError) as refused:
        offline.symposium_record(
            actor=clerk(),
            campaign=campaign,
            held_on=timezone.localdate(),
            place="会议室",
            participants=10,
            minutes=minutes,
            suggestions=[raised(campaign), raised(campaign), raised(campaign, category=foreign)],
        )
    assert refused.value.row == 2
    assert not Symposium.objects.exists() and not Suggestion.objects.exists() and not Clock.objects.exists()
    minutes_dir = settings.MEDIA_ROOT / "suggestions" / "minutes"
    assert not minutes_dir.exists() or not any(path.is_file() for path in minutes_dir.rglob("*"))  # no orphan file


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"held_on": timezone.localdate() + timedelta(days=1)}, DomainError),
        ({"place": "  "}, DomainError),
        ({"participants": 0}, DomainError),
        ({"suggestions": []}, DomainError),
    ],
)
def test_symposium_refusals(campaign, change, error):
    values = {
        "actor": clerk(),
        "campaign": campaign,
        "held_on": timezone.localdate(),
        "place": "会议室",
        "participants": 10,
        "suggestions": [raised(campaign)],
    } | change
    with pytest.raises(error):
        offline.symposium_record(**values)
    assert not Symposium.objects.exists()


def test_only_recorders_record_symposiums(campaign):
    for actor in (citizen(), staff_of(DepartmentFactory())):
        with pytest.raises(NotPermitted):
            offline.symposium_record(
                actor=actor,
                campaign=campaign,
                held_on=timezone.localdate(),
                place="会议室",
                participants=3,
                suggestions=[raised(campaign)],
            )


def symposium_post(campaign, rows, **fields):
    data = {
        "campaign": campaign.pk,
        "held_on": timezone.localdate().isoformat(),
        "place": "社区活动中心",
        "participants": "12",
        "raised-TOTAL_FORMS": str(len(rows)),
        "raised-INITIAL_FORMS": "0",
        "raised-MIN_NUM_FORMS": "1",
        "raised-MAX_NUM_FORMS": "100",
    } | fields
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"raised-{index}-{key}"] = value
    return data


def test_symposium_admin_form_saves_all_or_nothing(client, campaign):
    staff = clerk()
    client.force_login(staff)
    url = reverse("admin:suggestions_symposium_add")
    page = client.get(url)
    assert page.status_code == 200 and "raised-0-title" in page.content.decode()
    category = campaign.categories.order_by("pk").first()
    good = {"category": category.pk, "title": "建议一", "problem": "问题一", "measures": "措施一"}
    foreign = CategoryFactory(name="外部分类", code="TWB")
    bad = good | {"title": "建议二", "category": foreign.pk}
    response = client.post(url, symposium_post(campaign, [good, bad, {}]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was saved" in html and "does not take suggestions in that category" in html
    assert 'value="建议一"' in html  # nothing typed is lost
    assert not Symposium.objects.exists() and not Suggestion.objects.exists()
    response = client.post(url, symposium_post(campaign, [good, good | {"title": "建议二"}, {}]))
    symposium = Symposium.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{symposium.pk}/change/")
    assert symposium.suggestions.count() == 2
    assert client.get(response["Location"]).status_code == 200
    client.force_login(staff_of(DepartmentFactory()))
    assert client.get(url).status_code == 403


def test_minutes_are_checked_by_content_and_served_to_staff_only(client, campaign):
    staff = clerk()
    client.force_login(staff)
    url = reverse("admin:suggestions_symposium_add")
    row = {"category": campaign.categories.first().pk, "title": "建议", "problem": "问题", "measures": "措施"}
    fake = SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00 not a pdf at all")
    response = client.post(url, symposium_post(campaign, [row], minutes=fake))
    assert response.status_code == 200 and "checked by its content" in response.content.decode()
    assert not Symposium.objects.exists()
    response = client.post(url, symposium_post(campaign, [row], minutes=SimpleUploadedFile("纪要.pdf", PDF)))
    symposium = Symposium.objects.get()
    minutes_url = reverse("admin:suggestions_symposium_minutes", args=[symposium.pk])
    download = client.get(minutes_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.force_login(citizen())
    assert client.get(minutes_url).status_code == 302  # the admin's login


# --- social-media imports --------------------------------------------------------------------------

HEADER = ["平台", "链接", "昵称", "内容", "日期", "分类"]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig") -> bytes:
    handle = io.StringIO()
    writer = csv.writer(handle)
    writer.writerow(header)
    writer.writerows(rows)
    return handle.getvalue().encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def comment(n: int, **fields) -> list:
    values = {
        "platform": "微博",
        "link": f"https://weibo.com/123/{n}",
        "author": f"网友{n}",
        "text": f"建议地铁末班车延后到23点,第{n}条。",
        "date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "category": "TJT",
    } | fields
    return [values[key] for key in ("platform", "link", "author", "text", "date", "category")]


def test_a_good_csv_is_previewed_and_nothing_else_is_saved(campaign):
    preview = offline.social_import_preview(
        actor=clerk(),
        campaign=campaign,
        file_name="../../weibo.csv",
        content=csv_bytes([comment(1), comment(2, category="")]),
        default_category=Category.objects.get(code="TSM"),
    )
    assert preview.state == SocialImport.State.PREVIEW and preview.file_name == "weibo.csv"
    assert [row["row"] for row in preview.rows] == [2, 3]
    assert [row["category_id"] for row in preview.rows] == [
        Category.objects.get(code="TJT").pk,
        Category.objects.get(code="TSM").pk,
    ]
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_encodings_of_chinese_excel_are_read(campaign, encoding):
    preview = offline.social_import_preview(
        actor=clerk(), campaign=campaign, file_name="x.csv", content=csv_bytes([comment(1)], encoding=encoding)
    )
    assert preview.rows[0]["text"].startswith("建议地铁末班车")


def test_a_malformed_file_is_refused_with_every_bad_row_and_nothing_is_saved(campaign):
    known_link = "https://weibo.com/123/99"
    offline.social_import_confirm(
        social_import=offline.social_import_preview(
            actor=clerk(), campaign=campaign, file_name="a.csv", content=csv_bytes([comment(99)])
        ),
        actor=clerk(),
    )
    rows = [
        comment(1),
        comment(2, link="javascript:alert(1)"),
        comment(3, date="明天"),
        comment(4, category="不存在的分类", text=""),
        comment(5, link=known_link),
        comment(6, link="https://weibo.com/123/1"),
        comment(7, date=(timezone.localdate() + timedelta(days=3)).isoformat()),
    ]
    before = (Suggestion.objects.count(), SocialImport.objects.count())
    with pytest.raises(offline.ImportRefused) as refused:
        offline.social_import_preview(actor=clerk(), campaign=campaign, file_name="b.csv", content=csv_bytes(rows))
    problems = [(problem.row, problem.message) for problem in refused.value.problems]
    assert [row for row, _message in problems] == [3, 4, 5, 5, 6, 7, 8]
    assert "already imported" in problems[4][1] and "row 2" in problems[5][1]
    assert "future" in problems[6][1]
    assert (Suggestion.objects.count(), SocialImport.objects.count()) == before


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "empty"),
        (csv_bytes([], header=["平台", "链接"]), "Columns missing"),
        (csv_bytes([]), "no comments"),
        (b"PK\x03\x04 broken zip", "not a readable XLSX"),
        (b"\x00\x01\x02binary", "neither a CSV file nor an XLSX"),
        (b"\xff\xfe\xfa\xfb" * 10, "neither a CSV file nor an XLSX"),
    ],
)
@translation.override("en")  # the refusals are matched by their English words
def test_files_that_are_not_exports_are_refused(campaign, content, says):
    with pytest.raises(offline.ImportRefused) as refused:
        offline.social_import_preview(actor=clerk(), campaign=campaign, file_name="x.csv", content=content)
    assert says in str(refused.value.problems[0])
    assert not SocialImport.objects.exists()


def test_confirm_creates_one_pending_suggestion_per_row_once(campaign):
    staff = clerk()
    preview = offline.social_import_preview(
        actor=staff, campaign=campaign, file_name="w.xlsx", content=xlsx_bytes([comment(1), comment(2)])
    )
    saved, created = offline.social_import_confirm(social_import=preview, actor=staff)
    assert created == 2 and saved.state == SocialImport.State.SAVED and saved.saved_at
    suggestions = list(Suggestion.objects.order_by("pk"))
    assert [s.channel for s in suggestions] == [SOCIAL, SOCIAL]
    assert [s.source_url for s in suggestions] == ["https://weibo.com/123/1", "https://weibo.com/123/2"]
    assert all(s.state == Suggestion.State.PENDING and not s.publish_consent for s in suggestions)
    assert suggestions[0].contact_name == "网友1" and suggestions[0].place == "微博"
    assert suggestions[0].problem.startswith("建议地铁末班车") and suggestions[0].title.startswith("建议地铁末班车")
    assert [row["suggestion_id"] for row in saved.rows] == [s.pk for s in suggestions]
    assert Clock.objects.filter(kind="moderate").count() == 2
    # Confirming again (a double click, a second tab) creates nothing more.
    _again, created_again = offline.social_import_confirm(social_import=preview, actor=staff)
    assert created_again == 0 and Suggestion.objects.count() == 2


def test_a_preview_overtaken_by_another_import_is_refused_whole(campaign):
    staff = clerk()
    first = offline.social_import_preview(
        actor=staff, campaign=campaign, file_name="a.csv", content=csv_bytes([comment(1)])
    )
    second = offline.social_import_preview(
        actor=staff, campaign=campaign, file_name="b.csv", content=csv_bytes([comment(1), comment(2)])
    )
    offline.social_import_confirm(social_import=first, actor=staff)
    with pytest.raises(offline.ImportRefused):
        offline.social_import_confirm(social_import=second, actor=staff)
    assert Suggestion.objects.count() == 1
    assert SocialImport.objects.get(pk=second.pk).state == SocialImport.State.PREVIEW


def test_social_import_admin_preview_refusal_and_confirm(client, campaign):
    staff = clerk()
    client.force_login(staff)
    url = reverse("admin:suggestions_socialimport_add")
    assert client.get(url).status_code == 200
    bad = SimpleUploadedFile("bad.csv", csv_bytes([comment(1), comment(2, link="not a link")]))
    response = client.post(url, {"campaign": campaign.pk, "file": bad})
    html = response.content.decode()
    assert response.status_code == 200 and "nothing was saved" in html and "not a web address" in html
    assert not SocialImport.objects.exists()
    good = SimpleUploadedFile("good.xlsx", xlsx_bytes([comment(1), comment(2)]))
    response = client.post(url, {"campaign": campaign.pk, "file": good})
    preview = SocialImport.objects.get()
    change = reverse("admin:suggestions_socialimport_change", args=[preview.pk])
    assert response.status_code == 302 and response["Location"] == change
    page = client.get(change).content.decode()
    assert "网友1" in page and "Save these comments as suggestions" in page
    confirm = reverse("admin:suggestions_socialimport_confirm", args=[preview.pk])
    assert client.get(confirm).status_code == 405
    client.post(confirm)
    client.post(confirm)
    assert Suggestion.objects.filter(channel=SOCIAL).count() == 2
    assert "Save these comments as suggestions" not in client.get(change).content.decode()
    client.force_login(staff_of(DepartmentFactory()))
    assert client.post(confirm).status_code == 403
