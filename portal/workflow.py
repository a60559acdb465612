"""A workflow as data, shared by every domain app: a transition table (which action moves an
object from which states to which, who may take it, with which permission) and the guarded
transition that enforces it inside a service.

A domain app declares its table once (petitions.workflow.TABLE) with the function that says
whether a user acts in a role on one of its objects; the admin's buttons and action pages read
the table (`available`, `permitted`, `may`), and the services enforce it under the row lock
(`locked`, `TransitionTable.check`), so what is offered is exactly what is allowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from portal.exceptions import IllegalTransition, NotPermitted
from portal.pagecache import public_content_changed


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
    """The transitions of one workflow, and the questions asked of them.

    `acts_for(user, obj, by)` says whether `user` acts as `by` on `obj` (the domain's roles);
    `ready(obj, action)` is an extra condition on the object beyond its state (optional);
    `refusals` maps a role to the message shown to someone who does not hold it."""

    transitions: Iterable[Transition]
    acts_for: Callable[[object, object, str], bool]
    ready: Callable[[object, str], bool] | None = None
    refusals: Mapping[str, Promise | str] = field(default_factory=dict)
    # "%(state)s" and "%(action)s" are filled in; the domain names its objects.
    illegal_message: Promise | str = ""

    def __post_init__(self):
        self.transitions = {step.action: step for step in self.transitions}

    def __getitem__(self, action: str) -> Transition:
        return self.transitions[action]

    def __contains__(self, action: str) -> bool:
        return action in self.transitions

    def __iter__(self):
        return iter(self.transitions.values())

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
            message = self.illegal_message or _("This cannot be done now (%(state)s, %(action)s).")
            raise IllegalTransition(message % {"state": obj.get_state_display(), "action": step.label})
        if step.by in UNATTENDED:
            return step
        if step.permission and not actor.has_perm(step.permission):
            raise NotPermitted(_("You are not allowed to do this."))
        if not self.acts_for(actor, obj, step.by):
            raise NotPermitted(self.refusals.get(step.by) or _("You are not allowed to do this."))
        return step


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
