"""Staff sessions end 8 hours after login, however active; citizens keep the normal age."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD, DepartmentFactory, citizen, staff_of

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_staff_session_ends_eight_hours_after_login_even_when_active(client):
    user = staff_of(DepartmentFactory())
    login_at = datetime(2026, 11, 23, 8, 30, tzinfo=SH)
    with time_machine.travel(login_at, tick=False):
        assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200
    with time_machine.travel(login_at + timedelta(hours=7, minutes=59), tick=False):
        assert client.get(reverse("admin:index")).status_code == 200  # activity does not extend it
    with time_machine.travel(login_at + timedelta(hours=8, minutes=1), tick=False):
        response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/login/" in response.url


def test_citizen_session_keeps_the_normal_age(client):
    user = citizen()
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_login_rotates_the_session_key(client):
    user = citizen()
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert client.session.session_key != before


def test_sessions_live_in_the_durable_cache_not_the_page_cache(client):
    """A flood of page-cache entries may evict (or an operator clear) the page cache: signed-in
    visitors stay signed in, with no extra query, because their sessions are elsewhere."""
    from django.contrib.sessions.backends.cached_db import KEY_PREFIX
    from django.core.cache import cache, caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = citizen()
    assert client.post(reverse("login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    key = client.session.session_key
    assert caches["durable"].get(KEY_PREFIX + key) is not None
    assert cache.get(KEY_PREFIX + key) is None
    cache.clear()
    client.get(reverse("notice_list"))  # warm everything but the session
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("notice_list"))
    assert response.status_code == 200
    assert not any("django_session" in query["sql"] for query in queries.captured_queries)
