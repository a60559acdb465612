"""Every named URL of the project, found by walking the URL conf (included ones and the admin's)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

ADMIN_MODEL_PAGES = ("changelist", "add", "change", "history", "delete", "simple_history")


@dataclass(frozen=True)
class NamedURL:
    name: str  # with namespaces: "admin:index", "petitions:detail"
    route: str  # the concatenated pattern, for messages
    has_params: bool


def named_urls(urlconf=None) -> dict[str, NamedURL]:
    found: dict[str, NamedURL] = {}

    def walk(resolver: URLResolver, namespaces: tuple[str, ...], route: str, groups: int) -> None:
        for pattern in resolver.url_patterns:
            here = route + str(pattern.pattern)
            depth = groups + pattern.pattern.regex.groups
            if isinstance(pattern, URLResolver):
                walk(pattern, namespaces + ((pattern.namespace,) if pattern.namespace else ()), here, depth)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = ":".join((*namespaces, pattern.name))
                found.setdefault(name, NamedURL(name, here, depth > 0))

    walk(get_resolver(urlconf), (), "/", 0)
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
