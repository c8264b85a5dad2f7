# -*- coding: utf-8 -*-
"""One source of the version: galaxy.yml. The constant the modules carry (they run where galaxy.yml is not) must
say the same, and nothing may claim to be added in a version later than the one being built - antsibull-changelog
announces a plugin or role in the release its version_added names, so a later one is missing from the changelog."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest
import yaml

from ansible.utils.version import SemanticVersion

from ansible_collections.osfleet.day2.plugins.module_utils._common import version

ROOT = Path(version.__file__).resolve().parents[3]  # plugins/module_utils/_common/version.py -> the collection
DOC_STRINGS = ("DOCUMENTATION", "RETURN")


def galaxy_version() -> str:
    return yaml.safe_load((ROOT / "galaxy.yml").read_text())["version"]


def plugin_files() -> List[Path]:
    """Every plugin's Python file (modules, inventory, doc fragments, and any plugin type added later).

    Not module_utils and plugin_utils (shared code, no plugins), nor an action plugin that runs a module
    of its own name (the module carries the documentation)."""
    def documented_elsewhere(p: Path) -> bool:
        return p.parent.name == "action" and (ROOT / "plugins" / "modules" / p.name).exists()

    return sorted(p for p in (ROOT / "plugins").rglob("*.py")
                  if "module_utils" not in p.parts and "plugin_utils" not in p.parts and p.name != "__init__.py"
                  and not documented_elsewhere(p))


def doc_strings(path: Path) -> Iterator[Tuple[str, Any]]:
    """(name, parsed YAML) of each DOCUMENTATION / RETURN string of a plugin, read without importing it."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) \
                and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id in DOC_STRINGS:
                    yield target.id, yaml.safe_load(node.value.value)


def role_specs() -> List[Path]:
    return sorted((ROOT / "roles").glob("*/meta/argument_specs.yml"))


def versions_added(data: Any, where: str) -> Iterator[Tuple[str, str]]:
    """(where, version) of every version_added at any depth: the plugin's own, its options', its return values'."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "version_added":
                yield where, str(value)
            else:
                yield from versions_added(value, "%s.%s" % (where, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from versions_added(item, "%s[%d]" % (where, i))


def every_version_added() -> List[Tuple[str, str]]:
    found = []
    for path in plugin_files():
        for name, doc in doc_strings(path):
            found += versions_added(doc, "%s:%s" % (path.relative_to(ROOT), name))
    for path in role_specs():
        found += versions_added(yaml.safe_load(path.read_text()), str(path.relative_to(ROOT)))
    return found


def test_the_constant_is_galaxy_yml_version():
    assert version.COLLECTION_VERSION == galaxy_version(), \
        "galaxy.yml says %s, plugins/module_utils/_common/version.py says %s: bump both" % (
            galaxy_version(), version.COLLECTION_VERSION)


def test_galaxy_version_is_semantic():
    SemanticVersion(galaxy_version())  # raises on anything Galaxy would refuse


def test_the_files_are_found():
    """A moved plugin or role directory must not make the checks below pass on nothing."""
    assert any(p.parent.name == "modules" for p in plugin_files())
    assert any(p.parent.name == "inventory" for p in plugin_files())
    assert len(role_specs()) >= 2
    assert len(every_version_added()) >= len([p for p in plugin_files() if p.parent.name == "modules"])


def test_nothing_is_added_after_the_version_being_built():
    current = SemanticVersion(galaxy_version())
    later = [(where, v) for where, v in every_version_added() if SemanticVersion(v) > current]
    assert not later, "version_added later than galaxy.yml's %s: %s" % (galaxy_version(), later)


@pytest.mark.parametrize("path", [p for p in plugin_files() if p.parent.name != "doc_fragments"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_every_plugin_says_when_it_was_added(path):
    """antsibull-changelog lists a new plugin under the release of its version_added; without one it is never listed."""
    [doc] = [doc for name, doc in doc_strings(path) if name == "DOCUMENTATION"]
    assert "version_added" in doc, "%s has no version_added" % path.relative_to(ROOT)


@pytest.mark.parametrize("path", role_specs(), ids=lambda p: p.parts[-3])
def test_every_role_says_when_it_was_added(path):
    """antsibull-changelog reads a role's version_added from its main entry point."""
    entry_points = yaml.safe_load(path.read_text())["argument_specs"]
    assert "version_added" in entry_points["main"], "%s: the main entry point has no version_added" % path.relative_to(ROOT)


@pytest.mark.parametrize("version_added, bad", [("0.1.0", False), ("0.2.0", True), ("1.0.0", True)])
def test_a_later_version_added_is_caught(version_added, bad):
    """The check itself: the defect this test exists for (modules said 0.2.0, galaxy.yml 0.1.0)."""
    doc = {"module": "x", "version_added": "0.1.0", "options": {"o": {"version_added": version_added}}}
    later = [found for found in versions_added(doc, "x") if SemanticVersion(found[1]) > SemanticVersion("0.1.0")]
    assert bool(later) is bad
