# -*- coding: utf-8 -*-
"""The rules of docs/architecture.md, checked: which package may import which, and who talks to OpenStack.

A rule written only in a document is a rule nobody keeps; this test reads
every import of plugins/module_utils and fails naming the file and the import
that breaks one.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]
MU = ROOT / "plugins" / "module_utils"
PREFIX = "ansible_collections.osfleet.day2.plugins."

#: package -> the packages it may import (itself and _common always)
ALLOWED = {
    "_common": set(),
    "_openstack": set(),
    "_hardware.redfish": {"_hardware.interface"},
    "_hardware.ipmi": {"_hardware.interface"},
    "_hardware": {"_openstack", "_hardware.redfish", "_hardware.ipmi"},
    "_fleet": {"_openstack", "_hardware"},
    "_hosts": {"_openstack"},
    "_maintenance": {"_openstack", "_hosts"},
    "_quarantine": {"_openstack"},
    "_audit": set(),
    # remediation strings the capabilities together: the audit confirms and verifies, hosts and maintenance take
    # the host out and drain it, hardware powers it, fleet counts what the guards count
    "_remediation": {"_openstack", "_hosts", "_maintenance", "_hardware", "_audit", "_fleet"},
    # the exporter reads the fleet snapshot and the hardware scan, and connects (it is its own process); triage
    # matches runbooks
    "_alerts": {"_openstack", "_fleet", "_hardware", "_remediation"},
    # sites reads each cloud's control plane through the access layer, and nothing else
    "_sites": {"_openstack"},
    # patching keeps its run, lock and baselines in the cloud through the access layer (passed in) and reads the
    # remediation records to leave held hosts out; the drains and holds themselves are the playbook's (the
    # maintenance_window and remediation modules)
    "_patching": {"_openstack", "_remediation", "_fleet"},
}
#: files with a wider allowance than their package: the module base is the modules' glue, it merges the
#: cloud options and connects
ALLOWED_FILES = {"_common/module_base.py": {"_openstack"},
                 # the audit's gatherer reads through the capabilities that gather (docs/architecture.md)
                 "_audit/gather.py": {"_fleet", "_hardware", "_maintenance", "_quarantine"},
                 "_audit/bmc_settings.py": {"_hardware", "_hardware.redfish"},
                 # the control-plane metrics are written by the one exposition writer, not a second one
                 "_sites/metrics.py": {"_alerts"}}
#: what the Redfish and IPMI backends (adapters) may use of _hardware: the interface, not the core
INTERFACE = {"bmc", "address", "errors", "deadline", "state", "library_versions"}
#: SDK proxies and raw service adapters of an openstacksdk connection
PROXY = re.compile(r"\b(?:conn|connection|self\.conn|self\._conn)\.(compute|network|image|block_storage|identity|"
                   r"placement|baremetal|volume)\b")


def package_of(path: Path) -> str:
    parts = path.relative_to(MU).with_suffix("").parts
    if parts[0] == "_hardware" and len(parts) > 2 and parts[1] in ("redfish", "ipmi"):
        return "_hardware." + parts[1]
    return parts[0]


def imported(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PREFIX):
            names = [node.module + "." + a.name for a in node.names]
            yield node.lineno, node.module[len(PREFIX):], names


def target_of(module: str, names):
    """The package an import reaches: ``module_utils._hardware.redfish.client`` -> ``_hardware.redfish``."""
    if not module.startswith("module_utils"):
        return module.split(".")[0], None
    parts = module.split(".")[1:]
    if not parts:  # from ...module_utils import _hosts
        parts = [names[0].rsplit(".", 1)[-1]]
    if parts[0] == "_hardware":
        rest = parts[1:] or [names[0].rsplit(".", 1)[-1]]
        if rest[0] in ("redfish", "ipmi"):
            return "_hardware." + rest[0], None
        return "_hardware", rest[0]
    return parts[0], None


CORE_FILES = sorted(p for p in MU.rglob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(MU)))
def test_module_utils_imports_keep_the_layering(path):
    package = package_of(path)
    for line, module, names in imported(path):
        target, submodule = target_of(module, names)
        where = "%s:%d imports %s" % (path.relative_to(ROOT), line, module)
        assert target not in ("modules", "inventory", "action", "filter", "plugin_utils"), \
            "%s: the core never imports a plugin" % where
        if target in ("_common", package):
            continue
        allowed = ALLOWED[package] | ALLOWED_FILES.get(str(path.relative_to(MU)), set())
        if package == "_sites" and target == "_alerts":
            assert module.endswith("._alerts.exposition"), "%s: sites uses only the exposition writer of _alerts" % where
        if target == "_hardware" and "_hardware.interface" in allowed:
            assert submodule in INTERFACE, "%s: a BMC backend uses only the interface (%s)" % (
                where, ", ".join(sorted(INTERFACE)))
            continue
        assert target in allowed, "%s: %s may import only %s" % (where, package, ", ".join(sorted(allowed)) or
                                                                 "_common")


PLUGIN_FILES = sorted(p for sub in ("modules", "inventory", "action", "filter")
                      for p in (ROOT / "plugins" / sub).glob("*.py"))


@pytest.mark.parametrize("path", PLUGIN_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_plugin_talks_to_an_sdk_proxy(path):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        assert not PROXY.search(line), "%s:%d: %s - go through the core and its OpenStack access layer" % (
            path.relative_to(ROOT), number, line.strip())
