from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from petitions.models import Petition
from portal.scoping import DepartmentScopedAdminMixin


@admin.register(Petition)
class PetitionAdmin(DepartmentScopedAdminMixin, SimpleHistoryAdmin):
    department_paths = ("lead_department", "co_departments")
    list_display = ("reference", "title", "state", "lead_department", "received_at")
    list_select_related = ("lead_department",)
