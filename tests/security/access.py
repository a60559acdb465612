"""Who may open what: one declared expectation for every named URL and every admin model.

tests/security/test_access_matrix.py walks the URL conf. A URL name, or a model registered on
admin.site, without an entry fails with "declare it in <module>", naming where: this file for the
portal's own URLs and models (and Django's and installed packages'), `tests/<app_label>/security.py`
for a domain app's (tests/security/discovery.py finds those modules and lists what they declare).
So a new view is covered without anyone remembering to write a test for it. Declaring is one line:

    URLS["stats"] = public()
    URLS["petitions:detail"] = owner(kwargs=lambda w: {"pk": PetitionFactory(citizen=w.owner).pk})
    ADMIN_MODELS["petitions.petition"] = AdminModel(obj=lambda w: PetitionFactory(department=w.department),
                                                    scope=DEPARTMENT)

`w` is a `tests.security.world.World`: one user per role (see ROLES there), the record's
department `w.department`, its owner `w.owner` and staff member `w.staff`, and
`w.other_department`. A builder creates what its URL needs and returns the URL's kwargs.
The vocabulary (`public`, `owner`, `AdminModel`, `DEPARTMENT`, ...) is tests/security/declarations.py.

Admin model pages (changelist, add, change, history, delete and django-simple-history's
version page) need no URL entries: what each role gets follows from the role's *declared*
permissions (portal/roles.py, every AppConfig's `role_permissions`), the refusals the model admin
makes whatever the permissions (`add=False`, `delete=False`), and its scoping (`scope`).

URLS, POSTS, ADMIN_MODELS and WORKFLOW_ACTORS below are the portal's declarations merged with
every installed domain app's.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from portal import clocks, registry, roles
from portal.models import Notice, OutboundEmail, SweepRun, WorkCalendarDay
from tests.security.declarations import (  # noqa: F401 (the vocabulary, re-exported for the tests)
    DEPARTMENT,
    FORBIDDEN,
    NO_CONTENT,
    NOT_ALLOWED,
    NOT_FOUND,
    OK,
    RECIPIENT,
    TO_ADMIN_INDEX,
    TO_ADMIN_LOGIN,
    TO_HOME,
    TO_LOGIN,
    Access,
    AdminModel,
    Builder,
    Outcome,
    Scope,
    WorkflowActors,
    access,
    admin_page,
    anonymous_only,
    clerk_only,
    owner,
    public,
    signed_in,
    staff_scoped,
)
from tests.security.discovery import declared, declared_by_app
from tests.security.world import (
    ADMINISTRATOR,
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

# --- the portal's URLs ----------------------------------------------------------------------------


def _clock(w: World):
    """A running clock of `w.department` under the first declared policy (any will do): the clock
    admin's pages need no domain record."""
    policy = registry.deadline_policies()[0].code
    return clocks.clock_start(subject=w.department, policy=policy, department=w.department)


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


# --- POSTs: what each role gets when it sends the form ----------------------------------------
# Entries of URLS say what a GET gets; these say what a POST gets (a fresh record per role).


def _open_clock(w: World):
    """A running clock on a new record of `w.department` (one per POST), from the first installed
    app that can make one (its `running_clock`)."""
    makers = declared_by_app("running_clock")
    assert makers, "no installed app declares running_clock in its tests/<app_label>/security.py"
    return makers[0][1](w)


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


# --- workflow actions (portal.admin_actions.WorkflowActionsAdminMixin) ------------------------------
# Each app declares, per model admin, who may take each action (WorkflowActors); everyone else is
# refused every one of these methods before anything of the record is looked up or shown.
ACTION_METHODS = ("get", "head", "post", "put", "patch", "delete", "options")


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
    ADMINISTRATOR: frozenset({roles.CITIZEN, roles.EXPERT, roles.DEPARTMENT_STAFF, roles.REVIEWER, roles.OFFICE_CLERK}),
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


# --- every installed domain app's declarations (tests/<app_label>/security.py) --------------------
URLS = declared("URLS", URLS)
POSTS = declared("POSTS", POSTS)
ADMIN_MODELS = declared("ADMIN_MODELS", ADMIN_MODELS)
WORKFLOW_ACTORS: dict[str, WorkflowActors] = declared("WORKFLOW_ACTORS")
