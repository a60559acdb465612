"""The public pages of the portal: base layout, home, account pages, error pages, notices, clock admin."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.template.loader import get_template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from portal import clocks, roles, views
from portal.models import Notice, User
from tests.factories import PASSWORD, DepartmentFactory, UserFactory, citizen, clerk

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
GOOD_PASSWORD = "Zq8!pLm2#vR4-minsheng"

ACCOUNT_PAGES = ["login", "register", "password_reset", "password_reset_done", "password_reset_complete"]
LOGGED_IN_ACCOUNT_PAGES = ["password_change", "password_change_done"]


def english(client):
    client.cookies["django_language"] = "en"
    return client


def notice_for(user, reference="X", **fields) -> Notice:
    return Notice.objects.create(
        recipient=user,
        kind="clock_overdue",
        context={"reference": reference, "title": "T", "clock_kind": "reply", "due_at": "2026-11-20T23:59:59+08:00"},
        **fields,
    )


def assert_layout(html: str):
    assert 'href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html
    assert "<footer" in html
    assert "<nav" in html


def assert_csp_clean(html: str):
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)


# --- home page and base layout ---------------------------------------------------------------


def test_home_in_chinese_has_landmarks_and_chinese_lang(client):
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    assert_layout(html)
    assert "民声" in html
    assert "办理时限" in html


def test_home_in_english_has_english_lang(client):
    response = english(client).get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert_layout(html)
    # The language switch offers the other language as a plain POST form.
    assert f'action="{reverse("set_language")}"' in html
    assert 'name="language" value="zh-hans"' in html
    assert 'name="next" value="/"' in html


def test_home_explains_every_deadline(client):
    """The deadlines of the areas that are built (portal.areas); disclosure's 20 working days once it is."""
    html = english(client).get(reverse("home")).content.decode()
    for amount in ("24 hours", "7 working days", "15 working days"):
        assert amount in html
    assert "20 working days" not in html
    assert "调休" in html


def test_home_and_login_have_no_inline_scripts_or_styles(client):
    for name in ("home", "login"):
        assert_csp_clean(client.get(reverse(name)).content.decode())


def test_bad_form_page_has_no_inline_scripts_or_styles(client):
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert response.status_code == 200
    assert_csp_clean(response.content.decode())


def test_menu_marks_the_current_area(client, monkeypatch):
    items = [
        {"url": "/", "label": "首页", "description": "Home", "name": "home"},
        {"url": "/accounts/", "label": "账户", "description": "Accounts", "name": "accounts"},
        {"url": "/accounts/login/", "label": "登录", "description": "Log in", "name": "login"},
    ]
    monkeypatch.setattr("portal.context_processors._navigation", lambda: items)
    html = client.get(reverse("login")).content.decode()
    assert 'href="/accounts/login/" aria-current="page"' in html
    assert 'href="/accounts/" aria-current' not in html
    html = client.get(reverse("register")).content.decode()
    assert 'href="/accounts/" aria-current="true"' in html


def test_no_menu_when_no_area_is_open(client, monkeypatch):
    monkeypatch.setattr("portal.context_processors._navigation", lambda: [])
    html = client.get(reverse("home")).content.decode()
    assert 'aria-label="Main navigation"' not in html
    assert "办理时限" in html


def test_anonymous_visitor_sees_login_and_register(client):
    html = english(client).get(reverse("home")).content.decode()
    assert f'href="{reverse("login")}?next=/"' in html
    assert f'href="{reverse("register")}"' in html
    assert reverse("admin:index") not in html


