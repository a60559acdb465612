"""Forms of the dashboards: the board's filters, the bulk urge, the performance period."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from portal import registry
from portal.dashboards import DashboardScope, Period, installed_areas, period_bounds
from portal.forms import PortalForm
from portal.models import Department
from portal.params import MonthField

SORT_CHOICES = (
    ("due", _("Most overdue first")),
    ("-due", _("Latest due first")),
    ("department", _("Department")),
    ("kind", _("Kind of deadline")),
    ("urged", _("Least recently urged first")),
)
STATUS_CHOICES = (
    ("", _("Overdue and due soon")),
    ("overdue", _("Overdue only")),
    ("due_soon", _("Due soon only")),
)


class BoardFilterForm(PortalForm):
    """GET filters of the overdue list; an invalid value is ignored, never a server error."""

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("All departments")
    )
    # Choices from the installed apps' declarations (portal.registry), set per form.
    area = forms.ChoiceField(label=_("Area"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Show"), choices=STATUS_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False)

    def __init__(self, *args, scope: DashboardScope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = scope.departments().order_by("name")
        # Only the areas an installed app declares: the filter promises nothing not built yet.
        self.fields["area"].choices = [
            ("", _("All areas")),
            *[(area, registry.area_label(area)) for area in installed_areas()],
        ]
        self.fields["kind"].choices = [("", _("All kinds")), *registry.clock_kinds().items()]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def filters(self) -> dict:
        """The valid filters as keyword arguments for portal.dashboards.board_items (an invalid
        field is dropped on its own; the others still apply)."""
        data = _valid_fields(self)
        department = data.get("department")
        return {
            "department_id": department.pk if department else None,
            "area": data.get("area") or "",
            "kind": data.get("kind") or "",
            "status": data.get("status") or "",
            "sort": data.get("sort") or "due",
        }


class UrgeForm(PortalForm):
    """The bulk urge (催办): an optional note to the departments. The ticked items are posted as
    `clocks` checkboxes in the list; the view keeps only open work in the user's scope."""

    note = forms.CharField(
        label=_("Note to the departments (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("e.g. Please reply today.")}),
    )


class PeriodForm(PortalForm):
    """The performance period: a month, or the quarter or year that contains it."""

    period = forms.ChoiceField(
        label=_("Period"), choices=Period.CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    month = MonthField(
        label=_("Month"),
        required=False,
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control"}, format="%Y-%m"),
        help_text=_("For a quarter or a year, any month in it."),
    )

    def chosen(self, today: date) -> tuple[str, date]:
        data = _valid_fields(self)
        return data.get("period") or Period.MONTH, (data.get("month") or today).replace(day=1)

    def bounds(self, today: date):
        kind, month = self.chosen(today)
        return (kind, month, *period_bounds(kind, month))


def _valid_fields(form: forms.Form) -> dict:
    """The fields of a bound form that validated (an invalid one is left out, not the whole form)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return form.cleaned_data
