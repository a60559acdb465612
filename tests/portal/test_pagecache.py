"""Whole-page cache for anonymous visitors (portal.pagecache)."""

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from tests.factories import DepartmentFactory, citizen

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


# --- what may make an entry (issue 12: cache flooding) -----------------------------------------


INDEX = "/petitions/"


def entries(name: str) -> int:
    """How many entries of kind `name` ("page", "petitions.index", ...) the page cache holds."""
    from portal.pagecache import KEY_PREFIX

    client = cache._cache.get_client()
    return sum(1 for _ in client.scan_iter(match=f"{cache.key_prefix}:*:{KEY_PREFIX}:{name}:*", count=1000))


def test_undeclared_parameters_make_no_entries_and_do_not_reach_the_page():
    first = Client().get(reverse("home"), {"junk": "0"})
    for number in range(1, 40):
        response = Client().get(reverse("home"), {"junk": str(number), f"utm_{number}": "x"})
        assert response["X-Page-Cache"] == "hit"
        assert response.content == first.content
    assert Client().get(reverse("home"))["X-Page-Cache"] == "hit"  # the plain address is the same page
    assert entries("page") == 1
    assert "junk" not in first.content.decode()  # not in the language switch's `next` nor the login link


def test_the_public_column_is_keyed_on_its_declared_parameters_only():
    from tests.petitions.factories import PetitionFactory

    PetitionFactory(title="路灯不亮", department=DepartmentFactory(), published=True)
    variants = [
        {"q": "路灯"},
        {"q": "路灯", "junk": "1"},
        {"utm_source": "x", "q": "路灯", "page": ""},
        {"q": "路灯", "page": "1"},
        {"q": "路灯", "page": "not-a-number"},
        {"q": ["其他", "路灯"]},  # a repeated parameter: its last value, as the view reads it
    ]
    pages = [Client().get(INDEX, query) for query in variants]
    assert all(page.status_code == 200 for page in pages)
    assert all(page["X-Page-Cache"] == "hit" for page in pages[1:])
    assert entries("page") == 1 and entries("petitions.index") == 1
    assert "junk" not in pages[0].content.decode() and "utm_source" not in pages[0].content.decode()


def test_page_numbers_beyond_the_last_make_no_new_entries():
    from petitions.views import PUBLIC_MAX_ROWS, PUBLIC_PAGE_SIZE

    last = PUBLIC_MAX_ROWS // PUBLIC_PAGE_SIZE
    Client().get(INDEX, {"page": str(last)})
    for page in (last + 1, 10**6, 10**30, "0" * 50 + "7" * 50):
        assert Client().get(INDEX, {"page": str(page)})["X-Page-Cache"] == "hit"
    assert Client().get(INDEX, {"page": "٣"}).status_code == 200  # not ASCII digits: page 1
    assert entries("page") == 2


def test_over_long_values_are_answered_but_not_stored():
    from portal.pagecache import MAX_VALUE_LENGTH

    for number in range(5):
        response = Client().get(INDEX, {"q": f"{number}" * (MAX_VALUE_LENGTH + 1)})
        assert response.status_code == 200 and "X-Page-Cache" not in response
    assert entries("page") == 0 and entries("petitions.index") == 0


def test_unknown_tracking_numbers_make_no_entries():
    from petitions.views import detail

    assert detail.shared_with_anonymous
    for number in range(30):
        response = Client().get(f"/petitions/WZ-20200101-{number:04d}/")
        assert response.status_code == 404
    assert entries("page") == 0 and entries("petitions.detail") == 0


def test_no_error_page_is_stored(monkeypatch):
    """Any status but 200 (the statistics still being computed: 503) is answered, never stored."""
    from portal import dashboards

    monkeypatch.setattr(dashboards, "public_stats", lambda **kwargs: None)
    for _ in range(3):
        response = Client().get(reverse("stats"))
        assert response.status_code == 503 and "X-Page-Cache" not in response
    assert entries("page") == 0


def test_a_shared_part_needs_its_view_to_declare_what_it_reads(rf):
    from django.core.exceptions import ImproperlyConfigured

    from portal.pagecache import shared_part

    with pytest.raises(ImproperlyConfigured):
        shared_part(rf.get("/anything/?q=1"), "undeclared", lambda: "part")


