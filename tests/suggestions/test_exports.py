"""The clerks' export of a campaign: every suggestion with its answers, CSV streamed and XLSX,
through portal.exports (formula guard), with no contact data, for the office only."""

from __future__ import annotations

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from suggestions.models import Outcome, Suggestion
from tests.factories import citizen
from tests.suggestions.factories import CampaignFactory, SuggestionFactory
from tests.suggestions.forwarding import build_side

pytestmark = pytest.mark.django_db

PRIVATE = ("王小民", "wangxm@example.com", "13812345678", "13912345678", "https://weibo.com/private/1")


@pytest.fixture(autouse=True)
def english(client, settings, tmp_path):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def side():
    side = build_side()
    side.housing.name = '=HYPERLINK("http://evil.example","住建局")'
    side.housing.save()
    answered = side.suggestion(
        title="=1+2 建议增设公交站",
        problem="我的电话13912345678,小区门口没有公交站。",
        public_title="'=1+2 建议增设公交站",
        public_problem="我的电话139****5678,小区门口没有公交站。",
        contact_mobile="13812345678",
    )
    side.forward(answered, lead=side.housing, others=[side.transport])
    side.answer(answered, side.transport, Outcome.PARTLY, text="部分采纳,联系王小民13812345678。")
    side.answer(answered, side.housing, Outcome.ADOPTED, text="采纳,年内实施。")
    SuggestionFactory(
        campaign=side.campaign,
        channel=Suggestion.Channel.SOCIAL_MEDIA,
        source_url="https://weibo.com/private/1",
        contact_name="王小民",
        title="社交媒体留言",
    )
    SuggestionFactory(campaign=CampaignFactory(), title="别的活动的建言")
    side.answered = answered
    return side


def csv_rows(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_every_suggestion_with_its_answers_and_no_contact_data(client, side):
    client.force_login(side.clerk)
    response = client.get(reverse("suggestions:export", args=[side.campaign.slug, "csv"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"minsheng-suggestions-{side.campaign.slug}-" in response["Content-Disposition"]
    rows = csv_rows(response)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Tracking number", "Classified number", "State"]
    assert len(body) == 2  # this campaign's two, not the other campaign's
    flat = "\n".join(",".join(row) for row in rows)
    for private in PRIVATE:
        assert private not in flat, private
    answered = next(row for row in body if row[0] == side.answered.reference)
    answers = answered[header.index("Answers (department: outcome, answer)")]
    # Formula guard: the cell starting with the department renamed "=HYPERLINK(…)" is text.
    assert answers.startswith("'=HYPERLINK")
    assert "Partly adopted" in answers and "采纳,年内实施。" in answers
    assert answered[header.index("Title")].startswith("'")  # the public title's own "'=1+2" kept as text
    assert answered[header.index("Outcome")] == "Adopted"


def test_xlsx_is_the_same_export(client, side):
    client.force_login(side.clerk)
    response = client.get(reverse("suggestions:export", args=[side.campaign.slug, "xlsx"]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert len(rows) == 3
    cells = "\n".join(str(cell) for row in rows for cell in row if cell is not None)
    for private in PRIVATE:
        assert private not in cells, private
    assert not any(str(cell).startswith("=") for row in rows for cell in row if cell is not None)


def test_only_the_office_exports(client, side):
    url = reverse("suggestions:export", args=[side.campaign.slug, "csv"])
    assert client.get(url).status_code == 302  # sign in first
    for user in (citizen(), side.staff_housing):
        client.force_login(user)
        assert client.get(url).status_code == 403
    client.force_login(side.clerk)
    assert client.get(reverse("suggestions:export", args=["no-such-campaign", "csv"])).status_code == 404
    assert client.get(url.replace("export.csv", "export.pdf")).status_code == 404
