from django.urls import path, re_path, register_converter

from petitions import ledger_views, staff_views, views
from portal.references import ReferenceConverter

register_converter(ReferenceConverter, "petition_reference")

app_name = "petitions"

urlpatterns = [
    # The public column 部门回应 (petitions/views.py).
    path("", views.index, name="index"),
    path("<petition_reference:reference>/", views.detail, name="detail"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    # Citizens: intake, receipt, their tickets, tracking and rating (petitions/views.py).
    path("new/", views.new, name="new"),
    path("receipt/", views.receipt, name="receipt"),
    path("mine/", views.mine, name="mine"),
    path("track/", views.track, name="track"),
    path("track/<petition_reference:reference>/", views.track_detail, name="track_detail"),
    path("track/<petition_reference:reference>/rate/", views.rate, name="rate"),
    # Staff: offline intake (petitions/staff_views.py).
    path("record/", staff_views.record, name="record"),
    path("slip/", staff_views.slip, name="slip"),
    # Ledger and monthly reports (petitions/ledger_views.py).
    path("ledger/", ledger_views.ledger_view, name="ledger"),
    re_path(r"^ledger/export\.(?P<fmt>csv|xlsx)$", ledger_views.ledger_export, name="ledger_export"),
    path("reports/", ledger_views.reports_view, name="reports"),
    re_path(r"^reports/(?P<month>[0-9]{4}-[0-9]{2})/$", ledger_views.report_view, name="report"),
    re_path(r"^reports/(?P<month>[0-9]{4}-[0-9]{2})/report\.xlsx$", ledger_views.report_xlsx, name="report_xlsx"),
]
