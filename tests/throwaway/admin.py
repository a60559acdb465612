from functools import partial

from django import forms
from django.contrib import admin

from portal.admin_actions import ActionForm, WorkflowActionsAdminMixin
from portal.admin_filters import DeclaredFiltersAdminMixin
from portal.history_admin import HistoryAdmin
from portal.scoping import DepartmentScopedAdminMixin
from tests.throwaway import services, workflow
from tests.throwaway.models import Errand


class NoteForm(ActionForm):
    note = forms.CharField(max_length=200, required=False)


@admin.register(Errand)
class ErrandAdmin(DeclaredFiltersAdminMixin, WorkflowActionsAdminMixin, DepartmentScopedAdminMixin, HistoryAdmin):
    list_display = ("title", "department", "state", "created_at")
    list_filter = ("state",)
    workflow_table = workflow.TABLE
    workflow_object_argument = "errand"
    workflow_actions = {
        "finish": (NoteForm, partial(services.errand_move, action="finish")),
        "drop": (NoteForm, partial(services.errand_move, action="drop")),
    }

    def has_add_permission(self, request):
        return False  # errands are made by errand_create, which starts their clock

    def has_delete_permission(self, request, obj=None):
        return False
