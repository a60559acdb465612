"""The public-suggestion journey of issue 14, in real Chromium against the live server on
PostgreSQL: a citizen submits in an open campaign (with a file, offered a similar published
suggestion while typing the title), a reviewer approves it from the moderation queue, the
office forwards it in the analysis phase to two departments with the analysis report, both
answer, and the citizen finds the answers, then follows another suggestion — the last part on a
phone. Every page visited is checked with axe-core.

Time is moved between steps by the campaign's dates (the ORM, as a clerk's phase change would),
the page cache told as the services tell it. With E2E_SCREENSHOTS=<folder> the journey also saves
each public page at desktop and phone sizes there, to look at.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from portal.models import Notice
from portal.pagecache import public_content_changed
from suggestions.models import Campaign, Follow, Forwarding, Outcome, Phase, Suggestion
from suggestions.services import moderation
from tests.e2e.conftest import assert_accessible
from tests.factories import PASSWORD, DepartmentFactory, citizen, clerk, staff_of
from tests.suggestions.factories import CampaignFactory, CategoryFactory, phase_dates, submitted
from tests.suggestions.forwarding import PDF
from tests.suggestions.staffside import reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHOTS = Path(os.environ["E2E_SCREENSHOTS"]) if os.environ.get("E2E_SCREENSHOTS") else None

TITLE = "建议增加社区公交班次"
PROBLEM = "幸福小区到地铁站的社区公交每小时一班,早高峰等车太久。我的电话13900001111。"
MEASURES = "建议早晚高峰把社区公交加密到每十五分钟一班,并在站台公布时刻表。"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def log_in(page, username, *, admin=False):
    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit], main form button[type=submit]").first.click()
    page.wait_for_load_state()
    expect(page.locator("#id_password")).to_have_count(0)


def staff_page(browser, live_server, username):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    log_in(page, username, admin=True)
    return context, page


def screens(page, name, *, phone=None):
    """The page checked with axe-core; with E2E_SCREENSHOTS, saved (and the same address at phone
    size in `phone`, a signed-in phone context)."""
    assert_accessible(page)
    if SHOTS is None:
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}-desktop.png", full_page=True)
    if phone is not None:
        phone.goto(page.url)
        assert_accessible(phone)
        phone.screenshot(path=SHOTS / f"{name}-phone.png", full_page=True)


def move_campaign(campaign: Campaign, phase: str) -> None:
    """Today falls in `phase`: the campaign's dates moved, the shared public pages made stale."""
    Campaign.objects.filter(pk=campaign.pk).update(**phase_dates(phase))
    public_content_changed()


@pytest.fixture
def city():
    # The categories migration 0002 seeds; made here too, since a transactional test that ran
    # before on the same worker may have flushed them.
    transport_category = CategoryFactory(code="JT", name="交通出行", name_en="Transport")
    livelihood = CategoryFactory(code="SM", name="社会民生", name_en="Livelihood and social services")
    transport = DepartmentFactory(name="交通运输局", code="JTJ")
    housing = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    campaign = CampaignFactory(
        title="2026年城市发展公众建言",
        slug="2026-future",
        theme="汇聚民智,共筑美好未来",
        description="围绕公共交通、社区服务和城市环境,征集市民的意见建议。",
        categories=[transport_category, livelihood],
    )
    campaign.departments.set([transport, housing])
    check = reviewer("reviewer")
    # Published earlier by another citizen: offered while the title is typed, and followed at the end.
    earlier = moderation.suggestion_approve(
        suggestion=submitted(
            campaign=campaign,
            category=transport_category,
            title="建议延长社区公交末班车时间",
            problem="社区公交晚上七点就停运,下班晚的居民回家不便。",
            measures="建议末班车延长到晚上十点。",
        ),
        actor=check,
    )
    return {
        "campaign": campaign,
        "transport": transport,
        "housing": housing,
        "earlier": earlier,
        "citizen": citizen("chenjing", email="chenjing@example.com"),
        "reviewer": check,
        "clerk": clerk("clerk"),
        "staff_transport": staff_of(transport, "staff_jt"),
        "staff_housing": staff_of(housing, "staff_zj"),
    }


