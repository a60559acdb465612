from django.db import transaction

from portal import clocks
from portal.models import Clock
from portal.workflow import save_with_history, transition
from tests.throwaway.models import Errand, ErrandEvent
from tests.throwaway.workflow import TABLE

Action = ErrandEvent.Action
MOVES = {"finish": Action.FINISHED, "drop": Action.DROPPED}


@transaction.atomic
def errand_create(*, title: str, department, actor=None) -> Errand:
    errand = Errand(title=title, department=department)
    save_with_history(errand, actor, "created")
    clocks.clock_start(subject=errand, policy="errand.reply", department=department, actor=actor)
    return errand


@transaction.atomic
def errand_move(*, errand: Errand, actor, action: str, note: str = "") -> Errand:
    """Finish or drop: the guarded transition; the open clock is met."""
    with transition(errand, action, table=TABLE, actor=actor, reason=f"{action}: {note}") as move:
        for clock in Clock.objects.for_subject(move.obj).open():
            clocks.clock_meet(clock=clock, actor=actor)
        move.record(MOVES[action], note=note)
    return move.obj


@transaction.atomic
def errand_urge(*, errand: Errand, actor, note: str, clock_ids: list[int]) -> int:
    # The errand's history records the urge too (reason), besides its timeline.
    with transition(errand, "urge", table=TABLE, actor=actor, reason=f"urged: {note}") as move:
        urged = clocks.clocks_urge(clock_ids=clock_ids, note=note, actor=actor)
        move.record(Action.URGED, note=note)
    return urged


@transaction.atomic
def errand_extend(*, errand: Errand, actor, clock: Clock, days: int, reason: str) -> None:
    with transition(errand, "extend", table=TABLE, actor=actor, reason=f"extended {days} days: {reason}") as move:
        clocks.clock_extend(clock=clock, days=days, reason=reason, actor=actor)
        move.record(Action.EXTENDED, note=reason)
