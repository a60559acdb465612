"""Names of departments and categories in the reader's language (portal.names)."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from portal import names
from portal.models import Department
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_a_department_is_named_in_the_readers_language():
    department = DepartmentFactory(name="教育局", name_en="Education Bureau")
    unnamed = DepartmentFactory(name="信访局", name_en="")
    with translation.override("en"):
        assert (department.display_name, str(department), unnamed.display_name) == ("Education Bureau",) * 2 + (
            "信访局",
        )
    with translation.override("zh-hans"):
        assert (department.display_name, str(department)) == ("教育局", "教育局")


@pytest.mark.parametrize(
    "value",
    [
        "教育局",  # a bare name, as in ledger and report rows
        {"name": "教育局"},  # a row of figures
        {"name": "教育局", "name_en": "Education Bureau"},
    ],
)
def test_the_tag_names_rows_and_bare_names_too(value):
    DepartmentFactory(name="教育局", name_en="Education Bureau")
    template = Template("{% load portal_tags %}{% for row in rows %}{% display_name row %};{% endfor %}")
    with translation.override("en"), CaptureQueriesContext(connection) as queries:
        assert template.render(Context({"rows": [value] * 5})) == "Education Bureau;" * 5
    assert len(queries) <= 2  # the names looked up once per template, not per row
    with translation.override("zh-hans"), CaptureQueriesContext(connection) as queries:
        assert template.render(Context({"rows": [value]})) == "教育局;"
    assert len(queries) == 0  # Chinese pages look nothing up


def test_names_unknown_or_translated_stay_as_they_are():
    with translation.override("en"):
        assert names.display_name("Not yet assigned", names.english_names) == "Not yet assigned"
        assert names.display_name(None) == ""


def test_the_public_column_filters_and_lists_in_english(client):
    from tests.petitions.factories import replied, submitted

    department = DepartmentFactory(name="教育局", name_en="Education Bureau")
    petition = replied(submitted()[0], department)
    assert petition.published_at is not None
    client.cookies["django_language"] = "en"
    html = client.get(reverse("petitions:index")).content.decode()
    assert html.count("Education Bureau") >= 2  # the filter's choice and the ticket's line
    assert "教育局" not in html
    assert Department.objects.get(pk=department.pk).name == "教育局"  # stored names stay Chinese


def test_stats_and_the_board_name_departments_in_english(client):
    """The figures pages keep rows of names (cached for every language): named at render time."""
    from portal import clocks, roles
    from tests.factories import UserFactory

    department = DepartmentFactory(name="交通运输局", name_en="Transport Bureau")
    clocks.clock_start(subject=department, policy="petition.reply.ordinary", department=department)
    client.cookies["django_language"] = "en"
    stats = client.get(reverse("stats")).content.decode()
    assert "Transport Bureau" in stats and "交通运输局" not in stats
    client.force_login(UserFactory(username="board_clerk", role=roles.OFFICE_CLERK))
    client.cookies["django_language"] = "en"
    for name in ("dashboard", "dashboard_performance"):
        html = client.get(reverse(name)).content.decode()
        assert "Transport Bureau" in html and "交通运输局" not in html, name
