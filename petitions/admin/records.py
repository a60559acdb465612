"""The admins of the other petition models: categories (edited by administrators) and the
records written only by services (replies, handling notes, monthly reports), read-only here.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from petitions.models import Category, HandlingNote, MonthlyReport, Reply
from portal.admin_filters import DeclaredFiltersAdminMixin
from portal.admin_tools import ReadOnlyAdminMixin as BaseReadOnlyAdminMixin
from portal.history_admin import HistoryAdmin
from portal.pagecache import AnnouncesPublicChangeAdmin
from portal.scoping import DepartmentScopedAdminMixin


@admin.register(Category)
class CategoryAdmin(DeclaredFiltersAdminMixin, AnnouncesPublicChangeAdmin, HistoryAdmin):
    """Administrators edit the subject categories; a category in use is retired, not deleted."""

    list_display = ("name", "name_en", "order", "is_active")

    list_editable = ("order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "name_en")
    ordering = ("order", "name")


class ReadOnlyAdminMixin(BaseReadOnlyAdminMixin):
    """Ticket records written only by services (replies, notes, reports), searched by the
    ticket's exact tracking number."""

    reference_lookup = "petition__reference"
    search_help_text = _("The ticket's tracking number (WZ-…).")


@admin.register(Reply)
class ReplyAdmin(DeclaredFiltersAdminMixin, ReadOnlyAdminMixin, DepartmentScopedAdminMixin, HistoryAdmin):
    department_paths = ("petition__lead_department", "petition__co_departments")
    list_display = ("petition", "department", "is_decline", "created_at")
    list_filter = ("is_decline",)
    list_select_related = ("petition", "department")
    search_fields = ("petition__reference",)
    fields = ("petition", "department", "author", "is_decline", "created_at", "body", "public_body")


@admin.register(HandlingNote)
class HandlingNoteAdmin(DeclaredFiltersAdminMixin, ReadOnlyAdminMixin, DepartmentScopedAdminMixin, HistoryAdmin):
    department_paths = ("petition__lead_department", "petition__co_departments")
    list_display = ("petition", "department", "author", "created_at")
    list_select_related = ("petition", "department", "author")
    search_fields = ("petition__reference",)
    fields = ("petition", "department", "author", "created_at", "body")


@admin.register(MonthlyReport)
class MonthlyReportAdmin(DeclaredFiltersAdminMixin, ReadOnlyAdminMixin, HistoryAdmin):
    """Generated once a month (petitions.tasks.generate_monthly_report); never edited by hand."""

    list_display = ("month", "generated_at")
    date_hierarchy = "month"
    fields = ("month", "generated_at", "figures")
