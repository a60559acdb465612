"""Accounts in the admin (portal/user_admin.py, ranks in portal/roles.py): who may change whose
account, roles and memberships, and the history of every such change. The access matrix
(tests/security/test_access_matrix.py) walks every role against every other; these are the details."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from portal import roles
from portal.models import Membership, User
from tests.factories import DepartmentFactory, UserFactory, citizen, clerk, staff_of
from tests.security.adminforms import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    department = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    return {
        "department": department,
        "root": User.objects.create_superuser("root", "root@example.gov.cn", "unused-password-1"),
        "admin": UserFactory(username="admin_a", role=roles.ADMINISTRATOR),
        "peer": UserFactory(username="admin_b", role=roles.ADMINISTRATOR),
        "clerk": clerk("clerk"),
        "staff": staff_of(department, "staff"),
        "citizen": citizen("citizen"),
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"  # the messages below are checked in English
    return client


def change_url(user) -> str:
    return reverse("admin:portal_user_change", args=[user.pk])


def form_of(people, user) -> dict:
    """The user's change form as a superuser sees it (every field), to post as someone else."""
    return admin_form_data(signed_in(people["root"]).get(change_url(user)))


def group(name) -> Group:
    return Group.objects.get(name=name)


# --- the rank order ------------------------------------------------------------------------------


def test_roles_rank_from_citizen_to_administrator_and_superusers_above_all(people):
    assert [roles.role_rank(name) for name in roles.ROLES] == [0, 1, 2, 3, 4, 5]
    assert roles.ROLES == (
        roles.CITIZEN,
        roles.EXPERT,
        roles.DEPARTMENT_STAFF,
        roles.REVIEWER,
        roles.OFFICE_CLERK,
        roles.ADMINISTRATOR,
    )
    assert roles.role_rank("A group that is no role") == roles.SUPERUSER_RANK
    ranks = {name: roles.user_rank(user) for name, user in people.items() if name != "department"}
    assert ranks == {"root": 6, "admin": 5, "peer": 5, "clerk": 4, "staff": 2, "citizen": 0}


def test_a_directly_given_permission_ranks_with_the_lowest_role_holding_it(people):
    staff = people["staff"]
    staff.user_permissions.add(Permission.objects.get(codename="urge_work"))  # office clerks'
    assert roles.user_rank(staff) == roles.role_rank(roles.OFFICE_CLERK)
    staff.user_permissions.add(Permission.objects.get(codename="delete_user"))  # no role's: superusers'
    assert roles.user_rank(staff) == roles.SUPERUSER_RANK
    assert not roles.may_change_roles(people["admin"], staff)


def test_a_superuser_only_permission_gives_its_holder_no_power_to_grant_administrator(people):
    admin = people["admin"]
    admin.user_permissions.add(Permission.objects.get(codename="delete_user"))
    assert roles.ADMINISTRATOR not in roles.grantable_roles(admin)
    assert not roles.may_change_roles(admin, people["peer"])


# --- giving roles, and their history ---------------------------------------------------------------


def test_an_administrator_gives_a_role_below_its_own_and_the_history_says_who_when_what(people):
    citizen_user, admin = people["citizen"], people["admin"]
    data = form_of(people, citizen_user)
    response = signed_in(admin).post(
        change_url(citizen_user), {**data, "groups": [*data["groups"], str(group(roles.OFFICE_CLERK).pk)]}
    )
    assert response.status_code == 302
    assert set(citizen_user.groups.values_list("name", flat=True)) == {roles.CITIZEN, roles.OFFICE_CLERK}
    latest, before = citizen_user.history.order_by("-history_id")[:2]
    assert latest.history_user == admin
    assert latest.history_date is not None
    assert {row.group.name for row in latest.groups.all()} == {roles.CITIZEN, roles.OFFICE_CLERK}
    changes = {change.field: change for change in latest.diff_against(before).changes}
    assert "groups" in changes


def test_an_administrators_choices_hold_only_the_roles_below_its_own(people):
    response = signed_in(people["admin"]).get(change_url(people["citizen"]))
    choices = {name for _value, name in response.context["adminform"].form.fields["groups"].choices}
    assert choices == {roles.CITIZEN, roles.EXPERT, roles.DEPARTMENT_STAFF, roles.REVIEWER, roles.OFFICE_CLERK}


def test_a_crafted_administrator_role_is_a_form_error_and_nothing_changes(people):
    citizen_user = people["citizen"]
    data = form_of(people, citizen_user)
    response = signed_in(people["admin"]).post(
        change_url(citizen_user), {**data, "groups": [*data["groups"], str(group(roles.ADMINISTRATOR).pk)]}
    )
    assert response.status_code == 200
    assert "You may give only roles ranked below your own" in response.content.decode()
    assert list(citizen_user.groups.values_list("name", flat=True)) == [roles.CITIZEN]


def test_a_crafted_permission_no_lower_role_holds_is_a_form_error(people):
    citizen_user = people["citizen"]
    data = form_of(people, citizen_user)
    change_group = Permission.objects.get(codename="change_group")
    response = signed_in(people["admin"]).post(
        change_url(citizen_user), {**data, "user_permissions": [change_group.pk]}
    )
    assert response.status_code == 200
    assert "You may give only permissions of roles ranked below your own" in response.content.decode()
    assert not citizen_user.user_permissions.exists()


