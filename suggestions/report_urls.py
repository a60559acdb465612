"""The addresses of a campaign's analysis, summary report and export (suggestions.report_views),
included by suggestions.urls under the app's namespace ("suggestions:analysis", …)."""

from django.urls import path, re_path

from suggestions import report_views

urlpatterns = [
    path("<slug:slug>/analysis/", report_views.analysis, name="analysis"),
    path("<slug:slug>/report/", report_views.report, name="report"),
    path("<slug:slug>/report/v<int:version>/", report_views.report_staff, name="report_staff"),
    path("<slug:slug>/report/v<int:version>/report.xlsx", report_views.report_xlsx, name="report_xlsx"),
    re_path(r"^(?P<slug>[-a-zA-Z0-9_]+)/export\.(?P<fmt>csv|xlsx)$", report_views.export, name="export"),
]
