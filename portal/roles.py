"""The six roles as Django groups, and the permissions each holds.

Every app declares what its models grant to each role in its AppConfig (`role_permissions`),
so a domain app plugs in without editing this module. `sync_roles` creates the groups and
(re)attaches the permissions; it runs in a migration (portal 0002) and after every `migrate`,
so the permissions of models added later reach the groups without anyone remembering to.
"""

from collections import defaultdict
from functools import cache

CITIZEN = "Citizen"
# An invited expert (专家): works in the admin on what a domain app opens to experts (e.g. the
# suggestions of the campaigns they are invited to assess), and on nothing of any department.
EXPERT = "Expert"
DEPARTMENT_STAFF = "Department staff"
OFFICE_CLERK = "Office clerk"
REVIEWER = "Reviewer"
ADMINISTRATOR = "Administrator"

# The roles in rank order, lowest first: the one place the order is written. A user ranks with the
# highest of its roles and of its directly given permissions (`user_rank`); a superuser ranks above
# every role. Who may change whose account and roles follows from it (`may_edit_user`,
# `may_change_roles`, `grantable_roles`, `grantable_permissions`; enforced by portal.user_admin).
ROLES = (CITIZEN, EXPERT, DEPARTMENT_STAFF, REVIEWER, OFFICE_CLERK, ADMINISTRATOR)
# Roles that work in the admin; a user given one of them is made `is_staff`.
STAFF_ROLES = (EXPERT, DEPARTMENT_STAFF, REVIEWER, OFFICE_CLERK, ADMINISTRATOR)
# Above every role: superusers, and what only they may give (a group that is no role, a
# permission no role holds).
SUPERUSER_RANK = len(ROLES)


def declared_role_permissions(app_configs) -> dict[str, set[str]]:
    """Merge every app's `role_permissions` ({role: ["app_label.codename", ...]})."""
    merged: dict[str, set[str]] = defaultdict(set)
    for app_config in app_configs:
        for role, perms in getattr(app_config, "role_permissions", {}).items():
            if role not in ROLES:
                raise ValueError(f"{app_config.label} declares permissions for unknown role {role!r}")
            merged[role].update(perms)
    return merged


def sync_roles(apps, declared: dict[str, set[str]]) -> None:
    """Create the role groups and give each exactly its declared permissions that exist.

    `apps` is the app registry (a migration's historical one, or the live one).
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role)
        wanted = declared.get(role, set())
        by_key = {}
        labels = {perm.split(".", 1)[0] for perm in wanted}
        for permission in Permission.objects.filter(content_type__app_label__in=labels).select_related("content_type"):
            by_key[f"{permission.content_type.app_label}.{permission.codename}"] = permission
        group.permissions.set([by_key[key] for key in wanted if key in by_key])


def sync_roles_after_migrate(sender, app_config=None, using="default", apps=None, **kwargs):
    """post_migrate receiver: act once, after the last app has had its permissions created."""
    from django.apps import apps as live_apps

    configs = list(live_apps.get_app_configs())
    # Django signals post_migrate only for apps with a models module: act after the last of those.
    with_models = [config for config in configs if config.models_module is not None]
    if app_config is None or app_config.label != with_models[-1].label:
        return
    sync_roles(live_apps, declared_role_permissions(configs))


# --- rank: nobody raises their own or another's privileges --------------------------------------


def role_rank(name: str) -> int:
    """A role's place in ROLES; a group that is no role ranks with superusers (only they give it)."""
    return ROLES.index(name) if name in ROLES else SUPERUSER_RANK


@cache
def permission_ranks() -> dict[str, int]:
    """Each permission ("app_label.codename") → the rank of the lowest role holding it."""
    from django.apps import apps

    ranks: dict[str, int] = {}
    for role, permissions in declared_role_permissions(apps.get_app_configs()).items():
        for permission in permissions:
            ranks[permission] = min(ranks.get(permission, SUPERUSER_RANK), role_rank(role))
    return ranks


def permission_rank(permission: str) -> int:
    """A permission held by no role ranks with superusers: only a superuser gives it directly."""
    return permission_ranks().get(permission, SUPERUSER_RANK)


def user_rank(user) -> int:
    """The highest rank among the user's roles and directly given permissions (0, a citizen's,
    when it holds neither); superusers rank above every role."""
    if user.is_superuser:
        return SUPERUSER_RANK
    ranks = [role_rank(name) for name in user.groups.values_list("name", flat=True)]
    ranks += [
        permission_rank(f"{app_label}.{codename}")
        for app_label, codename in user.user_permissions.values_list("content_type__app_label", "codename")
    ]
    return max(ranks, default=0)


def acting_rank(actor) -> int:
    """The rank `actor` acts with: its own, but never above an Administrator's unless it is a
    superuser, so only superusers give the Administrator role or a superuser-only permission
    (a permission given directly only raises how high its holder ranks as a target)."""
    if actor.is_superuser:
        return SUPERUSER_RANK
    return min(user_rank(actor), role_rank(ADMINISTRATOR))


def may_edit_user(actor, target) -> bool:
    """Whether `actor` may change `target`'s account at all (name, e-mail, password, ...): a
    superuser anyone; anyone else itself and the users ranked below it, never a superuser."""
    if actor.is_superuser:
        return True
    if target.is_superuser:
        return False
    return target.pk == actor.pk or user_rank(target) < acting_rank(actor)


def may_change_roles(actor, target) -> bool:
    """Whether `actor` may change `target`'s roles, permissions, staff and active flags and
    department memberships: a superuser anyone's; anyone else only those of users ranked below
    it, never its own."""
    if actor.is_superuser:
        return True
    if target.is_superuser or target.pk == actor.pk:
        return False
    return user_rank(target) < acting_rank(actor)


def grantable_roles(actor) -> list[str]:
    """The roles (groups) `actor` may give or take away: those ranked below its own."""
    rank = acting_rank(actor)
    return [name for name in ROLES if role_rank(name) < rank]


def grantable_permissions(actor) -> set[str]:
    """The permissions ("app_label.codename") `actor` may give or take away directly: those a
    role ranked below its own holds."""
    rank = acting_rank(actor)
    return {permission for permission, needed in permission_ranks().items() if needed < rank}
