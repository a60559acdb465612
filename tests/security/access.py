"""Who may open what: one declared expectation for every named URL and every admin model.

tests/security/test_access_matrix.py walks the URL conf. A URL name, or a model registered on
admin.site, without an entry here fails with "declare it in tests/security/access.py", so a new
view is covered without anyone remembering to write a test for it. Declaring is one line:

    URLS["stats"] = public()
    URLS["petitions:detail"] = owner(kwargs=lambda w: {"pk": PetitionFactory(citizen=w.owner).pk})
    ADMIN_MODELS["petitions.petition"] = AdminModel(obj=lambda w: PetitionFactory(department=w.department),
                                                    scope=DEPARTMENT)

`w` is a `tests.security.world.World`: one user per role (see ROLES there), the record's
department `w.department`, its owner `w.owner` and staff member `w.staff`, and
`w.other_department`. A builder creates what its URL needs and returns the URL's kwargs.

Admin model pages (changelist, add, change, history, delete and django-simple-history's
version page) need no URL entries: what each role gets follows from the role's *declared*
permissions (portal/roles.py, every AppConfig's `role_permissions`), the refusals the model admin
makes whatever the permissions (`add=False`, `delete=False`), and its scoping (`scope`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from portal import clocks, roles
from portal.models import Notice, OutboundEmail, SweepRun, WorkCalendarDay
from tests.security.world import (
    ADMINISTRATOR,
    ANONYMOUS,
    CITIZEN,
    CLERK,
    NOT_STAFF,
    OTHER_CITIZEN,
    OTHER_STAFF,
    REVIEWER,
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


def _clock(w: World):
    return clocks.clock_start(subject=w.department, policy="petition.reply.ordinary", department=w.department)


URLS: dict[str, Access] = {
    # portal
    "home": public(),
    "healthz": public(),
    "ping": public(),
    "favicon": public(),
    "set_language": access(TO_HOME),  # a GET changes nothing and goes back
    "notice_list": signed_in(),
    # accounts
    "register": anonymous_only(),
    "register_done": anonymous_only(),
    "login": anonymous_only(),
    "logout": access(NOT_ALLOWED),  # POST only
    "password_change": signed_in(),
    "password_change_done": signed_in(),
    "password_reset": public(),
    "password_reset_done": public(),
    "password_reset_confirm": public(kwargs=lambda w: {"uidb64": "MQ", "token": "not-a-token"}),
    "password_reset_complete": public(),
    # the admin site itself
    "admin:index": admin_page(),
    "admin:login": access(TO_ADMIN_INDEX, **dict.fromkeys(NOT_STAFF, OK)),
    "admin:logout": access(NOT_ALLOWED, **dict.fromkeys(NOT_STAFF, TO_ADMIN_INDEX)),  # POST only
    "admin:password_change": admin_page(),
    "admin:password_change_done": admin_page(),
    "admin:autocomplete": admin_page(**{role: FORBIDDEN for role in ROLES if role not in NOT_STAFF}),  # no params
    "admin:jsi18n": admin_page(),
    "admin:view_on_site": admin_page(
        kwargs=lambda w: {"content_type_id": _content_type_id(w.department), "object_id": w.department.pk},
        **{role: NOT_FOUND for role in ROLES if role not in NOT_STAFF},  # departments have no public page
    ),
    "admin:app_list": admin_page(kwargs=lambda w: {"app_label": "portal"}),
    # admin extras beyond the standard model pages
    "admin:auth_user_password_change": admin_page(
        kwargs=lambda w: {"id": w.owner.pk}, staff=FORBIDDEN, other_staff=FORBIDDEN, clerk=FORBIDDEN, reviewer=FORBIDDEN
    ),
    "admin:portal_clock_extend": admin_page(
        kwargs=lambda w: {"pk": _clock(w).pk}, staff=FORBIDDEN, other_staff=FORBIDDEN, reviewer=FORBIDDEN
    ),
    "admin:portal_clock_urge": admin_page(
        kwargs=lambda w: {"pk": _clock(w).pk}, staff=FORBIDDEN, other_staff=FORBIDDEN, reviewer=FORBIDDEN
    ),
}


# petitions: the ledger (问题台账) and the monthly reports (月报), petitions/ledger_views.py.
def _stored_report_month(w: World) -> dict:
    from petitions.reports import monthly_report_generate

    report, _created = monthly_report_generate(month=date(2026, 10, 1))
    return {"month": f"{report.month:%Y-%m}"}


URLS["petitions:ledger"] = clerk_only()
URLS["petitions:ledger_export"] = clerk_only(kwargs=lambda w: {"fmt": "csv"})
URLS["petitions:reports"] = clerk_only()
URLS["petitions:report"] = clerk_only(kwargs=lambda w: {"month": "2026-10"})
URLS["petitions:report_xlsx"] = clerk_only(kwargs=_stored_report_month)


# petitions: the staff side in the admin and offline intake (petitions/admin/, petitions/staff_views.py).
def _petition_act(w: World) -> dict:
    from tests.petitions.factories import PetitionFactory

    return {"object_id": PetitionFactory(department=w.department).pk, "action": "note"}


def _petition_pk(w: World) -> dict:
    from tests.petitions.factories import PetitionFactory

    return {"object_id": PetitionFactory(department=w.department).pk}


URLS["admin:petitions_petition_act"] = admin_page(kwargs=_petition_act, other_staff=FORBIDDEN, reviewer=FORBIDDEN)
URLS["admin:petitions_petition_reissue_code"] = admin_page(
    kwargs=_petition_pk, staff=FORBIDDEN, other_staff=FORBIDDEN, reviewer=FORBIDDEN, administrator=FORBIDDEN
)
URLS["petitions:record"] = clerk_only(administrator=FORBIDDEN)
URLS["petitions:slip"] = clerk_only(  # with nothing recorded in the session: back to the form
    administrator=FORBIDDEN, clerk=Outcome(302, "petitions:record"), superuser=Outcome(302, "petitions:record")
)


# petitions: the citizen-facing pages and the public column 部门回应 (petitions/views.py).
def _published_reference(w: World) -> dict:
    from tests.petitions.factories import PetitionFactory

    return {"reference": PetitionFactory(citizen=w.owner, department=w.department, published=True).reference}


def _own_reference(w: World) -> dict:
    from tests.petitions.factories import PetitionFactory

    return {"reference": PetitionFactory(citizen=w.owner, department=w.department).reference}


def _citizen_attachment(w: World) -> dict:
    from tests.petitions.factories import PetitionFactory, attachment_for

    return {"pk": attachment_for(PetitionFactory(citizen=w.owner, department=w.department)).pk}


TO_TRACK = Outcome(302, "petitions:track")
URLS["petitions:index"] = public()
URLS["petitions:detail"] = public(kwargs=_published_reference)
URLS["petitions:new"] = signed_in()
URLS["petitions:receipt"] = signed_in(**{role: Outcome(302, "petitions:mine") for role in ROLES if role != ANONYMOUS})
URLS["petitions:mine"] = signed_in()
URLS["petitions:track"] = public()
URLS["petitions:track_detail"] = access(TO_TRACK, kwargs=_own_reference, citizen=OK)  # or the code in the session
URLS["petitions:rate"] = access(NOT_ALLOWED, kwargs=_own_reference)  # POST only
URLS["petitions:attachment"] = access(  # the owner, and staff whose departments the ticket concerns
    NOT_FOUND, kwargs=_citizen_attachment, citizen=OK, staff=OK, clerk=OK, administrator=OK, superuser=OK
)

# The dashboards (portal/dashboard_views.py): heads of department also see their own departments'
# (tests/portal/test_dashboards.py); the statistics page is public.
URLS["dashboard"] = clerk_only()
URLS["dashboard_performance"] = clerk_only()
URLS["dashboard_performance_export"] = clerk_only()
URLS["dashboard_urge"] = access(NOT_ALLOWED, anonymous=TO_LOGIN)  # POST only
URLS["stats"] = public()


def _content_type_id(obj) -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


# --- admin models -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which records of a model a role sees in the admin.

    Roles holding `sees_all` (and superusers) see every record; of the others, only those in
    `sees` see the world's record, and the rest get `outside` on its pages.
    """

    name: str
    sees: frozenset[str]
    outside: Outcome
    sees_all: str = "portal.view_all_departments"


