"""The harness's own rules: each domain app declares what it has in tests/<app_label>/security.py,
only what is its own, and nothing in tests/security/ names a domain app, so a new app (the
throwaway in tests/throwaway/) is in the matrix by its declarations alone."""

from __future__ import annotations

import ast
import difflib
from pathlib import Path

from django.apps import apps

from tests.security.access import ADMIN_MODELS, POSTS, URLS, WORKFLOW_ACTORS
from tests.security.declarations import Access, AdminModel, PublicForm, WorkflowActors
from tests.security.discovery import (
    ATTRIBUTES,
    CENTRAL,
    HOOKS,
    app_modules,
    domain_app,
    find_app_modules,
    module_path,
)
from tests.security.forms import PUBLIC_FORMS
from tests.security.urlconf import named_urls

SECURITY = Path(__file__).resolve().parent
# The dictionaries' values, by attribute.
VALUES = {
    "URLS": Access,
    "POSTS": Access,
    "ADMIN_MODELS": AdminModel,
    "WORKFLOW_ACTORS": WorkflowActors,
    "PUBLIC_FORMS": PublicForm,
    "EXPORTS": list,
}
# Attributes keyed by URL name, and by model label.
BY_URL_NAME = ("URLS", "POSTS", "PUBLIC_FORMS", "EXPORTS", "SHARED_WITH_ANONYMOUS", "EXPLICITLY_PUBLIC")
BY_MODEL = ("ADMIN_MODELS", "WORKFLOW_ACTORS")
# Files of tests/security/ that still test one app's page by name, and why.
NAMING_AN_APP = {
    "test_headers.py": "a published ticket's attachment is the one response public on purpose",
    "test_rate_limits.py": "the tracking form shares the account pages' limiter",
    "test_declarations.py": "this file: it checks the throwaway app's declarations",
}


def domain_labels() -> list[str]:
    return [label for config in apps.get_app_configs() if (label := domain_app(config.label))]


def test_every_installed_domain_app_with_a_module_is_found_by_its_label():
    modules = app_modules()
    assert {"petitions", "throwaway"} <= set(modules)
    assert all(module.__name__ == f"tests.{label}.security" for label, module in modules.items())
    assert set(modules) <= {config.label for config in apps.get_app_configs()}


def test_an_app_that_is_not_installed_is_never_imported():
    """Discovery goes by INSTALLED_APPS: settings without the throwaway app never look for (or
    import) tests/throwaway/security.py, whose models would refuse to load."""
    without = [config for config in apps.get_app_configs() if config.label != "throwaway"]
    assert "throwaway" not in find_app_modules(without)
    assert "petitions" in find_app_modules(without)


def test_app_modules_declare_known_attributes_of_the_right_types():
    known = [*ATTRIBUTES, *HOOKS]
    problems = []
    for label, module in app_modules().items():
        where = module_path(label)
        for name, kind in ATTRIBUTES.items():
            value = getattr(module, name, None)
            if value is None:
                continue
            if not isinstance(value, kind):
                problems.append(f"{where}: {name} is a {type(value).__name__}, not a {kind}")
            elif name in VALUES:
                wrong = [key for key, item in value.items() if not isinstance(item, VALUES[name])]
                if wrong:
                    problems.append(f"{where}: {name} of {wrong} are not {VALUES[name].__name__}")
        problems += [f"{where}: {name} is not callable" for name in HOOKS if not callable(getattr(module, name, len))]
        for name in vars(module):
            near = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
            if near and name not in known:
                problems.append(f"{where}: {name} is not read by the harness; did you mean {near[0]}?")
    assert not problems, "\n".join(problems)


def test_each_app_declares_only_its_own_urls_and_models():
    names = named_urls()
    wrong = []
    for label, module in app_modules().items():
        where = module_path(label)
        for attribute in BY_URL_NAME:
            for name in getattr(module, attribute, ()):
                if name not in names:
                    wrong.append(f"{where}: {attribute} names {name}, which is not in the URL conf")
                elif names[name].app != label:
                    wrong.append(
                        f"{where}: {attribute} names {name}, a URL of {module_path(domain_app(names[name].app))}"
                    )
        for attribute in BY_MODEL:
            wrong += [
                f"{where}: {attribute} names {key}, a model of another app"
                for key in getattr(module, attribute, {})
                if key.split(".")[0] != label
            ]
    assert not wrong, "\n".join(wrong)


