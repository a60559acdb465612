"""A separate admin site for the scoping tests, where clocks may be deleted, so that the
mixin's delete scoping is observable (the real ClockAdmin never allows deletion)."""

from django.contrib import admin
from django.urls import include, path

from portal.admin import ClockAdmin
from portal.models import Clock

site = admin.AdminSite(name="scoping")


class DeletableClockAdmin(ClockAdmin):
    def has_delete_permission(self, request, obj=None):
        return super(ClockAdmin, self).has_delete_permission(request, obj)


site.register(Clock, DeletableClockAdmin)
urlpatterns = [path("scoped/", site.urls), path("", include("portal.urls"))]
