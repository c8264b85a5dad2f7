# -*- coding: utf-8 -*-
"""compliance_audit's action plugin reads the BMC map (vaulted), the packs (builtin name or path) and the waiver
files on the controller and hands their contents to the module; a bad name fails before the module runs."""
from __future__ import annotations

import hashlib

from ansible_collections.osfleet.day2.plugins.action import compliance_audit as compliance_audit_action
from ansible_collections.osfleet.day2.plugins.module_utils._audit import packs as audit_packs
from ansible_collections.osfleet.day2.tests.unit.plugins.action.test_bmc_map_actions import (  # noqa: F401  pylint: disable=unused-import
    BMCS,
    make_action,
    vault_encrypt,
    vaulted_map,
)

WAIVERS = ("waivers:\n  - {rule: BMC-03, target: compute-01, reason: vendor tool, who: alice@example.org, "
           "expires: 2099-01-01}\n")


def test_the_map_packs_and_waivers_reach_the_module_as_their_contents(vaulted_map, tmp_path):
    (tmp_path / "site.yml").write_text("pack: site\n")
    vault_encrypt(tmp_path / "waivers.yml", WAIVERS)  # a vaulted waiver file is decrypted too
    args = {"bmc_map": str(vaulted_map), "packs": ["compute_hosts", str(tmp_path / "site.yml")],
            "waivers": [str(tmp_path / "waivers.yml")], "report_dir": str(tmp_path / "r")}
    action, calls = make_action(compliance_audit_action, "compliance_audit", args, tmp_path)
    result = action.run(task_vars={})
    assert "failed" not in result, result
    (call,) = calls
    sent = call["module_args"]
    assert sent["bmcs"] == BMCS and "bmc_map" not in sent
    shipped = audit_packs.shipped_path("compute_hosts")
    with open(shipped, encoding="utf-8") as fh:
        shipped_text = fh.read()
    assert [s["source"] for s in sent["pack_sources"]] == [shipped, str(tmp_path / "site.yml")]
    assert hashlib.sha256(sent["pack_sources"][0]["text"].encode()).hexdigest() == \
        hashlib.sha256(shipped_text.encode()).hexdigest()
    assert sent["waiver_sources"] == [{"source": str(tmp_path / "waivers.yml"), "text": WAIVERS}]


def test_without_packs_the_two_builtin_packs_are_read(tmp_path):
    action, calls = make_action(compliance_audit_action, "compliance_audit", {"report_dir": str(tmp_path)}, tmp_path)
    action.run(task_vars={})
    (call,) = calls
    assert [s["source"].rsplit("/", 1)[-1] for s in call["module_args"]["pack_sources"]] == [
        "compute_hosts.yml", "unused_capacity.yml"]
    assert "bmcs" not in call["module_args"]


def test_an_unknown_builtin_pack_fails_before_the_module_naming_the_shipped_ones(tmp_path):
    action, calls = make_action(compliance_audit_action, "compliance_audit",
                                {"packs": ["compute_host"], "report_dir": str(tmp_path)}, tmp_path)
    result = action.run(task_vars={})
    assert calls == [] and result["failed"] is True
    assert "compute_host" in result["msg"] and "compute_hosts, unused_capacity" in result["msg"]
    assert result["field"] == "packs"


def test_a_missing_waiver_file_fails_naming_it(tmp_path):
    action, calls = make_action(compliance_audit_action, "compliance_audit",
                                {"waivers": ["/nonexistent/w.yml"], "report_dir": str(tmp_path)}, tmp_path)
    result = action.run(task_vars={})
    assert calls == [] and result["failed"] is True and "/nonexistent/w.yml" in result["msg"]
    assert result["field"] == "waivers"
