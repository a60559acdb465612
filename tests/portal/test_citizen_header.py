"""A signed-in citizen's header: their name as they write it, links to their own pages (declared by
the apps: "my tickets") and to their notices, with the unread count."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portal import areas
from portal.models import Notice, User
from tests.factories import citizen, clerk

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("first", "last", "shown"),
    [
        ("三", "张", "张三"),  # a Chinese name in two parts: family name first, no space
        ("王小民", "", "王小民"),  # the whole name in first_name (the demo's way)
        ("", "欧阳", "欧阳"),
        ("Ada", "Lovelace", "Ada Lovelace"),
        (" Ada ", "", "Ada"),
        ("", "", ""),
    ],
)
def test_full_name_in_the_order_its_owner_writes_it(first, last, shown):
    assert User(username="u", first_name=first, last_name=last).get_full_name() == shown


def account_bar(html: str) -> str:
    return re.search(r'<ul class="site-account">(.*?)</ul>', html, re.S).group(1)


def test_a_citizen_sees_their_name_their_tickets_and_their_notices(client):
    person = citizen("zhangsan_2026", first_name="三", last_name="张")
    Notice.objects.create(recipient=person, kind="petition_citizen_accepted", context={"reference": "WZ-1"})
    Notice.objects.create(recipient=person, kind="petition_citizen_replied", context={"reference": "WZ-1"})
    client.force_login(person)
    bar = account_bar(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())
    assert "张三" in bar and "zhangsan_2026" not in bar
    assert f'href="{reverse("petitions:mine")}"' in bar and "我的问政" in bar
    assert f'href="{reverse("notice_list")}"' in bar and "通知" in bar
    assert re.search(r'<span class="badge rounded-pill" aria-hidden="true">2</span>', bar)
    english = account_bar(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "My tickets" in english and "(2 unread notices)" in english


def test_without_a_name_the_username_is_shown(client):
    person = citizen("wangxm")
    client.force_login(person)
    bar = account_bar(client.get(reverse("petitions:mine"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "wangxm" in bar
    assert f'href="{reverse("petitions:mine")}" aria-current="page"' in bar
    assert "badge" not in bar  # nothing unread


def test_staff_keep_their_workplace_links_and_notices(client):
    staff = clerk("clerk_chen", first_name="晓静", last_name="陈")
    client.force_login(staff)
    bar = account_bar(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert f'href="{reverse("admin:index")}"' in bar and f'href="{reverse("notice_list")}"' in bar
    assert reverse("petitions:mine") not in bar
    assert "陈晓静" in bar


def test_visitors_see_no_account_links(client):
    bar = account_bar(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert reverse("notice_list") not in bar and reverse("petitions:mine") not in bar


def test_apps_declare_the_citizens_own_pages():
    # In their declared order: my suggestions (10), my tickets (20).
    assert [link["name"] for link in areas.account_links()] == ["suggestions:mine", "petitions:mine"]
