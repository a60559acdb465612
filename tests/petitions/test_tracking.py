"""Tracking a ticket (查询办理进度) and rating the reply (评价): who sees what, and nothing internal."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from petitions import services
from petitions.models import Category, Petition
from portal.models import Department
from tests.factories import DepartmentFactory, citizen, clerk, staff_of
from tests.petitions.factories import replied, submitted
from tests.portal.test_pages import assert_csp_clean

pytestmark = pytest.mark.django_db

TRACK = reverse("petitions:track")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def detail_url(petition):
    return reverse("petitions:track_detail", args=[petition.reference])


def rate_url(petition):
    return reverse("petitions:rate", args=[petition.reference])


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def owner():
    return citizen("owner")


@pytest.fixture
def ticket(owner):
    return submitted(owner=owner, title="人民路路灯不亮")


# --- the tracking form -----------------------------------------------------------------------


def test_track_form_renders(client):
    response = client.get(TRACK, {"reference": "WZ-20261120-0001"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="WZ-20261120-0001"' in html  # prefilled from the e-mail's link
    assert_csp_clean(html)


def test_number_and_code_unlock_the_ticket_for_this_session(client, ticket):
    petition, code = ticket
    response = client.post(TRACK, {"reference": f" {petition.reference.lower()} ", "query_code": code.lower()})
    assert response.status_code == 302
    assert response.url == detail_url(petition)
    page = client.get(detail_url(petition))
    assert page.status_code == 200
    assert "人民路路灯不亮" in page.content.decode()
    assert_csp_clean(page.content.decode())


def test_wrong_code_and_wrong_number_are_indistinguishable(client, ticket):
    petition, _code = ticket
    wrong_code = client.post(TRACK, {"reference": petition.reference, "query_code": "ZZZZ9999"})
    wrong_number = client.post(TRACK, {"reference": "WZ-19990101-0001", "query_code": "ZZZZ9999"})
    assert wrong_code.status_code == wrong_number.status_code == 200

    def normalised(response, reference):
        return CSRF.sub("", response.content.decode()).replace(reference, "REFERENCE")

    assert normalised(wrong_code, petition.reference) == normalised(wrong_number, "WZ-19990101-0001")
    assert "No ticket matches this tracking number and query code" in wrong_code.content.decode()
    assert client.get(detail_url(petition)).status_code == 302  # still locked


def test_tracking_is_rate_limited(client, ticket, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"petitions.track": "3/h"}
    petition, code = ticket
    for _ in range(3):
        assert client.post(TRACK, {"reference": petition.reference, "query_code": "ZZZZ9999"}).status_code == 200
    assert client.post(TRACK, {"reference": petition.reference, "query_code": code}).status_code == 429
    assert client.get(TRACK).status_code == 200  # looking at the form is not counted


# --- who may open the tracking page ----------------------------------------------------------


def test_owner_signed_in_sees_it_without_a_code(client, ticket, owner):
    petition, _code = ticket
    client.force_login(owner)
    assert client.get(detail_url(petition)).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "other_citizen", "staff"])
def test_others_are_sent_to_the_tracking_form(client, ticket, who):
    petition, _code = ticket
    if who == "other_citizen":
        client.force_login(citizen("stranger"))
    elif who == "staff":
        client.force_login(clerk())
    response = client.get(detail_url(petition))
    assert response.status_code == 302
    assert response.url == f"{TRACK}?reference={petition.reference}"


def test_unknown_and_locked_tickets_look_the_same(client, ticket):
    petition, _code = ticket
    locked = client.get(detail_url(petition))
    unknown = client.get(reverse("petitions:track_detail", args=["WZ-19990101-0001"]))
    assert (locked.status_code, unknown.status_code) == (302, 302)
    assert unknown.url == f"{TRACK}?reference=WZ-19990101-0001"


def test_one_code_unlocks_one_ticket(client, ticket, owner):
    petition, code = ticket
    other, _other_code = submitted(owner=owner)
    client.post(TRACK, {"reference": petition.reference, "query_code": code})
    assert client.get(detail_url(petition)).status_code == 200
    assert client.get(detail_url(other)).status_code == 302


# --- what the citizen sees, and what never reaches them --------------------------------------


@pytest.fixture
def handled(owner):
    """A ticket with everything internal a ticket can carry: notes, opinions, staff names."""
    petition, code = submitted(owner=owner, title="小区噪音扰民")
    lead = DepartmentFactory(name="住房和城乡建设局")
    co = DepartmentFactory(name="城市管理局")
    lead_staff = staff_of(lead, "lead_worker", first_name="秘", last_name="欧阳")
    co_staff = staff_of(co, "co_worker", first_name="密", last_name="司马")
    office = clerk("office_clerk", first_name="员", last_name="诸葛")
    services.petition_assign(
        petition=petition, actor=office, lead_department=lead, co_departments=[co], note="交办内部说明INTERNAL-ASSIGN"
    )
    services.petition_accept(petition=petition, actor=lead_staff)
    services.petition_note(petition=petition, actor=lead_staff, body="内部办理记录INTERNAL-NOTE")
    services.petition_submit_opinion(
        petition=petition, actor=co_staff, department=co, opinion="会办意见INTERNAL-OPINION"
    )
    services.petition_urge(petition=petition, actor=office, note="催办INTERNAL-URGE")
    services.petition_reply(petition=petition, actor=lead_staff, body="经核查,已要求施工方夜间停工。联系人 13800138000")
    return Petition.objects.get(pk=petition.pk), code


def test_citizen_page_shows_public_steps_reply_and_due_dates(client, handled, owner):
    petition, _code = handled
    client.force_login(owner)
    html = client.get(detail_url(petition)).content.decode()
    for step in ("Received", "Assigned", "Accepted", "Replied"):
        assert step in html
    assert "住房和城乡建设局, 城市管理局" in html  # assigned to these departments (no English names)
    assert services.ACKNOWLEDGEMENT in html
    assert "经核查,已要求施工方夜间停工。联系人 13800138000" in html  # the full reply, addressed to them
    assert "Acknowledgement" in html and "Due dates" in html
    assert "On time" in html


def test_nothing_internal_reaches_the_citizen(client, handled, owner):
    petition, code = handled
    client.force_login(owner)
    pages = [client.get(detail_url(petition)).content.decode()]
    client.logout()
    client.post(TRACK, {"reference": petition.reference, "query_code": code})
    pages.append(client.get(detail_url(petition)).content.decode())
    for html in pages:
        for secret in (
            "INTERNAL-ASSIGN",
            "INTERNAL-NOTE",
            "INTERNAL-OPINION",
            "INTERNAL-URGE",
            "lead_worker",
            "co_worker",
            "office_clerk",
            "欧阳",
            "司马",
            "诸葛",
            "Handling note",
            "Co-handling opinion",
            "Urged",
        ):
            assert secret not in html, secret


# --- rating ----------------------------------------------------------------------------------


@pytest.fixture
def answered(owner):
    petition, code = submitted(owner=owner)
    return replied(petition), code


def test_no_rating_form_before_the_reply(client, ticket, owner):
    petition, _code = ticket
    client.force_login(owner)
    assert 'name="rating"' not in client.get(detail_url(petition)).content.decode()


def test_rating_form_explains_reopening(client, answered, owner):
    petition, _code = answered
    client.force_login(owner)
    html = client.get(detail_url(petition)).content.decode()
    assert 'name="rating"' in html
    assert "reopens it once for re-examination" in html
    assert f'action="{rate_url(petition)}"' in html


def test_satisfied_closes_the_ticket(client, answered, owner):
    petition, _code = answered
    client.force_login(owner)
    response = client.post(rate_url(petition), {"rating": "satisfied", "comment": "谢谢"})
    assert response.status_code == 302
    assert response.url == detail_url(petition)
    petition.refresh_from_db()
    assert (petition.state, petition.rating, petition.closure) == ("closed", "satisfied", "rated")
    html = client.get(detail_url(petition)).content.decode()
    assert "Thank you for your rating" in html
    assert 'name="rating"' not in html
    assert "Satisfied" in html and "满意" not in html


def test_unsatisfied_reopens_once_then_closes(client, answered, owner):
    petition, code = answered
    client.post(TRACK, {"reference": petition.reference, "query_code": code})  # a code holder may rate too
    client.post(rate_url(petition), {"rating": "unsatisfied", "comment": "路灯还是不亮"})
    petition.refresh_from_db()
    assert (petition.state, petition.reexamined) == ("reexamining", True)
    assert "Reopened for re-examination" in client.get(detail_url(petition)).content.decode()

    staff = staff_of(petition.lead_department)
    services.petition_reply(petition=petition, actor=staff, body="已再次核查并修复。")
    client.post(rate_url(petition), {"rating": "unsatisfied"})
    petition.refresh_from_db()
    assert (petition.state, petition.closure) == ("closed", "rated")


def test_strangers_cannot_rate(client, answered):
    petition, _code = answered
    client.force_login(citizen("stranger"))
    response = client.post(rate_url(petition), {"rating": "unsatisfied"})
    assert response.status_code == 302
    assert response.url.startswith(TRACK)
    petition.refresh_from_db()
    assert petition.state == "replied"


def test_bad_rating_is_a_form_error(client, answered, owner):
    petition, _code = answered
    client.force_login(owner)
    response = client.post(rate_url(petition), {"rating": "delighted"})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    petition.refresh_from_db()
    assert petition.state == "replied"


def test_refused_rating_is_a_form_error(client, answered, owner):
    petition, _code = answered
    client.force_login(owner)
    client.post(rate_url(petition), {"rating": "satisfied"})
    response = client.post(rate_url(petition), {"rating": "unsatisfied"})
    assert response.status_code == 200
    assert "cannot be handled this way" in response.content.decode()


def test_rating_is_rate_limited(client, answered, owner, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"petitions.rate": "1/h"}
    petition, _code = answered
    client.force_login(owner)
    assert client.post(rate_url(petition), {"rating": ""}).status_code == 200
    assert client.post(rate_url(petition), {"rating": "satisfied"}).status_code == 429
    petition.refresh_from_db()
    assert petition.state == "replied"


def test_rate_accepts_only_post(client, answered, owner):
    petition, _code = answered
    client.force_login(owner)
    assert client.get(rate_url(petition)).status_code == 405


@pytest.mark.parametrize(
    ("language", "shown", "absent"),
    [
        (
            "en",
            [
                "Online",
                "Satisfied",
                "Housing and Urban-Rural Development Bureau, City Management Bureau",
                "Urban construction",
            ],
            ["网上", "满意", "住房和城乡建设局", "城乡建设"],
        ),
        (
            "zh-hans",
            ["网上", "满意", "住房和城乡建设局、城市管理局", "城乡建设"],
            ["Online", "Satisfied", "Housing and"],
        ),
    ],
)
def test_the_timeline_shows_recorded_choices_and_names_in_the_readers_language(
    client, handled, owner, language, shown, absent
):
    """Channel, rating and the departments assigned are data, shown in the language of whoever reads
    the page, whatever the language of the person who made the step."""
    petition, _code = handled
    Department.objects.filter(name="住房和城乡建设局").update(name_en="Housing and Urban-Rural Development Bureau")
    Department.objects.filter(name="城市管理局").update(name_en="City Management Bureau")
    Category.objects.filter(pk=petition.category_id).update(name="城乡建设", name_en="Urban construction")
    with translation.override("zh-hans" if language == "en" else "en"):  # the rating made in the other language
        services.petition_rate(petition=petition, rating="satisfied", comment="")
    client.force_login(owner)
    client.cookies["django_language"] = language
    main = client.get(detail_url(petition)).content.decode().split("<main", 1)[1]
    for text in shown:
        assert text in main
    for text in absent:
        assert text not in main
