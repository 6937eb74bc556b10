"""The rules of docs/architecture.md that code can check: who imports whom, no imports
inside functions to get round a cycle, and every feature wired through feature.py."""

import ast
import importlib
import subprocess
import sys
from pathlib import Path
from types import FunctionType

import pytest

from portal import app as composition_root
from portal.kernel.permissions import registered_actions

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "content", "workflows", "search")
ALLOWED = {
    "kernel": {"kernel"},
    "content": {"kernel", "content"},
    "search": {"kernel", "content", "search"},
    "workflows": {"kernel", "content", "workflows"},
    "portal features": {"kernel", "content", "workflows", "search", "portal features"},
}
# The composition root and the command line assemble the application from everything.
ROOT_MODULES = {"portal", "portal.app", "portal.cli"}


def layer(module: str) -> str:
    if module.startswith("portal.kernel"):
        return "kernel"
    if module in ROOT_MODULES:
        return "root"
    if module.startswith("portal."):
        return "portal features"
    return module.split(".")[0]


def modules() -> dict[str, ast.Module]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = ast.parse(path.read_text())
    return found


def imports(tree: ast.AST):
    """(node, imported module) for every import in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            targets = [node.module]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            yield node, target


def project_imports(tree: ast.AST):
    """(node, imported module) for every import of one of the project's packages."""
    for node, target in imports(tree):
        if target.split(".")[0] in PACKAGES:
            yield node, target


MODULES = modules()


def test_every_package_imports_only_what_its_layer_allows():
    wrong = sorted(
        f"{name} imports {target}"
        for name, tree in MODULES.items()
        if layer(name) != "root"
        for _node, target in project_imports(tree)
        if layer(target) not in ALLOWED[layer(name)]
    )

    assert wrong == []


def test_no_module_imports_the_project_inside_a_function():
    late = []
    for name, tree in MODULES.items():
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for _node, target in project_imports(function):
                late.append(f"{name}.{function.name} imports {target}")

    # portal.create_app loads the composition root, which imports every feature.
    assert sorted(set(late)) == ["portal.create_app imports portal.app"]


def feature_packages() -> list[str]:
    return sorted(name.removesuffix(".feature") for name in MODULES if name.endswith(".feature"))


def test_every_feature_is_wired_into_the_application():
    wired = sorted(
        feature.__name__.removesuffix(".feature") for feature in composition_root.FEATURES
    )

    assert wired == feature_packages()


@pytest.mark.parametrize("package", feature_packages())
def test_a_feature_package_holds_only_its_docstring(package):
    body = MODULES[package].body

    assert len(body) == 1, package
    assert isinstance(body[0].value, ast.Constant), package


def test_no_test_file_imports_a_test_module_or_a_conftest():
    """Shared helpers live in tests/factories.py and tests/<area>/helpers.py, shared fixtures
    in conftest files, which pytest loads itself: a helper hidden in a test module or a
    conftest ties every test that imports it to another file's internals."""
    offenders = []
    for path in (ROOT / "tests").rglob("*.py"):
        for _node, module in imports(ast.parse(path.read_text())):
            last = module.split(".")[-1]
            if module.startswith("tests") and (last == "conftest" or last.startswith("test_")):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def _marked_functions(attribute: str):
    """(module, function) for every product function carrying ``attribute``."""
    for name in MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            marked = isinstance(value, FunctionType) and attribute in value.__dict__
            if marked and value.__module__ == name:
                yield name, value


def test_every_marked_rule_is_installed_by_its_feature(app):
    installed = set(registered_actions())
    assert len(list(_marked_functions("tandem_rules"))) > 50
    missing = [
        (module, function.__name__, key)
        for module, function in _marked_functions("tandem_rules")
        for key in function.tandem_rules
        if key not in installed
    ]

    assert missing == []


def test_every_marked_template_helper_is_installed_by_its_feature(app):
    env = app.jinja_env
    missing = [
        (module, function.__name__)
        for module, function in _marked_functions("tandem_template_global")
        if env.globals.get(function.tandem_template_global) is not function
    ] + [
        (module, function.__name__)
        for module, function in _marked_functions("tandem_template_filter")
        if env.filters.get(function.tandem_template_filter) is not function
    ]

    assert missing == []


IMPORT_EVERYTHING = """
import importlib, sys
from sqlalchemy import event
from sqlalchemy.orm import Session
for name in sys.argv[1:]:
    importlib.import_module(name)
from content.library import services as library
from content.usage import signals
from portal.kernel import permissions
from portal.reports import registry
from search import outbox
from workflows.review import collaborators
from workflows.review.machine import ASSET
found = {
    "rules": len(permissions.registered_actions()),
    "reports": len(registry.REPORTS),
    "on_revise": len(library._revised),
    "signal subscribers": len(signals._subscribers),
    "invite hooks": len(collaborators._invited_callbacks),
    "asset effects": len(ASSET.effects),
    "session listeners": sum(
        event.contains(Session, name, listener) for name, listener in outbox._LISTENERS
    ),
}
print(found)
assert not any(found.values()), found
"""


def test_importing_every_module_registers_nothing():
    """Registration happens in each feature's register(app), never on import."""
    names = sorted(name for name in MODULES if name != "portal.app")
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING, *names],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
