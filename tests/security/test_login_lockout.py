"""Login brute force: django-axes locks a username + address pair out after AXES_FAILURE_LIMIT failures."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, DepartmentFactory, citizen, staff_of
from tests.portal.test_foundation import assert_ok, manage

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT


def attempt(client, username, password, *, url="login", address="203.0.113.7", **headers):
    return client.post(reverse(url), {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def fail_until_locked(client, username, **kwargs):
    responses = [attempt(client, username, "wrong password", **kwargs) for _ in range(LIMIT)]
    assert all(r.status_code == 200 for r in responses[:-1]), "locked out too early"
    return responses[-1]


def assert_lockout_page(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录已暂停" in html and "Login paused" in html
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    assert f"{minutes}分钟" in html and f"{minutes} minutes" in html
    assert reverse("password_reset") in html


def test_defaults_are_five_failures_and_thirty_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_the_limit_and_cool_off_come_from_the_environment(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print('RESULT', settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME)",
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "MINSHENG_VAR_DIR": str(tmp_path),
            "SECRET_KEY": secrets.token_urlsafe(45),
            "AXES_FAILURE_LIMIT": "7",
            "AXES_COOLOFF_MINUTES": "10",
        },
    )
    assert_ok(result)
    assert "RESULT 7 0:10:00" in result.stdout


def test_public_login_locks_out_after_the_limit_even_with_the_right_password(client):
    user = citizen()
    assert_lockout_page(fail_until_locked(client, user.username))
    response = attempt(client, user.username, PASSWORD)
    assert_lockout_page(response)
    assert "_auth_user_id" not in client.session


def test_admin_login_locks_out_too(client):
    user = staff_of(DepartmentFactory())
    assert_lockout_page(fail_until_locked(client, user.username, url="admin:login"))
    assert_lockout_page(attempt(client, user.username, PASSWORD, url="admin:login"))
    # One counter for both doors: the public login is closed to that pair as well.
    assert_lockout_page(attempt(client, user.username, PASSWORD))


def test_lockout_is_per_username_and_address(client):
    user, other = citizen(), citizen()
    fail_until_locked(client, user.username)
    # The same account from another address, and another account from the same address, still work.
    assert attempt(client, user.username, PASSWORD, address="198.51.100.9").status_code == 302
    client.logout()
    assert attempt(client, other.username, PASSWORD).status_code == 302


def test_lockout_ends_after_the_cool_off(client):
    user = citizen()
    fail_until_locked(client, user.username)
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert attempt(client, user.username, PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(client):
    user = citizen()
    for _ in range(LIMIT - 1):
        attempt(client, user.username, "wrong password")
    assert attempt(client, user.username, PASSWORD).status_code == 302
    client.logout()
    for _ in range(LIMIT - 1):
        assert attempt(client, user.username, "wrong password").status_code == 200


def test_behind_a_proxy_the_address_comes_from_the_configured_header(client, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    user = citizen()
    # Every request arrives from the proxy's address; the clients differ only in X-Real-IP.
    fail_until_locked(client, user.username, address="10.0.0.2", HTTP_X_REAL_IP="203.0.113.50")
    locked = attempt(client, user.username, PASSWORD, address="10.0.0.2", HTTP_X_REAL_IP="203.0.113.50")
    assert_lockout_page(locked)
    other_client = attempt(client, user.username, PASSWORD, address="10.0.0.2", HTTP_X_REAL_IP="203.0.113.51")
    assert other_client.status_code == 302


def test_a_forwarded_for_list_counts_the_address_our_proxy_added(rf, settings):
    from portal.security import client_ip

    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50")
    assert client_ip(request) == "203.0.113.50"  # "1.2.3.4" is whatever the client claimed
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_an_absurdly_long_username_is_counted_not_a_server_error(client):
    response = attempt(client, "长" * 10_000, "wrong password")
    assert response.status_code == 200
