"""Admin lists filter by what they declare, and by nothing else.

Django's changelist takes any lookup on the model's own columns from the query string as a
filter, declared or not: `?query_code_digest__startswith=a` narrows the ticket list by a column it
never shows, so a reader learns a hidden value a character at a time from the result counts.
`DeclaredFiltersAdminMixin` accepts only the parameters that something declared consumes: the
admin's `list_filter` entries (field filters and `SimpleListFilter` parameters), its
`date_hierarchy`, the admin's own parameters (search `q`, ordering `o`, page `p`, `all`, `_popup`,
`_to_field`, `_facets`, `e`) and, as Django itself allows, the `limit_choices_to` lookups of a
raw-id popup. Anything else gets the admin's "invalid filter" answer: a redirect to the list with
`?e=1` (an undeclared lookup across a relation is already refused by Django, with a 400).

Every ModelAdmin on the admin site uses it: the project's own by inheritance; those of apps
installed before `portal` (auth's groups, django-axes) are re-registered with it by
`adopt_registered_admins`, called from portal/admin.py; a system check (portal.E001) names any
registered ModelAdmin without it, so a new app's admin cannot forget it.
"""

from __future__ import annotations

from django.contrib.admin import widgets
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core import checks


class DeclaredFiltersChangeListMixin:
    """A ChangeList that refuses the filter parameters no declared filter has consumed."""

    def get_filters(self, request):
        filter_specs, has_filters, remaining, may_have_duplicates, has_active_filters = super().get_filters(request)
        # Django turns a date hierarchy's year/month/day into these two bounds itself.
        generated = set()
        if self.date_hierarchy and f"{self.date_hierarchy}__year" in self.filter_params:
            generated = {f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"}
        undeclared = sorted(
            key
            for key in remaining
            if key not in generated and not self._raw_id_popup_lookup(key, self.filter_params.get(key, []))
        )
        if undeclared:
            raise IncorrectLookupParameters(f"Undeclared filter parameters: {', '.join(undeclared)}")
        return filter_specs, has_filters, remaining, may_have_duplicates, has_active_filters

    def _raw_id_popup_lookup(self, key: str, values: list[str]) -> bool:
        """A raw-id widget's popup passes its field's `limit_choices_to` (ModelAdmin.lookup_allowed)."""
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            allowed = widgets.url_params_from_lookup_dict(fk_lookup)
            if key in allowed and all(value == allowed[key] for value in values):
                return True
        return False


_changelist_classes: dict[type, type] = {}


def declared_filters_changelist(changelist_class: type[ChangeList]) -> type[ChangeList]:
    if issubclass(changelist_class, DeclaredFiltersChangeListMixin):
        return changelist_class
    if changelist_class not in _changelist_classes:
        _changelist_classes[changelist_class] = type(
            f"DeclaredFilters{changelist_class.__name__}", (DeclaredFiltersChangeListMixin, changelist_class), {}
        )
    return _changelist_classes[changelist_class]


class DeclaredFiltersAdminMixin:
    """Every ModelAdmin of the project uses this (first among its bases): its list accepts only
    the filters it declares."""

    def get_changelist(self, request, **kwargs):
        return declared_filters_changelist(super().get_changelist(request, **kwargs))


def adopt_registered_admins(site) -> None:
    """Re-register every ModelAdmin already on `site` that lacks the mixin (those of apps
    installed before portal), as a subclass with it, keeping everything else it declares."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, DeclaredFiltersAdminMixin):
            continue
        admin_class = type(model_admin)
        site.unregister(model)
        site.register(model, type(admin_class.__name__, (DeclaredFiltersAdminMixin, admin_class), {}))


def check_admins_declare_their_filters(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from django.contrib import admin

    return [
        checks.Error(
            f"{type(model_admin).__name__} (the admin of {model._meta.label}) does not use "
            "portal.admin_filters.DeclaredFiltersAdminMixin: its list would filter by any column "
            "named in the address.",
            hint="Add DeclaredFiltersAdminMixin first among the ModelAdmin's bases.",
            obj=type(model_admin),
            id="portal.E001",
        )
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, DeclaredFiltersAdminMixin)
    ]
