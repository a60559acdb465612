"""Who is knocking: the client address and the login name, as rate limits and login lockouts see them.

One definition each, read by django-ratelimit (RATELIMIT_IP_META_KEY, portal.ratelimits) and
django-axes (AXES_CLIENT_IP_CALLABLE, AXES_USERNAME_CALLABLE).
"""

from __future__ import annotations

from django.conf import settings

# axes.models.AccessBase.username is a varchar(255).
_USERNAME_LENGTH = 255


def client_ip(request) -> str:
    """REMOTE_ADDR or, behind a reverse proxy, the header CLIENT_IP_META_KEY names (e.g. HTTP_X_REAL_IP).

    Of a comma-separated X-Forwarded-For, the last entry is the one our proxy added; the earlier
    ones are whatever the client sent, so they are not trusted.
    """
    value = request.META.get(settings.CLIENT_IP_META_KEY) or request.META.get("REMOTE_ADDR") or ""
    return value.rsplit(",", 1)[-1].strip()


def login_username(request, credentials=None) -> str:
    """The username a login attempt names, cut to what django-axes can store.

    Django's login forms pass any length to `authenticate` (their max_length only sizes the
    input box), and a longer name would make recording the failure a database error.
    """
    source = credentials if credentials else getattr(request, "POST", {})
    return (source.get("username") or "")[:_USERNAME_LENGTH]
