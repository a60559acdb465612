"""The campaign summary report (活动总结报告): figures that add up and stay frozen in their version,
new versions on regeneration, the office's sections with history, publication, generation when
the summary phase begins (task and command twin), the staff page and workbook, and the public
version without personal data."""

from __future__ import annotations

import copy
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from portal.exceptions import DomainError, NotPermitted
from suggestions import tasks
from suggestions.models import Assessment, CampaignReport, Forwarding, Outcome, Phase, Suggestion
from suggestions.selectors import campaign_counts
from suggestions.services import answers, reports
from tests.factories import citizen
from tests.suggestions.factories import CampaignFactory, SuggestionFactory
from tests.suggestions.forwarding import build_side

pytestmark = pytest.mark.django_db

S = Suggestion.State


@pytest.fixture(autouse=True)
def english(client, settings, tmp_path):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def side():
    """A campaign in its summary phase with suggestions in every state: forwarded, answered by
    one or two departments, a measure done, excellent and assessed ones, and the rest."""
    side = build_side(Phase.SUMMARY)
    both = side.suggestion(
        title="建议增设社区公交微循环线路", problem="公交站点太远。", published=True, name_consent=True
    )
    refused = side.suggestion(title="建议取消夜市", problem="夜市噪音扰民。", channel="hotline")
    waiting = side.suggestion(title="建议增加停车位", problem="停车难。", channel="symposium")
    side.suggestion(title="建议整治河道", problem="河道有异味。")  # approved, not forwarded
    side.forward(both, lead=side.housing, others=[side.transport])
    side.forward(refused, lead=side.housing)
    side.forward(waiting, lead=side.transport)
    side.answer(both, side.transport, Outcome.PARTLY)
    side.answer(both, side.housing, Outcome.ADOPTED)
    side.answer(refused, side.housing, Outcome.NOT_ADOPTED, text="经研究,暂不采纳,理由如下。")
    forwarding = Forwarding.objects.get(suggestion=both, department=side.housing)
    today = timezone.localdate()
    done = answers.measure_record(
        forwarding=forwarding, actor=side.staff_housing, description="开通微循环线路", planned_on=today + timedelta(5)
    )
    answers.measure_complete(measure=done, actor=side.staff_housing, done_on=today)
    answers.measure_record(
        forwarding=forwarding, actor=side.staff_housing, description="增设站台", planned_on=today + timedelta(30)
    )
    Suggestion.objects.filter(pk=both.pk).update(
        excellent_at=timezone.now(), excellent_citation="思路清晰,可操作性强。联系人王小民 13812345678"
    )
    Assessment.objects.create(suggestion=both, assessor=side.clerk, reasonableness=5, feasibility=4, innovation=4)
    for state in (S.PENDING, S.REJECTED, S.WITHDRAWN):
        SuggestionFactory(campaign=side.campaign, state=state, contact_name="赵六", contact_mobile="13700001111")
    SuggestionFactory(campaign=side.campaign, state=S.MERGED, merged_into=both)
    side.both, side.refused, side.waiting = both, refused, waiting
    return side


def test_report_figures_add_up(side):
    report = reports.campaign_report_generate(campaign=side.campaign, actor=side.clerk)
    figures = report.figures
    assert report.version == 1 and report.generated_by == side.clerk
    counts = figures["counts"]
    # The campaign page's figures, at the moment of generation.
    assert counts == vars(campaign_counts(side.campaign))
    assert counts == {"received": 7, "approved": 4, "forwarded": 3, "answered": 2, "adopted": 1}
    collection = figures["collection"]
    for key in ("by_channel", "by_category"):
        assert sum(row["received"] for row in collection[key]) == counts["received"]
        assert sum(row["approved"] for row in collection[key]) == counts["approved"]
    moderation = figures["moderation"]
    assert moderation["approved"] + moderation["rejected"] + moderation["merged"] + moderation["pending"] == 7
    assert moderation["withdrawn"] == 1
    assert sum(figures["adoption"].values()) == counts["answered"]
    assert figures["adoption"] == {"adopted": 1, "partly": 0, "studying": 0, "not_adopted": 1}
    # Answer clocks: three answers made (on time), one still running.
    assert figures["answers"] | {} == {"on_time": 3, "late": 0, "open": 1, "overdue": 0}
    departments = {row["name"]: row for row in figures["departments"]}
    assert departments[side.housing.name] | {"department_id": 0, "name_en": ""} == {
        "department_id": 0,
        "name": side.housing.name,
        "name_en": "",
        "forwardings": 2,
        "answered": 2,
        "adopted": 1,
        "on_time": 2,
        "late": 0,
        "overdue": 0,
    }
    assert sum(row["forwardings"] for row in figures["departments"]) == 4
    assert figures["measures"] == {"total": 2, "done": 1, "done_on_time": 1, "overdue": 0}
    excellent = figures["excellent"]
    assert [row["suggestion_id"] for row in excellent] == [side.both.pk]
    assert "13812345678" not in excellent[0]["citation"] and "王小民" not in excellent[0]["citation"]
    assert excellent[0]["author"] == "王小民"  # consented; shown on the staff pages only
    assert [row["suggestion_id"] for row in figures["valuable"]] == [side.both.pk]
    assert figures["valuable"][0]["mean"] == pytest.approx(4.33, abs=0.01)
    # The tables say the same, their totals included.
    tables = {table.key: table for table in reports.report_tables(figures, public=False)}
    assert tables["channels"].total[1:] == [7, 4]
    assert tables["answers"].rows[1][1:] == [3, 4, 75.0]  # forwarding rate 3/4
    assert tables["adoption"].rows[-1][1:] == [1, 50.0]  # adoption rate 1/2