def test_flash_messages_are_alerts(client):
    response = english(client).post(
        reverse("register"),
        {"username": "flash", "email": "flash@example.com", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
        follow=True,
    )
    html = response.content.decode()
    assert 'class="alert alert-success alert-dismissible fade show"' in html
    assert 'role="status"' in html
    assert "Welcome! Your account has been created." in html


# --- staff header ---------------------------------------------------------------------------


def test_staff_sees_workplace_link_and_unread_count(client):
    staff = clerk()
    notice_for(staff, "A")
    notice_for(staff, "B")
    notice_for(staff, "C", read_at=timezone.now())
    client.force_login(staff)
    html = english(client).get(reverse("home")).content.decode()
    assert f'href="{reverse("admin:index")}"' in html
    assert "工作台 Staff workplace" in html
    assert f'href="{reverse("notice_list")}"' in html
    assert "(2 unread notices)" in html


def test_citizen_sees_no_workplace_link(client):
    client.force_login(citizen())
    html = english(client).get(reverse("home")).content.decode()
    assert reverse("admin:index") not in html
    assert "Staff workplace" not in html
    assert f'action="{reverse("logout")}"' in html
    assert f'href="{reverse("password_change")}"' in html


# --- account pages --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_page_renders(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_layout(response.content.decode())


@pytest.mark.parametrize("name", LOGGED_IN_ACCOUNT_PAGES)
def test_logged_in_account_page_renders(client, name):
    client.force_login(citizen())
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_layout(response.content.decode())


def test_password_change_requires_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_invalid_password_reset_link_says_so(client):
    response = english(client).get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert response.status_code == 200
    assert "This link no longer works" in response.content.decode()


def test_logged_out_page_renders():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = get_template("registration/logged_out.html").render({}, request)
    assert_layout(html)
    assert reverse("login") in html


def test_login_form_is_labelled_and_autocompletes(client):
    html = client.get(reverse("login")).content.decode()
    assert re.search(r'<label\s+for="id_username"', html)
    assert re.search(r'<label\s+for="id_password"', html)
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


def test_login_with_wrong_password_announces_the_error(client):
    UserFactory(username="somebody")
    response = english(client).post(reverse("login"), {"username": "somebody", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "Please enter a correct username and password" in html
    assert 'value="somebody"' in html


def test_login_then_redirects_to_next(client):
    UserFactory(username="somebody")
    response = client.post(reverse("login"), {"username": "somebody", "password": PASSWORD, "next": "/notices/"})
    assert response.status_code == 302
    assert response.url == "/notices/"


def test_register_creates_a_logged_in_citizen(client):
    response = client.post(
        reverse("register"),
        {
            "username": "zhangsan",
            "email": "zhangsan@example.com",
            "mobile": "13800138000",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("home")
    user = User.objects.get(username="zhangsan")
    assert list(user.groups.values_list("name", flat=True)) == [roles.CITIZEN]
    assert user.mobile == "13800138000"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_bad_registration_keeps_what_was_typed_and_creates_nobody(client):
    response = english(client).post(
        reverse("register"),
        {
            "username": "lisi",
            "email": "lisi@example.com",
            "mobile": "12345",
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD + "x",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not User.objects.filter(username="lisi").exists()
    assert "_auth_user_id" not in client.session
    assert 'value="lisi"' in html
    assert 'value="lisi@example.com"' in html
    assert 'role="alert"' in html
    assert "11-digit mainland mobile number" in html
    assert 'href="#id_mobile"' in html  # the error summary links to the field
    assert 'href="#id_password2"' in html
    assert 'aria-invalid="true"' in html
    # Passwords are never echoed back.
    assert GOOD_PASSWORD not in html


def test_register_page_redirects_a_logged_in_user(client):
    client.force_login(citizen())
    assert client.get(reverse("register")).status_code == 302


def test_logout_by_post(client):
    client.force_login(citizen())
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert "_auth_user_id" not in client.session


def test_password_change(client):
    user = citizen()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)


def test_password_reset_sends_a_working_link(client):
    user = citizen(email="wangwu@example.com")
    response = client.post(reverse("password_reset"), {"email": "wangwu@example.com"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wangwu@example.com"]
    assert "民声" in message.subject  # the default language is zh-hans
    assert "\n" not in message.subject
    assert user.username in message.body

    link = re.search(r"http://testserver(/accounts/password/reset/\S+/\S+/)", message.body).group(1)
    form_url = client.get(link).url  # Django swaps the token for a session value
    assert client.get(form_url).status_code == 200
    response = client.post(form_url, {"new_password1": GOOD_PASSWORD, "new_password2": GOOD_PASSWORD})
    assert response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(GOOD_PASSWORD)


def test_password_reset_for_an_unknown_address_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


# --- error pages ----------------------------------------------------------------------------


def test_404_is_the_chinese_first_page(client):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html
    assert "Page not found" in html
    main = html[html.index("<main") :]
    assert main.index("页面不存在") < main.index("Page not found")
    assert "<title>页面不存在 Page not found" in html
    assert_layout(html)


def test_403_is_the_chinese_first_page():
    request = RequestFactory().get("/admin/secret/")
    request.user = AnonymousUser()
    response = views.permission_denied(request)
    html = response.content.decode()
    assert response.status_code == 403
    main = html[html.index("<main") :]
    assert main.index("无权访问") < main.index("Access denied")
    assert reverse("login") in html


def test_500_renders_without_request_or_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = get_template("500.html").render()
    assert "服务器错误" in html
    assert "Server error" in html
    assert "bootstrap.min.css" in html
    assert_csp_clean(html)


# --- notices --------------------------------------------------------------------------------


def test_notice_list_requires_login(client):
    response = client.get(reverse("notice_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_notice_list_shows_own_notices(client):
    staff = clerk()
    notice_for(staff, "PET-2026-0001", url="/admin/portal/clock/1/change/")
    notice_for(clerk(), "OTHER-PERSON")
    client.force_login(staff)
    response = english(client).get(reverse("notice_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Overdue: PET-2026-0001 T" in html
    assert 'href="/admin/portal/clock/1/change/"' in html
    assert "OTHER-PERSON" not in html
    assert "Unread" in html
    assert "<time datetime=" in html


def test_notice_list_mark_all_read(client):
    staff = clerk()
    mine = [notice_for(staff, "A"), notice_for(staff, "B")]
    theirs = notice_for(clerk(), "C")
    client.force_login(staff)
    response = client.post(reverse("notice_list"))
    assert response.status_code == 302
    assert response.url == reverse("notice_list")
    assert all(Notice.objects.get(pk=notice.pk).read_at for notice in mine)
    assert Notice.objects.get(pk=theirs.pk).read_at is None
    html = english(client).get(reverse("home")).content.decode()
    assert "unread notice" not in html


def test_notice_list_paginates(client):
    staff = clerk()
    for number in range(30):
        notice_for(staff, f"N{number}")
    client.force_login(staff)
    html = client.get(reverse("notice_list")).content.decode()
    assert 'href="?page=2"' in html
    assert 'aria-current="page"' in html
    assert client.get(reverse("notice_list"), {"page": 2}).status_code == 200


# --- clock admin ----------------------------------------------------------------------------


@pytest.fixture
def clock():
    subject = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    return clocks.clock_start(
        subject=subject,
        policy="petition.reply.ordinary",
        department=subject,
        started_at=datetime(2026, 11, 10, 10, tzinfo=ZoneInfo("Asia/Shanghai")),
    )


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))
    return english(client)


def test_clock_change_form_offers_the_actions(admin_client, clock):
    html = admin_client.get(reverse("admin:portal_clock_change", args=[clock.pk])).content.decode()
    assert f'href="{reverse("admin:portal_clock_extend", args=[clock.pk])}"' in html
    assert f'href="{reverse("admin:portal_clock_urge", args=[clock.pk])}"' in html


def test_clock_action_form_renders_and_reports_errors(admin_client, clock):
    url = reverse("admin:portal_clock_extend", args=[clock.pk])
    response = admin_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="days"' in html
    assert 'type="submit"' in html
    assert "clock-explanation" in html
    response = admin_client.post(url, {"days": "0", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="errornote" role="alert"' in html
    assert 'aria-invalid="true"' in html


def test_clock_action_form_performs_the_action(admin_client, clock):
    url = reverse("admin:portal_clock_extend", args=[clock.pk])
    response = admin_client.post(url, {"days": "3", "reason": "需要现场核查"})
    assert response.status_code == 302
    clock.refresh_from_db()
    assert clock.extension_days == 3
