"""The access matrix: every named URL and every admin model page, opened by every role.

Generated from the URL conf and the admin registry: a URL or admin model without a declared
expectation fails `test_every_named_url_is_declared` / `test_every_admin_model_is_declared`, naming
where to declare it: tests/security/access.py for the portal's, `tests/<app_label>/security.py` for
a domain app's (tests/security/discovery.py).
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import resolve, reverse
from simple_history.admin import SimpleHistoryAdmin

from portal import roles
from portal.admin_actions import WorkflowActionsAdminMixin
from portal.models import Membership, User
from portal.roles import declared_role_permissions
from portal.scoping import DepartmentScopedAdminMixin
from tests.security.access import (
    ACCOUNT_EDITORS,
    ACTION_METHODS,
    ADMIN_MODELS,
    FORBIDDEN,
    OK,
    PEER_ADMINISTRATOR,
    POSTS,
    ROLE_GRANTS,
    SUPERUSER_ACCOUNT,
    TO_ADMIN_LOGIN,
    URLS,
    WORKFLOW_ACTORS,
    Access,
    AdminModel,
    Outcome,
)
from tests.security.adminforms import admin_form_data
from tests.security.declarations import is_department_scope
from tests.security.discovery import domain_app, module_path
from tests.security.urlconf import ADMIN_MODEL_PAGES, admin_models, admin_page_name, named_urls
from tests.security.world import ANONYMOUS, GROUP_OF, NOT_STAFF, ROLES, SUPERUSER, World

pytestmark = pytest.mark.django_db

NAMES = named_urls()
ADMIN = admin_models()


def where(app_label: str | None) -> str:
    """The module to declare an app's URL or model in: its own, or the central one."""
    return module_path(domain_app(app_label))


def _admin_model_page_names() -> set[str]:
    return {admin_page_name(label, page) for label in ADMIN for page in ADMIN_MODEL_PAGES}


# --- the registry covers the URL conf ---------------------------------------------------------


def undeclared_urls(urls: dict) -> list[str]:
    return [
        f"{name} (/{url.route.lstrip('/')}): declare it in URLS of {where(url.app)}"
        for name, url in sorted(NAMES.items())
        if name not in urls and name not in _admin_model_page_names()
    ]


def undeclared_admin_models(admin_models: dict) -> list[str]:
    return [
        f"{label}: declare it in ADMIN_MODELS of {where(label.split('.')[0])}"
        for label in sorted(ADMIN)
        if label not in admin_models
    ]


def test_every_named_url_is_declared():
    undeclared = undeclared_urls(URLS)
    assert not undeclared, "URLs with no declared access:\n" + "\n".join(undeclared)


def test_every_admin_model_is_declared():
    undeclared = undeclared_admin_models(ADMIN_MODELS)
    assert not undeclared, "Admin models with no declared access:\n" + "\n".join(undeclared)


def test_declarations_name_real_urls_and_models():
    stale = [name for name in URLS if name not in NAMES] + [label for label in ADMIN_MODELS if label not in ADMIN]
    assert not stale, f"declared but no longer in the URL conf or admin: {stale}"


def test_urls_with_parameters_declare_a_builder():
    missing = [
        name
        for name, declared in URLS.items()
        if name in NAMES and NAMES[name].has_params and not (declared.kwargs or declared.args)
    ]
    assert not missing, f"these URLs take parameters: give their entries a kwargs builder: {missing}"


def test_department_scoping_is_declared_exactly_where_the_admin_scopes():
    wrong = []
    for label, declared in ADMIN_MODELS.items():
        if label not in ADMIN:
            continue
        # What the admin does, not portal.scoping.is_scoped_admin: that also accepts an admin saying
        # why its records are not a department's work (NotDepartmentWorkAdminMixin), which scopes nothing.
        scoped = isinstance(ADMIN[label][1], DepartmentScopedAdminMixin)
        if scoped != is_department_scope(declared.scope):
            wrong.append(f"{label}: the admin is {'' if scoped else 'not '}department-scoped")
    assert not wrong, wrong


# --- requests --------------------------------------------------------------------------------------


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def outcome_of(client: Client, method: str, url: str, data=None) -> str:
    """What the response was, in the form of an `Outcome`'s text, or the exception a view raised."""
    try:
        response = getattr(client, method)(url, data or {})
    except Exception as error:  # a server error is a finding, reported with the others
        return f"error {type(error).__name__}: {error}"
    if response.status_code in (301, 302):
        return f"{response.status_code} to {urlparse(response['Location']).path}"
    return str(response.status_code)


