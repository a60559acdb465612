"""The vocabulary of security declarations: what each role gets from a URL, an admin model, a
workflow action and a public form.

The portal's own declarations are in tests/security/access.py and forms.py; every domain app
declares its own in `tests/<app_label>/security.py` (tests/security/discovery.py lists the
attributes). Both import what they need from here, and nothing here imports an app.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

from tests.security.world import (
    ADMINISTRATOR,
    ANONYMOUS,
    CITIZEN,
    CLERK,
    NOT_STAFF,
    OTHER_CITIZEN,
    OTHER_STAFF,
    ROLES,
    STAFF,
    SUPERUSER,
    World,
)

# --- outcomes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: int
    to: str | None = None  # a redirect's target, as a URL name: the Location's path must be it
    # The redirect goes to `to` with the requested URL's own parameters (a follow back to the
    # suggestion followed), rather than to a URL without any.
    with_parameters: bool = False

    def __str__(self) -> str:
        return f"{self.status} to {self.to}" if self.to else str(self.status)


OK = Outcome(200)
NO_CONTENT = Outcome(204)
TO_LOGIN = Outcome(302, "login")
TO_ADMIN_LOGIN = Outcome(302, "admin:login")
TO_ADMIN_INDEX = Outcome(302, "admin:index")  # the admin's answer to "no such object (for you)"
TO_HOME = Outcome(302, "home")
FORBIDDEN = Outcome(403)
NOT_FOUND = Outcome(404)
NOT_ALLOWED = Outcome(405)

# --- URL expectations ---------------------------------------------------------------------------

Builder = Callable[[World], dict]


@dataclass(frozen=True)
class Access:
    """What each role gets from one URL, and how to call it."""

    outcomes: Mapping[str, Outcome]
    kwargs: Builder | None = None  # the URL's parameters; required when it has any
    args: Callable[[World], list] | None = None  # for regex URLs with unnamed groups
    method: str = "get"
    data: Builder | None = None  # the body of a POST

    def __post_init__(self):
        missing = set(ROLES) - set(self.outcomes)
        assert not missing, f"no outcome for {sorted(missing)}"


def access(default: Outcome, *, kwargs=None, args=None, method="get", data=None, **by_role: Outcome) -> Access:
    """Every role gets `default` except those named (`citizen=FORBIDDEN`, ...)."""
    unknown = set(by_role) - set(ROLES)
    assert not unknown, f"unknown roles {sorted(unknown)}; roles are {ROLES}"
    return Access({role: by_role.get(role, default) for role in ROLES}, kwargs, args, method, data)


def public(**kw) -> Access:
    """Anyone, signed in or not."""
    return access(OK, **kw)


def signed_in(**kw) -> Access:
    """Any signed-in user; anonymous visitors are sent to the login page."""
    return access(OK, **{ANONYMOUS: TO_LOGIN, **kw})


def anonymous_only(**kw) -> Access:
    """Pages for visitors (login, register): signed-in users are sent home."""
    return access(TO_HOME, **{ANONYMOUS: OK, **kw})


def owner(denied: Outcome = NOT_FOUND, **kw) -> Access:
    """The record's citizen only; everyone else gets `denied` (404 hides that it exists)."""
    return access(denied, **{ANONYMOUS: TO_LOGIN, CITIZEN: OK, **kw})


def staff_scoped(**kw) -> Access:
    """A staff page on the public site about one department's record."""
    return access(
        OK,
        **{ANONYMOUS: TO_LOGIN, CITIZEN: FORBIDDEN, OTHER_CITIZEN: FORBIDDEN, OTHER_STAFF: FORBIDDEN, **kw},
    )


def clerk_only(**kw) -> Access:
    """Office clerks and administrators on the public site (dashboards)."""
    return access(FORBIDDEN, **{ANONYMOUS: TO_LOGIN, CLERK: OK, ADMINISTRATOR: OK, SUPERUSER: OK, **kw})


