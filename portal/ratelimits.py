"""Rate limits for public writes and look-ups, one mechanism for every app (django-ratelimit).

Counters live in the shared cache (Redis in production), so every web process counts together.
A view over its limit raises `Ratelimited`; `RATELIMIT_VIEW` (portal.views.rate_limited) turns it
into a 429 page that says, in the reader's language, when to try again.

Rates are settings (`RATE_LIMITS`), so a city can tighten them without a code change.
"""

from __future__ import annotations

from django.conf import settings
from django_ratelimit.decorators import ratelimit


def user_or_ip(group, request) -> str:
    """Signed-in users are counted per account, everyone else per address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{request.META.get(settings.RATELIMIT_IP_META_KEY or 'REMOTE_ADDR', '')}"


def limited(group: str, *, method=("POST",)):
    """Apply the configured rate of `group` per address and per account (both must pass).

    `method` names the HTTP methods that count (writes by default; look-ups pass ("GET", "POST")).
    """
    rate = settings.RATE_LIMITS[group]

    def decorate(view):
        per_ip = ratelimit(group=group, key="ip", rate=rate, method=list(method), block=True)
        per_account = ratelimit(group=f"{group}:account", key=user_or_ip, rate=rate, method=list(method), block=True)
        return per_ip(per_account(view))

    return decorate