def test_citizen_suggests_departments_answer_and_the_citizen_follows_another(
    page, phone_page, browser, live_server, city
):
    campaign, earlier = city["campaign"], city["earlier"]
    log_in(page, "chenjing")
    log_in(phone_page, "chenjing")

    # --- the citizen takes part ----------------------------------------------------------------
    page.goto("/suggestions/")
    screens(page, "1-index", phone=phone_page)
    page.get_by_role("link", name=campaign.title).first.click()
    page.wait_for_url(re.compile(rf"/suggestions/{campaign.slug}/$"))
    expect(page.locator("main")).to_contain_text(earlier.public_title)
    screens(page, "2-campaign", phone=phone_page)
    page.locator(f"main a[href$='/suggestions/{campaign.slug}/new/']:visible").first.click()
    page.wait_for_url(re.compile(rf"/suggestions/{campaign.slug}/new/$"))
    assert_accessible(page)

    page.locator("#id_category").select_option(label="交通出行")
    page.locator("#id_title").press_sequentially(TITLE, delay=20)
    hints = page.locator("#similar-suggestions")
    expect(hints.get_by_role("link", name=re.compile(earlier.public_title))).to_be_visible()
    expect(hints).to_contain_text(earlier.number)
    page.locator("#id_problem").fill(PROBLEM)
    page.locator("#id_measures").fill(MEASURES)
    page.locator("#id_area").fill("城东区")
    page.locator("#id_attachments").set_input_files(
        files=[{"name": "候车照片.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.locator("#id_contact_mobile").fill("13900001111")
    page.locator("#id_publish_consent").check()
    screens(page, "3-form", phone=phone_page)  # the phone's copy shows the empty form
    page.locator("main form.suggestion-form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/suggestions/mine/JY-\d{8}-\d{4}/$"))
    reference = page.url.rstrip("/").rsplit("/", 1)[-1]
    mine = Suggestion.objects.get(reference=reference)
    assert mine.state == Suggestion.State.PENDING and mine.citizen == city["citizen"]
    assert mine.attachments.get().original_name == "候车照片.png"
    expect(page.get_by_role("alert").or_(page.locator(".alert-success")).first).to_contain_text(reference)
    expect(page.locator("main")).to_contain_text("候车照片.png")
    screens(page, "4-mine-detail-pending", phone=phone_page)
    page.locator("main").get_by_role("link", name=re.compile("我的建言")).first.click()
    page.wait_for_url(re.compile(r"/suggestions/mine/$"))
    row = page.locator(".mine-list li", has_text=reference)
    expect(row).to_contain_text("待审核")
    screens(page, "5-mine-pending", phone=phone_page)

    # --- a reviewer approves it from the moderation queue ----------------------------------------
    context, admin = staff_page(browser, live_server, "reviewer")
    admin.goto("/admin/suggestions/suggestion/")
    admin.get_by_role("link", name="审核队列", exact=True).click()
    admin.wait_for_url(re.compile(r"queue=moderation"))
    assert_accessible(admin)
    expect(admin.locator("#result_list")).not_to_contain_text(earlier.reference)  # approved: out of the queue
    admin.locator("#result_list").get_by_role("link", name=reference).click()
    admin.wait_for_url(re.compile(rf"/admin/suggestions/suggestion/{mine.pk}/change/"))
    assert_accessible(admin)
    admin.locator("a.suggestion-action-approve").click()
    admin.wait_for_url(re.compile(rf"/{mine.pk}/act/approve/"))
    assert_accessible(admin)
    admin.locator(".submit-row input[type=submit]").click()
    admin.wait_for_url(re.compile(rf"/admin/suggestions/suggestion/{mine.pk}/change/"))
    context.close()
    mine.refresh_from_db()
    assert mine.state == Suggestion.State.APPROVED and mine.published_at is not None
    assert re.fullmatch(rf"JY{campaign.year}-JT-\d{{4}}", mine.number)

    # --- the analysis phase: the office forwards it to two departments with the report ------------
    move_campaign(campaign, Phase.ANALYSIS)
    context, office = staff_page(browser, live_server, "clerk")
    office.goto("/admin/suggestions/suggestion/?state__exact=approved")
    assert_accessible(office)
    office.locator(f"input.action-select[value='{mine.pk}']").check()
    office.locator("select[name=action]").select_option("forward_selected")
    office.locator("button[name=index]").click()
    office.wait_for_url(re.compile(r"/admin/suggestions/forwarding/forward/$"))
    assert_accessible(office)
    office.locator(f"input[name=departments][value='{city['transport'].pk}']").check()
    office.locator(f"input[name=departments][value='{city['housing'].pk}']").check()
    office.locator("#id_lead").select_option(str(city["transport"].pk))
    office.locator("#id_report").set_input_files(
        files=[{"name": "建言分析报告.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    office.locator(".submit-row input[type=submit]").click()
    office.wait_for_url(re.compile(r"/admin/suggestions/forwarding/\?batch=\d+$"))
    assert_accessible(office)
    context.close()
    mine.refresh_from_db()
    assert mine.state == Suggestion.State.FORWARDED and mine.lead_department == city["transport"]
    forwardings = {f.department_id: f for f in Forwarding.objects.filter(suggestion=mine)}
    assert set(forwardings) == {city["transport"].pk, city["housing"].pk}
    assert forwardings[city["transport"].pk].batch.report_name == "建言分析报告.pdf"

    # --- each department answers in the admin -----------------------------------------------------
    for username, department, outcome, text in (
        ("staff_zj", city["housing"], Outcome.PARTLY, "部分采纳:站台时刻表由我局在候车亭改造中一并设置。"),
        ("staff_jt", city["transport"], Outcome.ADOPTED, "采纳。自下月起早晚高峰社区公交加密为每15分钟一班。"),
    ):
        context, staff = staff_page(browser, live_server, username)
        staff.goto("/admin/suggestions/forwarding/")
        assert_accessible(staff)
        staff.locator("#result_list").get_by_role("link", name=mine.number).click()
        forwarding = forwardings[department.pk]
        staff.wait_for_url(re.compile(rf"/admin/suggestions/forwarding/{forwarding.pk}/change/"))
        assert_accessible(staff)
        staff.locator("a.forwarding-action", has_text="答复").click()
        staff.wait_for_url(re.compile(rf"/forwarding/{forwarding.pk}/answer/"))
        assert_accessible(staff)
        staff.locator(f"input[name=outcome][value={outcome}]").check()
        staff.locator("#id_answer").fill(text)
        staff.locator(".submit-row input[type=submit]").click()
        staff.wait_for_url(re.compile(rf"/admin/suggestions/forwarding/{forwarding.pk}/change/"))
        assert_accessible(staff)
        context.close()
    mine.refresh_from_db()
    assert mine.state == Suggestion.State.ANSWERED and mine.outcome == Outcome.ADOPTED

    # --- the citizen, on a phone: the answers, then follows another suggestion ---------------------
    move_campaign(campaign, Phase.FEEDBACK)
    phone = phone_page
    phone.goto("/")
    phone.get_by_role("link", name=re.compile("通知")).first.click()
    phone.wait_for_url(re.compile(r"/notices/"))
    assert_accessible(phone)
    if SHOTS:
        phone.screenshot(path=SHOTS / "6-notices-phone.png", full_page=True)
    phone.locator("main").get_by_role("link", name=re.compile(f"部门已答复您的建言 {mine.number}")).click()
    phone.wait_for_url(re.compile(rf"/suggestions/mine/{reference}/"))
    answers = phone.locator("section[aria-labelledby=answers-title]")
    expect(answers.locator(".answer-lead")).to_contain_text("交通运输局")
    expect(answers.locator(".answer-lead")).to_contain_text("每15分钟一班")
    expect(answers.locator(".answer-other")).to_contain_text("住房和城乡建设局")
    expect(answers.locator(".answer-other")).to_contain_text("部分采纳")
    # The progress names the departments it was forwarded to and the one answering at each step.
    timeline = phone.locator("ol.timeline")
    expect(timeline.locator("li", has_text="转交部门")).to_contain_text("住房和城乡建设局")
    expect(timeline.locator("li", has_text="转交部门")).to_contain_text("交通运输局")
    expect(timeline.locator("li", has_text="部分采纳")).to_contain_text("住房和城乡建设局")
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if SHOTS:
        phone.screenshot(path=SHOTS / "7-mine-detail-answered-phone.png", full_page=True)

    phone.locator("main").get_by_role("link", name="我的建言").first.click()
    phone.wait_for_url(re.compile(r"/suggestions/mine/$"))
    row = phone.locator(".mine-list li", has_text=reference)
    expect(row).to_contain_text(mine.number)
    expect(row).to_contain_text("已答复")
    expect(row).to_contain_text("采纳")
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if SHOTS:
        phone.screenshot(path=SHOTS / "6-mine-answered-phone.png", full_page=True)
    phone.go_back()
    phone.wait_for_url(re.compile(rf"/suggestions/mine/{reference}/"))

    phone.locator(f"main a[href$='/suggestions/{campaign.slug}/{mine.pk}/']").first.click()
    phone.wait_for_url(re.compile(rf"/suggestions/{campaign.slug}/{mine.pk}/$"))
    main = phone.locator("main")
    expect(main).to_contain_text(mine.number)
    expect(main.locator(".answer-lead")).to_contain_text("交通运输局")
    expect(main.locator(".answer-lead")).to_contain_text("采纳")
    expect(main.locator(".answer-other")).to_contain_text("住房和城乡建设局")
    expect(main).to_contain_text("附件1")
    expect(main).not_to_contain_text("13900001111")  # masked on the public page
    expect(main).not_to_contain_text("候车照片")  # the file under its neutral name
    assert_accessible(phone)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    if SHOTS:
        phone.screenshot(path=SHOTS / "8-detail-answered-phone.png", full_page=True)
        page.goto(phone.url)
        page.screenshot(path=SHOTS / "8-detail-answered-desktop.png", full_page=True)

    phone.get_by_role("link", name=campaign.title).first.click()
    phone.wait_for_url(re.compile(rf"/suggestions/{campaign.slug}/$"))
    assert_accessible(phone)
    phone.get_by_role("link", name=earlier.public_title).first.click()
    phone.wait_for_url(re.compile(rf"/suggestions/{campaign.slug}/{earlier.pk}/$"))
    follow_box = phone.locator(".follow-box")
    expect(follow_box.locator(".follow-count strong")).to_have_text("0")
    assert_accessible(phone)
    with phone.expect_navigation(url=re.compile(rf"/suggestions/{campaign.slug}/{earlier.pk}/$")):
        follow_box.get_by_role("button").click()
    expect(follow_box.locator(".follow-count strong")).to_have_text("1")
    expect(follow_box.get_by_role("button")).to_contain_text("取消关注")
    assert_accessible(phone)
    if SHOTS:
        phone.screenshot(path=SHOTS / "9-followed-phone.png", full_page=True)
    earlier.refresh_from_db()
    assert earlier.follower_count == 1
    assert Follow.objects.filter(suggestion=earlier, user=city["citizen"]).exists()
    # The author was told at each step, the answer included (in-app notices; the e-mails are the worker's).
    told = set(Notice.objects.filter(recipient=city["citizen"]).values_list("kind", flat=True))
    assert {"suggestion_received", "suggestion_approved", "suggestion_forwarded", "suggestion_answered"} <= told
