"""The four petition journeys of issue 6, in real Chromium against the live server on PostgreSQL,
with a real Celery worker sending the e-mails and sweeping the deadlines. Every page visited
is checked with axe-core; the citizen side of journey 4 runs at a phone-sized viewport.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from petitions import services
from petitions.models import Category, Petition
from portal import clocks
from portal.models import Clock, Notice
from portal.tasks import sweep_deadlines
from tests.e2e.conftest import assert_accessible
from tests.factories import PASSWORD, DepartmentFactory, clerk, staff_of
from tests.processes import celery_worker, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker(tmp_path):
    with celery_worker(tmp_path, "--pool", "solo") as running:
        yield running["mail_dir"]


def mails(mail_dir) -> str:
    return "\n".join(path.read_text(errors="replace") for path in mail_dir.glob("*.log")) if mail_dir.exists() else ""


@pytest.fixture
def city():
    category = Category.objects.create(name="城市管理", name_en="City management")
    zjj = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    jyj = DepartmentFactory(name="教育局", code="JYJ")
    return {
        "category": category,
        "zjj": zjj,
        "jyj": jyj,
        "staff_a": staff_of(zjj, "staff_a", email="staff_a@example.gov.cn"),
        "staff_b": staff_of(jyj, "staff_b"),
        "clerk": clerk("clerk", email="clerk@example.gov.cn"),
    }


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), "navy").save(buffer, format="PNG")
    return buffer.getvalue()


def log_in(page, username, *, admin=False):
    page.goto("/admin/login/" if admin else "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit], main form button[type=submit]").first.click()


def handle(petition, city, *, reply="您好,积水问题已处理,排水管道已疏通。"):
    petition = services.petition_assign(petition=petition, actor=city["clerk"], lead_department=city["zjj"])
    petition = services.petition_accept(petition=petition, actor=city["staff_a"])
    return services.petition_reply(petition=petition, actor=city["staff_a"], body=reply)


def test_1_citizen_registers_submits_with_an_attachment_and_finds_the_reply(page, city, worker):
    page.goto("/accounts/register/")
    page.locator("#id_username").fill("wangfang")
    page.locator("#id_email").fill("wangfang@example.com")
    page.locator("#id_mobile").fill("13900001111")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/register/sent/$"))
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("wangfang")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/petitions/new/")
    assert_accessible(page)
    page.locator("input[name=kind][value=complaint]").check()
    page.locator("#id_category").select_option(label="城市管理")
    page.locator("#id_title").fill("幸福小区门口道路积水")
    page.locator("#id_content").fill("每逢下雨幸福小区门口积水严重,行人无法通行。我的电话13900001111。")
    page.locator("#id_contact_name").fill("王芳")
    page.locator("#id_contact_mobile").fill("13900001111")
    page.locator("#id_attachments").set_input_files(
        files=[{"name": "积水照片.png", "mimeType": "image/png", "buffer": png()}]
    )
    page.locator("#id_publish_consent").check()
    page.locator("main form button[type=submit]").click()

    page.wait_for_url(re.compile(r"/petitions/receipt/"))
    assert_accessible(page)
    reference = page.locator("[data-receipt-reference]").inner_text().strip()
    code = page.locator("[data-receipt-code]").inner_text().strip()
    assert re.fullmatch(r"WZ-\d{8}-\d{4}", reference)
    assert re.fullmatch(r"[A-Z0-9]{8}", code)
    petition = Petition.objects.get(reference=reference)
    assert petition.attachments.get().original_name == "积水照片.png"
    assert set(Clock.objects.for_subject(petition).values_list("policy", flat=True)) == {
        "petition.acknowledge",
        "petition.reply.ordinary",
    }
    # The worker sends the receipt e-mail: the tracking number, never the query code.
    wait_until(lambda: reference in mails(worker), describe="the receipt e-mail")
    assert code not in mails(worker)

    handle(petition, city)
    wait_until(lambda: mails(worker).count(reference) >= 3, describe="the acknowledgement and reply e-mails")

    page.goto("/petitions/mine/")
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(reference)).first.click()
    page.wait_for_url(re.compile(rf"/petitions/track/{reference}/"))
    expect(page.locator("main")).to_contain_text("排水管道已疏通")
    expect(page.locator("main")).to_contain_text("您反映的问题已由我单位受理")
    assert_accessible(page)


def test_2_staff_a_accepts_and_replies_in_the_admin_and_staff_b_cannot_see_it(browser, live_server, city, worker):
    citizen_user = city["clerk"].__class__.objects.create_user("citizen1", "c1@example.com", PASSWORD)
    petition, _code = services.petition_submit(
        citizen=citizen_user,
        kind="message",
        category=city["category"],
        title="教学楼旁路灯不亮",
        content="晚上出行不安全。",
        contact_name="李雷",
        contact_email="c1@example.com",
    )
    services.petition_assign(petition=petition, actor=city["clerk"], lead_department=city["zjj"])

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    log_in(page, "staff_a", admin=True)
    page.goto("/admin/petitions/petition/")
    assert_accessible(page)
    page.get_by_role("link", name=petition.reference).click()
    assert_accessible(page)
    page.locator("a.petition-action-accept").click()
    assert_accessible(page)
    page.locator("#id_confirm").check()
    page.locator(".submit-row input[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/petitions/petition/{petition.pk}/change/"))
    petition.refresh_from_db()
    assert petition.state == Petition.State.ACCEPTED

    page.locator("a.petition-action-reply").click()
    page.locator("#id_body").fill("您好,路灯已于今日修复。")
    page.locator(".submit-row input[type=submit]").click()
    page.wait_for_url(re.compile(rf"/admin/petitions/petition/{petition.pk}/change/"))
    petition.refresh_from_db()
    assert petition.state == Petition.State.REPLIED
    assert Clock.objects.for_subject(petition).filter(kind="reply", state="met_on_time").exists()
    wait_until(
        lambda: "路灯已于今日修复" in mails(worker) or petition.reference in mails(worker), describe="reply mail"
    )
    context.close()

    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    page = context.new_page()
    log_in(page, "staff_b", admin=True)
    page.goto("/admin/petitions/petition/")
    expect(page.locator("#result_list, #changelist")).not_to_contain_text(petition.reference)
    response = page.goto(f"/admin/petitions/petition/{petition.pk}/change/")
    assert response.status == 403
    context.close()


def test_3_clerk_sees_the_overdue_ticket_on_the_board_and_urges_the_department(page, city, worker):
    citizen_user = city["clerk"].__class__.objects.create_user("citizen2", "c2@example.com", PASSWORD)
    petition, _code = services.petition_submit(
        citizen=citizen_user,
        kind="complaint",
        category=city["category"],
        title="夜间施工噪音扰民",
        content="工地夜间施工。",
        contact_name="韩梅梅",
    )
    services.petition_assign(petition=petition, actor=city["clerk"], lead_department=city["zjj"])
    # Time, controlled by the test: the ticket arrived three weeks ago, so both clocks are past due.
    for clock in Clock.objects.for_subject(petition).open():
        clocks.clock_restart(
            clock=clock, reason="e2e: received three weeks ago", started_at=timezone.now() - timedelta(days=21)
        )
    sweep_deadlines.delay()
    wait_until(
        lambda: Clock.objects.for_subject(petition).filter(state="overdue").count() == 2,
        describe="the worker's sweep marking the clocks overdue",
    )

    log_in(page, "clerk")
    page.goto("/dashboard/")
    assert_accessible(page)
    expect(page.locator("main")).to_contain_text(petition.reference)
    for clock in Clock.objects.for_subject(petition).open():
        page.locator(f"#urge-{clock.pk}").check()
    page.locator("#urge-form textarea, #urge-form input[name=note]").first.fill("请尽快办理")
    page.locator("#urge-form button[type=submit]").last.click()
    expect(page.locator("main")).to_contain_text(petition.reference)
    assert_accessible(page)
    wait_until(
        lambda: not Clock.objects.for_subject(petition).filter(last_urged_at__isnull=True).exists(),
        describe="the urge to be recorded",
    )
    assert Notice.objects.filter(recipient=city["staff_a"], kind="clock_urged").exists()
    assert not Notice.objects.filter(recipient=city["staff_b"], kind="clock_urged").exists()


def test_4_plaza_ticket_followed_by_a_citizen_without_an_account_on_a_phone(page, phone_page, city, worker):
    log_in(page, "clerk")
    page.goto("/petitions/record/")
    assert_accessible(page)
    page.locator("#id_channel").select_option("plaza")
    page.locator("#id_reception_place").fill("市民广场接访点")
    page.locator("#id_reception_date").fill(timezone.localdate().isoformat())
    page.locator("#id_kind").select_option("message")
    page.locator("#id_category").select_option(label="城市管理")
    page.locator("#id_title").fill("公交站台缺少遮雨棚")
    page.locator("#id_content").fill("和平路公交站没有遮雨棚,雨天候车困难。")
    page.locator("#id_contact_name").fill("赵大爷")
    page.locator("#id_contact_mobile").fill("13700002222")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/petitions/slip/"))
    assert_accessible(page)
    reference = page.locator("[data-receipt-reference]").inner_text().strip()
    code = page.locator("[data-receipt-code]").inner_text().strip()
    petition = Petition.objects.get(reference=reference)
    assert petition.channel == "plaza" and petition.citizen is None

    handle(petition, city, reply="您好,和平路公交站遮雨棚已列入本月施工计划。")

    citizen_page = phone_page
    citizen_page.goto("/petitions/track/")
    assert_accessible(citizen_page)
    citizen_page.locator("#id_reference").fill(reference)
    citizen_page.locator("#id_query_code").fill(code.lower())
    citizen_page.locator("main form button[type=submit]").click()
    citizen_page.wait_for_url(re.compile(rf"/petitions/track/{reference}/"))
    expect(citizen_page.locator("main")).to_contain_text("遮雨棚已列入本月施工计划")
    assert_accessible(citizen_page)
    assert citizen_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    citizen_page.locator("input[name=rating][value=unsatisfied]").check()
    citizen_page.locator("#id_comment").fill("施工计划太晚了")
    citizen_page.locator("form[action$='/rate/'] button[type=submit]").click()
    citizen_page.wait_for_url(re.compile(rf"/petitions/track/{reference}/"))
    assert_accessible(citizen_page)
    petition.refresh_from_db()
    assert petition.state == Petition.State.REEXAMINING
    reexamine = Clock.objects.for_subject(petition).get(policy="petition.reply.reexamine")
    assert reexamine.state == Clock.State.RUNNING and reexamine.department == city["zjj"]
    assert Notice.objects.filter(recipient=city["staff_a"], kind="petition_reopened").exists()
