from portal.scoping import sees_all_departments, user_department_ids
from portal.workflow import Actor, Transition, TransitionTable
from tests.throwaway.models import Errand

S = Errand.State


def acts_for(user, errand: Errand, by: str) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if by == Actor.OFFICE:
        return sees_all_departments(user)
    return by == Actor.LEAD and errand.department_id in user_department_ids(user)


TABLE = TransitionTable(
    [
        Transition("finish", "Finish", frozenset({S.OPEN}), S.DONE, Actor.LEAD, "throwaway.change_errand"),
        Transition("drop", "Drop", frozenset({S.OPEN}), S.DROPPED, Actor.OFFICE, "throwaway.drop_errand"),
        Transition("urge", "Urge", frozenset({S.OPEN}), None, Actor.OFFICE, "portal.urge_work"),
    ],
    acts_for=acts_for,
)
