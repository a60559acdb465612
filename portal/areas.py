"""The public areas: what each domain app offers the public, declared on its AppConfig.

An app that serves the public declares `public_area = PublicArea(...)` (and `clock_area`, the
`portal.Clock` area of its work) on its AppConfig:

    class PetitionsConfig(AppConfig):
        clock_area = "petition"
        public_area = PublicArea(
            menu=(MenuItem("petitions:index", ...),), card=ServiceCard(...), ...,
            title=_("网络问政 Petitions and inquiries"), total_label=_("All petition tickets"),
        )

The main menu, the home page's service cards and deadline rules, the tagline, the sections of
/stats/ and the board's totals by area show exactly the declared areas, so no page promises a
service whose app is not built yet (a suggestions or disclosure app that declares nothing shows
nothing). An area with clocks names its /stats/ section (`title`) and its total on the board
(`total_label`). `check_public_areas` checks every declaration at start-up, the way
`contrib.admin` checks a ModelAdmin.
"""

from __future__ import annotations

from typing import NamedTuple

from django.apps import apps
from django.core import checks
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from portal import registry


class MenuItem(NamedTuple):
    """One link of the main menu. Items of all areas are shown in `order`."""

    url_name: str
    label: Promise
    order: int = 100
    description: Promise | None = None  # a second line under the label
    icon: str = ""  # a Bootstrap Icons class, for the account links in the header


class ServiceCard(NamedTuple):
    """An area's card on the home page; it links to the area's first menu item."""

    icon: str  # a Bootstrap Icons class
    title: Promise
    subtitle: Promise
    description: Promise


class DeadlineRule(NamedTuple):
    """One row of "How deadlines work" on the home page: the term and what it is for."""

    term: Promise
    description: Promise


class PublicArea(NamedTuple):
    menu: tuple[MenuItem, ...]
    card: ServiceCard | None = None
    deadlines: tuple[DeadlineRule, ...] = ()
    # A signed-in citizen's own pages in the area ("my tickets"), linked from the header.
    account: tuple[MenuItem, ...] = ()
    # An area with clocks (the app's `clock_area`): the heading of its section of /stats/ and the
    # label of its total on the board. Required then (portal.E105).
    title: Promise | str | None = None
    total_label: Promise | str | None = None


class DeclaredArea(NamedTuple):
    key: str  # the app's `clock_area` ("petition"), else its label: /stats/ sections are keyed by it
    app_label: str
    area: PublicArea


def declared_areas() -> list[DeclaredArea]:
    """The public areas of the installed apps, in the order of the apps' first menu items."""
    found = []
    for app_config in apps.get_app_configs():
        area = getattr(app_config, "public_area", None)
        if isinstance(area, PublicArea):
            key = getattr(app_config, "clock_area", None) or app_config.label
            found.append(DeclaredArea(str(key), app_config.label, area))
    return sorted(found, key=lambda declared: min((item.order for item in declared.area.menu), default=100))


def navigation() -> list[dict]:
    """The main menu: {url, label, description, name, area} per declared menu item, in order."""
    entries = [(item, declared.key) for declared in declared_areas() for item in declared.area.menu]
    return [
        {
            "url": reverse(item.url_name),
            "label": item.label,
            # The menu shows a second line only where it differs from the label.
            "description": item.description if item.description is not None else item.label,
            "name": item.url_name,
            "area": key,
        }
        for item, key in sorted(entries, key=lambda entry: entry[0].order)
    ]


def service_cards() -> list[dict]:
    """The home page's cards: one per declared area with a card, linking to its first menu item."""
    return [
        declared.area.card._asdict() | {"url": reverse(declared.area.menu[0].url_name), "area": declared.key}
        for declared in declared_areas()
        if declared.area.card is not None and declared.area.menu
    ]


def deadline_rules() -> list[DeadlineRule]:
    """The deadline rows of the declared areas, each once, in the areas' order."""
    rules: list[DeadlineRule] = []
    for declared in declared_areas():
        rules.extend(rule for rule in declared.area.deadlines if rule not in rules)
    return rules


def account_links() -> list[dict]:
    """The header's links to a signed-in citizen's own pages: {url, label, icon, name}, in order."""
    items = sorted((item for declared in declared_areas() for item in declared.area.account), key=lambda i: i.order)
    return [{"url": reverse(i.url_name), "label": i.label, "icon": i.icon, "name": i.url_name} for i in items]


def area_keys() -> list[str]:
    return [declared.key for declared in declared_areas()]


def _declared(key: str) -> PublicArea | None:
    return next((declared.area for declared in declared_areas() if declared.key == key), None)


def area_title(key: str) -> str:
    """The heading of the area's section of /stats/ (its `title`; else the area's label)."""
    declared = _declared(key)
    return str(declared.title) if declared and declared.title else registry.area_label(key)


def area_total_label(key: str) -> str:
    """The label of the area's total on the board (its `total_label`; else the area's label)."""
    declared = _declared(key)
    return str(declared.total_label) if declared and declared.total_label else registry.area_label(key)


def check_public_areas(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Each declaration is a PublicArea whose menu links resolve; one app per area key."""
    errors = []
    seen: dict[str, str] = {}
    for app_config in app_configs or apps.get_app_configs():
        area = getattr(app_config, "public_area", None)
        if area is None:
            continue
        where = f"{app_config.name}.apps.{type(app_config).__name__}.public_area"
        if not isinstance(area, PublicArea):
            errors.append(checks.Error(f"{where} must be a portal.areas.PublicArea.", id="portal.E101"))
            continue
        if not area.menu:
            errors.append(checks.Error(f"{where} has no menu item: its entry point.", id="portal.E102"))
        for item in (*area.menu, *area.account):
            try:
                reverse(item.url_name)
            except NoReverseMatch:
                errors.append(
                    checks.Error(f"{where}: the menu's URL name {item.url_name!r} does not resolve.", id="portal.E103")
                )
        if getattr(app_config, "clock_area", None) is not None:
            for attribute, shown in (("title", "its section of /stats/"), ("total_label", "its total on the board")):
                text = getattr(area, attribute)
                if not isinstance(text, (str, Promise)) or not str(text).strip():
                    errors.append(
                        checks.Error(
                            f"{where}.{attribute}: an area with clocks names {shown} (a translatable text).",
                            id="portal.E105",
                        )
                    )
        key = str(getattr(app_config, "clock_area", None) or app_config.label)
        if key in seen:
            errors.append(checks.Error(f"{where}: the area {key!r} is declared by {seen[key]} too.", id="portal.E104"))
        seen[key] = app_config.label
    return errors
