from datetime import timedelta

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import BadRequest
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


class RejectNulMiddleware:
    """A NUL character anywhere in the address (path or query parameters) is a 400 Bad Request.

    No view, filter or admin list has to think about it then: PostgreSQL refuses NUL in text
    (`?state=1%00` on the ticket list was a 500) and no person types one. Form fields are
    cleaned of it instead (portal.forms.CleanTextMixin), so a pasted NUL costs no one a form;
    parameters read outside forms go through portal.params.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info or any(
            "\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL character in the address")
        return self.get_response(request)
