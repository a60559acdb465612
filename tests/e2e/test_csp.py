"""The Content-Security-Policy holds in a real browser: no violation on the public pages, nor in
the Django admin (changelists, filters, actions, change forms with date widgets and inlines,
history), which runs under the same strict policy as the rest of the site."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from portal import clocks
from portal.models import User, WorkCalendarDay
from tests.factories import PASSWORD, DepartmentFactory, citizen

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Reports every violation to Python, so that none is lost when the page navigates away.
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation({
    page: document.location.pathname,
    directive: event.violatedDirective,
    blocked: event.blockedURI,
    sample: event.sample,
    source: event.sourceFile + ":" + event.lineNumber,
  });
});
"""


class Violations(list):
    def assert_none(self):
        assert not self, "Content-Security-Policy violations:\n" + "\n".join(map(str, self))


@pytest.fixture
def csp_page(browser, live_server):
    """A page under the site's real policy (no bypass) that records every violation."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    violations = Violations()
    context.expose_binding("__cspViolation", lambda source, report: violations.append(report))
    context.add_init_script(LISTEN)
    page = context.new_page()

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append({"page": page.url, "console": message.text})

    page.on("console", on_console)
    page.violations = violations
    yield page
    context.close()


def log_in(page, username):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_the_listener_catches_a_violation(csp_page):
    """The harness itself: an inline style attribute added to a page must be reported."""
    csp_page.goto("/")
    csp_page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    csp_page.wait_for_timeout(200)
    assert csp_page.violations, "an inline style went unreported"


def test_public_pages_raise_no_violation(csp_page):
    page = csp_page
    for path in ("/", "/accounts/login/", "/accounts/register/", "/accounts/password/reset/", "/no-such-page/"):
        page.goto(path)
    # A form with errors (the error summary takes the focus through portal.js).
    page.goto("/accounts/register/")
    page.locator("#id_username").fill("bad name!")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    # The language switch, and a signed-in citizen's pages.
    page.get_by_role("button", name=re.compile("English")).first.click()
    page.wait_for_load_state()
    citizen("csp_citizen")
    log_in(page, "csp_citizen")
    for path in ("/", "/notices/", "/accounts/password/change/"):
        page.goto(path)
    page.violations.assert_none()


def test_the_admin_raises_no_violation(csp_page):
    page = csp_page
    housing = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    clock = clocks.clock_start(
        subject=housing,
        policy="petition.reply.ordinary",
        department=housing,
        started_at=datetime(2026, 11, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    day = WorkCalendarDay.objects.create(date=date(2030, 1, 1), is_working_day=False, name="元旦")
    User.objects.create_superuser("csp_admin", "csp_admin@example.gov.cn", PASSWORD)
    log_in(page, "csp_admin")

    page.goto("/admin/")
    # Changelist with filters, search, date hierarchy and an action.
    page.goto("/admin/portal/clock/")
    page.get_by_role("link", name=re.compile("Running|计时中")).first.click()
    page.wait_for_load_state()
    page.goto("/admin/portal/clock/")
    page.locator("input.action-select").first.check()
    page.locator("select[name=action]").select_option("urge_selected")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    # Change form, custom action form and history pages.
    page.goto(f"/admin/portal/clock/{clock.pk}/change/")
    page.goto(f"/admin/portal/clock/{clock.pk}/extend/")
    page.goto(f"/admin/portal/clock/{clock.pk}/history/")
    version = clock.history.latest().history_id
    page.goto(f"/admin/portal/clock/{clock.pk}/history/{version}/")
    # Date widgets: the calendar pop-up and the "today" shortcut.
    page.goto(f"/admin/portal/workcalendarday/{day.pk}/change/")
    page.locator(".datetimeshortcuts a").last.click()  # the calendar icon
    expect(page.locator(".calendarbox").first).to_be_visible()
    page.locator(".calendarbox .calendar-cancel a").first.click()
    page.goto("/admin/portal/workcalendarday/add/")
    page.locator(".datetimeshortcuts a").first.click()  # "Today"
    page.goto("/admin/portal/workcalendarday/?is_working_day__exact=0")
    # Inlines with autocomplete widgets (select2), and the user admin.
    page.goto(f"/admin/portal/department/{housing.pk}/change/")
    page.locator(".add-row a").first.click()
    page.locator(".select2-selection").last.click()
    page.keyboard.type("csp")
    page.wait_for_timeout(500)
    page.keyboard.press("Escape")
    page.goto("/admin/portal/user/?q=csp")
    page.goto("/admin/portal/user/add/")
    page.goto(f"/admin/portal/user/{User.objects.get(username='csp_admin').pk}/change/")
    page.goto("/admin/axes/accessattempt/")
    page.goto("/admin/auth/group/")
    # The admin's own colour-theme switch and the navigation sidebar.
    toggle = page.locator("button.theme-toggle")
    if toggle.count():
        toggle.first.click()
    page.violations.assert_none()


def test_petition_pages_and_dashboards_raise_no_violation(csp_page):
    """The petitions app (public column, ticket, tracking, intake, receipt), the staff pages
    (record, slip, ledger, reports, the ticket admin and its action forms) and the dashboards."""
    from petitions import services
    from petitions.models import Category
    from tests.factories import clerk, staff_of

    page = csp_page
    category = Category.objects.create(name="城市管理")
    housing = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    office, handler, person = clerk("csp_clerk"), staff_of(housing, "csp_staff"), citizen("csp_citizen")
    petition, code = services.petition_submit(
        citizen=person,
        kind="complaint",
        category=category,
        title="道路积水",
        content="积水严重。",
        contact_name="王芳",
        publish_consent=True,
    )
    services.petition_assign(petition=petition, actor=office, lead_department=housing)
    services.petition_accept(petition=petition, actor=handler)
    services.petition_reply(petition=petition, actor=handler, body="已处理。")

    for path in (
        "/petitions/",
        "/petitions/?q=积水",
        f"/petitions/{petition.reference}/",
        "/petitions/track/",
        "/stats/",
    ):
        page.goto(path)
    page.goto("/petitions/track/")
    page.locator("#id_reference").fill(petition.reference)
    page.locator("#id_query_code").fill(code)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("已处理")

    log_in(page, "csp_citizen")
    for path in ("/petitions/new/", "/petitions/mine/", f"/petitions/track/{petition.reference}/"):
        page.goto(path)
    page.get_by_role("button", name=re.compile("退出")).click()

    log_in(page, "csp_clerk")
    for path in (
        "/dashboard/",
        "/dashboard/performance/",
        "/petitions/record/",
        "/petitions/ledger/",
        "/petitions/reports/",
        "/admin/petitions/petition/",
        "/admin/petitions/petition/?overdue=yes",
        f"/admin/petitions/petition/{petition.pk}/change/",
        f"/admin/petitions/petition/{petition.pk}/act/close/",
        f"/admin/petitions/petition/{petition.pk}/history/",
    ):
        page.goto(path)
    page.violations.assert_none()
