"""A workflow as data, shared by every domain app: a transition table (which action moves an
object from which states to which, who may take it, with which permission) and the one guarded
transition that every state-changing service runs through.

An app declares its table once (petitions.workflow.TABLE):

    TABLE = TransitionTable(
        TRANSITIONS,                                   # Transition(action, label, sources, target, by, permission)
        departments={Actor.LEAD: lambda p: [p.lead_department_id],
                     Actor.CO: lambda p: [c.department_id for c in p.co_handlings.all()]},
        event_model=PetitionEvent, event_link="petition",   # its AbstractTimelineEvent and link field
        on_public_page=lambda p: p.published_at is not None,
    )

and each service is one `transition`, inside the service's `transaction.atomic`:

    @transaction.atomic
    def petition_accept(*, petition, actor):
        with transition(petition, "accept", table=TABLE, actor=actor, reason="accepted") as move:
            move.obj.accepted_at = timezone.now()           # the locked row; its state is the target
            move.record(Action.ACCEPTED, public=True)       # a timeline row, by `actor`
            move.notify(tell_citizen, move.obj)             # called after the save
        return move.obj

The admin's buttons and action pages read the same table (`available`, `permitted`, `may`), so what
is offered is exactly what is allowed.

Who acts in which role is one rule for every app (`TransitionTable.acts_for`); an app declares only
how to get an object's departments, and any role of its own (a reviewer) as a predicate.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import models, router, transaction
from django.db.models import F
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from portal.exceptions import IllegalTransition, NotPermitted
from portal.pagecache import public_content_changed
from portal.scoping import sees_all_departments, user_department_ids


class Actor:
    """Who takes an action: the office (clerks), the lead department, a co-handling department,
    any department on the object, the citizen, or the system (a periodic task)."""

    OFFICE = "office"
    LEAD = "lead"
    CO = "co"
    INVOLVED = "involved"
    CITIZEN = "citizen"
    SYSTEM = "system"


# Actions no staff member takes through the admin: the table checks only their state.
UNATTENDED = frozenset({Actor.CITIZEN, Actor.SYSTEM})
# Roles held by membership of one of the object's departments (TransitionTable.departments).
DEPARTMENT_ROLES = frozenset({Actor.LEAD, Actor.CO, Actor.INVOLVED})


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    sources: frozenset[str]
    # None: the action leaves the state as it is (notes, opinions, extensions, urges).
    target: str | None
    by: str
    permission: str | None = None


@dataclass
class TransitionTable:
    """The transitions of one model's workflow, who holds each role on an object, and where the
    object's timeline is written.

    - `departments`: {role: object -> department ids} for the roles held by department
      membership (Actor.LEAD, Actor.CO; Actor.INVOLVED is any of them, or one of its own);
    - `roles`: {role: (user, object) -> bool} for roles of the app's own (a reviewer, an expert);
    - `ready(obj, action)`: an extra condition on the object beyond its state (optional);
    - `refusals`: the message shown to someone who does not hold a role;
    - `illegal_message`: "%(state)s" and "%(action)s" are filled in; the app names its objects;
    - `event_model`, `event_link`: the app's timeline model (portal.abstract_models.
      AbstractTimelineEvent) and its link to the object ("petition");
    - `on_public_page(obj)`: whether the object is (or just was) on a public page, so that saving
      it makes the shared page cache stale after commit.
    """

    transitions: Iterable[Transition]
    departments: Mapping[str, Callable[[object], Iterable[int | None]]] = field(default_factory=dict)
    roles: Mapping[str, Callable[[object, object], bool]] = field(default_factory=dict)
    ready: Callable[[object, str], bool] | None = None
    refusals: Mapping[str, Promise | str] = field(default_factory=dict)
    illegal_message: Promise | str = ""
    event_model: type[models.Model] | None = None
    event_link: str = ""
    on_public_page: Callable[[object], bool] | None = None

    def __post_init__(self):
        self.transitions = {step.action: step for step in self.transitions}
        # A mistake in the declaration fails at import, naming the role or the action.
        for role in self.departments:
            if role not in DEPARTMENT_ROLES:
                raise ValueError(f"TransitionTable.departments: {role!r} is not one of {sorted(DEPARTMENT_ROLES)}.")
        for role in self.roles:
            if role in {Actor.OFFICE, *UNATTENDED, *DEPARTMENT_ROLES}:
                raise ValueError(f"TransitionTable.roles: {role!r} is portal's own role; the app cannot redefine it.")
        known = {Actor.OFFICE, Actor.INVOLVED, *UNATTENDED, *self.departments, *self.roles}
        for step in self.transitions.values():
            if step.by not in known:
                raise ValueError(
                    f"TransitionTable: the action {step.action!r} is by {step.by!r}: declare "
                    f"departments[{step.by!r}] or roles[{step.by!r}]."
                )
        if (self.event_model is None) != (not self.event_link):
            raise ValueError("TransitionTable: declare event_model and event_link together.")

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __contains__(self, action: str) -> bool:
        return action in self.transitions

    def __iter__(self):
        return iter(self.transitions.values())

    # --- who acts ----------------------------------------------------------------------------

    def department_ids(self, obj, by: str) -> set[int]:
        """The departments whose members hold `by` on `obj`: its own accessor, and for
        Actor.INVOLVED every department the object has in any role."""
        if by == Actor.INVOLVED:
            accessors = self.departments.values()
        else:
            accessors = [self.departments[by]] if by in self.departments else []
        return {pk for accessor in accessors for pk in accessor(obj) if pk is not None}

    def acts_for(self, user, obj, by: str) -> bool:
        """Whether `user` acts as `by` on `obj` (permissions are checked separately). The one
        rule of every app:

        - nobody signed out or inactive acts at all; the citizen's and the system's steps are
          taken by no staff member (they are unattended: the table checks only their state);
        - a superuser acts in every staff role, as it holds every permission: the account that
          can unblock any item (the history and the timeline name it);
        - the office is whoever sees every department's work (`portal.view_all_departments`:
          office clerks and administrators);
        - the lead and co-handling roles are held by members of the object's departments in
          that role (`departments`); "involved" by the office and by members of any of them;
        - an app's own role is its predicate (`roles`).
        """
        if user is None or not user.is_authenticated or not user.is_active or by in UNATTENDED:
            return False
        if user.is_superuser:
            return True
        if by == Actor.OFFICE:
            return sees_all_departments(user)
        if by in self.roles:
            return self.roles[by](user, obj)
        if by == Actor.INVOLVED and sees_all_departments(user):
            return True
        return bool(set(user_department_ids(user)) & self.department_ids(obj, by))

    # --- what may be done --------------------------------------------------------------------

    def permitted(self, user, obj, action: str) -> bool:
        """Whether `user` holds the permission and the role on `obj` that `action` needs,
        whatever the object's state now."""
        step = self.transitions[action]
        if step.by in UNATTENDED:
            return False
        if step.permission and not user.has_perm(step.permission):
            return False
        return self.acts_for(user, obj, step.by)

    def may(self, user, obj, action: str) -> bool:
        """Whether `user` may take `action` on `obj` now (state, role and permission)."""
        step = self.transitions[action]
        if obj.state not in step.sources:
            return False
        if self.ready is not None and not self.ready(obj, action):
            return False
        return self.permitted(user, obj, action)

    def available(self, user, obj) -> list[Transition]:
        """The staff actions `user` may take on `obj` now, in table order (for admin buttons)."""
        return [step for step in self if self.may(user, obj, step.action)]

    def check(self, obj, action: str, actor) -> Transition:
        """The guard a service runs on the locked row: the state, then the permission, then the
        role. Raises IllegalTransition or NotPermitted with a message shown as it is."""
        step = self.transitions[action]
        if obj.state not in step.sources:
            raise IllegalTransition(self._illegal(obj, step))
        if step.by in UNATTENDED:
            return step
        if step.permission and not actor.has_perm(step.permission):
            raise NotPermitted(_("You are not allowed to do this."))
        if not self.acts_for(actor, obj, step.by):
            raise NotPermitted(self.refusals.get(step.by) or _("You are not allowed to do this."))
        return step

    def _illegal(self, obj, step: Transition) -> str:
        message = self.illegal_message or _("This cannot be done now (%(state)s, %(action)s).")
        return message % {"state": obj.get_state_display(), "action": step.label}

    # --- what a change writes ----------------------------------------------------------------

    def save(self, obj, actor, reason: str) -> None:
        """Save `obj` with its history row naming `actor` and `reason`."""
        public = self.on_public_page is not None and self.on_public_page(obj)
        save_with_history(obj, actor, reason, public=public)

    def record(self, obj, action: str, **fields) -> models.Model:
        """A row of the object's timeline (`event_model`): `action`, and `actor`, `department`,
        `departments`, `note`, `choice`, `public`, `at` as the step has them."""
        if self.event_model is None:
            raise TypeError("This TransitionTable declares no event_model.")
        return event_record(self.event_model, **{self.event_link: obj}, action=action, **fields)

    def claim(self, obj, step: Transition) -> None:
        """The state guard of a step with a target, run just before the save: a conditional
        `UPDATE … SET state = state WHERE pk = … AND state IN sources`. It holds the row until
        commit if it is still in a source state; if another transaction moved it first (whether
        this one locked the row or not), it matches nothing and this one is refused with
        IllegalTransition, its writes undone by the service's transaction."""
        manager = type(obj)._default_manager
        if not manager.filter(pk=obj.pk, state__in=step.sources).update(state=F("state")):
            obj.state = manager.filter(pk=obj.pk).values_list("state", flat=True).first() or obj.state
            raise IllegalTransition(self._illegal(obj, step))


