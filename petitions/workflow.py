"""The petition workflow as data: which action moves a ticket from which states to which, and who
may take it (收集 → 交办 → 受理 → 办理 → 答复 → 评价 → 办结).

The table is a portal.workflow.TransitionTable: petitions.services enforces it under the ticket's
row lock (`TABLE.check`); the admin's buttons and the templates read it through
`available_actions`, so what is offered is exactly what is allowed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from petitions.models import Petition
from portal.scoping import sees_all_departments, user_department_ids
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


def acts_for(user, petition: Petition, by: str) -> bool:
    """Whether `user` may act as `by` on `petition` (permissions are checked separately)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if by == Actor.OFFICE:
        return sees_all_departments(user)
    departments = set(user_department_ids(user))
    if user.is_superuser:
        return by in (Actor.LEAD, Actor.CO, Actor.INVOLVED)
    if by == Actor.LEAD:
        return petition.lead_department_id in departments
    co_ids = {c.department_id for c in petition.co_handlings.all()}
    if by == Actor.CO:
        return bool(co_ids & departments)
    if by == Actor.INVOLVED:
        return sees_all_departments(user) or bool(({petition.lead_department_id} | co_ids) & departments)
    return False


def _ready(petition: Petition, action: str) -> bool:
    """Urging needs a department to urge."""
    return action != "urge" or bool(petition.lead_department_id)


TABLE = TransitionTable(
    TRANSITIONS.values(),
    acts_for=acts_for,
    ready=_ready,
    refusals={
        Actor.LEAD: _("Only staff of the lead department can do this."),
        Actor.CO: _("Only staff of a co-handling department can do this."),
    },
    illegal_message=_("A ticket that is “%(state)s” cannot be handled this way (%(action)s)."),
)


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
