"""Rate limits (portal.ratelimits.limited) on the account pages; petitions reuse the same decorator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.models import User
from tests.factories import citizen
from tests.security.forms import GOOD_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_per_minute(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "accounts.register": "2/m"}


def registration(number: int) -> dict:
    return {
        "username": f"flood{number}",
        "email": f"flood{number}@example.com",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
    }


def assert_rate_limited_page(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "操作过于频繁" in html and "Too many requests" in html


def test_registration_over_the_limit_is_429_in_chinese_and_stores_nothing(client, two_per_minute):
    for number in range(2):
        assert client.post(reverse("register"), registration(number)).status_code == 302
    response = client.post(reverse("register"), registration(2))
    assert_rate_limited_page(response)
    assert not User.objects.filter(username="flood2").exists()


def test_invalid_submissions_count_too(client, two_per_minute):
    for _ in range(2):
        assert client.post(reverse("register"), {"username": "x"}).status_code == 200
    assert_rate_limited_page(client.post(reverse("register"), registration(0)))


def test_reading_the_form_is_not_counted(client, two_per_minute):
    for _ in range(5):
        assert client.get(reverse("register")).status_code == 200
    assert client.post(reverse("register"), registration(0)).status_code == 302


def test_the_limit_is_per_address(client, two_per_minute):
    for number in range(2):
        client.post(reverse("register"), registration(number), REMOTE_ADDR="203.0.113.1")
        client.logout()
    assert_rate_limited_page(client.post(reverse("register"), registration(2), REMOTE_ADDR="203.0.113.1"))
    assert client.post(reverse("register"), registration(3), REMOTE_ADDR="203.0.113.2").status_code == 302


def test_behind_a_proxy_the_limit_follows_the_configured_header(client, two_per_minute, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for number in range(2):
        client.post(reverse("register"), registration(number), HTTP_X_REAL_IP="203.0.113.1", **proxy)
        client.logout()
    assert_rate_limited_page(client.post(reverse("register"), registration(2), HTTP_X_REAL_IP="203.0.113.1", **proxy))
    response = client.post(reverse("register"), registration(3), HTTP_X_REAL_IP="203.0.113.2", **proxy)
    assert response.status_code == 302


def test_password_reset_emails_are_limited(client, settings, mailoutbox):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "accounts.password_reset": "2/m"}
    person = citizen(email="flooded@example.com")
    for _ in range(2):
        assert client.post(reverse("password_reset"), {"email": person.email}).status_code == 302
    assert_rate_limited_page(client.post(reverse("password_reset"), {"email": person.email}))
    assert len(mailoutbox) == 2


# Values a proxy's header (or a client, if the proxy passes it on) may hold that are not one address.
UNREADABLE = ["unknown", "", "unknown, unknown", "1.2.3.4, unknown", "999.999.999.999", "长" * 500, "::g"]


@pytest.mark.parametrize("value", UNREADABLE)
def test_an_unreadable_forwarded_address_is_counted_not_a_server_error(client, two_per_minute, settings, value):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    for number in range(2):
        response = client.post(reverse("register"), registration(number), HTTP_X_FORWARDED_FOR=value)
        assert response.status_code == 302
    # Counted against the socket address: no way out of the limit by sending garbage.
    assert_rate_limited_page(client.post(reverse("register"), registration(2), HTTP_X_FORWARDED_FOR=value))
    assert_rate_limited_page(client.post(reverse("register"), registration(3)))


@pytest.mark.parametrize("value", UNREADABLE)
def test_an_unreadable_forwarded_address_is_no_server_error_on_look_ups(client, settings, value):
    settings.CLIENT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    response = client.post(
        reverse("petitions:track"),
        {"reference": "WZ-20261123-0001", "query_code": "ABCD2345"},
        HTTP_X_FORWARDED_FOR=value,
    )
    assert response.status_code in (200, 302)


def test_counters_survive_the_page_cache_being_emptied(client, two_per_minute):
    """The page cache may be flooded and evict (or be cleared); the counters are not in it."""
    from django.core.cache import cache

    for number in range(2):
        client.post(reverse("register"), registration(number))
    cache.clear()
    assert_rate_limited_page(client.post(reverse("register"), registration(2)))