def expected_text(outcome: Outcome, requested=None) -> str:
    """The outcome as `outcome_of` writes it; `requested` (the ResolverMatch of the URL asked for)
    gives a redirect `with_parameters` its target's parameters."""
    if not outcome.to:
        return str(outcome.status)
    if outcome.with_parameters:
        return f"{outcome.status} to {reverse(outcome.to, args=requested.args, kwargs=requested.kwargs)}"
    return f"{outcome.status} to {reverse(outcome.to)}"


@pytest.mark.parametrize("name", sorted(name for name in URLS if name in NAMES))
def test_url_access(world, name):
    check_url(world, name, URLS[name])


@pytest.mark.parametrize("name", sorted(POSTS))
def test_url_post_access(world, name):
    assert name in NAMES, f"{name} is declared in POSTS but not in the URL conf"
    check_url(world, name, POSTS[name])


def check_url(world: World, name: str, declared: Access) -> None:
    def build():
        kwargs = declared.kwargs(world) if declared.kwargs else None
        args = declared.args(world) if declared.args else None
        return reverse(name, kwargs=kwargs, args=args), declared.data(world) if declared.data else None

    # A GET changes nothing, so every role opens the same record; a POST gets a fresh one per role.
    shared = build() if declared.method == "get" else None
    mismatches = []
    for role in ROLES:
        url, data = shared or build()
        got = outcome_of(client_for(world, role), declared.method, url, data)
        want = expected_text(declared.outcomes[role], resolve(url))
        if got != want:
            mismatches.append(f"{role:>14}: expected {want}, got {got}")
    assert not mismatches, f"{declared.method.upper()} {name}:\n" + "\n".join(mismatches)


# --- admin model pages -----------------------------------------------------------------------------

PERMISSIONS = declared_role_permissions(apps.get_app_configs())


def expected_admin_outcome(label: str, declared: AdminModel, page: str, role: str) -> Outcome:
    """What `role` should get on `page`, from its declared permissions, the admin's refusals and scope."""
    if role in NOT_STAFF:
        return TO_ADMIN_LOGIN
    granted = PERMISSIONS.get(GROUP_OF.get(role), set())
    app_label, model_name = label.split(".")

    def holds(action: str) -> bool:
        return role == SUPERUSER or f"{app_label}.{action}_{model_name}" in granted

    can_view = holds("view") or holds("change")
    if page == "changelist":
        return OK if can_view else FORBIDDEN
    if page == "add":
        permission = declared.add_permission  # the admin's own add permission, else the model's
        may_add = (role == SUPERUSER or permission in granted) if permission else holds("add")
        return OK if declared.add and may_add else FORBIDDEN
    allowed = can_view if page != "delete" else declared.delete and holds("delete")
    scope = declared.scope
    in_scope = sees_record(declared, role)
    if page == "history" and not in_scope and scope.outside.status == 302:
        return scope.outside  # Django's history page looks the object up before checking permissions
    if not allowed:
        return FORBIDDEN
    return OK if in_scope else scope.outside


def sees_record(declared: AdminModel, role: str) -> bool:
    """Whether the world's record is within `role`'s scope (listed, and its pages open)."""
    scope = declared.scope
    granted = PERMISSIONS.get(GROUP_OF.get(role), set())
    return (
        scope is None
        or role == SUPERUSER
        or role in scope.sees
        or scope.sees_all in granted
        or bool(scope.also_sees_all & granted)
    )


@pytest.mark.parametrize("label", sorted(label for label in ADMIN_MODELS if label in ADMIN))
def test_admin_model_access(world, label):
    declared = ADMIN_MODELS[label]
    model_admin = ADMIN[label][1]
    obj = declared.obj(world)
    object_id = quote(obj.pk)
    pages = {
        "changelist": reverse(admin_page_name(label, "changelist")),
        "add": reverse(admin_page_name(label, "add")),
        "change": reverse(admin_page_name(label, "change"), args=[object_id]),
        "history": reverse(admin_page_name(label, "history"), args=[object_id]),
        "delete": reverse(admin_page_name(label, "delete"), args=[object_id]),
    }
    if isinstance(model_admin, SimpleHistoryAdmin):
        version = obj.history.latest().history_id
        pages["simple_history"] = reverse(admin_page_name(label, "simple_history"), args=[object_id, version])
    mismatches = []
    for role in ROLES:
        client = client_for(world, role)
        for page, url in pages.items():
            got = outcome_of(client, "get", url)
            want = expected_text(expected_admin_outcome(label, declared, page, role))
            if got != want:
                mismatches.append(f"{page:>14} {role:>14}: expected {want}, got {got}")
        # A scoped changelist lists the record exactly for those whose scope holds it.
        if declared.scope and expected_admin_outcome(label, declared, "changelist", role) == OK:
            response = client.get(pages["changelist"])
            listed = obj.pk in {row.pk for row in response.context["cl"].result_list}
            if listed != sees_record(declared, role):
                mismatches.append(f"{'changelist':>14} {role:>14}: {'lists' if listed else 'omits'} the record")
    assert not mismatches, f"admin {label}:\n" + "\n".join(mismatches)