def test_an_administrator_may_give_a_clerks_permission_directly(people):
    staff = people["staff"]
    data = form_of(people, staff)
    urge = Permission.objects.get(codename="urge_work")
    response = signed_in(people["admin"]).post(change_url(staff), {**data, "user_permissions": [urge.pk]})
    assert response.status_code == 302
    assert list(staff.user_permissions.values_list("codename", flat=True)) == ["urge_work"]
    assert staff.history.latest().history_user == people["admin"]


def test_a_non_superuser_never_creates_a_superuser(people):
    response = signed_in(people["admin"]).post(
        reverse("admin:portal_user_add"),
        {
            "username": "sneaky",
            "usable_password": "true",
            "password1": "Zq8!pLm2#vR4-minsheng",
            "password2": "Zq8!pLm2#vR4-minsheng",
            "email": "sneaky@example.com",
            "language": "zh-hans",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(username="sneaky").exists()


def test_changes_made_from_the_groups_side_are_recorded_for_each_user(people):
    clerks = group(roles.OFFICE_CLERK)
    first, second = people["citizen"], people["staff"]
    clerks.user_set.add(first, second)
    for user in (first, second):
        assert roles.OFFICE_CLERK in {row.group.name for row in user.history.latest().groups.all()}
    clerks.user_set.remove(first)
    assert roles.OFFICE_CLERK not in {row.group.name for row in first.history.latest().groups.all()}
    clerks.user_set.clear()
    assert roles.OFFICE_CLERK not in {row.group.name for row in second.history.latest().groups.all()}


# --- one's own account, and peers' ---------------------------------------------------------------


def test_an_administrator_edits_its_own_name_but_its_roles_are_read_only(people):
    admin = people["admin"]
    client = signed_in(admin)
    response = client.get(change_url(admin))
    privilege_fields = {"is_superuser", "is_staff", "is_active", "groups", "user_permissions"}
    assert not privilege_fields & set(response.context["adminform"].form.fields)
    data = admin_form_data(response)
    assert client.post(change_url(admin), {**data, "first_name": "小王"}).status_code == 302
    admin.refresh_from_db()
    assert admin.first_name == "小王"
    assert list(admin.groups.values_list("name", flat=True)) == [roles.ADMINISTRATOR]


def test_a_peer_administrators_account_and_password_are_only_to_look_at(people):
    client = signed_in(people["admin"])
    peer = people["peer"]
    response = client.get(change_url(peer))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.post(change_url(peer), form_of(people, peer)).status_code == 403
    password_url = reverse("admin:auth_user_password_change", args=[peer.pk])
    assert client.get(password_url).status_code == 403
    assert client.get(reverse("admin:auth_user_password_change", args=[people["citizen"].pk])).status_code == 200


def test_deleting_is_limited_to_users_ranked_below_on_the_page_and_in_the_list_action(people):
    admin = people["admin"]
    admin.user_permissions.add(Permission.objects.get(codename="delete_user"))
    client = signed_in(admin)
    peer, citizen_user = people["peer"], people["citizen"]
    assert client.post(reverse("admin:portal_user_delete", args=[peer.pk]), {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:portal_user_changelist"),
        {"action": "delete_selected", "_selected_action": [peer.pk, citizen_user.pk], "post": "yes"},
    )
    assert response.status_code == 403
    assert User.objects.filter(pk__in=[peer.pk, citizen_user.pk]).count() == 2
    client.post(reverse("admin:portal_user_delete", args=[citizen_user.pk]), {"post": "yes"})
    assert not User.objects.filter(pk=citizen_user.pk).exists()


# --- memberships, on the department's page ---------------------------------------------------------


def _department_form_with_member(people, user, role=Membership.Role.HEAD) -> dict:
    department = people["department"]
    url = reverse("admin:portal_department_change", args=[department.pk])
    data = admin_form_data(signed_in(people["root"]).get(url))
    index = int(data["memberships-TOTAL_FORMS"])
    return {
        **data,
        "memberships-TOTAL_FORMS": str(index + 1),
        f"memberships-{index}-user": str(user.pk),
        f"memberships-{index}-role": role,
        f"memberships-{index}-id": "",
        f"memberships-{index}-department": str(department.pk),
    }


@pytest.mark.parametrize("member", ["admin", "peer", "root"])
def test_an_administrator_adds_no_membership_for_itself_a_peer_or_a_superuser(people, member):
    url = reverse("admin:portal_department_change", args=[people["department"].pk])
    response = signed_in(people["admin"]).post(url, _department_form_with_member(people, people[member]))
    assert response.status_code == 200
    assert "only of users ranked below you" in response.content.decode()
    assert not Membership.objects.filter(user=people[member]).exists()


def test_an_administrator_adds_a_member_below_it_and_the_membership_history_says_who(people):
    url = reverse("admin:portal_department_change", args=[people["department"].pk])
    response = signed_in(people["admin"]).post(url, _department_form_with_member(people, people["clerk"]))
    assert response.status_code == 302
    membership = Membership.objects.get(user=people["clerk"])
    assert membership.role == Membership.Role.HEAD
    assert membership.history.latest().history_user == people["admin"]


def test_an_administrator_removes_no_peers_membership(people):
    department = people["department"]
    Membership.objects.create(user=people["peer"], department=department, role=Membership.Role.HEAD)
    url = reverse("admin:portal_department_change", args=[department.pk])
    data = admin_form_data(signed_in(people["root"]).get(url))
    index = next(
        key.split("-")[1] for key, value in data.items() if key.endswith("-user") and value == str(people["peer"].pk)
    )
    response = signed_in(people["admin"]).post(url, {**data, f"memberships-{index}-DELETE": "on"})
    assert response.status_code == 200
    assert Membership.objects.filter(user=people["peer"]).exists()
