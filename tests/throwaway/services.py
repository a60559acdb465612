from django.db import transaction

from portal import clocks
from portal.models import Clock
from portal.workflow import locked, save_with_history
from tests.throwaway.models import Errand
from tests.throwaway.workflow import TABLE


@transaction.atomic
def errand_create(*, title: str, department, actor=None) -> Errand:
    errand = Errand(title=title, department=department)
    save_with_history(errand, actor, "created")
    clocks.clock_start(subject=errand, policy="errand.reply", department=department, actor=actor)
    return errand


@transaction.atomic
def errand_move(*, errand: Errand, actor, action: str, note: str = "") -> Errand:
    """Finish or drop: the guarded transition; the open clock is met."""
    errand = locked(errand)
    step = TABLE.check(errand, action, actor)
    errand.state = step.target
    save_with_history(errand, actor, f"{action}: {note}")
    for clock in Clock.objects.for_subject(errand).open():
        clocks.clock_meet(clock=clock, actor=actor)
    return errand


@transaction.atomic
def errand_urge(*, errand: Errand, actor, note: str, clock_ids: list[int]) -> int:
    errand = locked(errand)
    TABLE.check(errand, "urge", actor)
    save_with_history(errand, actor, f"urged: {note}")  # the errand's own record of the urge
    return clocks.clocks_urge(clock_ids=clock_ids, note=note, actor=actor)


@transaction.atomic
def errand_extend(*, errand: Errand, actor, clock: Clock, days: int, reason: str) -> None:
    save_with_history(locked(errand), actor, f"extended {days} days: {reason}")
    clocks.clock_extend(clock=clock, days=days, reason=reason, actor=actor)
