"""Names of reference data (departments, categories) in the reader's language.

A department or category keeps its official Chinese name in `name` and an optional English one in
`name_en`, both edited in the admin. Every page shows `display_name`: the English name on an
English page when one is set, else the Chinese name. Stored texts and exports keep the Chinese name.

Templates: `{{ department.display_name }}` for a model instance; `{% display_name value %}`
(portal_tags) also takes a row of figures ({"name": ..., "name_en": ...}) or a bare name as stored
in a ledger or report row, which it looks up among the named models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.apps import apps
from django.utils import translation


def english_wanted() -> bool:
    return (translation.get_language() or "").startswith("en")


def localized_name(name: str, name_en: str = "") -> str:
    """`name_en` on an English page when there is one, else `name`."""
    return name_en if name_en and english_wanted() else name


class LocalizedName:
    """For a model with `name` and `name_en`: `display_name` in the reader's language."""

    @property
    def display_name(self) -> str:
        return localized_name(self.name, self.name_en)


def english_names() -> dict[str, str]:
    """{Chinese name: English name} of every named model's rows that have one, in one query (a
    UNION over the models, however many apps name things)."""
    querysets = [
        model._default_manager.exclude(name_en="").values_list("name", "name_en").order_by()
        for model in apps.get_models()
        if issubclass(model, LocalizedName)
    ]
    if not querysets:
        return {}
    first, *rest = querysets
    return dict(first.union(*rest, all=True) if rest else first)


def display_name(value, english: Callable[[], Mapping[str, str]] | None = None) -> str:
    """The name of a model instance, a row ({"name", "name_en"} keys or attributes) or a bare
    (Chinese) name, in the reader's language. A name without its English one is looked up on an
    English page in `english()` (e.g. `english_names`), called only then."""
    if value is None:
        return ""
    if isinstance(value, LocalizedName):
        return value.display_name
    if isinstance(value, Mapping):
        name, name_en = value.get("name", ""), value.get("name_en", "")
    elif isinstance(value, str):
        name, name_en = value, ""
    else:
        name, name_en = getattr(value, "name", value), getattr(value, "name_en", "")
    name = str(name or "")
    if name_en or english is None or not english_wanted():
        return localized_name(name, name_en or "")
    return english().get(name, name)
