"""Who opens the dashboards, and over which departments."""

from __future__ import annotations

from dataclasses import dataclass

from portal.models import Clock, Department
from portal.scoping import sees_all_departments, user_head_department_ids

# --- who sees what -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardScope:
    """Which departments a user's dashboards cover: `department_ids` None means all of them."""

    department_ids: tuple[int, ...] | None
    can_urge: bool

    @property
    def all_departments(self) -> bool:
        return self.department_ids is None

    def clocks(self):
        queryset = Clock.objects.all()
        if self.department_ids is not None:
            queryset = queryset.filter(department_id__in=self.department_ids)
        return queryset

    def departments(self):
        queryset = Department.objects.all()
        if self.department_ids is not None:
            return queryset.filter(id__in=self.department_ids)
        return queryset.filter(is_active=True)


def dashboard_scope(user) -> DashboardScope | None:
    """Who opens the dashboards (board, urge, performance, export), and over which departments.

    The permission `portal.view_dashboard` is required: without it, None (forbidden), whatever
    the memberships. With it, office clerks and administrators (`portal.view_all_departments`) see
    every department; anyone else the departments they head (Membership.role "head"), and None
    if they head none. A membership only narrows the scope; it never opens a dashboard."""
    if not (user and user.is_authenticated and user.is_active and user.has_perm("portal.view_dashboard")):
        return None
    can_urge = user.has_perm("portal.urge_work")
    if sees_all_departments(user):
        return DashboardScope(department_ids=None, can_urge=can_urge)
    heads = user_head_department_ids(user)
    if heads:
        return DashboardScope(department_ids=tuple(sorted(heads)), can_urge=can_urge)
    return None


def may_view_dashboard(user) -> bool:
    return dashboard_scope(user) is not None
