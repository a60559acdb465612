"""What the admin takes from people, made safe once for every ModelAdmin that uses `AdminInputMixin`
(portal.history_admin.HistoryAdmin, the base of the project's admins, does):

* every form it builds cleans its input (portal.forms.CleanTextMixin): the add and change forms,
  the list's editable rows and the inlines;
* its list's date hierarchy (`?received_at__year=…&__month=…&__day=…`) is parsed with
  portal.params' bounds. Django computes the next year, month or day from it, so
  `?month__year=9999` (year 10000) or a 20-digit year was a server error; out of the bounds it
  is now the admin's "invalid filter" answer, like any other bad filter.
"""

from __future__ import annotations

from django.contrib.admin.options import IncorrectLookupParameters

from portal import params
from portal.forms import with_clean_text

DATE_PARTS = ("year", "month", "day")


def date_hierarchy_in_bounds(filter_params: dict, field: str) -> bool:
    """Whether the date hierarchy's year/month/day parameters (as lists, the ChangeList's
    `filter_params`) make a date within portal.params' bounds; no year at all is fine."""
    given = [filter_params.get(f"{field}__{part}") for part in DATE_PARTS]
    if not given[0]:
        return True
    numbers = [params.parse_id(values[-1]) if values else 1 for values in given]
    if None in numbers:
        return False
    year, month, day = numbers
    return params.parse_date(f"{year:04d}-{month:02d}-{day:02d}") is not None


class BoundedDateHierarchyChangeListMixin:
    """A ChangeList that refuses a date hierarchy outside portal.params' bounds."""

    def get_filters(self, request):
        field = self.date_hierarchy
        if field and not date_hierarchy_in_bounds(self.filter_params, field):
            raise IncorrectLookupParameters(f"{field}: a date outside {params.MIN_YEAR}-{params.MAX_YEAR}")
        return super().get_filters(request)


_changelist_classes: dict[type, type] = {}


def bounded_changelist(changelist_class: type) -> type:
    if issubclass(changelist_class, BoundedDateHierarchyChangeListMixin):
        return changelist_class
    if changelist_class not in _changelist_classes:
        _changelist_classes[changelist_class] = type(
            f"Bounded{changelist_class.__name__}", (BoundedDateHierarchyChangeListMixin, changelist_class), {}
        )
    return _changelist_classes[changelist_class]


class AdminInputMixin:
    """See the module's docstring."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        # `change` by keyword: Django's UserAdmin.get_form takes it only so.
        return with_clean_text(super().get_form(request, obj, change=change, **kwargs))

    def get_changelist_form(self, request, **kwargs):
        return with_clean_text(super().get_changelist_form(request, **kwargs))

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.form = with_clean_text(formset.form)
            yield formset, inline

    def get_changelist(self, request, **kwargs):
        return bounded_changelist(super().get_changelist(request, **kwargs))


def adopt_admin_input(site) -> None:
    """Give the mixin to every ModelAdmin on `site` that lacks it: the admins of apps installed
    before portal (auth's groups, django-axes), re-registered as subclasses with it. Called from
    PortalConfig.ready(), after the admin has loaded every app's admin module."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AdminInputMixin):
            continue
        admin_class = type(model_admin)
        site.unregister(model)
        site.register(model, type(admin_class.__name__, (AdminInputMixin, admin_class), {}))
