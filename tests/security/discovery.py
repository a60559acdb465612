"""Each domain app's security declarations, found by app label: `tests/<app_label>/security.py`.

For every installed app, the harness imports `tests.<app_label>.security` if there is one (an app
that is not installed, e.g. one only some settings install, is never imported). The portal's own
declarations stay in tests/security/ (access.py, forms.py, privacy.py, test_headers.py,
test_exports.py); a domain app declares everything about itself in its module, importing the
vocabulary from tests/security/declarations.py and the roles from tests/security/world.py. Every
attribute is optional, but the matrix fails, naming the module, on any URL or admin model of the
app that no one declares.

    URLS: dict[str, Access]        what a GET of each of the app's named URLs gives each role (its
                                   public pages and its admin's own URLs beyond the model pages)
    POSTS: dict[str, Access]       what a POST gives each role (a fresh record per role)
    ADMIN_MODELS: dict[str, AdminModel]   every model it registers on the admin ("app.model")
    WORKFLOW_ACTORS: dict[str, WorkflowActors]   per model admin with `workflow_actions`, who may
                                   take each action; everyone else is refused every method
    PUBLIC_FORMS: dict[str, PublicForm]   forms a visitor or a citizen posts (hostile input, CSRF)
    SHARED_WITH_ANONYMOUS: set[str]   pages cached for every anonymous visitor (portal.pagecache):
                                   the only 200s allowed not to be `private, no-store`
    EXPLICITLY_PUBLIC: set[str]    responses that say `Cache-Control: public` on purpose, the same
                                   for everyone, signed in or not (a published campaign's banner)
    EXPORTS: dict[str, list[(kwargs, query, fmt)]]   its CSV/XLSX exports, fed hostile names
    PRIVACY_SEEDERS: list[(World) -> list[str]]   each creates records holding personal data
                                   (privacy.py has the shapes: names, mobiles full-width and
                                   spaced, ID numbers, e-mails) and returns the secrets no public
                                   page may show
    def seed_world(world) -> dict  the records its declarations share (a category, a tracked
                                   item and its code), kept as `world.extras[<app_label>]`
    def public_pages(world) -> list[str]   pages for the privacy crawler to start from besides
                                   the home page and every parameterless URL (called after seeding)
    def running_clock(world) -> Clock   a running clock on a new record of `world.department`
                                   (the board's urge); the first installed app declaring it serves
    def seed_hostile_names(*, departments, received_at) -> None   for EXPORTS: a record named
                                   after each (name, department) pair, received at `received_at`
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from types import ModuleType

from django.apps import apps
from django.conf import settings

CENTRAL = "tests/security/access.py"

# What a module may define, and the type each must have.
ATTRIBUTES: dict[str, type | tuple[type, ...]] = {
    "URLS": dict,
    "POSTS": dict,
    "ADMIN_MODELS": dict,
    "WORKFLOW_ACTORS": dict,
    "PUBLIC_FORMS": dict,
    "SHARED_WITH_ANONYMOUS": (set, frozenset),
    "EXPLICITLY_PUBLIC": (set, frozenset),
    "EXPORTS": dict,
    "PRIVACY_SEEDERS": (list, tuple),
}
HOOKS = ("seed_world", "public_pages", "running_clock", "seed_hostile_names")


def module_name(label: str) -> str:
    return f"tests.{label}.security"


def module_path(label: str | None) -> str:
    """Where `label`'s declarations live; the portal's (and Django's, and packages') are central."""
    return f"tests/{label}/security.py" if label else CENTRAL


@cache
def app_modules() -> dict[str, ModuleType]:
    """The security module of every installed app that has one, by label, in INSTALLED_APPS order."""
    return find_app_modules(apps.get_app_configs())


def find_app_modules(app_configs) -> dict[str, ModuleType]:
    """The security modules of `app_configs` (only theirs: an app not installed is never imported)."""
    found = {}
    for config in app_configs:
        name = module_name(config.label)
        try:
            found[config.label] = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name not in (name, f"tests.{config.label}"):
                raise  # the module exists but imports something missing: say so
    return found


def declared(attribute: str, central: dict | None = None) -> dict:
    """`central` and every app's `attribute` merged; a key declared twice is an error."""
    merged = dict(central or {})
    where = dict.fromkeys(merged, CENTRAL)
    for label, module in app_modules().items():
        for key, value in getattr(module, attribute, {}).items():
            assert key not in merged, f"{key!r} is declared in both {where[key]} and {module_path(label)}"
            merged[key] = value
            where[key] = module_path(label)
    return merged


def declared_by_app(attribute: str) -> list[tuple[str, object]]:
    """(label, value) of every app module defining `attribute` (a list, a set or a hook)."""
    modules = app_modules().items()
    return [(label, getattr(module, attribute)) for label, module in modules if hasattr(module, attribute)]


def domain_app(label: str | None) -> str | None:
    """`label` if it is a domain app of this project (its declarations beside its tests), else None
    (the portal, Django's apps and installed packages: declared centrally)."""
    if not label or label == "portal":
        return None
    path = Path(apps.get_app_config(label).path).resolve()
    base = Path(settings.BASE_DIR).resolve()
    return label if path.is_relative_to(base) and "site-packages" not in path.parts else None
