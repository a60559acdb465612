"""The foundation: the test stack itself, the demo data, the roles, deploy checks, the embedded
default and /healthz.

Several tests start `manage.py` in a subprocess with an environment built from scratch, because
settings are read from the environment once, at import: that is the only honest way to see how
the portal behaves under a configuration other than the test one.
"""

import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection

from portal import demo, roles
from portal.models import Department, Membership, User
from tests import processes

BASE_DIR = Path(__file__).resolve().parents[2]
DEMO_USERNAMES = ["citizen", "staff_a", "staff_b", "clerk", "admin"]


def manage(*args: str, env: dict[str, str], timeout: int = 60) -> subprocess.CompletedProcess:
    """Run `manage.py` with exactly `env` (plus what a process needs to start) and return the result."""
    full_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_ok(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"


def test_database_vendor_follows_database_url():
    """The suite runs on what DATABASE_URL names: PostgreSQL by default (tests/settings.py)."""
    url = os.environ["DATABASE_URL"]
    assert url.startswith(("postgres://", "postgresql://")), "the test suite must run on PostgreSQL"
    assert connection.vendor == "postgresql"


# --- demo data ----------------------------------------------------------------------------------


def load_demo_quietly() -> None:
    call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "departments": Department.objects.count(),
        "memberships": Membership.objects.count(),
        "group links": User.groups.through.objects.count(),
        "user history": User.history.count(),
        "department history": Department.history.count(),
        "membership history": Membership.history.count(),
    }


@pytest.mark.django_db
def test_load_demo_creates_departments_and_one_account_per_role():
    load_demo_quietly()

    assert dict(Department.objects.values_list("code", "name")) == {
        "ZJJ": "住房和城乡建设局",
        "JYJ": "教育局",
        "STHJJ": "生态环境局",
        "JTYSJ": "交通运输局",
        "SCJGJ": "市场监督管理局",
    }
    assert not Department.objects.filter(email="").exists()

    accounts = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert sorted(accounts) == sorted(DEMO_USERNAMES)
    expected = {
        "citizen": (roles.CITIZEN, False, False),
        "staff_a": (roles.DEPARTMENT_STAFF, True, False),
        "staff_b": (roles.DEPARTMENT_STAFF, True, False),
        "clerk": (roles.OFFICE_CLERK, True, False),
        "admin": (roles.ADMINISTRATOR, True, True),
    }
    for username, (role, is_staff, is_superuser) in expected.items():
        user = accounts[username]
        assert list(user.groups.values_list("name", flat=True)) == [role], username
        assert (user.is_staff, user.is_superuser) == (is_staff, is_superuser), username
        assert user.email == f"{username}@demo.minsheng.localhost"
        assert user.get_full_name(), username

    def departments_of(username):
        return list(Membership.objects.filter(user__username=username).values_list("department__name", flat=True))

    assert departments_of("staff_a") == ["住房和城乡建设局"]
    assert departments_of("staff_b") == ["教育局"]
    assert departments_of("citizen") == departments_of("clerk") == departments_of("admin") == []


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing():
    load_demo_quietly()
    passwords = dict(User.objects.values_list("username", "password"))
    before = _counts()

    load_demo_quietly()

    assert _counts() == before
    assert dict(User.objects.values_list("username", "password")) == passwords


@pytest.mark.django_db
def test_load_demo_repairs_a_changed_demo_account():
    load_demo_quietly()
    staff_a = User.objects.get(username="staff_a")
    staff_a.set_password("something else")
    staff_a.is_active = False
    staff_a.save()
    Membership.objects.create(user=staff_a, department=Department.objects.get(code="JYJ"))

    result = demo.load_demo()

    staff_a.refresh_from_db()
    assert staff_a.is_active
    assert staff_a.check_password(demo.DEMO_PASSWORD)
    assert list(staff_a.memberships.values_list("department__code", flat=True)) == ["ZJJ"]
    assert result.report


