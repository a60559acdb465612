"""Whole-page cache for anonymous visitors (portal.pagecache)."""

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from tests.factories import citizen

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_share_the_home_page_with_its_security_headers(django_assert_num_queries):
    first = Client().get(reverse("home"))
    assert first.status_code == 200 and "X-Page-Cache" not in first
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert not first.cookies
    with django_assert_num_queries(0):
        second = Client().get(reverse("home"))
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Content-Security-Policy" in second and second["X-Content-Type-Options"] == "nosniff"


def test_each_language_has_its_own_page():
    Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get(reverse("home"))
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("home"))
    assert "X-Page-Cache" not in english
    assert 'lang="en"' in english.content.decode()


def test_signed_in_visitors_always_get_a_fresh_page():
    client = Client()
    Client().get(reverse("home"))
    client.force_login(citizen())
    response = client.get(reverse("home"))
    assert "X-Page-Cache" not in response
    assert "csrfmiddlewaretoken" in response.content.decode()  # the logout form


def test_pages_with_a_form_token_or_a_cookie_are_never_shared():
    """The login page renders a CSRF token (and sets its cookie): it must not be stored."""
    from portal.pagecache import AnonymousPageCacheMiddleware, shared_with_anonymous

    response = Client().get(reverse("login"))
    assert response.cookies
    assert not AnonymousPageCacheMiddleware._storable(response)
    assert shared_with_anonymous(lambda request: None).shared_with_anonymous


def test_a_flash_message_is_not_served_from_or_to_the_cache():
    client = Client()
    client.get(reverse("home"))
    client.cookies["messages"] = "pending"
    response = client.get(reverse("home"))
    assert "X-Page-Cache" not in response


def test_the_language_switch_works_without_a_token():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"


def test_entries_live_at_most_the_configured_time(settings, monkeypatch):
    timeouts = []
    real_set = cache.set
    monkeypatch.setattr(
        cache,
        "set",
        lambda key, value, timeout=None, **kw: timeouts.append(timeout) or real_set(key, value, timeout, **kw),
    )
    Client().get(reverse("home"))
    assert settings.PUBLIC_PAGE_CACHE_SECONDS in timeouts


def test_an_announced_change_makes_every_shared_page_stale_after_commit(django_capture_on_commit_callbacks):
    from portal.pagecache import public_content_changed

    Client().get(reverse("home"))
    assert Client().get(reverse("home"))["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        public_content_changed()
        assert Client().get(reverse("home"))["X-Page-Cache"] == "hit"  # not before the commit
    assert len(callbacks) == 1
    assert "X-Page-Cache" not in Client().get(reverse("home"))
    assert Client().get(reverse("home"))["X-Page-Cache"] == "hit"


def test_a_lost_generation_starts_afresh():
    """If the cache drops the generation (eviction, a flushed Redis), nothing stale is served."""
    from portal.pagecache import GENERATION_KEY

    Client().get(reverse("home"))
    cache.delete(GENERATION_KEY)
    assert "X-Page-Cache" not in Client().get(reverse("home"))
    assert cache.get(GENERATION_KEY)
    assert Client().get(reverse("home"))["X-Page-Cache"] == "hit"


def test_new_statistics_replace_the_shared_statistics_page(django_capture_on_commit_callbacks):
    from portal import dashboards

    dashboards.public_stats_refresh()
    Client().get(reverse("stats"))
    assert Client().get(reverse("stats"))["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):  # the beat task runs in autocommit
        dashboards.public_stats_refresh()
    assert "X-Page-Cache" not in Client().get(reverse("stats"))


def test_a_replayed_page_keeps_the_headers_of_the_rendered_one():
    first = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("home"))
    second = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("home"))
    assert second["X-Page-Cache"] == "hit"
    for header in ("Content-Type", "Content-Language", "Vary", "X-Frame-Options", "Content-Security-Policy"):
        assert second[header] == first[header], header
    assert second["Content-Language"] == "en"


def test_an_anonymous_visitor_with_a_session_shares_the_page_too(django_assert_num_queries):
    Client().get(reverse("home"))
    client = Client()
    session = client.session
    session["petitions.tracked"] = ["WZ-20261123-0001"]  # what tracking a ticket leaves behind
    session.save()
    with django_assert_num_queries(0):  # the session comes from the cache
        response = client.get(reverse("home"))
    assert response["X-Page-Cache"] == "hit"


def test_the_redis_cache_reuses_its_client():
    from portal.cache import RedisCache

    assert isinstance(caches["default"], RedisCache)
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.set("reused", 1)
    assert cache.get("reused") == 1
