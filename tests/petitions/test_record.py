"""Offline intake (接访登记) and the printable slip (回执单)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from petitions import policies, selectors
from petitions.models import Petition, PetitionEvent
from portal.models import Clock
from tests.petitions.staffside import build_staffside

pytestmark = pytest.mark.django_db

RECORD = reverse("petitions:record")
SLIP = reverse("petitions:slip")


@pytest.fixture
def side():
    return build_staffside()


def form(side, **changes) -> dict:
    data = {
        "channel": Petition.Channel.PLAZA,
        "reception_place": "市民广场",
        "reception_date": timezone.localdate().isoformat(),
        "kind": Petition.Kind.MESSAGE,
        "category": side.category.pk,
        "title": "公交站台缺少遮雨棚",
        "content": "人民路公交站没有遮雨棚,下雨天候车很不方便。",
        "location": "人民路",
        "contact_name": "李四",
        "contact_mobile": "13700001111",
        "contact_email": "",
        "publish_consent": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_only_office_clerks_record(client, side):
    assert client.get(RECORD).status_code == 302  # to the login page
    for user in (side.citizen, side.staff_lead):
        client.force_login(user)
        assert client.get(RECORD).status_code == 403
    client.force_login(side.clerk)
    assert client.get(RECORD).status_code == 200


@pytest.mark.parametrize("missing", ["reception_place", "reception_date"])
def test_plaza_reception_needs_place_and_date(client, side, missing):
    client.force_login(side.clerk)
    response = client.post(RECORD, form(side, **{missing: ""}))
    assert response.status_code == 200
    assert missing in response.context["form"].errors
    assert not Petition.objects.exists()


def test_hotline_needs_no_place(client, side):
    client.force_login(side.clerk)
    response = client.post(RECORD, form(side, channel=Petition.Channel.HOTLINE, reception_place="", reception_date=""))
    assert response.status_code == 302 and response["Location"] == SLIP
    assert Petition.objects.get().channel == Petition.Channel.HOTLINE


def test_the_online_channel_cannot_be_recorded(client, side):
    client.force_login(side.clerk)
    response = client.post(RECORD, form(side, channel=Petition.Channel.ONLINE))
    assert response.status_code == 200 and "channel" in response.context["form"].errors


def test_slip_shows_the_code_once_and_the_citizen_can_track_with_it(client, side):
    client.force_login(side.clerk)
    response = client.post(RECORD, form(side))
    assert response.status_code == 302 and response["Location"] == SLIP
    petition = Petition.objects.get()
    assert petition.recorded_by == side.clerk and petition.citizen is None
    assert petition.reception_place == "市民广场"
    assert petition.events.filter(action=PetitionEvent.Action.RECEIVED).exists()
    assert Clock.objects.for_subject(petition).open().count() == 2

    slip = client.get(SLIP)
    assert slip.status_code == 200
    code = slip.context["query_code"]
    page = slip.content.decode()
    assert petition.reference in page and code in page
    assert settings.SITE_URL + reverse("petitions:track") in page
    assert "data-print" in page and "<script>" not in page
    assert slip.context["reply_clock"].kind == policies.REPLY

    again = client.get(SLIP)
    assert again.status_code == 302 and again["Location"] == RECORD
    assert code not in client.get(RECORD).content.decode()

    assert selectors.petition_for_tracking(petition.reference, code) == petition
    assert selectors.petition_for_tracking(petition.reference, "WRONGCODE") is None


def test_slip_without_a_recording_goes_back_to_the_form(client, side):
    client.force_login(side.clerk)
    response = client.get(SLIP)
    assert response.status_code == 302 and response["Location"] == RECORD


def test_a_future_reception_date_is_refused(client, side):
    client.force_login(side.clerk)
    tomorrow = timezone.localdate().toordinal() + 1
    from datetime import date

    response = client.post(RECORD, form(side, reception_date=date.fromordinal(tomorrow).isoformat()))
    assert response.status_code == 200 and "reception_date" in response.context["form"].errors
    assert not Petition.objects.exists()
