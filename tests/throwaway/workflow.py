from portal.workflow import Actor, Transition, TransitionTable
from tests.throwaway.models import Errand, ErrandEvent

S = Errand.State

TABLE = TransitionTable(
    [
        Transition("finish", "Finish", frozenset({S.OPEN}), S.DONE, Actor.LEAD, "throwaway.change_errand"),
        Transition("drop", "Drop", frozenset({S.OPEN}), S.DROPPED, Actor.OFFICE, "throwaway.drop_errand"),
        Transition("urge", "Urge", frozenset({S.OPEN}), None, Actor.OFFICE, "portal.urge_work"),
        Transition("extend", "Extend", frozenset({S.OPEN}), None, Actor.OFFICE, "portal.extend_deadline"),
    ],
    # Who acts for an errand is portal's rule; the app says only which department leads it.
    departments={Actor.LEAD: lambda errand: [errand.department_id]},
    event_model=ErrandEvent,
    event_link="errand",
)
