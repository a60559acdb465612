"""The transition table, exercised through the services: every action in every state, and who may act.

Allowed moves succeed and land in the table's target state; every other one raises
IllegalTransition with a message naming the state, and changes nothing at all (state, clocks,
timeline, history, notes, replies).
"""

from __future__ import annotations

import pytest

from petitions import services, workflow
from petitions.models import CoHandling, HandlingNote, Petition, Reply
from portal.exceptions import IllegalTransition, NotPermitted
from portal.models import Clock
from tests.petitions.staffside import STATES, build_staffside, petition_in

pytestmark = pytest.mark.django_db

S = Petition.State


@pytest.fixture
def side():
    return build_staffside()


def run(action: str, petition: Petition, actor, side):
    """Call the action's service with valid input."""
    calls = {
        "assign": lambda: services.petition_assign(
            petition=petition, actor=actor, lead_department=side.lead, co_departments=[side.co]
        ),
        "return": lambda: services.petition_return(petition=petition, actor=actor, reason="不属于本单位"),
        "accept": lambda: services.petition_accept(petition=petition, actor=actor),
        "decline": lambda: services.petition_decline(petition=petition, actor=actor, reason="不属于受理范围"),
        "reply": lambda: services.petition_reply(petition=petition, actor=actor, body="已处理。"),
        "opinion": lambda: services.petition_submit_opinion(
            petition=petition, actor=actor, department=side.co, opinion="同意承办单位意见。"
        ),
        "note": lambda: services.petition_note(petition=petition, actor=actor, body="已电话联系。"),
        "extend": lambda: services.petition_extend(petition=petition, actor=actor, days=3, reason="需要现场勘查"),
        "urge": lambda: services.petition_urge(petition=petition, actor=actor, note="请尽快办理"),
        "close": lambda: services.petition_close(petition=petition, actor=actor, reason="已答复"),
        "rate": lambda: services.petition_rate(petition=petition, rating=Petition.Rating.SATISFIED),
    }
    return calls[action]()


def snapshot(petition: Petition) -> dict:
    petition = Petition.objects.get(pk=petition.pk)
    return {
        "row": {f.attname: getattr(petition, f.attname) for f in Petition._meta.concrete_fields},
        "clocks": list(Clock.objects.for_subject(petition).order_by("pk").values()),
        "clock_history": Clock.history.filter(object_id=petition.pk).count(),
        "events": list(petition.events.order_by("pk").values_list("pk", flat=True)),
        "history": petition.history.count(),
        "notes": HandlingNote.objects.filter(petition=petition).count(),
        "replies": Reply.objects.filter(petition=petition).count(),
        "co": list(CoHandling.objects.filter(petition=petition).order_by("pk").values()),
    }


ACTIONS = [name for name, step in workflow.TRANSITIONS.items() if step.by != workflow.Actor.SYSTEM]
CASES = [(action, state) for action in ACTIONS for state in STATES]


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-{s}" for a, s in CASES])
def test_every_action_in_every_state(side, action, state):
    step = workflow.transition(action)
    petition = petition_in(side, state)
    actor = side.actor_for(step.by)
    if state in step.sources:
        if actor is not None and step.by not in (workflow.Actor.CITIZEN,):
            assert workflow.may(actor, petition, action)
        run(action, petition, actor, side)
        petition.refresh_from_db()
        if step.target is not None and action != "rate":
            assert petition.state == step.target
        elif action == "rate":
            assert petition.state == S.CLOSED  # satisfied closes
        else:
            assert petition.state == state
    else:
        if actor is not None and step.by != workflow.Actor.CITIZEN:
            assert not workflow.may(actor, petition, action)
            assert action not in [t.action for t in workflow.available_actions(actor, petition)]
        before = snapshot(petition)
        with pytest.raises(IllegalTransition) as refused:
            run(action, petition, actor, side)
        assert str(Petition.State(state).label) in str(refused.value)
        assert snapshot(petition) == before


# --- who may act -------------------------------------------------------------------------------


def test_staff_of_another_department_may_not_handle(side):
    petition = petition_in(side, S.ASSIGNED)
    assert workflow.available_actions(side.staff_other, petition) == []
    for action in ("accept", "return", "decline", "note"):
        before = snapshot(petition)
        with pytest.raises(NotPermitted):
            run(action, petition, side.staff_other, side)
        assert snapshot(petition) == before


def test_co_handler_gives_an_opinion_but_does_not_lead(side):
    petition = petition_in(side, S.ACCEPTED)
    co_actions = {t.action for t in workflow.available_actions(side.staff_co, petition)}
    assert co_actions == {"opinion", "note"}
    with pytest.raises(NotPermitted, match="承办单位"):
        run("reply", petition, side.staff_co, side)
    lead_actions = {t.action for t in workflow.available_actions(side.staff_lead, petition)}
    assert lead_actions == {"reply", "note"}
    with pytest.raises(NotPermitted, match="会办单位"):
        run("opinion", petition, side.staff_lead, side)
    run("opinion", petition, side.staff_co, side)
    assert CoHandling.objects.get(petition=petition, department=side.co).opinion == "同意承办单位意见。"


def test_citizen_takes_no_staff_action(side):
    petition = petition_in(side, S.SUBMITTED)
    assert workflow.available_actions(side.citizen, petition) == []
    before = snapshot(petition)
    with pytest.raises(NotPermitted):
        run("assign", petition, side.citizen, side)
    assert snapshot(petition) == before


def test_clerk_runs_the_office_steps_only(side):
    petition = petition_in(side, S.ASSIGNED)
    assert {t.action for t in workflow.available_actions(side.clerk, petition)} == {
        "assign",
        "note",
        "extend",
        "urge",
    }
    for action in ("accept", "reply", "decline"):
        with pytest.raises((NotPermitted, IllegalTransition)):
            run(action, petition, side.clerk, side)
    petition.refresh_from_db()
    assert petition.state == S.ASSIGNED


def test_department_staff_cannot_assign_extend_or_close(side):
    petition = petition_in(side, S.REPLIED)
    for action in ("close", "extend"):
        with pytest.raises((NotPermitted, IllegalTransition)):
            run(action, petition, side.staff_lead, side)
    submitted = petition_in(side, S.SUBMITTED)
    with pytest.raises(NotPermitted):
        run("assign", submitted, side.staff_lead, side)
