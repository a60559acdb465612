"""Department scoping: who sees which department's work. One mechanism for every domain app.

A user with `portal.view_all_departments` (office clerks, administrators, superusers) sees
everything; anyone else sees only records linked to a department they are a member of.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from portal.models import Department


def sees_all_departments(user) -> bool:
    return bool(user and user.is_active and user.has_perm("portal.view_all_departments"))


def user_department_ids(user) -> list[int]:
    """The ids of the departments the user belongs to (cached on the user object)."""
    if not (user and user.is_authenticated):
        return []
    if not hasattr(user, "_department_ids"):
        user._department_ids = list(user.memberships.values_list("department_id", flat=True))
    return user._department_ids


def user_head_department_ids(user) -> list[int]:
    if not (user and user.is_authenticated):
        return []
    return list(user.memberships.filter(role="head").values_list("department_id", flat=True))


def scope_queryset(queryset: QuerySet, user, department_paths: tuple[str, ...]) -> QuerySet:
    """Limit `queryset` to rows whose department (along any of `department_paths`) is the user's.

    A path through a to-many relation (co-handling departments) becomes a semi-join,
    `pk IN (SELECT … WHERE department IN …)`, rather than a join plus DISTINCT: DISTINCT over
    every column made a department's list read all of its rows on every page.
    """
    if sees_all_departments(user):
        return queryset
    ids = user_department_ids(user)
    if not ids:
        return queryset.none()
    model = queryset.model
    condition = Q()
    for path in department_paths:
        if _crosses_many(model, (path,)):
            condition |= Q(pk__in=model._default_manager.filter(**{f"{path}__in": ids}).values("pk"))
        else:
            condition |= Q(**{f"{path}__in": ids})
    return queryset.filter(condition)


def _crosses_many(model, paths) -> bool:
    """Whether any path goes through a to-many relation (then rows may repeat)."""
    for path in paths:
        current = model
        for part in path.split("__"):
            field = current._meta.get_field(part)
            if field.many_to_many or field.one_to_many:
                return True
            current = field.related_model
            if current is None:
                break
    return False


class DepartmentScopedAdminMixin:
    """Every domain ModelAdmin uses this: staff see and edit only their departments' records.

    Set `department_paths` to the lookups that lead from the model to a `Department`
    (e.g. ("lead_department", "co_departments")). Objects outside the user's scope are
    treated as forbidden (403) on the change, delete and history pages, so guessing another
    department's id gives nothing away; department choices in forms are limited too.
    """

    department_paths: tuple[str, ...] = ("department",)

    def get_queryset(self, request):
        return scope_queryset(super().get_queryset(request), request.user, self.department_paths)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and self._exists_unscoped(object_id, from_field):
            raise PermissionDenied
        return obj

    def _exists_unscoped(self, object_id, from_field) -> bool:
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        try:
            value = field.to_python(object_id)
        except Exception:  # malformed ids are simply "not found"
            return False
        return self.model._default_manager.filter(**{field.name: value}).exists()

    def has_object_in_scope(self, request, obj) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.has_object_in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.has_object_in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.has_object_in_scope(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Department and not sees_all_departments(request.user):
            kwargs["queryset"] = Department.objects.filter(id__in=user_department_ids(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Department and not sees_all_departments(request.user):
            kwargs["queryset"] = Department.objects.filter(id__in=user_department_ids(request.user))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class NotDepartmentWorkAdminMixin:
    """For an admin over records that name departments without being their work: a campaign's
    departments concerned, the departments present at a meeting. Whoever holds the model's
    permissions sees every row (the roles give them to the office and reviewers only), so the
    admin says why in `not_department_work_because`; the scoping test accepts it only with a reason."""

    not_department_work_because: str = ""


def is_scoped_admin(model_admin) -> bool:
    """Whether the admin limits staff to their departments' records, or says why its records are
    not a department's work."""
    if isinstance(model_admin, NotDepartmentWorkAdminMixin):
        return bool(model_admin.not_department_work_because.strip())
    return isinstance(model_admin, DepartmentScopedAdminMixin)
