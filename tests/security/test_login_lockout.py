"""Login brute force (django-axes, rules in portal/security.py): a staff account is locked from every
address after AXES_FAILURE_LIMIT failures, a citizen's account per username + address, and an
address after AXES_ADDRESS_FAILURE_LIMIT failures over all usernames."""

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
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == "portal.security.lockout_parameters"
    assert settings.AXES_HANDLER == "portal.security.LoginLockoutHandler"
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
    # One counter for both doors: the public login is closed to that account as well.
    assert_lockout_page(attempt(client, user.username, PASSWORD))


def test_a_citizens_lockout_is_per_username_and_address(client):
    user, other = citizen(), citizen()
    fail_until_locked(client, user.username)
    # The same account from another address, and another account from the same address, still work.
    assert attempt(client, user.username, PASSWORD, address="198.51.100.9").status_code == 302
    client.logout()
    assert attempt(client, other.username, PASSWORD).status_code == 302


def test_strangers_elsewhere_cannot_lock_a_citizen_out_of_their_account(client):
    user = citizen()
    for number in range(1, 4):  # three addresses, each locked out of the account
        assert_lockout_page(fail_until_locked(client, user.username, address=f"192.0.2.{number}"))
    assert attempt(client, user.username, PASSWORD, address="198.51.100.9").status_code == 302


@pytest.mark.parametrize("url", ["login", "admin:login"])
def test_a_staff_account_is_locked_from_every_address(client, url):
    user = staff_of(DepartmentFactory())
    locked = fail_until_locked(client, user.username, url=url)
    assert_lockout_page(locked)
    # The right password from anywhere else is refused too, with a message saying so.
    response = attempt(client, user.username, PASSWORD, url=url, address="198.51.100.9")
    assert_lockout_page(response)
    html = response.content.decode()
    assert "工作人员账号" in html and "from every address" in html
    assert "_auth_user_id" not in client.session


def test_guesses_at_a_staff_account_spread_over_addresses_count_together(client):
    user = staff_of(DepartmentFactory())
    responses = [
        attempt(client, user.username, "wrong password", address=f"192.0.2.{number}") for number in range(LIMIT)
    ]
    assert all(r.status_code == 200 for r in responses[:-1])
    assert_lockout_page(responses[-1])
    assert_lockout_page(attempt(client, user.username, PASSWORD, address="198.51.100.9"))


def test_a_staff_lockout_ends_after_the_cool_off(client):
    user = staff_of(DepartmentFactory())
    fail_until_locked(client, user.username)
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert attempt(client, user.username, PASSWORD, address="198.51.100.9").status_code == 302


@pytest.fixture
def address_limit(settings):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 8
    return 8


def test_password_spraying_from_one_address_is_stopped(client, address_limit):
    """One failure each for many usernames (existing or not): the address is paused, whatever
    the password it tries next and whose account it names."""
    victims = [citizen() for _ in range(3)]
    names = [victim.username for victim in victims] + [f"nobody{number}" for number in range(address_limit)]
    responses = [attempt(client, name, "Password123") for name in names[:address_limit]]
    assert all(r.status_code == 200 for r in responses[:-1]), "paused too early"
    assert_lockout_page(responses[-1])
    fresh = citizen()  # never tried: its right password from the address is refused too
    paused = attempt(client, fresh.username, PASSWORD)
    assert_lockout_page(paused)
    assert (
        "网络地址连续" in paused.content.decode()
        and "logging in from this address is paused" in paused.content.decode()
    )
    assert "_auth_user_id" not in client.session
    # Other addresses are not affected.
    assert attempt(client, fresh.username, PASSWORD, address="198.51.100.9").status_code == 302
    client.logout()
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert attempt(client, fresh.username, PASSWORD).status_code == 302


def test_the_address_limit_comes_from_the_environment(tmp_path):
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print('RESULT', settings.AXES_ADDRESS_FAILURE_LIMIT)",
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "MINSHENG_VAR_DIR": str(tmp_path),
            "SECRET_KEY": secrets.token_urlsafe(45),
            "AXES_ADDRESS_FAILURE_LIMIT": "50",
        },
    )
    assert_ok(result)
    assert "RESULT 50" in result.stdout


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


# Every value a proxy header or the socket may hold that is not one address.
UNREADABLE_ADDRESSES = [
    "unknown",
    "",
    " ",
    "garbage, unknown",
    "999.1.1.1",
    "1.2.3",
    "::g",
    "<script>",
    "1.2.3.4\x00",
    "长" * 300,
    "203.0.113.5:80:90",
    "[2001:db8::1",
]


@pytest.mark.parametrize("value", UNREADABLE_ADDRESSES)
def test_an_unreadable_forwarded_address_falls_back_to_the_socket_address(rf, settings, value):
    from portal.security import client_ip

    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=value)) == "10.0.0.2"
    # Neither readable: every such client is counted in one bucket, never a crash or a free pass.
    assert client_ip(rf.get("/", REMOTE_ADDR=value, HTTP_X_FORWARDED_FOR=value)) == "0.0.0.0"


@pytest.mark.parametrize(
    ("value", "address"),
    [
        ("203.0.113.5:4711", "203.0.113.5"),
        ("[2001:db8::1]:443", "2001:db8::1"),
        ("2001:DB8:0::1", "2001:db8::1"),
        ("::ffff:203.0.113.5", "203.0.113.5"),
        ("fe80::1%eth0", "fe80::1"),
        (" 203.0.113.5 ", "203.0.113.5"),
    ],
)
def test_forwarded_addresses_are_read_in_their_canonical_form(rf, settings, value, address):
    from portal.security import client_ip

    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=value)) == address


@pytest.mark.parametrize("value", ["unknown", "", "1.2.3.4, unknown", "长" * 300])
def test_an_unreadable_forwarded_address_is_no_server_error_at_login(client, settings, value):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    user = citizen()
    assert attempt(client, user.username, "wrong password", HTTP_X_FORWARDED_FOR=value).status_code == 200
    assert attempt(client, user.username, PASSWORD, HTTP_X_FORWARDED_FOR=value).status_code == 302


def test_an_absurdly_long_username_is_counted_not_a_server_error(client):
    response = attempt(client, "长" * 10_000, "wrong password")
    assert response.status_code == 200
