"""The petition workflow as data: which action moves a ticket from which states to which, and who
may take it (收集 → 交办 → 受理 → 办理 → 答复 → 评价 → 办结).

The table is a portal.workflow.TransitionTable: petitions.services moves a ticket only through
portal.workflow.transition (row lock, check, conditional update, history, timeline, notices); the
admin's buttons and the templates read it through `available_actions`, so what is offered is
exactly what is allowed. Who acts for a department is portal's one rule: the ticket declares only
its lead and co-handling departments.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from petitions.models import Petition, PetitionEvent
from portal.workflow import Actor, Transition, TransitionTable

S = Petition.State
OPEN_STATES = frozenset({S.SUBMITTED, S.ASSIGNED, S.RETURNED, S.ACCEPTED, S.REPLIED, S.REEXAMINING})
HANDLING_STATES = frozenset({S.ASSIGNED, S.ACCEPTED, S.REEXAMINING})


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(
            "assign",
            _("Assign (交办)"),
            frozenset({S.SUBMITTED, S.RETURNED, S.ASSIGNED}),
            S.ASSIGNED,
            Actor.OFFICE,
            "petitions.assign_petition",
        ),
        Transition(
            "return",
            _("Return to the office (退回)"),
            frozenset({S.ASSIGNED}),
            S.RETURNED,
            Actor.LEAD,
            "petitions.handle_petition",
        ),
        Transition(
            "accept", _("Accept (受理)"), frozenset({S.ASSIGNED}), S.ACCEPTED, Actor.LEAD, "petitions.handle_petition"
        ),
        Transition(
            "decline",
            _("Do not accept (不予受理)"),
            frozenset({S.ASSIGNED}),
            S.REPLIED,
            Actor.LEAD,
            "petitions.handle_petition",
        ),
        Transition(
            "reply",
            _("Reply (答复)"),
            frozenset({S.ACCEPTED, S.REEXAMINING}),
            S.REPLIED,
            Actor.LEAD,
            "petitions.handle_petition",
        ),
        Transition(
            "opinion",
            _("Submit co-handling opinion (会办意见)"),
            HANDLING_STATES,
            None,
            Actor.CO,
            "petitions.handle_petition",
        ),
        Transition(
            "note",
            _("Add a handling note (办理记录)"),
            OPEN_STATES,
            None,
            Actor.INVOLVED,
            "petitions.view_petition",
        ),
        Transition(
            "extend",
            _("Extend the reply deadline (延期)"),
            frozenset({S.SUBMITTED, S.ASSIGNED, S.RETURNED, S.ACCEPTED, S.REEXAMINING}),
            None,
            Actor.OFFICE,
            "portal.extend_deadline",
        ),
        Transition(
            "urge",
            _("Urge the department (催办)"),
            HANDLING_STATES,
            None,
            Actor.OFFICE,
            "portal.urge_work",
        ),
        Transition(
            "close",
            _("Close (办结)"),
            frozenset({S.REPLIED}),
            S.CLOSED,
            Actor.OFFICE,
            "petitions.close_petition",
        ),
        Transition("rate", _("Rate the reply (评价)"), frozenset({S.REPLIED}), None, Actor.CITIZEN),
        Transition("close_unrated", _("Close as unrated"), frozenset({S.REPLIED}), S.CLOSED, Actor.SYSTEM),
    )
}


def transition(action: str) -> Transition:
    return TRANSITIONS[action]


def _lead_department(petition: Petition) -> list[int | None]:
    return [petition.lead_department_id]


def _co_departments(petition: Petition) -> list[int]:
    return [handling.department_id for handling in petition.co_handlings.all()]


def _ready(petition: Petition, action: str) -> bool:
    """Urging needs a department to urge."""
    return action != "urge" or bool(petition.lead_department_id)


def _on_public_page(petition: Petition) -> bool:
    # On the public column, or just taken off it: shared public pages are stale after commit.
    return petition.published_at is not None or petition.publication_withheld


TABLE = TransitionTable(
    TRANSITIONS.values(),
    departments={Actor.LEAD: _lead_department, Actor.CO: _co_departments},
    ready=_ready,
    refusals={
        Actor.LEAD: _("Only staff of the lead department can do this."),
        Actor.CO: _("Only staff of a co-handling department can do this."),
    },
    illegal_message=_("A ticket that is “%(state)s” cannot be handled this way (%(action)s)."),
    event_model=PetitionEvent,
    event_link="petition",
    on_public_page=_on_public_page,
)


def acts_for(user, petition: Petition, by: str) -> bool:
    """Whether `user` may act as `by` on `petition` (portal.workflow's one rule; permissions are
    checked separately)."""
    return TABLE.acts_for(user, petition, by)


def permitted(user, petition: Petition, action: str) -> bool:
    """Whether `user` holds the permission and the role on `petition` that `action` needs,
    whatever the ticket's state now."""
    return TABLE.permitted(user, petition, action)


def may(user, petition: Petition, action: str) -> bool:
    """Whether `user` may take `action` on `petition` now (state, role and permission)."""
    return TABLE.may(user, petition, action)


def available_actions(user, petition: Petition) -> list[Transition]:
    """The staff actions `user` may take on `petition` now, in table order (for admin buttons)."""
    return TABLE.available(user, petition)
