"""Every package of the core, and every installed plugin, imports first in a fresh interpreter.

In one test process the packages are already imported in some order, so an
import cycle that only bites when, say, the command line imports the payments
ledger before the web shell goes unseen; `bangyaer demo` then fails at start.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from importlib import metadata

import bangyaer
import pytest
from bangyaer._host import ENTRY_POINT_GROUP

PACKAGES = sorted(
    f"bangyaer.{info.name}" for info in pkgutil.iter_modules(bangyaer.__path__)
    if info.ispkg or not info.name.startswith("_"))
# The installed plugins' modules, as the host finds them through their entry points.
PLUGINS = sorted({ep.value.split(":")[0]
                  for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)})


def test_the_core_has_packages_to_check():
    assert {"bangyaer.cli", "bangyaer.payments", "bangyaer.web"} <= set(PACKAGES)


@pytest.mark.parametrize("module", PACKAGES + PLUGINS)
def test_a_core_package_imports_before_any_other(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"],
                          capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
