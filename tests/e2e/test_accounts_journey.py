"""A citizen registers, logs out and in again; staff reach their workplace; each page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from portal.models import User
from tests.e2e.conftest import assert_accessible
from tests.factories import PASSWORD, DepartmentFactory, staff_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_citizen_registers_and_logs_in_again(page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    assert_accessible(page)

    page.get_by_role("link", name=re.compile("注册")).first.click()
    assert_accessible(page)
    page.get_by_label(re.compile("用户名")).fill("liming")
    page.get_by_label(re.compile("电子邮件|邮箱")).fill("liming@example.com")
    page.get_by_label(re.compile("手机")).fill("12345")  # invalid: must be kept and explained
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_label(re.compile("用户名"))).to_have_value("liming")
    assert_accessible(page)
    assert not User.objects.filter(username="liming").exists()

    page.get_by_label(re.compile("手机")).fill("13800138000")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    # The same next-step page whether or not the name was free (it never says which accounts exist).
    page.wait_for_url(re.compile(r"/accounts/register/sent/$"))
    assert_accessible(page)
    assert User.objects.get(username="liming").groups.filter(name="Citizen").exists()

    page.locator("main").get_by_role("link", name=re.compile("登录")).click()
    page.get_by_label(re.compile("用户名")).fill("liming")
    page.get_by_label(re.compile("密码")).fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("button", name=re.compile("退出"))).to_be_visible()


def test_staff_member_reaches_the_workplace_from_the_site(page):
    user = staff_of(DepartmentFactory(name="住房和城乡建设局", code="ZJJ"), "staff_a")
    page.goto("/accounts/login/")
    page.get_by_label(re.compile("用户名")).fill(user.username)
    page.get_by_label(re.compile("密码")).fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.get_by_role("link", name=re.compile("工作台")).first.click()
    expect(page).to_have_url(re.compile("/admin/"))


def test_home_page_on_a_phone_and_in_english(phone_page):
    phone_page.goto("/")
    assert_accessible(phone_page)
    phone_page.get_by_role("button", name=re.compile("English")).click()
    expect(phone_page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(phone_page)
    # Nothing wider than the screen: no horizontal scrolling on a phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_accessibility_check_catches_violations(browser):
    """The harness itself: an unlabelled input and an image without alt text must fail."""
    from tests.e2e.conftest import axe_violations

    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html lang="zh"><body><main><input type="text"><img src="x.png"></main></body></html>')
    found = {violation["id"] for violation in axe_violations(page)}
    context.close()
    assert {"label", "image-alt"} <= found