# portal.scoping.DepartmentScopedAdminMixin: another department's record is forbidden (403).
DEPARTMENT = Scope("department", frozenset({STAFF}), FORBIDDEN)
# A queryset filtered to the user's own rows (notices): the admin answers "does not exist".
RECIPIENT = Scope("recipient", frozenset({STAFF}), TO_ADMIN_INDEX)


@dataclass(frozen=True)
class AdminModel:
    obj: Callable[[World], object]  # a record of the world's department (addressed to `w.staff` when scoped so)
    scope: Scope | None = None
    add: bool = True  # False: the model admin refuses adding, whatever the permissions
    delete: bool = True


def _access_attempt(w: World):
    from axes.models import AccessAttempt

    return AccessAttempt.objects.create(
        username="someone",
        ip_address="192.0.2.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )


def _access_log(w: World):
    from axes.models import AccessLog

    return AccessLog.objects.create(
        username="someone", ip_address="192.0.2.1", user_agent="test", http_accept="*/*", path_info="/accounts/login/"
    )


def _access_failure_log(w: World):
    from axes.models import AccessFailureLog

    return AccessFailureLog.objects.create(
        username="someone", ip_address="192.0.2.1", user_agent="test", http_accept="*/*", path_info="/accounts/login/"
    )


def _notice(w: World):
    return Notice.objects.create(recipient=w.staff, kind="clock_overdue", context={"reference": "X", "title": "T"})


def _sweep_run(w: World):
    now = timezone.now()
    return SweepRun.objects.create(started_at=now, finished_at=now + timedelta(seconds=1))


def _outbound_email(w: World):
    return OutboundEmail.objects.create(
        to="someone@example.com", template="clock_overdue", next_attempt_at=timezone.now()
    )


ADMIN_MODELS: dict[str, AdminModel] = {
    "auth.group": AdminModel(obj=lambda w: Group.objects.get(name=roles.CITIZEN)),
    "axes.accessattempt": AdminModel(obj=_access_attempt, add=False),
    "axes.accesslog": AdminModel(obj=_access_log, add=False),
    "axes.accessfailurelog": AdminModel(obj=_access_failure_log, add=False),
    "portal.user": AdminModel(obj=lambda w: w.owner),
    "portal.department": AdminModel(obj=lambda w: w.department),
    "portal.workcalendarday": AdminModel(
        obj=lambda w: WorkCalendarDay.objects.create(date=date(2030, 1, 1), is_working_day=False, name="元旦")
    ),
    "portal.clock": AdminModel(obj=_clock, scope=DEPARTMENT, add=False, delete=False),
    "portal.sweeprun": AdminModel(obj=_sweep_run, add=False),
    "portal.notice": AdminModel(obj=_notice, scope=RECIPIENT, add=False),
    "portal.outboundemail": AdminModel(obj=_outbound_email, add=False),
}


# petitions: the admins of the staff side (petitions/admin/).
def _petition_of(w: World):
    from tests.petitions.factories import PetitionFactory

    return PetitionFactory(department=w.department, published=True)


def _handling_note(w: World):
    from petitions.models import HandlingNote

    petition = _petition_of(w)
    return HandlingNote.objects.create(petition=petition, department=w.department, author=w.staff, body="已电话联系")


def _monthly_report(w: World):
    from petitions.models import MonthlyReport

    return MonthlyReport.objects.create(month=date(2026, 9, 1), figures={})


def _category(w: World):
    from tests.petitions.factories import CategoryFactory

    return CategoryFactory()


ADMIN_MODELS["petitions.petition"] = AdminModel(obj=_petition_of, scope=DEPARTMENT, add=False, delete=False)
ADMIN_MODELS["petitions.category"] = AdminModel(obj=_category)
ADMIN_MODELS["petitions.reply"] = AdminModel(
    obj=lambda w: _petition_of(w).replies.get(), scope=DEPARTMENT, add=False, delete=False
)
ADMIN_MODELS["petitions.handlingnote"] = AdminModel(obj=_handling_note, scope=DEPARTMENT, add=False, delete=False)
ADMIN_MODELS["petitions.monthlyreport"] = AdminModel(obj=_monthly_report, add=False, delete=False)


# tests/throwaway: the test-only domain app (tests/portal/test_throwaway_app.py). "finish" is the
# lead department's action: its staff only.
def _errand(w: World):
    from tests.throwaway.services import errand_create

    return errand_create(title="修路灯", department=w.department)


ADMIN_MODELS["throwaway.errand"] = AdminModel(obj=_errand, scope=DEPARTMENT, add=False, delete=False)
URLS["admin:throwaway_errand_act"] = admin_page(
    kwargs=lambda w: {"object_id": _errand(w).pk, "action": "finish"},
    **{role: FORBIDDEN for role in ROLES if role not in NOT_STAFF and role != STAFF},
)


# --- POSTs: what each role gets when it sends the form ----------------------------------------
# Entries of URLS say what a GET gets; these say what a POST gets (a fresh record per role).


def _open_clock(w: World):
    """A running clock of a new ticket of `w.department` (one per POST)."""
    from tests.petitions.factories import PetitionFactory

    subject = PetitionFactory(department=w.department)
    return clocks.clock_start(subject=subject, policy="petition.reply.ordinary", department=w.department)


POSTS: dict[str, Access] = {
    # Urging from the board needs the dashboard and urge permissions; heading a department only
    # narrows the scope (portal/dashboards/scope.py dashboard_scope). Done: back to the board.
    "dashboard_urge": access(
        FORBIDDEN,
        method="post",
        data=lambda w: {"clocks": [_open_clock(w).pk], "note": "请尽快办理"},
        anonymous=TO_LOGIN,
        clerk=Outcome(302, "dashboard"),
        administrator=Outcome(302, "dashboard"),
        superuser=Outcome(302, "dashboard"),
    ),
}


# --- workflow actions on a ticket (petitions.admin_forms.ACTIONS, petitions/workflow.py) ------------
# Who may take each action on an assigned ticket led by `w.department`, with no co-handling
# department: the action's permission and its role on the ticket. Everyone else gets 403 for every
# method, before anything of the ticket is looked up or shown; non-staff go to the admin login.
PETITION_ACTORS: dict[str, frozenset[str]] = {
    "assign": frozenset({CLERK, SUPERUSER}),
    "return": frozenset({STAFF, SUPERUSER}),
    "accept": frozenset({STAFF, SUPERUSER}),
    "decline": frozenset({STAFF, SUPERUSER}),
    "reply": frozenset({STAFF, SUPERUSER}),
    "opinion": frozenset({SUPERUSER}),  # co-handling departments only, and the ticket has none
    "note": frozenset({STAFF, CLERK, ADMINISTRATOR, SUPERUSER}),
    "extend": frozenset({CLERK, ADMINISTRATOR, SUPERUSER}),
    "urge": frozenset({CLERK, ADMINISTRATOR, SUPERUSER}),
    "close": frozenset({CLERK, SUPERUSER}),
}
ACTION_METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


def action_post_data(w: World) -> dict:
    """Valid input for any action form, so a refusal is the view's, never the form's."""
    return {
        "lead_department": w.department.pk,
        "department": w.department.pk,
        "body": "已联系市政部门维修。",
        "reason": "需要进一步核实情况。",
        "note": "请尽快办理。",
        "opinion": "同意牵头单位意见。",
        "days": "3",
        "confirm": "on",
    }


# --- privileges: nobody raises their own or another's (portal/user_admin.py, portal/roles.py) -----
# A second Administrator, as a target: an Administrator changes no peer's account or roles.
PEER_ADMINISTRATOR = "peer_administrator"
# Whose accounts each role may change (name, e-mail, roles, memberships); everyone else's page is
# read-only or 403 for it. Nobody but a superuser changes its own roles, permissions or flags.
ACCOUNT_EDITORS: dict[str, frozenset[str]] = {
    ADMINISTRATOR: frozenset({CITIZEN, OTHER_CITIZEN, STAFF, OTHER_STAFF, CLERK, REVIEWER}),
    SUPERUSER: frozenset(
        {CITIZEN, OTHER_CITIZEN, STAFF, OTHER_STAFF, CLERK, REVIEWER, ADMINISTRATOR, PEER_ADMINISTRATOR}
    ),
}
# Which roles each role may give or take away: those ranked below its own (portal.roles.ROLES).
ROLE_GRANTS: dict[str, frozenset[str]] = {
    ADMINISTRATOR: frozenset({roles.CITIZEN, roles.DEPARTMENT_STAFF, roles.REVIEWER, roles.OFFICE_CLERK}),
    SUPERUSER: frozenset(roles.ROLES),
}
# Staff roles other than the superuser.
BELOW_SUPERUSER = tuple(role for role in ROLES if role not in NOT_STAFF and role != SUPERUSER)


def _superuser_id(w: World) -> dict:
    return {"id": w.user(SUPERUSER).pk}


def _superuser_object_id(w: World) -> dict:
    return {"object_id": w.user(SUPERUSER).pk}


# The superuser's account pages: only a superuser opens them (its password form included).
SUPERUSER_ACCOUNT: list[tuple[str, Access]] = [
    (
        "admin:auth_user_password_change",
        admin_page(kwargs=_superuser_id, **dict.fromkeys(BELOW_SUPERUSER, FORBIDDEN)),
    ),
    (  # mismatched passwords: the superuser's own POST is a form error, anyone else's a 403
        "admin:auth_user_password_change",
        admin_page(
            kwargs=_superuser_id,
            method="post",
            data=lambda w: {"password1": "Zq8!pLm2#vR4-a", "password2": "Zq8!pLm2#vR4-b", "usable_password": "true"},
            **dict.fromkeys(BELOW_SUPERUSER, FORBIDDEN),
        ),
    ),
    (  # a crafted change: superuser status and every role; the superuser's own is a form error (no username)
        "admin:portal_user_change",
        admin_page(
            kwargs=_superuser_object_id,
            method="post",
            data=lambda w: {"is_superuser": "on", "is_staff": "on", "groups": [g.pk for g in Group.objects.all()]},
            **dict.fromkeys(BELOW_SUPERUSER, FORBIDDEN),
        ),
    ),
    (
        "admin:portal_user_delete",
        admin_page(kwargs=_superuser_object_id, **dict.fromkeys(BELOW_SUPERUSER, FORBIDDEN)),
    ),
]
