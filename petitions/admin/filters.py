"""The ticket list's filters: deadlines (on portal.admin_tools' clock filters), lead department
and month received.
"""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import params
from portal.admin_tools import ClockDueSoonFilter, ClockOverdueFilter
from portal.models import Department
from portal.periods import add_months, next_month
from portal.scoping import sees_all_departments, user_department_ids


class OverdueFilter(ClockOverdueFilter):
    """Tickets with an overdue acknowledgement or reply deadline."""


class DueSoonFilter(ClockDueSoonFilter):
    due_soon_label = _("Due within a working day (acknowledgement: 4 hours)")


class LeadDepartmentFilter(admin.SimpleListFilter):
    """Lead departments: all for clerks, one's own for department staff (no scan of the tickets)."""

    title = _("lead department")
    parameter_name = "lead_department"

    def lookups(self, request, model_admin):
        departments = Department.objects.order_by("name")
        if not sees_all_departments(request.user):
            departments = departments.filter(pk__in=user_department_ids(request.user))
        return [(str(d.pk), d.name) for d in departments]

    def queryset(self, request, queryset):
        department_id = params.parse_id(self.value())
        return queryset.filter(lead_department_id=department_id) if department_id else queryset


class ReceivedMonthFilter(admin.SimpleListFilter):
    title = _("month received")
    parameter_name = "month"

    def lookups(self, request, model_admin):
        today = timezone.localdate()
        return [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in (add_months(today, -back) for back in range(12))]

    def queryset(self, request, queryset):
        start = params.parse_month(self.value())  # bounded: the month after never overflows
        if start is None:
            return queryset
        end = next_month(start)
        zone = timezone.get_current_timezone()
        return queryset.filter(
            received_at__gte=timezone.make_aware(datetime.combine(start, time.min), zone),
            received_at__lt=timezone.make_aware(datetime.combine(end, time.min), zone),
        )
