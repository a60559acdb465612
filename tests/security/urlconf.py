"""Every named URL of the project, found by walking the URL conf (included ones and the admin's)."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

ADMIN_MODEL_PAGES = ("changelist", "add", "change", "history", "delete", "simple_history")


@dataclass(frozen=True)
class NamedURL:
    name: str  # with namespaces: "admin:index", "petitions:detail"
    route: str  # the concatenated pattern, for messages
    has_params: bool
    # The app it belongs to: the one whose URL conf includes it, or whose model's admin adds it.
    app: str | None = None


def _app_of_urlconf(resolver: URLResolver, default: str | None) -> str | None:
    module = getattr(resolver.urlconf_module, "__name__", None)  # admin.site.urls is a tuple
    config = apps.get_containing_app_config(module) if module else None
    return config.label if config else default


def _app_of_admin_url(name: str) -> str | None:
    """`admin:petitions_petition_act` belongs to petitions; the admin site's own pages to none."""
    for model in admin.site._registry:
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model._meta.app_label
    return None


def named_urls(urlconf=None) -> dict[str, NamedURL]:
    found: dict[str, NamedURL] = {}

    def walk(resolver: URLResolver, namespaces: tuple[str, ...], route: str, groups: int, app: str | None) -> None:
        for pattern in resolver.url_patterns:
            here = route + str(pattern.pattern)
            depth = groups + pattern.pattern.regex.groups
            if isinstance(pattern, URLResolver):
                spaces = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                walk(pattern, spaces, here, depth, _app_of_urlconf(pattern, app))
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = ":".join((*namespaces, pattern.name))
                owner = _app_of_admin_url(name) if name.startswith("admin:") else app
                found.setdefault(name, NamedURL(name, here, depth > 0, owner))

    root = get_resolver(urlconf)
    walk(root, (), "/", 0, _app_of_urlconf(root, None))
    return found


def admin_model_label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def admin_models() -> dict[str, tuple[type, admin.ModelAdmin]]:
    """Every model registered on the project's admin site, by "app_label.model_name"."""
    return {admin_model_label(model): (model, model_admin) for model, model_admin in admin.site._registry.items()}


def admin_page_name(label: str, page: str) -> str:
    app_label, model_name = label.split(".")
    return f"admin:{app_label}_{model_name}_{page}"


def public_parameterless_paths() -> list[str]:
    """Paths of every named URL without parameters outside the admin, for crawlers."""
    from django.urls import reverse

    paths = []
    for url in named_urls().values():
        if url.has_params or url.name.startswith("admin:"):
            continue
        paths.append(reverse(url.name))
    return sorted(set(paths))
