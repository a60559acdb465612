"""Shared pages and parts of pages for public content (home, the public column, published
tickets, statistics): on the day a policy goes viral, most visitors read the same few pages,
which should cost a cache read, not a render and a query.

Freshness comes from a *generation*, not from a short expiry. Every service that changes what a
public page shows calls `public_content_changed()` inside its transaction; after commit that
replaces the generation, and every shared page and part stored under the old one is stale at
once: a new public reply appears on the next request. Each entry keeps the generation it was
rendered under and is read together with the current one in a single cache round trip. The
admin of reference data shown on public pages (departments, categories) announces its changes
too (`AnnouncesPublicChangeAdmin`). PUBLIC_PAGE_CACHE_SECONDS only bounds how long an entry lives
without any change: the memory a long tail of pages takes, and anything changed behind the
services' back.

* `@shared_with_anonymous` + `AnonymousPageCacheMiddleware`: the whole page, for visitors who are
  not signed in, keyed by language and full path. A response is stored only if it is a plain 200
  that sets no cookie: a page that rendered a CSRF token (a form) or changed the session is never
  shared, and neither is a page showing a flash message. Headers added by outer middleware (CSP,
  security) are added to every response, cached or not.
* `shared_part(request, name, render)`: an impersonal part of a page (the column's list, a
  ticket's public text), shared by everyone, signed in or not; the page around it (header, user
  menu) is rendered for each visitor.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import get_language

KEY_PREFIX = "pagecache:v3"  # a new number whenever the stored shape changes
GENERATION_KEY = f"{KEY_PREFIX}:generation"


def shared_with_anonymous(view):
    """Mark a public GET view whose anonymous rendering may be shared by every anonymous visitor."""
    view.shared_with_anonymous = True
    return view


# --- the generation --------------------------------------------------------------------------


def public_content_changed() -> None:
    """Call in the transaction that changes what public pages show: once it commits, every
    shared page and part is stale (nothing changes if it rolls back)."""
    transaction.on_commit(_new_generation)


class AnnouncesPublicChangeAdmin:
    """For the admin of reference data public pages show by name (departments, categories):
    saving or deleting there is a public change too."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        public_content_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        public_content_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        public_content_changed()


def _new_generation() -> str:
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, None)
    return generation


def _read(key: str) -> tuple[str, Any]:
    """(current generation, the entry stored under `key` if it is of that generation, else None)."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:  # first use, or evicted: a new one (a racing process's wins)
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        return cache.get(GENERATION_KEY), None
    entry = found.get(key)
    if entry is None or entry[0] != generation:
        return generation, None
    return generation, entry[1]


def _store(key: str, generation: str, value) -> None:
    cache.set(key, (generation, value), settings.PUBLIC_PAGE_CACHE_SECONDS)


def _key(request, name: str) -> str:
    digest = hashlib.sha256(f"{get_language()}|{request.get_full_path()}".encode()).hexdigest()
    return f"{KEY_PREFIX}:{name}:{digest}"


# --- parts shared by everyone ----------------------------------------------------------------


def shared_part(request, name: str, render: Callable[[], Any]):
    """`render()`'s result for this URL and language, shared by every visitor until public
    content changes. `render` must use nothing personal (no user, no CSRF token)."""
    key = _key(request, name)
    generation, part = _read(key)
    if part is None:
        part = render()
        _store(key, generation, part)
    return part


# --- whole pages for anonymous visitors ------------------------------------------------------

# Not stored with a page: they belong to one response.
_PER_RESPONSE_HEADERS = {"set-cookie", "content-length", "x-page-cache"}


class AnonymousPageCacheMiddleware:
    """Placed just inside the security and CSP middleware, so that a visitor without a session
    or message cookie (surely not signed in) is answered from the cache before sessions,
    language, CSRF and authentication are even looked at: a shared page costs little more than
    the bare /ping view. The language is found exactly as LocaleMiddleware will find it. A page is
    stored with the headers the inner middleware gave it (language, Vary, frame options).

    Visitors with a session cookie go the long way: `process_view` serves them from the same
    entries once authentication shows they are not signed in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._early(request):
            key = _page_key(translation.get_language_from_request(request), request)
            generation, cached = _read(key)
            if cached is not None:
                return self._replay(cached)
            request._page_cache = (key, generation)
        response = self.get_response(request)
        pending = getattr(request, "_page_cache", None)
        if pending and "X-Page-Cache" not in response and self._storable(response):
            key, generation = pending
            headers = [(name, value) for name, value in response.items() if name.lower() not in _PER_RESPONSE_HEADERS]
            _store(key, generation, (response.content, headers))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(request, "_page_cache", None) or not self._shareable(request, view_func):
            return None
        if request.user.is_authenticated:
            return None
        key = _page_key(get_language(), request)
        generation, cached = _read(key)
        if cached is None:
            request._page_cache = (key, generation)
            return None
        return self._replay(cached)

    @staticmethod
    def _shareable(request, view_func) -> bool:
        return (
            getattr(view_func, "shared_with_anonymous", False)
            and request.method in ("GET", "HEAD")
            and settings.MESSAGE_COOKIE_NAME not in request.COOKIES
        )

    def _early(self, request) -> bool:
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return False
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        return self._shareable(request, match.func)

    @staticmethod
    def _replay(cached) -> HttpResponse:
        content, headers = cached
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response["X-Page-Cache"] = "hit"
        return response

    @staticmethod
    def _storable(response) -> bool:
        return response.status_code == 200 and not response.streaming and not response.cookies


def _page_key(language: str, request) -> str:
    digest = hashlib.sha256(f"{language}|{request.get_full_path()}".encode()).hexdigest()
    return f"{KEY_PREFIX}:page:{digest}"
