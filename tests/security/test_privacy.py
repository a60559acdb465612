"""The privacy crawler: no personal data on any page a visitor or another citizen can reach.

Seeds the portal's personal data and every installed app's PRIVACY_SEEDERS (tests/security/privacy.py,
tests/<app_label>/security.py), then crawls, anonymously and as another citizen, every same-site
page linked from the home page (bounded), every parameterless public URL of the URL conf and the
pages each app names in `public_pages`, and fails if any seeded secret appears in a body or a header.
"""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlparse

import pytest
from django.test import Client
from django.urls import reverse

from tests.security.privacy import USERNAME, crawl_starts, find_secrets, seeders
from tests.security.urlconf import public_parameterless_paths
from tests.security.world import OTHER_CITIZEN, World

pytestmark = pytest.mark.django_db

MAX_PAGES = 300
MAX_VARIANTS_PER_PATH = 10  # query-string variants (pages of a list, filters) of one path
SKIP_PREFIXES = ("/admin/", "/static/", "/media/", "/i18n/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def same_site_links(page_path: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    links = []
    for href in parser.hrefs:
        url = urlparse(urljoin(f"http://testserver{page_path}", href))
        if url.scheme not in ("http", "https") or url.netloc != "testserver":
            continue
        if url.path.startswith(SKIP_PREFIXES) or "logout" in url.path:
            continue
        # "?next=" carries the page it was found on: following it would nest without end.
        query = urlencode([(key, value) for key, value in parse_qsl(url.query) if key != "next"])
        links.append(url.path + (f"?{query}" if query else ""))
    return links


def crawl(client: Client, secrets: list[str], starts: list[str]) -> tuple[list[str], list[str]]:
    """Visit pages breadth-first from the home page, the parameterless URLs and `starts`; return
    (visited paths, findings)."""
    queue = deque(dict.fromkeys(["/", *public_parameterless_paths(), *starts]))
    seen: set[str] = set(queue)
    visited, findings = [], []
    variants_per_path: dict[str, set[str]] = {}
    while queue and len(visited) < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path)
        visited.append(path)
        # A file download streams (reading it to the end closes it); its name, in the
        # Content-Disposition header, is checked with the other headers.
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        for found in find_secrets(text + "\n" + headers, secrets):
            findings.append(f"{path} ({response.status_code}): {found}")
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for link in same_site_links(path, text):
                variants = variants_per_path.setdefault(link.split("?")[0], set())
                if link not in seen and len(variants) < MAX_VARIANTS_PER_PATH:
                    seen.add(link)
                    variants.add(link)
                    queue.append(link)
    return visited, findings


@pytest.fixture
def secrets(world) -> list[str]:
    collected = []
    for seed in seeders():
        collected.extend(seed(world))
    return collected


@pytest.fixture
def starts(world, secrets) -> list[str]:
    """The apps' public pages, once their records are seeded."""
    return crawl_starts(world)


@pytest.mark.parametrize("who", ["anonymous", OTHER_CITIZEN])
def test_no_personal_data_on_any_public_page(world: World, secrets, starts, who):
    client = Client()
    if who != "anonymous":
        client.force_login(world.user(who))
    visited, findings = crawl(client, secrets, starts)
    assert reverse("home") in visited and reverse("login") in visited and reverse("register") in visited
    assert set(starts) <= set(visited), f"the crawl stopped before these: {sorted(set(starts) - set(visited))}"
    assert not findings, "personal data on public pages:\n" + "\n".join(findings)


def test_the_crawler_finds_a_secret_where_it_is_shown(world, secrets, starts):
    """The control: signed in as the seeded citizen, her own name (or username, if she gave no
    name) is in the page header."""
    from portal.models import User

    client = Client()
    person = User.objects.get(username=USERNAME)
    client.force_login(person)
    _, findings = crawl(client, secrets, starts)
    shown = {USERNAME, person.get_full_name()}
    assert any(name in finding for finding in findings for name in shown), findings


def test_disguised_secrets_are_recognised():
    assert find_secrets('{"name": "\\u6b27\\u9633\\u79d8\\u5bc6"}', ["欧阳秘密"])
    assert find_secrets("?q=%E6%AC%A7%E9%98%B3", ["欧阳"])
    assert find_secrets("call 138-1234-5678", ["13812345678"])
    assert find_secrets("OUYANG.MIMI@EXAMPLE.COM", ["ouyang.mimi@example.com"])
    assert not find_secrets("138****5678", ["13812345678"])  # masked is the protection, not a leak
    # However a number is typed, and whatever a page makes of it.
    assert find_secrets("电话１３８１２３４５６７８", ["13812345678"])
    assert find_secrets("136.2345.6789 或 135  2345  6789", ["13623456789", "13523456789"]) != []
    assert len(find_secrets("136.2345.6789 或 135  2345  6789", ["13623456789", "13523456789"])) == 2
    assert find_secrets("身份证３３０１０６１９８５０３１７１０１ｘ", ["33010619850317101X"])
    assert find_secrets("110105 19491231 0036", ["110105194912310036"])
    assert find_secrets("wangxm＠example．com", ["wangxm@example.com"])
    assert not find_secrets("136.****.6789 110*** ******** **36", ["13623456789", "110105194912310036"])
