"""A test app that declares a public area (portal.areas), standing in for an app not built yet
(events): installed with `area_urls` as the URL conf, its card, menu link and deadline appear."""

from django.apps import AppConfig
from django.http import HttpResponse
from django.urls import include, path

from portal.areas import DeadlineRule, MenuItem, PublicArea, ServiceCard


class AreaAppConfig(AppConfig):
    name = "tests.portal.area_app"
    label = "area_app"
    clock_area = "event"
    public_area = PublicArea(
        menu=(MenuItem("area_app:index", "Test events", order=1),),
        card=ServiceCard("bi-calendar-event", "Test event programme", "Take part", "Come to an event."),
        deadlines=(DeadlineRule("3 working days", "Test follow-up after an event."),),
        title="活动 Test events",
        total_label="All test events",
    )


class BrokenAreaConfig(AppConfig):
    name = "tests.portal.area_app"
    label = "broken_area"
    clock_area = "petition"  # petitions declares it already
    public_area = PublicArea(menu=(MenuItem("area_app:nowhere", "Nowhere"),))


def index(request):
    return HttpResponse("test events")


urlpatterns = [
    path("test-events/", include(([path("", index, name="index")], "area_app"))),
    path("", include("portal.urls")),
]
