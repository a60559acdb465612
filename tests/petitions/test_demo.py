"""petitions.demo: `manage.py load_demo` brings categories and tickets in every state, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from petitions.demo import CATEGORIES, TICKETS
from petitions.models import Category, CoHandling, Petition, PetitionEvent, Reply
from portal import clocks
from portal.models import Clock, Department, OutboundEmail

pytestmark = pytest.mark.django_db


def _load():
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())


def _counts() -> dict[str, int]:
    return {
        "categories": Category.objects.count(),
        "tickets": Petition.objects.count(),
        "ticket history": Petition.history.count(),
        "events": PetitionEvent.objects.count(),
        "replies": Reply.objects.count(),
        "clocks": Clock.objects.count(),
        "clock history": Clock.history.count(),
        "e-mails": OutboundEmail.objects.count(),
    }


def test_load_demo_twice_writes_nothing_the_second_time():
    _load()
    before = _counts()
    assert before["tickets"] == len(TICKETS)
    assert before["categories"] == len(CATEGORIES)

    out = io.StringIO()
    call_command("load_demo", stdout=out, stderr=io.StringIO())

    assert _counts() == before
    assert "nothing changed" in out.getvalue()


def test_demo_tickets_in_every_state():
    _load()
    states = set(Petition.objects.values_list("state", flat=True))
    assert states == set(Petition.State.values)
    closures = set(Petition.objects.filter(state=Petition.State.CLOSED).values_list("closure", flat=True))
    assert closures == set(Petition.Closure.values)
    assert CoHandling.objects.exists()
    assert Petition.objects.exclude(channel=Petition.Channel.ONLINE).exists()
    assert set(Category.objects.values_list("name", flat=True)) >= {"城市管理", "交通出行", "其他"}
    assert not Category.objects.filter(name_en="").exists()
    assert not Department.objects.filter(name_en="").exists()  # English pages name them in English


def test_demo_has_overdue_work_after_a_sweep_and_consistent_clocks():
    _load()
    result = clocks.sweep_deadlines()
    assert result.overdue
    assert Clock.objects.filter(state=Clock.State.OVERDUE).exists()
    assert Clock.objects.filter(state=Clock.State.MET_LATE).exists()
    for clock in Clock.objects.all():
        # Every moved clock still agrees with its policy and the work calendar.
        assert clock.due_at == clocks.clock_explain(clock).due_at, clock
        if clock.met_at:
            assert clock.state == ("met_on_time" if clock.met_at <= clock.due_at else "met_late")
    for petition in Petition.objects.all():
        # The tracking number carries the (backdated) day of receipt.
        assert petition.reference[3:11] == f"{petition.received_at.astimezone(clocks.deadlines.LOCAL_TZ):%Y%m%d}"


def test_demo_publishes_only_masked_texts():
    _load()
    published = Petition.objects.filter(published_at__isnull=False)
    assert published.exists()
    for petition in published:
        assert petition.publish_consent
        assert "13912345678" not in petition.public_content
        assert "wxm@example.com" not in petition.public_content
        for reply in petition.replies.all():
            assert "王小民" not in reply.public_body
    masked = Petition.objects.get(title="幼儿园收费标准咨询")
    assert "139****5678" in masked.public_content