@pytest.mark.django_db
@pytest.mark.parametrize("username", DEMO_USERNAMES)
def test_each_demo_account_can_log_in(client, username):
    load_demo_quietly()
    # Through the login page: django-axes needs the request to count attempts.
    response = client.post("/accounts/login/", {"username": username, "password": "minsheng-demo"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)


@pytest.mark.django_db
def test_demo_citizen_cannot_enter_the_admin(client):
    load_demo_quietly()
    client.force_login(User.objects.get(username="citizen"))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- roles ----------------------------------------------------------------------------------------

# Permissions that open staff work: nothing a citizen should ever hold.
STAFF_ONLY_CODENAMES = {"view_all_departments", "urge_work", "extend_deadline", "view_dashboard"}


@pytest.mark.django_db
def test_the_five_role_groups_exist_with_their_permissions():
    groups = {group.name: group for group in Group.objects.prefetch_related("permissions__content_type")}
    assert set(roles.ROLES) <= set(groups)

    def perms(role):
        return {f"{p.content_type.app_label}.{p.codename}" for p in groups[role].permissions.all()}

    for role in roles.STAFF_ROLES:
        assert perms(role), f"{role} has no permissions"
    assert "portal.view_all_departments" in perms(roles.OFFICE_CLERK)
    assert "portal.view_all_departments" in perms(roles.ADMINISTRATOR)
    assert "portal.view_all_departments" not in perms(roles.DEPARTMENT_STAFF)


@pytest.mark.django_db
def test_citizen_role_holds_no_admin_permission():
    citizen_perms = Permission.objects.filter(group__name=roles.CITIZEN)
    offending = [
        f"{p.content_type.app_label}.{p.codename}"
        for p in citizen_perms.select_related("content_type")
        if p.content_type.app_label in {"auth", "admin", "contenttypes", "sessions"}
        or p.codename in STAFF_ONLY_CODENAMES
        or p.codename.startswith(("change_", "delete_", "view_"))
    ]
    assert offending == []


# --- deploy checks --------------------------------------------------------------------------------


def _database_url() -> str:
    return os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/minsheng")


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
            "SECRET_KEY": secrets.token_urlsafe(45),  # 60 characters
            "HTTPS": "true",
            "ALLOWED_HOSTS": "minsheng.example.gov.cn",
            "DEBUG": "false",
            "MINSHENG_VAR_DIR": str(tmp_path),
        },
    )
    assert_ok(result)


# --- the embedded default -------------------------------------------------------------------------

ROUND_TRIP = """
import json
from django.db import connection
from django.test import Client

client = Client(HTTP_HOST="127.0.0.1")
result = {"vendor": connection.vendor, "anonymous_home": client.get("/").status_code}
login = client.post("/accounts/login/", {"username": "citizen", "password": "minsheng-demo"})
result["login"] = login.status_code == 302 and "_auth_user_id" in client.session
result["citizen_home"] = client.get("/").status_code
health = client.get("/healthz")
result["healthz"] = [health.status_code, json.loads(health.content)]
print("RESULT " + json.dumps(result))
"""


def test_embedded_default_runs_on_sqlite_without_any_server(tmp_path):
    """What `make run` does, minus the servers: nothing configured, SQLite and the file broker."""
    env = {
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "MINSHENG_VAR_DIR": str(tmp_path / "var"),
        "STATIC_ROOT": str(tmp_path / "static"),
    }
    for args in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["load_demo"]):
        assert_ok(manage(*args, env=env))

    result = manage("shell", "-c", ROUND_TRIP, env=env)
    assert_ok(result)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    outcome = json.loads(line.removeprefix("RESULT "))
    assert outcome["vendor"] == "sqlite"
    assert outcome["anonymous_home"] == 200
    assert outcome["login"] is True
    assert outcome["citizen_home"] == 200
    status, body = outcome["healthz"]
    assert (status, body["database"], body["broker"]) == (200, "ok", "ok")
    assert (tmp_path / "var" / "minsheng.sqlite3").exists()


# --- /healthz -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_is_ok_on_the_test_stack(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")


HEALTHZ = """
import json
from django.test import Client

response = Client(HTTP_HOST="127.0.0.1").get("/healthz")
print("RESULT " + json.dumps([response.status_code, json.loads(response.content)]))
"""


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(tmp_path):
    result = manage(
        "shell",
        "-c",
        HEALTHZ,
        env={
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": processes.test_database_url(),  # the test database, already migrated
            "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "CACHE_URL": "locmemcache://",
            "MINSHENG_VAR_DIR": str(tmp_path),
        },
    )
    assert_ok(result)
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    status, body = json.loads(line.removeprefix("RESULT "))
    assert status == 503
    assert (body["status"], body["database"], body["broker"]) == ("unavailable", "ok", "unreachable")