def test_a_version_is_frozen_and_regenerating_makes_the_next(side):
    first = reports.campaign_report_generate(campaign=side.campaign, actor=side.clerk)
    frozen = copy.deepcopy(first.figures)
    reports.campaign_report_edit(report=first, actor=side.clerk, outcomes="采纳建言多条。", lessons="宣传要更早。")
    # A later answer and a later approval change nothing in version 1.
    side.answer(side.waiting, side.transport, Outcome.STUDYING)
    SuggestionFactory(campaign=side.campaign, state=S.APPROVED)
    first.refresh_from_db()
    assert first.figures == frozen
    second = reports.campaign_report_generate(campaign=side.campaign, actor=side.clerk)
    assert (second.version, second.is_published) == (2, False)
    assert second.figures["counts"]["answered"] == 3 and second.figures["counts"]["approved"] == 5
    assert (second.outcomes, second.lessons) == ("采纳建言多条。", "宣传要更早。")  # carried over
    first.refresh_from_db()
    assert first.figures == frozen
    assert CampaignReport.objects.filter(campaign=side.campaign).count() == 2


def test_generation_waits_for_the_summary_phase_and_needs_the_office():
    campaign = CampaignFactory(phase=Phase.FEEDBACK)
    side = build_side(Phase.SUMMARY)
    with pytest.raises(DomainError):
        reports.campaign_report_generate(campaign=campaign, actor=side.clerk)
    with pytest.raises(NotPermitted):
        reports.campaign_report_generate(campaign=side.campaign, actor=citizen())
    assert not CampaignReport.objects.exists()


def test_generated_once_when_the_summary_phase_begins_task_and_twin(side, capsys):
    CampaignFactory(phase=Phase.FEEDBACK)  # not yet
    made = tasks.generate_campaign_reports.run()
    assert made == {"generated": [side.campaign.pk]}
    report = CampaignReport.objects.get(campaign=side.campaign)
    assert (report.version, report.generated_by) == (1, None)
    assert tasks.generate_campaign_reports.run() == {"generated": []}
    call_command("generate_campaign_reports")
    assert "no campaign was due a report" in capsys.readouterr().out
    assert CampaignReport.objects.count() == 1


def test_office_sections_have_history_and_publication_shows_one_version(side):
    first = reports.campaign_report_generate(campaign=side.campaign, actor=side.clerk)
    with pytest.raises(DomainError):
        reports.campaign_report_publish(report=first, actor=side.clerk)  # sections not written yet
    with pytest.raises(NotPermitted):
        reports.campaign_report_edit(report=first, actor=side.staff_housing, outcomes="x", lessons="y")
    reports.campaign_report_edit(report=first, actor=side.clerk, outcomes="成效一", lessons="教训一")
    reports.campaign_report_edit(report=first, actor=side.clerk, outcomes="成效二", lessons="教训二")
    reports.campaign_report_publish(report=first, actor=side.clerk)
    second = reports.campaign_report_generate(campaign=side.campaign, actor=side.clerk)
    reports.campaign_report_publish(report=second, actor=side.clerk)
    first.refresh_from_db()
    assert not first.is_published and CampaignReport.objects.get(pk=second.pk).is_published
    outcomes = list(first.history.order_by("history_id").values_list("outcomes", flat=True))
    assert outcomes == ["", "成效一", "成效二", "成效二", "成效二"]  # generated, 2 edits, published, replaced
    assert first.history.filter(history_user=side.clerk).count() == 5
    reports.campaign_report_unpublish(report=second, actor=side.clerk)
    assert not CampaignReport.objects.filter(is_published=True).exists()


# --- pages ----------------------------------------------------------------------------------------