def test_the_matrix_catches_a_scoping_leak(world, monkeypatch):
    """The harness itself: a department-scoped admin that stopped scoping must fail the matrix."""
    monkeypatch.setattr(DepartmentScopedAdminMixin, "get_queryset", lambda self, request: self.model.objects.all())
    monkeypatch.setattr(DepartmentScopedAdminMixin, "has_object_in_scope", lambda self, request, obj: True)
    with pytest.raises(AssertionError) as failure:
        test_admin_model_access(world, "portal.clock")
    assert "change    other_staff: expected 403, got 200" in str(failure.value)
    assert "changelist    other_staff: lists the record" in str(failure.value)


# --- workflow actions: refused before anything of the record is shown ------------------------------


def workflow_admins() -> dict[str, WorkflowActionsAdminMixin]:
    """Every model admin with `workflow_actions` (portal.admin_actions), by model label."""
    return {
        label: model_admin
        for label, (_model, model_admin) in ADMIN.items()
        if isinstance(model_admin, WorkflowActionsAdminMixin)
    }


def test_every_workflow_action_is_declared():
    wrong = []
    for label, model_admin in sorted(workflow_admins().items()):
        declared = set(WORKFLOW_ACTORS[label].actors) if label in WORKFLOW_ACTORS else set()
        if declared != set(model_admin.workflow_actions):
            wrong.append(
                f"{label}: declare who may take each of {sorted(model_admin.workflow_actions)} in WORKFLOW_ACTORS"
                f" of {where(label.split('.')[0])} (declared: {sorted(declared)})"
            )
    assert not wrong, "\n".join(wrong)


ACTION_CASES = [
    pytest.param(label, action, id=f"{label}-{action}")
    for label, declared in sorted(WORKFLOW_ACTORS.items())
    if label in ADMIN
    for action in sorted(declared.actors)
]


@pytest.mark.parametrize(("label", "action"), ACTION_CASES)
def test_a_workflow_action_refuses_every_method_without_its_permission_or_role(world, label, action):
    """Every role that may not take `action` gets 403 (non-staff: the admin login) for every
    method, with nothing of the record in the answer, and the record is untouched."""
    declared = WORKFLOW_ACTORS[label]
    record = declared.record(world)
    url = reverse(admin_page_name(label, "act"), args=[record.pk, action])
    secrets = declared.secrets(world, record)
    record.refresh_from_db()
    before = declared.state(record)
    mismatches = []
    for role in ROLES:
        if role in declared.actors[action]:
            continue
        client = client_for(world, role)
        for method in ACTION_METHODS:
            response = getattr(client, method)(url, declared.data(world) if method == "post" else {})
            want = "302 to " + reverse("admin:login") if role in NOT_STAFF else "403"
            got = (
                f"302 to {urlparse(response['Location']).path}"
                if response.status_code == 302
                else str(response.status_code)
            )
            body = response.content.decode(errors="replace")
            shown = [secret for secret in secrets if secret in body]
            if got != want or shown:
                mismatches.append(f"{method.upper():>7} {role:>14}: expected {want}, got {got}; shows {shown}")
    record.refresh_from_db()
    after = declared.state(record)
    assert not mismatches and after == before, f"{label} action {action}:\n" + "\n".join(mismatches)


# --- privileges: no role raises its own or another's --------------------------------------------


@pytest.mark.parametrize("index", range(len(SUPERUSER_ACCOUNT)))
def test_only_a_superuser_opens_a_superusers_account(world, index):
    name, declared = SUPERUSER_ACCOUNT[index]
    check_url(world, name, declared)
    assert User.objects.get(pk=world.user(SUPERUSER).pk).is_superuser


