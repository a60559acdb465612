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
from portal.models import Notice, OutboundEmail, User
from tests.factories import PASSWORD, DepartmentFactory, UserFactory, citizen, clerk

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.IGNORECASE)
GOOD_PASSWORD = "Zq8!pLm2#vR4-minsheng"

ACCOUNT_PAGES = [
    "login",
    "register",
    "register_done",
    "password_reset",
    "password_reset_done",
    "password_reset_complete",
]
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


def test_flash_messages_are_alerts():
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, "Saved, thank you.")
    html = render_to_string("portal/home.html", request=request)
    assert 'class="alert alert-success alert-dismissible fade show"' in html
    assert 'role="status"' in html
    assert "Saved, thank you." in html


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


def registration(username="zhangsan", email="zhangsan@example.com", **fields) -> dict:
    return {
        "username": username,
        "email": email,
        "mobile": "13800138000",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        **fields,
    }


def test_register_creates_a_citizen_and_says_what_next(client):
    response = client.post(reverse("register"), registration())
    assert response.status_code == 302
    assert response.url == reverse("register_done")
    user = User.objects.get(username="zhangsan")
    assert list(user.groups.values_list("name", flat=True)) == [roles.CITIZEN]
    assert user.mobile == "13800138000"
    assert user.check_password(GOOD_PASSWORD)
    # Not signed in: the answer is the same when nothing was created (below); they log in next.
    assert "_auth_user_id" not in client.session
    email = OutboundEmail.objects.get()
    assert (email.to, email.template) == ("zhangsan@example.com", "emails/account_created")
    page = english(client).get(response.url).content.decode()
    assert "Check your e-mail" in page and f'href="{reverse("login")}"' in page
    assert client.post(reverse("login"), {"username": "zhangsan", "password": GOOD_PASSWORD}).status_code == 302


def _answer(client, data) -> tuple:
    """Everything a visitor sees of a registration: the response, and the page it leads to."""
    response = client.post(reverse("register"), data)
    follow = client.get(response["Location"]) if response.status_code == 302 else response
    return (
        response.status_code,
        response.get("Location"),
        follow.status_code,
        follow.content,
        "_auth_user_id" in client.session,
    )


# Registrations that find an account: its username (in any case), its e-mail address (in any
# case), both. Each must look exactly like a new citizen's registration.
TAKEN = {
    "username": lambda owner: registration(username=owner.username, email="someone.new@example.com"),
    "username in other case": lambda owner: registration(
        username=owner.username.upper(), email="someone.new@example.com"
    ),
    "e-mail": lambda owner: registration(username="brand_new_name", email=owner.email),
    "e-mail in other case": lambda owner: registration(username="brand_new_name", email=owner.email.upper()),
    "both": lambda owner: registration(username=owner.username, email=owner.email),
}


@pytest.mark.parametrize("case", TAKEN)
def test_registration_does_not_tell_which_accounts_exist(case):
    from django.test import Client

    owner = citizen("lisi_owner", email="lisi@example.com", language="en")
    new = _answer(Client(), registration(username="wangwu_new", email="wangwu@example.com"))
    taken = _answer(Client(), TAKEN[case](owner))
    assert taken == new
    assert User.objects.count() == 2  # the owner and the genuinely new citizen only


def test_the_owner_of_a_registered_address_is_told_by_e_mail(client):
    owner = citizen("lisi_owner", email="lisi@example.com", language="en")
    for _ in range(3):  # at most one such e-mail a day, however often the form is sent
        client.post(reverse("register"), registration(username="someone_else", email="LISI@example.com"))
    email = OutboundEmail.objects.get()
    assert (email.to, email.template, email.language) == ("lisi@example.com", "emails/account_exists", "en")
    from portal.notifications import render_email

    _subject, body = render_email(email)
    assert owner.username in body and reverse("password_reset") in body
    assert "no new account was created" in body
    assert not User.objects.filter(username="someone_else").exists()


