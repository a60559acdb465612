"""The public column 部门回应: only published tickets, only masked text, filters, search, the
anonymous cache and its query budget; and who may download which attachment."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from petitions import services, views
from petitions.models import CoHandling, Petition
from portal import pagecache
from tests.factories import DepartmentFactory, UserFactory, citizen, clerk, staff_of
from tests.petitions.factories import (
    QUERY_CODE,
    CategoryFactory,
    PetitionFactory,
    attachment_for,
    pdf_upload,
    png_upload,
    replied,
    submitted,
)
from tests.portal.test_pages import assert_csp_clean

pytestmark = pytest.mark.django_db

INDEX = reverse("petitions:index")
BEIJING = ZoneInfo("Asia/Shanghai")


def detail_url(petition):
    return reverse("petitions:detail", args=[petition.reference])


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


# --- only what is published, only masked -----------------------------------------------------


def test_only_published_tickets_are_listed(client):
    published = PetitionFactory(title="已公开的事项", published=True)
    no_consent, _ = submitted(title="未同意公开的事项", publish_consent=False)
    replied(no_consent)
    not_replied, _ = submitted(title="尚未答复的事项", publish_consent=True)
    html = client.get(INDEX).content.decode()
    assert "已公开的事项" in html
    assert "未同意公开的事项" not in html
    assert "尚未答复的事项" not in html
    assert client.get(detail_url(published)).status_code == 200
    assert client.get(detail_url(no_consent)).status_code == 404
    assert client.get(detail_url(not_replied)).status_code == 404


def test_withheld_ticket_leaves_the_column(client, django_capture_on_commit_callbacks):
    petition, _ = submitted(title="被撤下的事项")
    petition = replied(petition)
    assert client.get(detail_url(petition)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_set_withheld(petition=petition, actor=clerk(), withheld=True, reason="涉及个人隐私")
    assert client.get(detail_url(petition)).status_code == 404  # at once: no expiry to wait for
    assert "被撤下的事项" not in client.get(INDEX).content.decode()


PERSONAL = "我叫张三,电话13912345678,邮箱zhangsan@example.com,身份证110101199003074518。人民路路灯坏了。"


@pytest.fixture
def personal():
    petition, _ = submitted(
        title="张三反映路灯问题",
        content=PERSONAL,
        contact_name="张三",
        contact_mobile="13912345678",
        contact_email="zhangsan@example.com",
        location="人民路88号",
    )
    return replied(petition, body="张三您好,路灯已修复。如有问题请拨打13912345678。")


def test_public_pages_show_masked_text_and_never_contact_fields(client, personal):
    for url in (INDEX, detail_url(personal)):
        html = client.get(url).content.decode()
        for private in ("张三", "13912345678", "zhangsan@example.com", "110101199003074518", "人民路88号", PERSONAL):
            assert private not in html, (url, private)
        assert "张某" in html
        assert_csp_clean(html)
    html = client.get(detail_url(personal)).content.decode()
    assert "139****5678" in html
    assert "路灯已修复" in html  # the public reply


def test_detail_of_unknown_reference_is_404(client):
    assert client.get(reverse("petitions:detail", args=["WZ-19990101-0001"])).status_code == 404


# --- filters and search ----------------------------------------------------------------------


@pytest.fixture
def column():
    housing = DepartmentFactory(name="住房和城乡建设局")
    education = DepartmentFactory(name="教育局")
    roads = CategoryFactory(name="道路交通")
    schools = CategoryFactory(name="教育")
    return {
        "lamp": PetitionFactory(
            title="人民路路灯不亮",
            content="路灯坏了",
            kind="complaint",
            department=housing,
            category=roads,
            received_at=datetime(2026, 10, 15, 10, tzinfo=BEIJING),
            published=True,
        ),
        "school": PetitionFactory(
            title="学校门口交通拥堵",
            content="放学时段拥堵",
            kind="consultation",
            department=education,
            category=schools,
            received_at=datetime(2026, 11, 3, 10, tzinfo=BEIJING),
            published=True,
        ),
    }


def titles(client, **params) -> set[str]:
    html = client.get(INDEX, params).content.decode()
    return {title for title in ("人民路路灯不亮", "学校门口交通拥堵") if title in html}


def test_filters(client, column):
    lamp, school = column["lamp"], column["school"]
    assert titles(client) == {"人民路路灯不亮", "学校门口交通拥堵"}
    assert titles(client, department=lamp.lead_department_id) == {"人民路路灯不亮"}
    assert titles(client, kind="consultation") == {"学校门口交通拥堵"}
    assert titles(client, category=school.category_id) == {"学校门口交通拥堵"}
    assert titles(client, month="2026-10") == {"人民路路灯不亮"}
    assert titles(client, month="2026-11", kind="complaint") == set()


def test_a_month_lists_its_tickets_in_the_order_received(client):
    department = DepartmentFactory()
    early = PetitionFactory(
        title="十月初收到的事项",
        department=department,
        received_at=datetime(2026, 10, 5, 9, tzinfo=BEIJING),
        published_at=datetime(2026, 11, 20, 9, tzinfo=BEIJING),
        published=True,
    )
    late = PetitionFactory(
        title="十月下旬收到的事项",
        department=department,
        received_at=datetime(2026, 10, 20, 9, tzinfo=BEIJING),
        published_at=datetime(2026, 10, 25, 9, tzinfo=BEIJING),
        published=True,
    )
    everything = client.get(INDEX).content.decode()
    assert everything.index(early.public_title) < everything.index(late.public_title)  # newest published
    october = client.get(INDEX, {"month": "2026-10"}).content.decode()
    assert october.index(late.public_title) < october.index(early.public_title)  # newest received


def test_chinese_search(client, column):
    assert titles(client, q="路灯") == {"人民路路灯不亮"}
    assert titles(client, q="拥堵") == {"学校门口交通拥堵"}
    assert titles(client, q="垃圾") == set()


def test_bad_filters_are_explained_not_crashed(client, column):
    response = client.get(INDEX, {"month": "2026-13", "department": "x"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "YYYY-MM" in html
    assert 'role="alert"' in html


def test_newest_first_and_paginated(client):
    department = DepartmentFactory()
    now = timezone.now()
    for number in range(25):
        PetitionFactory(
            title=f"事项编号{number:02d}",
            department=department,
            published=True,
            published_at=now - timezone.timedelta(minutes=number),
        )
    html = client.get(INDEX).content.decode()
    assert html.index("事项编号00") < html.index("事项编号01")
    assert "事项编号24" not in html
    assert 'href="?page=2"' in html
    assert "事项编号24" in client.get(INDEX, {"page": 2}).content.decode()


def test_filters_are_kept_when_paging(client):
    department = DepartmentFactory()
    PetitionFactory.create_batch(25, kind="message", department=department, published=True)
    html = client.get(INDEX, {"kind": "message"}).content.decode()
    assert 'href="?kind=message&amp;page=2"' in html


def test_count_is_capped(client, monkeypatch):
    monkeypatch.setattr(views, "PUBLIC_MAX_ROWS", 3)
    PetitionFactory.create_batch(5, department=DepartmentFactory(), published=True)
    with CaptureQueriesContext(connection) as queries:
        client.get(INDEX)
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == 1
    assert "LIMIT 3" in counts[0]


# --- anonymous cache and query budget --------------------------------------------------------


def test_anonymous_visitors_share_a_cached_list_without_anything_personal(client, django_assert_num_queries):
    PetitionFactory(title="缓存中的事项", department=DepartmentFactory(), published=True)
    first = client.get(INDEX)
    assert first.status_code == 200
    keys = [key for key in cache._cache.get_client().keys("*") if b"petitions.index" in key]
    assert len(keys) == 1
    _generation, cached = cache.get(keys[0].decode().split(":", 2)[2])
    assert "缓存中的事项" in cached
    assert "csrfmiddlewaretoken" not in cached

    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    with django_assert_num_queries(0):
        second = other.get(INDEX)
    assert "缓存中的事项" in second.content.decode()
    assert '<ol class="list-unstyled public-list">' in second.content.decode()  # not escaped
    # No per-visitor token on the page at all (the language switch needs none): shareable whole.
    assert all("csrfmiddlewaretoken" not in r.content.decode() for r in (first, second))


def test_shared_parts_live_the_configured_time_per_url_and_language(client, monkeypatch, settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 123
    timeouts = []
    real_set = pagecache.cache.set

    def spy(key, value, timeout=None, **kwargs):
        if ":petitions.index:" in key:  # the list part (the whole page has its own entry)
            timeouts.append(timeout)
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(pagecache.cache, "set", spy)
    client.get(INDEX)
    client.get(INDEX)  # served from the cache
    client.get(INDEX, {"kind": "message"})
    client.get(INDEX, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert timeouts == [123, 123, 123]


def test_a_reply_published_through_the_services_shows_at_once(client, django_capture_on_commit_callbacks):
    first, _ = submitted(title="第一条")
    replied(first)
    signed_in = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in.force_login(citizen())
    assert "第一条" in client.get(INDEX).content.decode()
    assert "第一条" in signed_in.get(INDEX).content.decode()
    second, _ = submitted(title="第二条")
    with django_capture_on_commit_callbacks(execute=True):
        replied(second)
    # No waiting for an expiry: the reply's commit made every shared page and part stale.
    assert "第二条" in client.get(INDEX).content.decode()
    assert "第二条" in signed_in.get(INDEX).content.decode()
    assert "第二条" in client.get(detail_url(second)).content.decode()


def test_a_change_made_behind_the_services_back_waits_for_the_expiry(client):
    """What the generation cannot know about (rows written directly, a department renamed in
    the admin) shows once PUBLIC_PAGE_CACHE_SECONDS have passed, for every visitor."""
    department = DepartmentFactory()
    PetitionFactory(title="第一条", department=department, published=True)
    client.get(INDEX)
    PetitionFactory(title="第二条", department=department, published=True)
    signed_in = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in.force_login(citizen())
    assert "第二条" not in client.get(INDEX).content.decode()
    assert "第二条" not in signed_in.get(INDEX).content.decode()  # the list part is shared too
    cache.clear()  # what expiry does to the list part and to the whole page
    assert "第二条" in client.get(INDEX).content.decode()


def test_a_rolled_back_change_keeps_the_shared_pages(client, django_assert_num_queries):
    PetitionFactory(title="第一条", department=DepartmentFactory(), published=True)
    client.get(INDEX)
    with pytest.raises(RuntimeError), transaction.atomic():
        pagecache.public_content_changed()
        raise RuntimeError("rolled back")
    with django_assert_num_queries(0):
        assert client.get(INDEX)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("rows", [3, 30])
def test_index_query_budget_does_not_grow_with_rows(client, rows, django_assert_max_num_queries):
    departments = [DepartmentFactory(), DepartmentFactory()]
    for number in range(rows):
        PetitionFactory(department=departments[number % 2], published=True)
    # capped count, page rows, the department and category choices
    with django_assert_max_num_queries(4):
        client.get(INDEX, {"q": "路灯", "kind": "complaint", "month": "2026-11"})
    cache.clear()
    with django_assert_max_num_queries(4):
        client.get(INDEX)


def test_detail_query_budget(client, django_assert_max_num_queries):
    petition = PetitionFactory(department=DepartmentFactory(), published=True)
    attachment_for(petition, reply=petition.replies.get())
    with django_assert_max_num_queries(3):  # ticket, replies, their attachments
        response = client.get(detail_url(petition))
    assert response.status_code == 200


def test_anonymous_visitors_share_a_cached_detail_but_not_unknown_numbers(client, django_assert_num_queries):
    petition = PetitionFactory(title="缓存的详情", department=DepartmentFactory(), published=True)
    assert client.get(detail_url(petition)).status_code == 200
    unknown = detail_url(petition).replace(petition.reference, "WZ-20200101-0001")
    assert client.get(unknown).status_code == 404
    with django_assert_num_queries(0):
        again = client.get(detail_url(petition))
    # Probing numbers that do not exist fills no cache: each costs its one indexed look-up.
    with django_assert_num_queries(1):
        assert client.get(unknown).status_code == 404
    assert "缓存的详情" in again.content.decode()
    assert "csrfmiddlewaretoken" not in again.content.decode()
    # Signed in, the page around the shared part is the visitor's own.
    client.force_login(citizen())
    signed_in = client.get(detail_url(petition))
    assert "X-Page-Cache" not in signed_in and "缓存的详情" in signed_in.content.decode()
    assert "csrfmiddlewaretoken" in signed_in.content.decode()  # the logout form


# --- attachments -----------------------------------------------------------------------------


@pytest.fixture
def files():
    lead = DepartmentFactory(name="住房和城乡建设局")
    co = DepartmentFactory(name="城市管理局")
    owner = citizen("file_owner")
    published = PetitionFactory(citizen=owner, department=lead, published=True)
    CoHandling.objects.create(petition=published, department=co)
    unpublished = PetitionFactory(citizen=owner, department=lead, published=True)
    Petition.objects.filter(pk=unpublished.pk).update(published_at=None, publish_consent=False)
    return {
        "owner": owner,
        "lead_staff": staff_of(lead),
        "co_staff": staff_of(co),
        "other_staff": staff_of(DepartmentFactory(name="教育局")),
        "clerk": clerk(),
        "published": published,
        "citizen_file": attachment_for(published, upload=pdf_upload("证明材料.pdf")),
        "public_reply_file": attachment_for(published, reply=published.replies.get(), upload=png_upload()),
        "private_reply_file": attachment_for(unpublished, reply=unpublished.replies.get()),
    }


ALLOWED = {
    # who: (citizen's own file, reply file of a published ticket, reply file of an unpublished one)
    "anonymous": (False, True, False),
    "owner": (True, True, True),
    "other_citizen": (False, True, False),
    "tracker": (True, True, False),  # gave the published ticket's code in this session
    "lead_staff": (True, True, True),
    "co_staff": (True, True, False),
    "other_staff": (False, True, False),
    "clerk": (True, True, True),
    "superuser": (True, True, True),
}


@pytest.mark.parametrize("who", ALLOWED)
def test_attachment_access_matrix(client, files, who):
    if who == "tracker":
        response = client.post(
            reverse("petitions:track"), {"reference": files["published"].reference, "query_code": QUERY_CODE}
        )
        assert response.status_code == 302
    elif who == "other_citizen":
        client.force_login(citizen("someone_else"))
    elif who == "superuser":
        client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    elif who != "anonymous":
        client.force_login(files[who])
    got = tuple(
        client.get(reverse("petitions:attachment", args=[files[name].pk])).status_code == 200
        for name in ("citizen_file", "public_reply_file", "private_reply_file")
    )
    assert got == ALLOWED[who]


def test_attachment_headers(client, files):
    client.force_login(files["owner"])
    response = client.get(reverse("petitions:attachment", args=[files["citizen_file"].pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == ("attachment; filename*=utf-8''%E8%AF%81%E6%98%8E%E6%9D%90%E6%96%99.pdf")
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    image = client.get(reverse("petitions:attachment", args=[files["public_reply_file"].pk]))
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline;")


def test_unknown_attachment_is_404(client):
    assert client.get(reverse("petitions:attachment", args=[999999])).status_code == 404


def test_media_files_are_not_served_by_url(client, files, settings):
    settings.DEBUG = True
    path = "/" + settings.MEDIA_URL.lstrip("/") + files["citizen_file"].file.name
    assert client.get(path).status_code == 404


def test_markup_in_tickets_is_escaped_on_fresh_and_cached_public_pages(client):
    """The column and ticket pages mark their own rendered fragments safe when they come back from
    the cache; what a citizen or department wrote must still arrive escaped, fresh or cached."""
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    petition = PetitionFactory(
        title=f"标题{payload}",
        content=f"内容{payload}",
        department=DepartmentFactory(),
        published=True,
        published__reply=f"答复{payload}",
    )
    for url in (INDEX, detail_url(petition)):
        for attempt in ("fresh", "cached"):
            html = client.get(url).content.decode()
            assert "<script>alert" not in html and "<img src=x" not in html, (url, attempt)
            assert "&lt;script&gt;alert" in html, (url, attempt)


def test_a_category_renamed_in_the_admin_shows_at_once(client, django_capture_on_commit_callbacks):
    from portal import roles

    petition = PetitionFactory(title="分类改名的事项", department=DepartmentFactory(), published=True)
    category = petition.category
    assert category.name_en in client.get(detail_url(petition)).content.decode()  # an English page
    administrator = UserFactory(username="category_admin", role=roles.ADMINISTRATOR, is_superuser=True)
    admin_client = Client()
    admin_client.force_login(administrator)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:petitions_category_change", args=[category.pk]),
            {"name": "市容环境改名", "name_en": "City appearance", "order": 1, "is_active": "on"},
        )
    assert response.status_code == 302
    assert "City appearance" in client.get(detail_url(petition)).content.decode()
    client.cookies["django_language"] = "zh-hans"
    assert "市容环境改名" in client.get(detail_url(petition)).content.decode()