def published_report(side) -> CampaignReport:
    report = reports.campaign_report_generate(campaign=side.campaign, actor=side.clerk)
    reports.campaign_report_edit(
        report=report,
        actor=side.clerk,
        outcomes="多条建言被采纳,联系电话13912345678。",
        lessons="线下渠道要提前安排。感谢王小民等市民参与。",
    )
    return reports.campaign_report_publish(report=report, actor=side.clerk)


def test_public_report_has_no_personal_data(client, side):
    url = reverse("suggestions:report", args=[side.campaign.slug])
    assert client.get(url).status_code == 404  # nothing published yet
    report = published_report(side)
    # An excellent suggestion taken off the public pages since is not listed again.
    hidden = SuggestionFactory(campaign=side.campaign, state=S.APPROVED, title="未公开的优秀建言")
    figures = report.figures
    figures["excellent"].append(figures["excellent"][0] | {"suggestion_id": hidden.pk, "title": "未公开的优秀建言"})
    CampaignReport.objects.filter(pk=report.pk).update(figures=figures)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "多条建言被采纳" in html and "线下渠道要提前安排" in html
    assert side.both.public_title in html
    for private in ("王小民", "wangxm@example.com", "13912345678", "13812345678", "赵六", "13700001111"):
        assert private not in html, private
    assert "未公开的优秀建言" not in html
    assert "Author (shown with consent)" not in html
    assert "css/campaign-report.css" in html
    # The campaign page shows its overview and links to it.
    page = client.get(reverse("suggestions:campaign", args=[side.campaign.slug])).content.decode()
    assert 'id="report-title"' in page and url in page
    assert "活动总结报告" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_public_report_of_a_campaign_before_its_summary_phase_is_404(client):
    side = build_side(Phase.SUMMARY)
    report = published_report(side)
    side.campaign.summary_on = timezone.localdate() + timedelta(days=1)
    side.campaign.ends_on = timezone.localdate() + timedelta(days=5)
    side.campaign.save()
    assert report.is_published
    assert client.get(reverse("suggestions:report", args=[side.campaign.slug])).status_code == 404


def test_staff_report_page_and_workbook(client, side):
    report = published_report(side)
    url = reverse("suggestions:report_staff", args=[side.campaign.slug, report.version])
    xlsx = reverse("suggestions:report_xlsx", args=[side.campaign.slug, report.version])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(side.staff_housing)
    assert client.get(url).status_code == 403
    assert client.get(xlsx).status_code == 403
    client.force_login(side.clerk)
    html = client.get(url).content.decode()
    assert "Author (shown with consent)" in html and "王小民" in html  # the consented name, staff only
    assert "wangxm@example.com" not in html and "13812345678" not in html
    assert "css/campaign-report.css" in html and "data-print" in html
    assert client.get(reverse("suggestions:report_staff", args=[side.campaign.slug, 9])).status_code == 404
    response = client.get(xlsx)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    cells = [str(value) for row in workbook.active.iter_rows(values_only=True) for value in row if value is not None]
    assert any("Campaign summary report" in cell for cell in cells)
    assert "多条建言被采纳,联系电话13912345678。" in cells  # staff workbook: the office's own text
    assert "Forwarding rate" in cells and side.housing.name in cells


def test_report_admin_edits_publishes_and_queues_a_new_version(
    client, side, django_capture_on_commit_callbacks, monkeypatch
):
    # The task is queued after commit; here it runs at once, in this process (Celery's eager apply).
    queued = []
    task = tasks.generate_campaign_report
    monkeypatch.setattr(task, "delay", lambda *args: queued.append(args) or task.apply(args=args).get())
    report = reports.campaign_report_generate(campaign=side.campaign, actor=side.clerk)
    client.force_login(side.clerk)
    change = reverse("admin:suggestions_campaignreport_change", args=[report.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert reverse("suggestions:report_staff", args=[side.campaign.slug, 1]) in page.content.decode()
    response = client.post(change, {"outcomes": "成效", "lessons": "教训"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.outcomes, report.lessons) == ("成效", "教训")
    assert report.history.latest().history_user == side.clerk
    publish = reverse("admin:suggestions_campaignreport_command", args=[report.pk, "publish"])
    assert client.get(publish).status_code == 405
    client.post(publish)
    report.refresh_from_db()
    assert report.is_published
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:suggestions_campaignreport_command", args=[report.pk, "regenerate"]))
    assert queued == [(side.campaign.pk, side.clerk.pk)]
    assert list(CampaignReport.objects.filter(campaign=side.campaign).values_list("version", flat=True)) == [2, 1]
    client.force_login(side.staff_housing)
    assert client.post(publish).status_code == 403
    assert client.get(change).status_code == 403
