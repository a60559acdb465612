from django.urls import include, path, register_converter

from portal.references import ReferenceConverter
from suggestions import views

register_converter(ReferenceConverter, "suggestion_reference")

app_name = "suggestions"

urlpatterns = [
    # The public side (suggestions/views.py): campaigns, their published suggestions, following.
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("mine/<suggestion_reference:reference>/", views.mine_detail, name="mine_detail"),
    path("mine/<suggestion_reference:reference>/withdraw/", views.withdraw, name="withdraw"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    # A campaign's analysis, summary report and export (suggestions/report_views.py).
    path("", include("suggestions.report_urls")),
    path("<slug:slug>/", views.campaign, name="campaign"),
    path("<slug:slug>/banner/", views.banner, name="banner"),
    path("<slug:slug>/new/", views.submit, name="submit"),
    path("<slug:slug>/similar/", views.similar, name="similar"),
    path("<slug:slug>/<int:pk>/", views.detail, name="detail"),
    path("<slug:slug>/<int:pk>/follow/", views.follow, name="follow"),
    # Analysis, summary report and the clerks' export (suggestions/report_views.py).
    path("", include("suggestions.report_urls")),
]