def test_a_disallowed_host_gets_400_not_the_cached_page():
    Client().get(reverse("home"))
    assert Client().get(reverse("home"))["X-Page-Cache"] == "hit"
    for host in ("evil.example", "127.0.0.1.evil.example", "localhost:80@evil.example"):
        response = Client(HTTP_HOST=host).get(reverse("home"))
        assert response.status_code == 400, host
        assert "X-Page-Cache" not in response
        assert "Content-Security-Policy" in response

    assert Client(HTTP_HOST="evil.example").get(INDEX).status_code == 400


# --- the durable cache: sessions and rate-limit counters (issue 12) -------------------------------


def test_sessions_and_rate_limits_live_in_the_durable_cache(settings):
    assert settings.SESSION_CACHE_ALIAS == "durable"
    assert settings.RATELIMIT_USE_CACHE == "durable"
    durable = caches["durable"]
    assert durable.key_prefix == f"{settings.REDIS_KEY_PREFIX}-durable"
    assert cache.key_prefix == settings.REDIS_KEY_PREFIX


def test_clearing_one_cache_leaves_the_other_alone():
    durable = caches["durable"]
    cache.set("page-thing", 1)
    durable.set("session-thing", 2)
    cache.clear()
    assert durable.get("session-thing") == 2
    cache.set("page-thing", 1)
    durable.clear()
    assert cache.get("page-thing") == 1 and durable.get("session-thing") is None


CACHES_PRINT = (
    "from django.conf import settings; import json; "
    "print('RESULT ' + json.dumps({a: [c['BACKEND'], c.get('LOCATION'), c.get('KEY_PREFIX', '')] "
    "for a, c in settings.CACHES.items()}))"
)


@pytest.mark.parametrize(
    ("environment", "expected_durable"),
    [
        # Unset: the page cache's server, a namespace of its own.
        (
            {"CACHE_URL": "rediscache://127.0.0.1:6379/3"},
            ["portal.cache.RedisCache", "redis://127.0.0.1:6379/3", "durable"],
        ),
        (
            {"CACHE_URL": "rediscache://127.0.0.1:6379/3", "REDIS_KEY_PREFIX": "city"},
            ["portal.cache.RedisCache", "redis://127.0.0.1:6379/3", "city-durable"],
        ),
        # Its own server (docker-compose.yml: the Redis that never evicts).
        (
            {"CACHE_URL": "rediscache://cache:6379/0", "DURABLE_CACHE_URL": "rediscache://redis:6379/1"},
            ["portal.cache.RedisCache", "redis://redis:6379/1", "durable"],
        ),
        # The embedded default: a folder of its own.
        ({}, ["django.core.cache.backends.filebased.FileBasedCache", "{var}/cache-durable", "durable"]),
    ],
)
def test_the_durable_cache_is_configured_from_the_environment(tmp_path, environment, expected_durable):
    import json
    import secrets

    from tests.portal.test_foundation import assert_ok, manage

    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "MINSHENG_VAR_DIR": str(tmp_path),
        "SECRET_KEY": secrets.token_urlsafe(45),
        **environment,
    }
    result = manage("shell", "-c", CACHES_PRINT, env=env)
    assert_ok(result)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    configured = json.loads(line.removeprefix("RESULT "))
    backend, location, prefix = expected_durable
    assert configured["durable"] == [backend, location.format(var=tmp_path), prefix]
    assert configured["default"][1] != configured["durable"][1] or configured["default"][2] != prefix


def test_compose_keeps_sessions_and_rate_limits_off_the_evicting_cache():
    """docker-compose.yml: the page cache's Redis evicts (allkeys-lru); sessions and rate-limit
    counters (DURABLE_CACHE_URL) are on the Redis that never does."""
    import re
    from pathlib import Path

    from django.conf import settings

    compose = (Path(settings.BASE_DIR) / "docker-compose.yml").read_text()
    environment = dict(re.findall(r"^  ([A-Z_]+): (\S+)$", compose, re.MULTILINE))
    commands = dict(re.findall(r"^  ([a-z]+):\n(?:    .*\n)*?    command: (\[.*\])$", compose, re.MULTILINE))
    assert environment["CACHE_URL"].startswith("rediscache://cache:")
    assert environment["DURABLE_CACHE_URL"].startswith("rediscache://redis:")
    assert '"allkeys-lru"' in commands["cache"]
    assert '"noeviction"' in commands["redis"]
    assert environment["DURABLE_CACHE_URL"].rsplit("/", 1)[-1] != environment["CELERY_BROKER_URL"].rsplit("/", 1)[-1]
