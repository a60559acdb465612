"""Rate limits for public writes and look-ups, one mechanism for every app (django-ratelimit).

Counters live in the shared cache (Redis in production), so every web process counts together.
A view over its limit raises `Ratelimited`; `RATELIMIT_VIEW` (portal.views.rate_limited) turns it
into a 429 page that says, in the reader's language, when to try again.

Each app declares its groups' default rates (`rate_limits` on its AppConfig, portal.registry);
settings.RATE_LIMITS holds portal's own and overrides any group by name, so a city can tighten
them without a code change.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django_ratelimit.decorators import ratelimit

from portal import registry
from portal.security import client_ip


def user_or_ip(group, request) -> str:
    """Signed-in users are counted per account, everyone else per address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_ip(request)}"


def limited(group: str, *, method=("POST",)):
    """Apply the configured rate of `group` per address and per account (both must pass).

    `method` names the HTTP methods that count (writes by default; look-ups pass ("GET", "POST")).
    """
    if group not in registry.rate_limits():  # fail at import, not on the first request
        raise ImproperlyConfigured(f"No app declares a rate limit for {group!r}, nor does settings.RATE_LIMITS")

    def rate(_group, _request) -> str:
        # Read per request, so a changed setting (or a test's override) takes effect at once.
        return registry.rate_limits()[group]

    def decorate(view):
        per_ip = ratelimit(group=group, key="ip", rate=rate, method=list(method), block=True)
        per_account = ratelimit(group=f"{group}:account", key=user_or_ip, rate=rate, method=list(method), block=True)
        return per_ip(per_account(view))

    return decorate
