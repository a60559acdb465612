"""Whole-page cache for anonymous visitors of public pages (home, the public column, published
tickets, statistics): on the day a policy goes viral, most visitors are anonymous and read the
same few pages, which should cost a cache read, not a render and a query.

A view opts in with `@shared_with_anonymous`. `AnonymousPageCacheMiddleware` serves such a view
from the shared cache for visitors who are not signed in, keyed by language and full path, for
PUBLIC_PAGE_CACHE_SECONDS (a new public reply appears within that). A response is stored only if
it is a plain 200 that sets no cookie: a page that rendered a CSRF token (a form) or changed the
session is never shared, and neither is a page showing a flash message. Signed-in users always
get a fresh page. Headers added by outer middleware (CSP, security) are added to every response,
cached or not.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

KEY_PREFIX = "pagecache:v1"


def shared_with_anonymous(view):
    """Mark a public GET view whose anonymous rendering may be shared by every anonymous visitor."""
    view.shared_with_anonymous = True
    return view


def _key(request) -> str:
    digest = hashlib.sha256(f"{get_language()}|{request.get_full_path()}".encode()).hexdigest()
    return f"{KEY_PREFIX}:{digest}"


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_page_cache_key", None)
        if key and self._storable(response):
            cache.set(
                key,
                (response.content, response.get("Content-Type")),
                settings.PUBLIC_PAGE_CACHE_SECONDS,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "shared_with_anonymous", False) or request.method not in ("GET", "HEAD"):
            return None
        if settings.MESSAGE_COOKIE_NAME in request.COOKIES or request.user.is_authenticated:
            return None
        key = _key(request)
        cached = cache.get(key)
        if cached is None:
            request._page_cache_key = key
            return None
        content, content_type = cached
        response = HttpResponse(content, content_type=content_type)
        response["X-Page-Cache"] = "hit"
        return response

    @staticmethod
    def _storable(response) -> bool:
        return response.status_code == 200 and not response.streaming and not response.cookies
