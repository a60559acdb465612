"""The admin's history pages: who changed what and when, to read, never to revert.

django-simple-history's version page saves the old version when it is POSTed and checks only
the *view* permission. A view-only user could then roll back a clerk's extension, and any revert
would bypass the services that keep clocks, timelines and notices consistent. Every admin with
history uses `HistoryAdmin` instead (a guard test checks), and SIMPLE_HISTORY_REVERT_DISABLED
hides the revert button; a change is made again through the page or action that makes it.

It is also where these admins get their input made safe (portal.admin_input.AdminInputMixin).
"""

from django.core.exceptions import PermissionDenied
from simple_history.admin import SimpleHistoryAdmin

from portal.admin_input import AdminInputMixin


class HistoryAdmin(AdminInputMixin, SimpleHistoryAdmin):
    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)
