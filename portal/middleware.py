from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone


class StaffSessionExpiryMiddleware:
    """Staff sessions end after STAFF_SESSION_AGE (8 hours) of the login, whatever the cookie age.

    The expiry is fixed once per session (not slid on each request), so a staff session left
    open on an office machine cannot outlive the working day. It is checked here against the
    clock on every request: the cached session engine keeps a session until the cache entry
    expires, and a cache's expiry is not something to trust with a security rule.
    """

    key = "_staff_expiry_set"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            if not request.session.get(self.key):
                request.session.set_expiry(timezone.now() + timedelta(seconds=settings.STAFF_SESSION_AGE))
                request.session[self.key] = True
            elif request.session.get_expiry_date() <= timezone.now():
                logout(request)  # flushes the session; the request goes on as anonymous
        return self.get_response(request)
