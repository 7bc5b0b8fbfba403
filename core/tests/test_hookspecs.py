"""Every hookspec has a one-line docstring and at least one test named after it."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from bangyaer import hookspecs

TESTS = Path(__file__).resolve().parent

# The hooks of the design, plus job_handlers; a new hook is added here too.
DESIGNED = {
    "plugin_info", "models", "migrations", "routes", "permissions", "nav_items",
    "dashboard_widgets", "activity_types", "notification_channels", "identity_providers",
    "payment_providers", "invoice_providers", "commands", "settings_schema", "demo_data",
    "on_event", "job_handlers",
}


def hook_names() -> list[str]:
    return sorted(name for name, obj in vars(hookspecs).items()
                  if inspect.isfunction(obj) and hasattr(obj, "bangyaer_spec"))


def hook_test_names() -> set[str]:
    names: set[str] = set()
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names.update(node.name for node in ast.walk(tree)
                     if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
                     and node.name.startswith("test_hook_"))
    return names


def named_after(hook: str, names: set[str]) -> list[str]:
    return sorted(n for n in names if n == f"test_hook_{hook}" or
                  n.startswith(f"test_hook_{hook}_"))


def test_hookspecs_are_the_designed_hooks():
    assert set(hook_names()) == DESIGNED


@pytest.mark.parametrize("hook", hook_names())
def test_every_hookspec_has_a_test_of_its_own(hook):
    found = named_after(hook, hook_test_names())
    assert found, (f"hook {hook}() has no test: add test_hook_{hook} or "
                   f"test_hook_{hook}_<behaviour> under core/tests that calls it through "
                   "the host")


@pytest.mark.parametrize("hook", hook_names())
def test_every_hookspec_says_in_one_line_what_to_return(hook):
    doc = inspect.getdoc(getattr(hookspecs, hook)) or ""
    assert "\n" not in doc.strip()
    assert doc.startswith(("Return ", "Add ", "React ")), doc


def test_the_scan_tells_a_hook_from_one_whose_name_it_starts():
    names = {"test_hook_models_are_created", "test_hook_nav", "test_hook_routesx"}
    assert named_after("models", names) == ["test_hook_models_are_created"]
    assert named_after("nav", names) == ["test_hook_nav"]
    assert named_after("routes", names) == []
