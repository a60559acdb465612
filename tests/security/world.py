"""The people and departments every security test works with: one user per role.

The record under test belongs to `owner` (a citizen) and to `department`; `other_department`
is anyone else's. Fixture builders in tests/security/access.py and in each app's
tests/<app_label>/security.py receive a `World` and create what their URL needs from it; an app's
`seed_world(world)` makes the records its declarations share, kept as `world.extras[<app_label>]`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from portal import roles
from portal.models import Department, Membership, User
from tests.factories import DepartmentFactory, UserFactory, citizen, clerk, staff_of
from tests.security.discovery import declared_by_app

ANONYMOUS = "anonymous"
CITIZEN = "citizen"  # the record's owner
OTHER_CITIZEN = "other_citizen"
STAFF = "staff"  # staff of the record's department
OTHER_STAFF = "other_staff"  # staff of another department
CLERK = "clerk"  # office clerk: every department
# Reviews suggestions before publication, and is head of the record's department by membership:
# a membership only narrows what a permission opens, so the reviewer, holding no petitions or
# dashboard permission, gets none of the department's work (its board, its tickets, their actions).
REVIEWER = "reviewer"
ADMINISTRATOR = "administrator"  # the Administrator role's permissions, not a superuser
SUPERUSER = "superuser"

ROLES = (ANONYMOUS, CITIZEN, OTHER_CITIZEN, STAFF, OTHER_STAFF, CLERK, REVIEWER, ADMINISTRATOR, SUPERUSER)
NOT_STAFF = (ANONYMOUS, CITIZEN, OTHER_CITIZEN)

# Which portal role (group) each test role holds; its permissions are the declared ones.
GROUP_OF = {
    CITIZEN: roles.CITIZEN,
    OTHER_CITIZEN: roles.CITIZEN,
    STAFF: roles.DEPARTMENT_STAFF,
    OTHER_STAFF: roles.DEPARTMENT_STAFF,
    CLERK: roles.OFFICE_CLERK,
    REVIEWER: roles.REVIEWER,
    ADMINISTRATOR: roles.ADMINISTRATOR,
}


@dataclass
class World:
    department: Department
    other_department: Department
    users: dict[str, User | None] = field(default_factory=dict)
    # What each domain app's `seed_world` made, by app label (petitions: a category, a tracked
    # ticket and its query code).
    extras: dict[str, dict] = field(default_factory=dict)

    def user(self, role: str) -> User | None:
        return self.users[role]

    @property
    def owner(self) -> User:
        return self.users[CITIZEN]

    @property
    def staff(self) -> User:
        return self.users[STAFF]


def build_world() -> World:
    department = DepartmentFactory(name="住房和城乡建设局", code="ZJJ")
    other_department = DepartmentFactory(name="教育局", code="JYJ")
    superuser = User.objects.create_superuser("root", "root@example.gov.cn", "unused-password-1")
    users = {
        ANONYMOUS: None,
        CITIZEN: citizen("citizen_a"),
        OTHER_CITIZEN: citizen("citizen_b"),
        STAFF: staff_of(department, "staff_own"),
        OTHER_STAFF: staff_of(other_department, "staff_other"),
        CLERK: clerk("clerk"),
        REVIEWER: UserFactory(username="reviewer", role=roles.REVIEWER),
        ADMINISTRATOR: UserFactory(username="administrator", role=roles.ADMINISTRATOR),
        SUPERUSER: superuser,
    }
    Membership.objects.create(user=users[REVIEWER], department=department, role=Membership.Role.HEAD)
    world = World(department=department, other_department=other_department, users=users)
    for label, seed in declared_by_app("seed_world"):
        world.extras[label] = seed(world)
    return world
