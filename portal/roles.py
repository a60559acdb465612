"""The five roles as Django groups, and the permissions each holds.

Every app declares what its models grant to each role in its AppConfig (`role_permissions`),
so a domain app plugs in without editing this module. `sync_roles` creates the groups and
(re)attaches the permissions; it runs in a migration (portal 0002) and after every `migrate`,
so the permissions of models added later reach the groups without anyone remembering to.
"""

from collections import defaultdict

CITIZEN = "Citizen"
DEPARTMENT_STAFF = "Department staff"
OFFICE_CLERK = "Office clerk"
REVIEWER = "Reviewer"
ADMINISTRATOR = "Administrator"

ROLES = (CITIZEN, DEPARTMENT_STAFF, OFFICE_CLERK, REVIEWER, ADMINISTRATOR)
# Roles that work in the admin; a user given one of them is made `is_staff`.
STAFF_ROLES = (DEPARTMENT_STAFF, OFFICE_CLERK, REVIEWER, ADMINISTRATOR)


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
