"""Public areas (portal.areas): home, menu, tagline and /stats/ show only the areas whose app
declares a public entry point, so nothing promises disclosure (or anything else) before it exists."""

import re

import pytest
from django.apps import apps
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from portal import areas

pytestmark = pytest.mark.django_db

NOT_BUILT = re.compile(r"政务公开|依申请|信息公开|[Dd]isclosure")
AREA_APP = "tests.portal.area_app.AreaAppConfig"


def page(client, name, language):
    client.cookies["django_language"] = language
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def header(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_only_built_areas_are_promised_on_home_header_and_stats(client, language):
    assert sorted(areas.area_keys()) == ["petition", "suggestion"]  # disclosure declares nothing yet
    home = page(client, "home", language)
    assert not NOT_BUILT.search(home), NOT_BUILT.search(home)  # text, links and attributes alike
    for name in ("login", "petitions:index", "stats"):
        assert not NOT_BUILT.search(header(page(client, name, language))), name
    stats = page(client, "stats", language)
    # Everything /stats/ shows, the figures' definitions included.
    assert not NOT_BUILT.search(visible_text(stats)), NOT_BUILT.search(visible_text(stats))
    assert not re.search(r'id="disclosure', stats)


def test_the_built_area_has_its_card_menu_link_and_deadlines(client):
    html = page(client, "home", "en")
    assert f'class="stretched-link" href="{reverse("petitions:index")}"' in html
    assert f'href="{reverse("petitions:track")}"' in header(html)
    assert "Online petitions" in header(html)  # the tagline names the services offered
    assert "7 working days" in html and "20 working days" not in html


def test_an_app_that_declares_an_area_gets_its_card_menu_link_and_deadline(client):
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, AREA_APP], ROOT_URLCONF="tests.portal.area_app"):
        assert areas.area_keys()[0] == "event"  # in menu order: its menu item comes first
        html = page(client, "home", "en")
        assert '<a class="stretched-link" href="/test-events/">Test event programme</a>' in html
        assert 'href="/test-events/"' in header(html)
        assert header(html).count("Test event programme · ") == 1
        assert "3 working days" in html and "Test follow-up after an event." in html
        assert areas.check_public_areas(app_configs=apps.get_app_configs()) == []


def test_a_declaration_is_checked_at_start_up():
    with override_settings(
        INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.portal.area_app.BrokenAreaConfig"],
        ROOT_URLCONF="tests.portal.area_app",
    ):
        messages = areas.check_public_areas(app_configs=apps.get_app_configs())
    assert {message.id for message in messages} == {"portal.E103", "portal.E104", "portal.E105"}
    # An area with clocks names its section of /stats/ and its total on the board.
    where = "tests.portal.area_app.apps.BrokenAreaConfig.public_area"
    assert sorted(message.msg for message in messages if message.id == "portal.E105") == [
        f"{where}.title: an area with clocks names its section of /stats/ (a translatable text).",
        f"{where}.total_label: an area with clocks names its total on the board (a translatable text).",
    ]
