import functools
import hmac
import ipaddress
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods

from portal import notifications, params
from portal.celery import app as celery_app
from portal.models import SweepRun
from portal.pagecache import shared_with_anonymous

logger = logging.getLogger(__name__)


@shared_with_anonymous
def home(request):
    return render(request, "portal/home.html")


@functools.cache
def _favicon_bytes() -> bytes:
    with open(finders.find("favicon.ico"), "rb") as icon:
        return icon.read()


@cache_control(public=True, max_age=86400)
def favicon(request):
    """/favicon.ico, which browsers and crawlers ask for whatever the pages link to (they link to
    the static icons): the icon itself, not a 404 on every first visit."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure to reach the database means unhealthy
        logger.exception("health check: database unreachable")
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        return True
    except Exception:  # any failure to reach the broker means unhealthy
        logger.exception("health check: broker unreachable")
        return False


def sweep_status(now=None) -> dict:
    """When the deadline sweep last ran, and whether that is too long ago (beat is down)."""
    now = now or timezone.now()
    last = SweepRun.objects.order_by("-started_at").values_list("started_at", flat=True).first()
    stale_after = 2 * settings.CLOCK_SWEEP_SECONDS
    return {
        "last_sweep": last.isoformat() if last else None,
        "stale": last is None or (now - last).total_seconds() > stale_after,
    }


def ping(request):
    """The bare view: no database, no template. Load tests measure the pages against it."""
    return JsonResponse({"ok": True})


# Headers a reverse proxy adds: a request carrying one came through the proxy, whatever its socket
# address says (a proxy on the same machine connects from 127.0.0.1).
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED", "HTTP_X_FORWARDED_HOST")


def _healthz_detail_allowed(request) -> bool:
    """Monitoring with `Authorization: Bearer <HEALTHZ_TOKEN>`, or a caller on this machine: the
    socket address (REMOTE_ADDR, never portal.security.client_ip, which believes the proxy's
    header) is loopback and no proxy header came with the request."""
    token = settings.HEALTHZ_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    proxied = {settings.CLIENT_IP_META_KEY, *_PROXY_HEADERS} - {"REMOTE_ADDR"}
    if any(name in request.META for name in proxied):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
def healthz(request):
    """200 "ok" or 503 "unavailable" for everyone; which service is down, and when the deadline
    sweep last ran, only for monitoring (`_healthz_detail_allowed`)."""
    database = _database_ok()
    broker = _broker_ok()
    body = {"database": "ok" if database else "unreachable", "broker": "ok" if broker else "unreachable"}
    if database:
        try:
            body["sweep"] = sweep_status()
        except DatabaseError:  # lost since the check above (tests/perf/faults.py saw it): still a 503
            logger.exception("health check: database lost")
            database, body["database"] = False, "unreachable"
    healthy = database and broker
    status = "ok" if healthy else "unavailable"
    body = {"status": status, **body} if _healthz_detail_allowed(request) else {"status": status}
    return JsonResponse(body, status=200 if healthy else 503)


@login_required
@require_http_methods(["GET", "POST"])
def notice_list(request):
    if request.method == "POST":
        notifications.notices_mark_read(user=request.user)
        return redirect("notice_list")
    page = Paginator(notifications.notices_for_user(user=request.user), 25).get_page(
        params.parse_page(request.GET.get("page"))
    )
    rows = notifications.notices_rendered(page.object_list)
    return render(request, "portal/notice_list.html", {"page": page, "rows": rows})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def bad_request(request, exception=None):
    """Django's own bad_request view checks the CSRF token (requires_csrf_token), which reads the
    body again: a body it could not read the first time (a form declared as UTF-16) then raised
    once more and became a 500. This one reads nothing from the request."""
    return HttpResponseBadRequest(loader.get_template("400.html").render())


def server_error(request):
    # No context processors: they query the database, which may be what failed.
    return HttpResponseServerError(loader.get_template("500.html").render())


def rate_limited(request, exception=None):
    """django-ratelimit's RATELIMIT_VIEW: too many submissions or look-ups from one client."""
    return render(request, "429.html", status=429)
