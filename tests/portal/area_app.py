"""A test app that declares a public area (portal.areas), standing in for a suggestions app once
it is built: installed with `area_urls` as the URL conf, its card, menu link and deadline appear."""

from django.apps import AppConfig
from django.http import HttpResponse
from django.urls import include, path

from portal.areas import DeadlineRule, MenuItem, PublicArea, ServiceCard


class AreaAppConfig(AppConfig):
    name = "tests.portal.area_app"
    label = "area_app"
    clock_area = "suggestion"
    public_area = PublicArea(
        menu=(MenuItem("area_app:index", "Test suggestions", order=10),),
        card=ServiceCard("bi-lightbulb", "Test suggestion campaigns", "Tell us", "Suggest something."),
        deadlines=(DeadlineRule("3 working days", "Test moderation decision."),),
        title="公众建言 Public suggestions",
        total_label="All suggestions",
    )


class BrokenAreaConfig(AppConfig):
    name = "tests.portal.area_app"
    label = "broken_area"
    clock_area = "petition"  # petitions declares it already
    public_area = PublicArea(menu=(MenuItem("area_app:nowhere", "Nowhere"),))


def index(request):
    return HttpResponse("test suggestions")


urlpatterns = [
    path("test-suggestions/", include(([path("", index, name="index")], "area_app"))),
    path("", include("portal.urls")),
]
