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
services' back. Entries are keyed by the local day as well, so a page that depends on the date
(a campaign's current phase) is rendered anew after midnight.

* `@shared_with_anonymous(query=...)` + `AnonymousPageCacheMiddleware`: the whole page, for
  visitors who are not signed in, keyed by language, path and the GET parameters the view
  *declares* (`query`), nothing else: the view sees only those (each one's last value, empty ones
  dropped, normalised by the declared function), so `?junk=<n>` is the same page, the same entry.
  A request whose declared value is longer than MAX_VALUE_LENGTH is answered but not stored. A
  response is stored only if it is a plain 200 that sets no cookie: a page that rendered a CSRF
  token (a form) or changed the session is never shared, and neither is a page showing a flash
  message, a 404 or any other error. The cache is checked only once the Host is known to be
  allowed. Headers added by outer middleware (CSP, security) are added to every response, cached
  or not.
* `shared_part(request, name, render)`: an impersonal part of a page (the column's list, a
  ticket's public text) of a view declared as above, shared by everyone, signed in or not; the
  page around it (header, user menu) is rendered for each visitor. `render()` returning None
  (nothing to show: an unknown ticket) is not stored.
* `PrivateResponsesMiddleware`: everything else is `Cache-Control: private, no-store`.

The page cache (CACHES["default"]) may be filled and evict at its memory limit; sessions and
rate-limit counters live in CACHES["durable"] (portal/settings.py), out of its reach.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

KEY_PREFIX = "pagecache:v4"  # a new number whenever the stored shape changes
GENERATION_KEY = f"{KEY_PREFIX}:generation"
# A longer value of a declared parameter is answered but not stored: no entry per long string.
MAX_VALUE_LENGTH = 200

Normaliser = Callable[[str], "str | None"]


def as_given(value: str) -> str:
    """A declared parameter's value as the visitor gave it (its last value, if repeated)."""
    return value


def page_number(last: int) -> Normaliser:
    """A pager's `page`: 1..last in plain digits; anything else is page 1 (dropped), and a number
    beyond `last` is `last`, so no visitor can make more than `last` entries of one list."""

    def normalise(value: str) -> str | None:
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            return None
        digits = value.lstrip("0")
        number = last if len(digits) > len(str(last)) else min(int(digits or "0"), last)
        return str(number) if number > 1 else None

    return normalise


def shared_with_anonymous(view=None, *, query: Iterable[str] | Mapping[str, Normaliser] = ()):
    """Mark a public GET view whose anonymous rendering may be shared by every anonymous visitor.

    `query` declares the GET parameters the view reads: names (taken as given) or a mapping of
    name to normaliser (e.g. `page_number(100)`; None drops the value). The view sees only these,
    and the page is cached per their values alone. Use bare (`@shared_with_anonymous`) for a view
    that reads no GET parameter."""
    normalisers = dict(query) if isinstance(query, Mapping) else dict.fromkeys(query, as_given)

    def mark(view):
        view.shared_with_anonymous = True
        view.shared_query = normalisers
        return view

    return mark(view) if view is not None else mark


def _declared_query(request, normalisers: Mapping[str, Normaliser]) -> tuple[QueryDict, bool]:
    """(the GET parameters the view declared, normalised; whether they are short enough to store)."""
    query = QueryDict(mutable=True)
    storable = True
    for name, normalise in normalisers.items():
        value = request.GET.get(name)
        if value is None or value == "":
            continue
        if len(value) > MAX_VALUE_LENGTH:
            storable = False
        value = normalise(value)
        if value is not None and value != "":
            query[name] = value
    query._mutable = False
    return query, storable


def _adopt_declared_query(request, view_func) -> None:
    """Give the view only the GET parameters it declared (once per request); remember whether
    what it renders may be stored."""
    if getattr(request, "_shared_query", None) is not None:
        return
    request.GET, request._shared_storable = _declared_query(request, view_func.shared_query)
    request._shared_query = request.GET.urlencode()
    # What templates show of the address (the language switch's `next`, the login link) too.
    request.META["QUERY_STRING"] = request._shared_query


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
    query = getattr(request, "_shared_query", None)
    if query is None:
        raise ImproperlyConfigured(
            f"shared_part({name!r}) in a view not declared @shared_with_anonymous(query=...): "
            "the GET parameters it reads must be declared, or every query string makes an entry"
        )
    return _digest_key(name, get_language(), request.path, query)


def _digest_key(name: str, language: str, path: str, query: str) -> str:
    # The local day too: what public pages show also follows the calendar (a campaign's phase, a
    # window that opens or closes at midnight), so nothing rendered yesterday is served today.
    day = timezone.localdate().isoformat()
    digest = hashlib.sha256(f"{language}|{path}|{query}|{day}".encode()).hexdigest()
    return f"{KEY_PREFIX}:{name}:{digest}"


# --- parts shared by everyone ----------------------------------------------------------------


def shared_part(request, name: str, render: Callable[[], Any]):
    """`render()`'s result for this URL (its declared parameters) and language, shared by every
    visitor until public content changes. `render` must use nothing personal (no user, no CSRF
    token); a None result (nothing to show) is returned but not stored."""
    key = _key(request, name)
    generation, part = _read(key)
    if part is None:
        part = render()
        if part is not None and request._shared_storable:
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
        view_func = self._early(request)
        if view_func is not None:
            query, storable = _declared_query(request, view_func.shared_query)
            if storable:
                key = _page_key(translation.get_language_from_request(request), request.path, query.urlencode())
                generation, cached = _read(key)
                if cached is not None:
                    request.shared_page = True
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
        if getattr(view_func, "shared_with_anonymous", False) and request.method in ("GET", "HEAD"):
            _adopt_declared_query(request, view_func)
        if not self._shareable(request, view_func) or request.user.is_authenticated:
            return None
        request.shared_page = True  # an anonymous visitor's copy of a public page (PrivateResponsesMiddleware)
        if getattr(request, "_page_cache", None) or not request._shared_storable:
            return None
        key = _page_key(get_language(), request.path, request._shared_query)
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

    def _early(self, request):
        """The shared view a visitor without a session asks for, or None."""
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return None
        # Before anything is served: a disallowed Host is a 400 (DisallowedHost), as Django answers
        # it further in, never a page from the cache.
        request.get_host()
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return match.func if self._shareable(request, match.func) else None

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


def _page_key(language: str, path: str, query: str) -> str:
    return _digest_key("page", language, path, query)


# --- everything else is private --------------------------------------------------------------


class PrivateResponsesMiddleware:
    """`Cache-Control: private, no-store` on every response that is not explicitly public, so no
    browser history, back button or shared proxy keeps a page meant for one person (a citizen's
    tickets, notices, the ledger and its exports, dashboards, the admin, tracking results).

    Explicitly public: a response whose Cache-Control says `public` (published attachments), and a
    shared page (`@shared_with_anonymous`) as an anonymous visitor gets it, setting no cookie.
    Every other response to a signed-in visitor, or that sets a cookie or varies on it (it read the
    session), is private; in practice every dynamic response, since every request's session is
    read to know who is asking. Placed outside AnonymousPageCacheMiddleware: pages from the cache
    pass through it too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self._public(request, response):
            return response
        user = getattr(request, "user", None)
        personal = (
            (user is not None and user.is_authenticated)
            or bool(response.cookies)
            or "cookie" in response.get("Vary", "").lower()
        )
        if personal:
            patch_cache_control(response, private=True, no_store=True)
        return response

    @staticmethod
    def _public(request, response) -> bool:
        directives = {part.strip().split("=", 1)[0].lower() for part in response.get("Cache-Control", "").split(",")}
        if "public" in directives:
            return True
        return getattr(request, "shared_page", False) and not response.cookies
