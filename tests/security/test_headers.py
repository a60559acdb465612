"""Security headers and cookies: under production settings (a subprocess with HTTPS=true, as
tests/portal/test_foundation.py runs `check --deploy`) and on every kind of page in the tests.

Session-key rotation on login is tested in tests/portal/test_sessions.py
(test_login_rotates_the_session_key); the admin login goes through the same `login()`.
"""

from __future__ import annotations

import json
import secrets

import pytest
from django.test import Client
from django.urls import reverse

from tests import processes
from tests.factories import DepartmentFactory, citizen, staff_of
from tests.portal.test_foundation import assert_ok, manage
from tests.security.discovery import declared_by_app

# The policy issue 6 asks for, written out independently of settings.py.
EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def csp_directives(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value.strip()
    return directives


def assert_strict_csp(response) -> None:
    assert "Content-Security-Policy" in response, f"no CSP header ({response.status_code})"
    assert csp_directives(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]


PRODUCTION_REQUESTS = """
import json
from django.test import Client
from portal.models import User

host = "minsheng.example.gov.cn"
User.objects.create_user("headers_citizen", "headers@example.com", "Headers-Test-Password-9")
result = {}
plain = Client(HTTP_HOST=host)
response = plain.get("/accounts/login/")
result["http"] = [response.status_code, response.get("Location")]

# What the TLS proxy sends on: X-Forwarded-Proto: https.
tls = Client(HTTP_HOST=host, HTTP_X_FORWARDED_PROTO="https")

def cookies(response):
    return {
        name: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"]}
        for name, m in response.cookies.items()
    }

response = tls.get("/accounts/login/")
result["login_page"] = {"status": response.status_code, "headers": dict(response.items()), "cookies": cookies(response)}
response = tls.post("/accounts/login/", {"username": "headers_citizen", "password": "Headers-Test-Password-9"})
result["logged_in"] = {"status": response.status_code, "cookies": cookies(response)}
response = tls.post("/i18n/setlang/", {"language": "en", "next": "/"})
result["language"] = {"status": response.status_code, "cookies": cookies(response)}
response = tls.get("/admin/login/")
result["admin_login"] = {"status": response.status_code, "headers": dict(response.items())}
print("RESULT " + json.dumps(result))
"""


# Committed, so the subprocess sees the test database; serialized like the suite's other transactional
# tests, whose snapshot restore would otherwise collide with the roles a plain flush recreates.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_production_settings_give_secure_headers_and_cookies(tmp_path):
    result = manage(
        "shell",
        "-c",
        PRODUCTION_REQUESTS,
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": processes.test_database_url(),
            "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
            "CACHE_URL": "locmemcache://",
            "SECRET_KEY": secrets.token_urlsafe(45),
            "HTTPS": "true",
            "ALLOWED_HOSTS": "minsheng.example.gov.cn",
            "DEBUG": "false",
            "MINSHENG_VAR_DIR": str(tmp_path),
        },
    )
    assert_ok(result)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    outcome = json.loads(line.removeprefix("RESULT "))

    status, location = outcome["http"]
    assert status == 301 and location == "https://minsheng.example.gov.cn/accounts/login/"

    page = outcome["login_page"]
    headers = {name.lower(): value for name, value in page["headers"].items()}
    assert page["status"] == 200
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    assert csp_directives(headers["content-security-policy"]) == EXPECTED_CSP
    assert page["cookies"]["csrftoken"] == {"secure": True, "httponly": False, "samesite": "Lax"}

    logged_in = outcome["logged_in"]
    assert logged_in["status"] == 302
    assert logged_in["cookies"]["sessionid"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    language = outcome["language"]
    assert language["status"] == 302
    assert language["cookies"]["django_language"] == {"secure": True, "httponly": True, "samesite": "Lax"}

    admin_headers = {name.lower(): value for name, value in outcome["admin_login"]["headers"].items()}
    assert outcome["admin_login"]["status"] == 200
    assert csp_directives(admin_headers["content-security-policy"]) == EXPECTED_CSP
    assert admin_headers["x-frame-options"] == "DENY"


# --- the policy on every kind of response ------------------------------------------------------


@pytest.mark.django_db
def test_public_pages_carry_the_strict_policy(client):
    for name in ("home", "login", "register", "password_reset"):
        assert_strict_csp(client.get(reverse(name)))
    assert_strict_csp(client.get("/no-such-page/"))


@pytest.mark.django_db
def test_admin_pages_carry_the_strict_policy_too(client):
    """No exception for the admin: Django 5.2's admin needs no inline script or style."""
    staff = staff_of(DepartmentFactory())
    client.force_login(staff)
    for url in (reverse("admin:index"), reverse("admin:portal_clock_changelist"), reverse("admin:jsi18n")):
        assert_strict_csp(client.get(url))


@pytest.mark.django_db
def test_error_pages_carry_the_strict_policy():
    assert_strict_csp(Client(enforce_csrf_checks=True).post(reverse("login"), {}))  # 403 CSRF
    assert_strict_csp(Client().post(reverse("register"), {f"f{n}": "x" for n in range(1100)}))  # 400
    client = Client()
    client.force_login(citizen())
    assert_strict_csp(client.get(reverse("admin:portal_clock_changelist")))  # redirect to the admin login


@pytest.mark.django_db
def test_rate_limit_and_lockout_pages_carry_the_strict_policy(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "accounts.register": "1/m"}
    client.post(reverse("register"), {"username": "x"})
    limited = client.post(reverse("register"), {"username": "x"})
    assert limited.status_code == 429
    assert_strict_csp(limited)

    user = citizen()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        locked = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert locked.status_code == 429
    assert_strict_csp(locked)


@pytest.mark.django_db
def test_our_error_templates_have_no_inline_script_or_style(client):
    from tests.portal.test_pages import assert_csp_clean

    assert_csp_clean(Client(enforce_csrf_checks=True).post(reverse("login"), {}).content.decode())
    assert_csp_clean(client.post(reverse("register"), {f"f{n}": "x" for n in range(1100)}).content.decode())


# --- third-party templates under the policy ------------------------------------------------------


def test_the_simple_history_template_override_follows_the_package():
    """templates/simple_history/object_history_list.html is the package's, minus one inline style.

    When django-simple-history is upgraded and its template changes, this fails: copy it again.
    """
    from pathlib import Path

    import simple_history
    from django.conf import settings

    name = "simple_history/object_history_list.html"
    package = (Path(simple_history.__file__).parent / "templates" / name).read_text()
    ours = (Path(settings.BASE_DIR) / "templates" / name).read_text()
    ours_body = "".join(ours.splitlines(keepends=True)[3:])  # after our three comment lines
    assert ours_body == package.replace('<p class="paginator" style="border-top: 0">', '<p class="paginator">')


def test_no_model_admin_turns_off_both_action_bars():
    """Django's change_list.html adds an inline <style> when a ModelAdmin has neither action bar."""
    from django.contrib import admin

    offending = [
        str(model_admin)
        for model_admin in admin.site._registry.values()
        if not model_admin.actions_on_top and not model_admin.actions_on_bottom
    ]
    assert offending == []


# --- Cache-Control: nothing meant for one person is kept by a browser or a proxy ----------------

# Pages an anonymous visitor shares with every other (portal.pagecache.shared_with_anonymous): the
# portal's, and each domain app's SHARED_WITH_ANONYMOUS (tests/<app_label>/security.py).
SHARED_WITH_ANONYMOUS = {"home", "stats"} | {
    name for _label, names in declared_by_app("SHARED_WITH_ANONYMOUS") for name in names
}
# Responses that say `Cache-Control: public` on purpose, the same for everyone: the portal's, and
# each domain app's EXPLICITLY_PUBLIC.
EXPLICITLY_PUBLIC = {"favicon"} | {name for _label, names in declared_by_app("EXPLICITLY_PUBLIC") for name in names}


def assert_private_no_store(response, what: str, failures: list) -> None:
    directives = {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}
    if not {"private", "no-store"} <= directives:
        failures.append(f"{what}: Cache-Control {response.get('Cache-Control')!r}")


@pytest.mark.django_db
def test_every_page_of_the_url_conf_shown_to_someone_is_private_no_store(world):
    """Walks tests/security/access.py: every URL of the URL conf that answers 200 to a role (a
    citizen's tickets, notices, the ledger and its exports, dashboards and the export, reports,
    password change, tracking results, the admin) is `private, no-store`; only the public pages
    an anonymous visitor shares with everyone are not."""
    from django.db import transaction

    from tests.security.access import URLS
    from tests.security.test_access_matrix import client_for
    from tests.security.urlconf import named_urls
    from tests.security.world import ANONYMOUS, ROLES

    names = named_urls()
    failures, checked = [], 0
    for name, declared in sorted(URLS.items()):
        if name not in names or declared.method != "get":
            continue
        with transaction.atomic():  # each URL's records are built afresh, as in the access matrix
            kwargs = declared.kwargs(world) if declared.kwargs else None
            args = declared.args(world) if declared.args else None
            url = reverse(name, kwargs=kwargs, args=args)
            for role in ROLES:
                if declared.outcomes[role].status != 200 or (role == ANONYMOUS and name in SHARED_WITH_ANONYMOUS):
                    continue
                response = client_for(world, role).get(url)
                assert response.status_code == 200, (name, role, response.status_code)
                if name in EXPLICITLY_PUBLIC:
                    assert "public" in response.get("Cache-Control", ""), name
                    continue
                assert_private_no_store(response, f"{name} as {role}", failures)
                checked += 1
            transaction.set_rollback(True)
    assert checked > 50
    assert not failures, "pages without private, no-store:\n" + "\n".join(failures)


@pytest.mark.django_db
def test_every_admin_model_page_is_private_no_store(world):
    from django.contrib.admin.utils import quote

    from tests.security.access import ADMIN_MODELS
    from tests.security.test_access_matrix import client_for
    from tests.security.urlconf import admin_models, admin_page_name
    from tests.security.world import SUPERUSER

    registered = admin_models()
    client = client_for(world, SUPERUSER)
    failures = []
    for label, declared in sorted(ADMIN_MODELS.items()):
        if label not in registered:
            continue
        obj = declared.obj(world)
        for page, args in (("changelist", []), ("change", [quote(obj.pk)]), ("history", [quote(obj.pk)])):
            response = client.get(reverse(admin_page_name(label, page), args=args))
            assert response.status_code == 200, (label, page)
            assert_private_no_store(response, f"admin {label} {page}", failures)
    assert not failures, "\n".join(failures)


def _shared_parameterless() -> list[str]:
    from tests.security.urlconf import named_urls

    names = named_urls()
    return sorted(name for name in SHARED_WITH_ANONYMOUS if name in names and not names[name].has_params)


@pytest.mark.django_db
def test_shared_pages_are_not_private_for_anonymous_visitors_but_are_once_signed_in():
    shared = _shared_parameterless()
    assert {"home", "stats"} <= set(shared)
    for name in shared:
        for _ in range(2):  # rendered, then from the cache
            response = Client().get(reverse(name))
            assert response.status_code == 200
            assert "no-store" not in response.get("Cache-Control", ""), name
    client = Client()
    client.force_login(citizen())
    failures = []
    for name in shared:
        assert_private_no_store(client.get(reverse(name)), name, failures)
    assert not failures


@pytest.mark.django_db
def test_error_and_cookie_setting_responses_are_private():
    failures = []
    assert_private_no_store(Client().get("/no-such-page/"), "404", failures)
    assert_private_no_store(Client().get(reverse("login")), "a page setting the CSRF cookie", failures)
    client = Client()
    client.get(reverse("home"))
    client.cookies["messages"] = "pending"  # a flash message: the page is not the shared one
    assert_private_no_store(client.get(reverse("home")), "home with a flash message", failures)
    assert not failures


@pytest.mark.django_db
def test_explicitly_public_responses_keep_their_cache_control():
    from tests.petitions.factories import PetitionFactory, attachment_for

    petition = PetitionFactory(department=DepartmentFactory(), published=True)
    attachment = attachment_for(petition, reply=petition.replies.get())
    client = Client()
    client.force_login(citizen())
    response = client.get(reverse("petitions:attachment", kwargs={"pk": attachment.pk}))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "no-store" not in response["Cache-Control"]


def test_the_language_cookie_follows_https(settings):
    from portal import settings as production

    assert production.LANGUAGE_COOKIE_SECURE == production.HTTPS
    assert production.LANGUAGE_COOKIE_HTTPONLY is True
    assert production.LANGUAGE_COOKIE_SAMESITE == "Lax"