def test_a_taken_username_is_told_to_the_address_given(client):
    citizen("lisi_owner", email="lisi@example.com")
    client.post(reverse("register"), registration(username="LISI_OWNER", email="newcomer@example.com"))
    email = OutboundEmail.objects.get()
    assert (email.to, email.template) == ("newcomer@example.com", "emails/account_username_taken")
    from portal.notifications import render_email

    _subject, body = render_email(email)
    assert "LISI_OWNER" in body and reverse("register") in body
    assert "lisi@example.com" not in body


@pytest.mark.parametrize(
    "template", ["emails/account_created", "emails/account_exists", "emails/account_username_taken"]
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_registration_e_mails_render_in_both_languages(template, language):
    from portal.notifications import render_email

    row = OutboundEmail(
        to="x@example.com",
        template=template,
        language=language,
        context={"username": "zhangsan", "url": "http://testserver/accounts/login/", "reset_url": "http://r/"},
    )
    subject, body = render_email(row)
    assert subject and "\n" not in subject and "zhangsan" in body
    assert ("民声" in subject) == (language == "zh-hans")


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


# --- /healthz: a bare status for the public, detail for monitoring ----------------------------


def test_healthz_tells_the_public_only_ok(client):
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_tells_the_public_only_unavailable(client, monkeypatch):
    monkeypatch.setattr(views, "_broker_ok", lambda: False)
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    detail = client.get("/healthz")  # the test client's socket address is 127.0.0.1
    assert detail.status_code == 503
    assert (detail.json()["database"], detail.json()["broker"]) == ("ok", "unreachable")


# Requests that must get the bare status: from elsewhere, or from the machine but through a proxy
# (which connects from 127.0.0.1 and says whom it forwards), or with a wrong token.
BARE = {
    "another address": {"REMOTE_ADDR": "203.0.113.7"},
    "through a local proxy (X-Forwarded-For)": {"HTTP_X_FORWARDED_FOR": "127.0.0.1"},
    "through a local proxy (X-Real-IP)": {"HTTP_X_REAL_IP": "203.0.113.7"},
    "through a local proxy (Forwarded)": {"HTTP_FORWARDED": "for=127.0.0.1"},
    "a wrong token": {"REMOTE_ADDR": "203.0.113.7", "HTTP_AUTHORIZATION": "Bearer wrong"},
    "the token without Bearer": {"REMOTE_ADDR": "203.0.113.7", "HTTP_AUTHORIZATION": "s3cret-monitoring-token"},
    "an empty token": {"REMOTE_ADDR": "203.0.113.7", "HTTP_AUTHORIZATION": "Bearer "},
    "an unreadable address": {"REMOTE_ADDR": "unknown"},
}
DETAILED = {
    "loopback": {"REMOTE_ADDR": "127.0.0.1"},
    "IPv6 loopback": {"REMOTE_ADDR": "::1"},
    "the token": {"REMOTE_ADDR": "203.0.113.7", "HTTP_AUTHORIZATION": "Bearer s3cret-monitoring-token"},
    "the token through the proxy": {
        "HTTP_X_FORWARDED_FOR": "203.0.113.7",
        "HTTP_AUTHORIZATION": "bearer s3cret-monitoring-token",
    },
}


@pytest.mark.parametrize("case", BARE)
def test_healthz_detail_is_refused(client, settings, case):
    settings.HEALTHZ_TOKEN = "s3cret-monitoring-token"
    response = client.get("/healthz", **BARE[case])
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("case", DETAILED)
def test_healthz_detail_for_monitoring(client, settings, case):
    settings.HEALTHZ_TOKEN = "s3cret-monitoring-token"
    body = client.get("/healthz", **DETAILED[case]).json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert "sweep" in body


def test_healthz_detail_ignores_the_forwarded_address_rate_limits_believe(client, settings):
    """Behind a proxy client_ip reads its header; a client forging 127.0.0.1 there gets nothing."""
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    response = client.get("/healthz", REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="127.0.0.1")
    assert response.json() == {"status": "ok"}


def test_without_a_token_configured_no_token_is_accepted(client, settings):
    settings.HEALTHZ_TOKEN = ""
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer ")
    assert response.json() == {"status": "ok"}