class Move:
    """An action under way, as `transition` yields it: the locked object (`obj`, its state already
    the step's target), the `step` taken and the `actor`; `reason` is the history's change reason
    (the object is saved on leaving the block only when there is one)."""

    def __init__(self, obj, step: Transition, table: TransitionTable, actor, reason: str | None):
        self.obj, self.step, self.table, self.actor, self.reason = obj, step, table, actor, reason
        self._notices: list[tuple[Callable, tuple, dict]] = []

    def record(self, action: str, **fields) -> models.Model:
        """A timeline row now, by the acting user unless `actor=` says otherwise."""
        fields.setdefault("actor", self.actor)
        return self.table.record(self.obj, action, **fields)

    def notify(self, send: Callable, /, *args, **kwargs) -> None:
        """Call `send(*args, **kwargs)` (portal.notifications.notify, notify_departments,
        email_enqueue, an app's helper) once the block has finished and the object is saved, so
        the notice describes the object as it now is."""
        self._notices.append((send, args, kwargs))


@contextmanager
def transition(
    obj: models.Model,
    action: str,
    *,
    table: TransitionTable,
    actor,
    reason: str | None = None,
    lock: bool = True,
) -> Iterator[Move]:
    """The guarded transition: the only way a service changes a workflow's state.

    On entering: the row is locked and read again (`lock=False` when the caller already holds it,
    e.g. a batch claimed with `select_for_update(skip_locked=True)`); the table is checked (state,
    permission, role: IllegalTransition or NotPermitted); `move.obj.state` is the step's target.

    The block then checks its own input (raising DomainError) and makes its changes on `move.obj`,
    writing timeline rows with `move.record` and queueing notices with `move.notify`.

    On leaving without an error: a step with a target claims the row with a conditional UPDATE
    (`TransitionTable.claim`), so a concurrent change loses cleanly with IllegalTransition even
    without the lock; the object is saved with its history (who: `actor`; why: `move.reason`,
    which defaults to the action for a step with a target; a step without one saves only if the
    block sets a reason: a rating that reopens or closes); then the queued notices are written. Notices and e-mails are
    rows of the same transaction (portal.notifications): the e-mails leave after commit, and a
    change that rolls back leaves no notice and sends nothing. An error in the block skips all of
    it; the service's transaction.atomic undoes what was written.
    """
    connection = transaction.get_connection(router.db_for_write(type(obj)))
    if not connection.in_atomic_block:
        raise TransactionManagementError("portal.workflow.transition runs inside the service's transaction.atomic.")
    if lock:
        obj = locked(obj)
    step = table.check(obj, action, actor)
    if step.target is not None:
        obj.state = step.target  # written by the save, under the claim
        reason = step.action if reason is None else reason
    move = Move(obj, step, table, actor, reason)
    yield move
    if step.target is not None:
        table.claim(obj, step)
    if move.reason is not None:
        table.save(obj, actor, move.reason)
    for send, args, kwargs in move._notices:
        send(*args, **kwargs)


def locked(obj: models.Model) -> models.Model:
    """The row again, locked until the end of the transaction: the state a service checks is
    the state it changes (a concurrent action waits, then sees the new state and is refused)."""
    return type(obj)._default_manager.select_for_update().get(pk=obj.pk)


def save_with_history(obj: models.Model, actor, reason: str, *, public: bool = False) -> None:
    """Save `obj` with its history row naming `actor` and `reason`; `public`: the object is (or
    just was) on a public page, so the shared page cache is stale after commit."""
    obj._history_user = actor
    obj._change_reason = reason[:100]
    obj.save()
    if public:
        public_content_changed()


def event_record(
    event_model: type[models.Model],
    *,
    departments: Iterable = (),
    at=None,
    **fields,
) -> models.Model:
    """A timeline row of `event_model` (a model with `created_at` and, if `departments` are
    given, a `departments` many-to-many)."""
    event = event_model._default_manager.create(created_at=at or timezone.now(), **fields)
    if departments:
        event.departments.set(departments)
    return event