def privileges(user: User) -> tuple:
    user = User.objects.get(pk=user.pk)
    return (
        user.is_superuser,
        user.is_staff,
        user.is_active,
        sorted(user.groups.values_list("name", flat=True)),
        sorted(user.user_permissions.values_list("codename", flat=True)),
        sorted(user.memberships.values_list("department_id", "role")),
    )


def _with_membership(data: dict, department_id: int, role: str) -> dict:
    """`data` (a user's change form) with one more department membership row."""
    index = int(data["memberships-TOTAL_FORMS"])
    return {
        **data,
        "memberships-TOTAL_FORMS": str(index + 1),
        f"memberships-{index}-department": str(department_id),
        f"memberships-{index}-role": role,
        f"memberships-{index}-id": "",
        f"memberships-{index}-user": "",
    }


def escalations(world: World, data: dict) -> dict[str, dict]:
    """Each way of raising a user's privileges on its change form, one at a time and all at once."""
    administrators = Group.objects.get(name=roles.ADMINISTRATOR)
    every_permission = [str(pk) for pk in Permission.objects.values_list("pk", flat=True)]
    ways = {
        "superuser status": {**data, "is_superuser": "on"},
        "the Administrator role": {**data, "groups": [*data.get("groups", []), str(administrators.pk)]},
        "every permission": {**data, "user_permissions": every_permission},
        "staff status": {**data, "is_staff": "on"},
        "head of a department": _with_membership(data, world.other_department.pk, Membership.Role.HEAD),
    }
    ways["all at once"] = {key: value for way in ways.values() for key, value in way.items()}
    return ways


@pytest.mark.parametrize("role", [role for role in ROLES if role not in (ANONYMOUS, SUPERUSER)])
def test_no_role_raises_its_own_privileges(world, role):
    """On its own account's page, by every way the form could carry it: refused, nothing changes."""
    user = world.user(role)
    url = reverse("admin:portal_user_change", args=[user.pk])
    data = admin_form_data(client_for(world, SUPERUSER).get(url))
    client = client_for(world, role)
    before = privileges(user)
    changed = []
    for way, posted in escalations(world, data).items():
        response = client.post(url, posted)
        if privileges(user) != before:
            changed.append(f"{way} ({response.status_code}): {before} -> {privileges(user)}")
    assert not changed, f"{role} raised its own privileges:\n" + "\n".join(changed)


def _targets(world: World) -> dict[str, User]:
    from tests.factories import UserFactory

    targets = {role: world.user(role) for role in ROLES if role not in (ANONYMOUS, SUPERUSER)}
    targets[PEER_ADMINISTRATOR] = UserFactory(username="administrator_b", role=roles.ADMINISTRATOR)
    return targets


@pytest.mark.parametrize("actor", [role for role in ROLES if role not in NOT_STAFF])
def test_who_may_give_whom_which_role(world, actor):
    """`actor` gives each role to each other user through the change form: it works exactly
    where ACCOUNT_EDITORS and ROLE_GRANTS say; superuser status only from a superuser."""
    admin_client = client_for(world, SUPERUSER)
    client = client_for(world, actor)
    wrong = []
    for target_name, target in _targets(world).items():
        if target == world.user(actor):
            continue  # one's own account: test_no_role_raises_its_own_privileges
        url = reverse("admin:portal_user_change", args=[target.pk])
        original = list(target.groups.all())
        for role_name in roles.ROLES:
            if target.groups.filter(name=role_name).exists():
                continue
            data = admin_form_data(admin_client.get(url))
            group = Group.objects.get(name=role_name)
            client.post(url, {**data, "groups": [*data.get("groups", []), str(group.pk)]})
            given = target.groups.filter(pk=group.pk).exists()
            allowed = target_name in ACCOUNT_EDITORS.get(actor, ()) and role_name in ROLE_GRANTS.get(actor, ())
            if given != allowed:
                wrong.append(f"{target_name:>18} {role_name:>18}: {'given' if given else 'refused'}")
            target.groups.set(original)
        data = admin_form_data(admin_client.get(url))
        client.post(url, {**data, "is_superuser": "on"})
        if User.objects.get(pk=target.pk).is_superuser != (actor == SUPERUSER):
            wrong.append(f"{target_name:>18} {'superuser status':>18}: wrong")
        User.objects.filter(pk=target.pk).update(is_superuser=False)
    assert not wrong, f"{actor} giving roles:\n" + "\n".join(wrong)
