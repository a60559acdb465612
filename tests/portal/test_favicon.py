"""The site's icon: linked from every page, and /favicon.ico answered, not a 404 on every visit."""

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_favicon_ico_is_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age=86400" in response["Cache-Control"]


@pytest.mark.parametrize("name", ["home", "login"])
def test_pages_link_their_icons(client, name):
    html = client.get(reverse(name)).content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in html
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert finders.find("favicon.svg") and finders.find("favicon.ico")


def test_the_admin_links_the_icons_too(client):
    from tests.factories import clerk

    client.force_login(clerk())
    assert 'href="/static/favicon.svg"' in client.get(reverse("admin:index")).content.decode()
