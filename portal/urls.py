from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from portal import dashboard_views, registry, views
from portal.forms import AdminLoginForm

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_HEADER
admin.site.index_title = settings.ADMIN_SITE_HEADER
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    # Without a CSRF token, so public pages hold no per-visitor token and anonymous visitors can
    # share them (portal.pagecache); a forged language change is harmless.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("accounts/", include("portal.account_urls")),
    path("notices/", views.notice_list, name="notice_list"),
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/urge/", dashboard_views.dashboard_urge, name="dashboard_urge"),
    path("dashboard/performance/", dashboard_views.performance, name="dashboard_performance"),
    path("dashboard/performance/export.xlsx", dashboard_views.performance_export, name="dashboard_performance_export"),
    path("stats/", dashboard_views.stats, name="stats"),
    # Each domain app's pages, under the prefix it declares (`url_prefix`, portal.registry).
    *[path(prefix, include(module)) for prefix, module in registry.url_includes()],
    path("admin/", admin.site.urls),
]

# No MEDIA_URL serving, not even with DEBUG: uploaded files are private and are served only
# through views that check who may see them (e.g. petitions:attachment).

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
