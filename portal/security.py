"""Who is knocking, and when logging in is paused.

* `client_ip`, `login_username`: the client address and the login name, as rate limits and login
  lockouts see them. One definition each, read by django-ratelimit (RATELIMIT_IP_META_KEY,
  portal.ratelimits) and django-axes (AXES_CLIENT_IP_CALLABLE, AXES_USERNAME_CALLABLE).
* The login lockout rules (django-axes, AXES_HANDLER = `LoginLockoutHandler`), each for the
  cool-off (AXES_COOLOFF_TIME) after the last failure counted:

  - a **staff** account (is_staff) is locked after AXES_FAILURE_LIMIT failures *from any
    addresses*: guessing from many addresses gets no further than from one. A stranger can keep a
    staff member out for a cool-off at a time; an administrator lifts it (Axes → Access attempts).
  - a **citizen's** account (and any name that is not staff's, existing or not) is locked per
    username *and address*: a stranger elsewhere cannot lock a citizen out of their own account,
    and the citizen's right password from another address still works.
  - an **address** is paused after AXES_ADDRESS_FAILURE_LIMIT failures over all usernames
    together, whatever the password: one address spraying a common password over many accounts
    is stopped. The limit is higher than an account's, since an office or a mobile network may put
    many people behind one address.

  The lockout page (`lockout_response`, templates/account_locked.html) says which rule paused
  the login and for how long.
"""

from __future__ import annotations

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.http import HttpRequest
from django.shortcuts import render

# axes.models.AccessBase.username is a varchar(255).
_USERNAME_LENGTH = 255
# Counted for any client whose address cannot be read (a broken proxy header and no usable socket
# address): such clients share one bucket, so sending garbage is no way out of a limit.
UNKNOWN_ADDRESS = "0.0.0.0"  # noqa: S104 (an address to count by, not one to bind to)


def client_ip(request) -> str:
    """REMOTE_ADDR or, behind a reverse proxy, the header CLIENT_IP_META_KEY names (e.g. HTTP_X_REAL_IP),
    always as a valid IP address.

    Of a comma-separated X-Forwarded-For, the last entry is the one our proxy added; the earlier
    ones are whatever the client sent, so they are not trusted. A value that is not an address
    ("unknown", a proxy's "ip:port", garbage) falls back to the socket address, then to
    UNKNOWN_ADDRESS.
    """
    header = request.META.get(settings.CLIENT_IP_META_KEY) or ""
    address = _parse_address(header.rsplit(",", 1)[-1])
    if address is None:
        address = _parse_address(request.META.get("REMOTE_ADDR") or "")
    return address or UNKNOWN_ADDRESS


def _parse_address(value: str) -> str | None:
    """The address in `value` in its canonical form, or None. Accepts what proxies write:
    "203.0.113.5", "203.0.113.5:4711", "2001:db8::1", "[2001:db8::1]:443"."""
    value = value.strip()
    if not value or len(value) > 64:
        return None
    if value.startswith("["):  # [IPv6] or [IPv6]:port
        value, closed, port = value[1:].partition("]")
        if not closed or (port and not (port.startswith(":") and _is_port(port[1:]))):
            return None
    elif value.count(":") == 1:  # IPv4:port
        value, _, port = value.partition(":")
        if not _is_port(port):
            return None
    value = value.split("%", 1)[0]  # an IPv6 zone ("fe80::1%eth0") is not part of the address
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def _is_port(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 5


def login_username(request, credentials=None) -> str:
    """The username a login attempt names, cut to what django-axes can store.

    Django's login forms pass any length to `authenticate` (their max_length only sizes the
    input box), and a longer name would make recording the failure a database error.
    """
    source = credentials if credentials else getattr(request, "POST", {})
    return (source.get("username") or "")[:_USERNAME_LENGTH]


# --- the lockout rules (django-axes) ----------------------------------------------------------

# Why a login is paused; the lockout page words each one.
LOCKED_ACCOUNT = "account"  # a staff account, from every address
LOCKED_ACCOUNT_AT_ADDRESS = "account_at_address"  # a citizen's account, from this address
LOCKED_ADDRESS = "address"  # every login from this address


def _is_staff_username(request_or_attempt, username: str) -> bool:
    """Whether `username` is a staff account's, asked once per request."""
    if not username:
        return False
    known = getattr(request_or_attempt, "_login_staff_usernames", None)
    if known is None:
        known = request_or_attempt._login_staff_usernames = {}
    if username not in known:
        known[username] = get_user_model()._default_manager.filter(username=username, is_staff=True).exists()
    return known[username]


def lockout_parameters(request_or_attempt, credentials=None) -> list:
    """AXES_LOCKOUT_PARAMETERS: staff accounts are counted per username, everyone else per
    username and address (axes passes a request, or a stored attempt)."""
    if isinstance(request_or_attempt, HttpRequest):
        username = login_username(request_or_attempt, credentials)
    else:
        username = getattr(request_or_attempt, "username", None) or ""
    if _is_staff_username(request_or_attempt, username):
        return ["username"]
    return [["username", "ip_address"]]


def address_failures(request) -> int:
    """Failed logins from the request's address within the cool-off, over every username."""
    attempts = AccessAttempt.objects.filter(
        ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
    )
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LoginLockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with the per-address limit added (AXES_HANDLER).

    Axes counts the account rule (`lockout_parameters`) against AXES_FAILURE_LIMIT; the address
    rule counts every attempt row of the address against AXES_ADDRESS_FAILURE_LIMIT. Either one
    refuses the login before the password is checked, and the reason is kept on the request for
    the lockout page."""

    def lock_reason(self, request, credentials=None) -> str | None:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return None
        if super().is_locked(request, credentials):
            username = login_username(request, credentials)
            return LOCKED_ACCOUNT if _is_staff_username(request, username) else LOCKED_ACCOUNT_AT_ADDRESS
        if address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return LOCKED_ADDRESS
        return None

    def is_locked(self, request, credentials=None) -> bool:
        reason = self.lock_reason(request, credentials)
        if reason:
            request.login_lock_reason = reason
        return reason is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or self.is_whitelisted(request, credentials):
            return
        # Axes has counted this failure against the account rule; the address rule may be the one
        # this failure (or an earlier one) has reached.
        if self.is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the 429 page, saying which rule paused the login and for how long."""
    reason = getattr(request, "login_lock_reason", LOCKED_ACCOUNT_AT_ADDRESS)
    cool_off = get_cool_off(request)
    context = {
        "reason": reason,
        "failure_limit": (
            settings.AXES_ADDRESS_FAILURE_LIMIT if reason == LOCKED_ADDRESS else settings.AXES_FAILURE_LIMIT
        ),
        "cooloff_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
    }
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE)