def admin_page(**kw) -> Access:
    """A page of the admin site: non-staff are sent to the admin login; staff get `OK` unless named."""
    return access(OK, **dict.fromkeys(NOT_STAFF, TO_ADMIN_LOGIN), **kw)


# --- admin models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which records of a model a role sees in the admin.

    Roles holding `sees_all` or any of `also_sees_all` (and superusers) see every record; of the
    others, only those in `sees` see the world's record, and the rest get `outside` on its pages.
    """

    name: str
    sees: frozenset[str]
    outside: Outcome
    sees_all: str = "portal.view_all_departments"
    also_sees_all: frozenset[str] = frozenset()  # an app's own permissions that see every record


# portal.scoping.DepartmentScopedAdminMixin: another department's record is forbidden (403).
DEPARTMENT = Scope("department", frozenset({STAFF}), FORBIDDEN)
# A queryset filtered to the user's own rows (notices): the admin answers "does not exist".
RECIPIENT = Scope("recipient", frozenset({STAFF}), TO_ADMIN_INDEX)


def department_scope(*also_sees_all: str) -> Scope:
    """portal's department scoping with an app's own rule on top: holders of any of `also_sees_all`
    see every record too (whoever moderates suggestions sees every suggestion)."""
    return replace(DEPARTMENT, also_sees_all=frozenset(also_sees_all))


def is_department_scope(scope: Scope | None) -> bool:
    """Whether `scope` is portal's department scoping, widened by an app's rule or not."""
    return scope is not None and replace(scope, also_sees_all=frozenset()) == DEPARTMENT


@dataclass(frozen=True)
class AdminModel:
    """Admin model pages (changelist, add, change, history, delete and django-simple-history's
    version page) need no URL entries: what each role gets follows from the role's *declared*
    permissions (portal/roles.py, every AppConfig's `role_permissions`), the refusals the model
    admin makes whatever the permissions (`add=False`, `delete=False`), and its scoping."""

    obj: Callable[[World], object]  # a record of the world's department (addressed to `w.staff` when scoped so)
    scope: Scope | None = None
    add: bool = True  # False: the model admin refuses adding, whatever the permissions
    delete: bool = True
    # The permission the model admin's add page asks for instead of the model's add permission
    # (a page recording several records at once: a meeting with the suggestions raised at it).
    add_permission: str | None = None


# --- workflow actions (portal.admin_actions.WorkflowActionsAdminMixin) ------------------------------


@dataclass(frozen=True)
class WorkflowActors:
    """Who may take each of a model admin's `workflow_actions` on the record `record` builds: the
    action's permission and the role on the record. Every other role gets 403 (non-staff: the
    admin login) for every method, with none of `secrets` in the answer and `state` unchanged."""

    actors: Mapping[str, frozenset[str]]  # action -> the roles that may take it
    record: Callable[[World], object]  # a fresh record of `w.department` every action applies to
    secrets: Callable[[World, object], list[str]]  # what of the record a refusal must not show
    state: Callable[[object], tuple]  # what a refusal must not change (read from the database)
    data: Builder  # valid input for every action form, so a refusal is the view's, never the form's


# --- public forms (tests/security/test_bad_input.py) ------------------------------------------------


@dataclass(frozen=True)
class PublicForm:
    valid: Callable[[World], dict]  # data the form accepts as it is
    fields: dict[str, tuple[str, ...]]  # what to attack -> the keys it fills (a password and its repetition)
    echoed: set[str] = field(default_factory=set)  # attacked fields shown back in the form on an error
    url_kwargs: Callable[[World], dict] | None = None
    signed_in_as: str | None = None  # a role of tests.security.world, or None for anonymous
    # Called after an accepted submission: check that what was stored is whole (raise if not).
    accepted: Callable[[World, dict], object] | None = None
    files: tuple[str, ...] = ()  # file fields, each sent every hostile upload (payloads.UPLOAD_PAYLOADS)
    # The page showing the form, when its own address takes only POSTs (withdrawing, on one's own
    # suggestion's page): where a browser gets its CSRF cookie from.
    shown_on: Callable[[World], str] | None = None
