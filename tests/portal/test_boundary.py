"""portal/ imports no domain app: a domain app plugs in by declaration (portal.registry) alone."""

import ast
import re
from pathlib import Path

PORTAL = Path(__file__).resolve().parents[2] / "portal"
DOMAIN_APPS = ("petitions", "suggestions", "disclosure")
DOMAIN = re.compile(rf"^({'|'.join(DOMAIN_APPS)})(\.|$)")
DYNAMIC_IMPORTS = {"import_module", "import_string", "__import__", "include", "symbol_by_name"}


def domain_imports(source: str) -> list[str]:
    """The domain modules a source imports: import statements anywhere (module level, functions,
    TYPE_CHECKING blocks) and literal paths given to import_module, import_string or include."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names if DOMAIN.match(alias.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and DOMAIN.match(node.module or ""):
            found.append(node.module)
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in DYNAMIC_IMPORTS:
                found += [
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and DOMAIN.match(arg.value)
                ]
    return found


def test_portal_imports_no_domain_app_anywhere():
    files = sorted(PORTAL.rglob("*.py"))
    assert PORTAL / "templatetags" in {path.parent for path in files}
    assert PORTAL / "management" / "commands" in {path.parent for path in files}
    offending = {
        str(path.relative_to(PORTAL.parent)): imports for path in files if (imports := domain_imports(path.read_text()))
    }
    assert offending == {}


def test_settings_name_domain_apps_only_in_installed_apps():
    tree = ast.parse((PORTAL / "settings.py").read_text())
    installed = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "INSTALLED_APPS" for t in node.targets)
    )
    allowed = {id(node) for node in ast.walk(installed)}
    strings = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in allowed
    ]
    assert [s for s in strings if DOMAIN.match(s)] == []


def test_the_scan_finds_each_way_of_importing_a_domain_app():
    source = """
import petitions
import suggestions.models as models
from disclosure import services
def later():
    from petitions.models import Petition
    import_module("petitions.tasks")
    path("x/", include("petitions.urls"))
from portal import registry
from . import petitions_like
"""
    assert domain_imports(source) == [
        "petitions", "suggestions.models", "disclosure", "petitions.models", "petitions.tasks", "petitions.urls",
    ]  # fmt: skip