def test_the_central_declarations_hold_no_domain_apps():
    names = named_urls()
    by_apps = {
        key
        for module in app_modules().values()
        for attribute in (*BY_URL_NAME, *BY_MODEL)
        for key in getattr(module, attribute, ())
    }
    central = [
        name
        for name in (*URLS, *POSTS, *PUBLIC_FORMS)
        if name not in by_apps and name in names and domain_app(names[name].app)
    ]
    central += [label for label in ADMIN_MODELS if label not in by_apps and domain_app(label.split(".")[0])]
    assert not central, f"declared in {CENTRAL} but belonging to a domain app: {central}"


def _docstrings(tree: ast.AST) -> set[int]:
    holders = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, holders) and node.body and isinstance(node.body[0], ast.Expr)
    }


def app_names_in(source: str, labels: list[str]) -> list[str]:
    """Where code (imports and strings, not docstrings or comments) names one of the apps: its
    modules, its test modules, its URL names, its model labels, its paths."""
    modules = [apps.get_app_config(label).name for label in labels] + [f"tests.{label}" for label in labels]
    shapes = [form for label in labels for form in (f"{label}:", f"admin:{label}_", f"{label}.", f"/{label}/")]
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        imported = []
        if isinstance(node, ast.Import):
            imported = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported = [node.module or ""]
        found += [name for name in imported if any(name == m or name.startswith(f"{m}.") for m in modules)]
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            found += [node.value for shape in shapes if shape in node.value]
    return found


def test_the_harness_names_no_domain_app():
    """The mechanism and the portal's declarations in tests/security/ import and name no domain
    app: each app's expectations live beside its tests, found by its label."""
    labels = domain_labels()
    assert {"petitions", "throwaway"} <= set(labels)
    offending = {
        path.name: found
        for path in sorted(SECURITY.glob("*.py"))
        if path.name not in NAMING_AN_APP and (found := app_names_in(path.read_text(), labels))
    }
    assert offending == {}


def test_the_scan_finds_an_app_named_in_code_but_not_in_docstrings():
    source = '''"""petitions:detail and tests.petitions in a docstring are fine."""
import petitions.models
from tests.throwaway.services import errand_create
URLS = {"petitions:detail": 1, "admin:throwaway_errand_act": 2}
LABEL = "throwaway.errand"
PATH = "/petitions/"
'''
    assert sorted(app_names_in(source, ["petitions", "throwaway"])) == [
        "/petitions/",
        "admin:throwaway_errand_act",
        "petitions.models",
        "petitions:detail",
        "tests.throwaway.services",
        "throwaway.errand",
    ]


def test_a_new_app_is_in_the_matrix_by_its_declarations_alone():
    """The throwaway app declares its admin, its action page, who may take its actions and its
    personal data in tests/throwaway/security.py only; the matrix runs them all."""
    from tests.security.test_access_matrix import ACTION_CASES, ADMIN, NAMES

    module = app_modules()["throwaway"]
    assert set(module.ADMIN_MODELS) == {"throwaway.errand"} <= set(ADMIN) & set(ADMIN_MODELS)
    assert set(module.URLS) == {"admin:throwaway_errand_act"} <= set(NAMES) & set(URLS)
    assert set(module.WORKFLOW_ACTORS) <= set(WORKFLOW_ACTORS)
    assert {case.id for case in ACTION_CASES} >= {"throwaway.errand-finish", "throwaway.errand-drop"}
    assert module.PRIVACY_SEEDERS


def test_an_undeclared_url_or_model_names_the_module_to_declare_it_in():
    from tests.security.test_access_matrix import undeclared_admin_models, undeclared_urls

    without_act = {name: declared for name, declared in URLS.items() if name != "admin:throwaway_errand_act"}
    assert (
        "admin:throwaway_errand_act (/admin/throwaway/errand/<path:object_id>/act/<str:action>/): "
        "declare it in URLS of tests/throwaway/security.py"
    ) in undeclared_urls(without_act)
    without_stats = {name: declared for name, declared in URLS.items() if name != "stats"}
    assert f"stats (/stats/): declare it in URLS of {CENTRAL}" in undeclared_urls(without_stats)
    without_errand = {label: declared for label, declared in ADMIN_MODELS.items() if label != "throwaway.errand"}
    assert "throwaway.errand: declare it in ADMIN_MODELS of tests/throwaway/security.py" in undeclared_admin_models(
        without_errand
    )
    without_group = {label: declared for label, declared in ADMIN_MODELS.items() if label != "auth.group"}
    assert f"auth.group: declare it in ADMIN_MODELS of {CENTRAL}" in undeclared_admin_models(without_group)
