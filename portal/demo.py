"""Demo data for trying the portal: five departments and one account per role.

Loaded only by `manage.py load_demo` (never by a migration), so a production database never
gets these well-known passwords unless someone asks for them. Idempotent: each record is looked
up by its natural key and saved only when it differs from the demo definition, so a second run
writes nothing, not even a history row.

Domain apps add their own demo records without editing this module: an AppConfig may name a
loader, `demo_loader = "petitions.demo.load_demo"`, a function called as
`loader(demo=<DemoData>)` inside the same transaction, after the core records exist. It must be
idempotent too, and may append lines to `demo.report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.module_loading import import_string

from portal import registry, roles
from portal.models import Department, Membership, User

DEMO_PASSWORD = "minsheng-demo"  # noqa: S105 - published in README.md on purpose
DEMO_EMAIL_DOMAIN = "demo.minsheng.localhost"
CHANGE_REASON = "demo data (manage.py load_demo)"


@dataclass(frozen=True)
class DemoDepartment:
    code: str
    name: str
    email: str
    name_en: str = ""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    # The whole Chinese name goes in first_name (User.get_full_name writes a Chinese name given
    # in two parts family name first, unspaced).
    display_name: str
    role: str
    department_codes: tuple[str, ...] = ()
    is_superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@{DEMO_EMAIL_DOMAIN}"

    @property
    def is_staff(self) -> bool:
        return self.role in roles.STAFF_ROLES

    @property
    def sees_all_departments(self) -> bool:
        return self.role in (roles.OFFICE_CLERK, roles.ADMINISTRATOR)


DEPARTMENTS = (
    DemoDepartment("ZJJ", "住房和城乡建设局", f"zjj@{DEMO_EMAIL_DOMAIN}", "Housing and Urban-Rural Development Bureau"),
    DemoDepartment("JYJ", "教育局", f"jyj@{DEMO_EMAIL_DOMAIN}", "Education Bureau"),
    DemoDepartment("STHJJ", "生态环境局", f"sthjj@{DEMO_EMAIL_DOMAIN}", "Ecology and Environment Bureau"),
    DemoDepartment("JTYSJ", "交通运输局", f"jtysj@{DEMO_EMAIL_DOMAIN}", "Transport Bureau"),
    DemoDepartment("SCJGJ", "市场监督管理局", f"scjgj@{DEMO_EMAIL_DOMAIN}", "Market Regulation Administration"),
)

ACCOUNTS = (
    DemoAccount("citizen", "王小民", roles.CITIZEN),
    DemoAccount("staff_a", "李建国", roles.DEPARTMENT_STAFF, department_codes=("ZJJ",)),
    DemoAccount("staff_b", "赵文华", roles.DEPARTMENT_STAFF, department_codes=("JYJ",)),
    DemoAccount("clerk", "陈晓静", roles.OFFICE_CLERK),
    DemoAccount("reviewer", "孙丽萍", roles.REVIEWER),
    DemoAccount("expert", "钱思远", roles.EXPERT),
    DemoAccount("admin", "周管理", roles.ADMINISTRATOR, is_superuser=True),
)


@dataclass
class DemoData:
    """What load_demo made sure exists, handed to the apps' demo loaders."""

    departments: dict[str, Department] = field(default_factory=dict)  # by code
    accounts: dict[str, User] = field(default_factory=dict)  # by username
    report: list[str] = field(default_factory=list)  # one line per record created or repaired


def _save_if_changed(instance, values: dict) -> bool:
    """Apply `values` to a saved row; save (one history row) only when something differs."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed:
        instance._change_reason = CHANGE_REASON
        instance.save(update_fields=changed)
    return bool(changed)


def _department_ensure(spec: DemoDepartment, demo: DemoData) -> Department:
    values = {"name": spec.name, "email": spec.email, "is_active": True}
    department = Department.objects.filter(code=spec.code).first()
    if department is None:
        department = Department(code=spec.code, name_en=spec.name_en, **values)
        department._change_reason = CHANGE_REASON
        department.save()
        demo.report.append(f"created department {spec.code} {spec.name}")
    elif _save_if_changed(department, values | ({"name_en": spec.name_en} if not department.name_en else {})):
        demo.report.append(f"restored department {spec.code} {spec.name}")
    return department


def _account_ensure(spec: DemoAccount, demo: DemoData) -> User:
    values = {
        "first_name": spec.display_name,
        "last_name": "",
        "email": spec.email,
        "is_active": True,
        "is_staff": spec.is_staff,
        "is_superuser": spec.is_superuser,
    }
    user = User.objects.filter(username=spec.username).first()
    if user is None:
        user = User(username=spec.username, **values)
        user.set_password(DEMO_PASSWORD)
        user._change_reason = CHANGE_REASON
        user.save()
        demo.report.append(f"created account {spec.username} ({spec.role})")
        user.groups.set([Group.objects.get(name=spec.role)])
    else:
        restored = _save_if_changed(user, values)
        # Re-hashing on every run would write a new salt each time; reset only a changed password.
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user._change_reason = CHANGE_REASON
            user.save(update_fields=["password"])
            restored = True
        if restored:
            demo.report.append(f"restored account {spec.username}")

        group = Group.objects.get(name=spec.role)
        if set(user.groups.all()) != {group}:
            user.groups.set([group])
            demo.report.append(f"set role of {spec.username} to {spec.role}")

    wanted = {demo.departments[code] for code in spec.department_codes}
    current = {membership.department: membership for membership in user.memberships.select_related("department")}
    for department in wanted - current.keys():
        membership = Membership(user=user, department=department, role=Membership.Role.STAFF)
        membership._change_reason = CHANGE_REASON
        membership.save()
        demo.report.append(f"added {spec.username} to {department.name}")
    for department in current.keys() - wanted:
        current[department]._change_reason = CHANGE_REASON
        current[department].delete()
        demo.report.append(f"removed {spec.username} from {department.name}")
    return user


@transaction.atomic
def load_demo() -> DemoData:
    """Make sure the demo departments and accounts exist as defined above, then run the apps'
    demo loaders. Returns what exists, with a report of what had to be created or repaired."""
    demo = DemoData()
    for spec in DEPARTMENTS:
        demo.departments[spec.code] = _department_ensure(spec, demo)
    for spec in ACCOUNTS:
        demo.accounts[spec.username] = _account_ensure(spec, demo)
    for _app_config, loader in registry.declaring("demo_loader"):
        import_string(loader)(demo=demo)
    return demo
