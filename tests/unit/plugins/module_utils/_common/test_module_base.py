# -*- coding: utf-8 -*-
"""The module base: one way to fail, and a failure still says which audit entries the run wrote."""
from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.osfleet.day2.plugins.module_utils._common import module_base
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import DependencyError, ValidationError


class Sample(module_base.Day2Module):
    uses_cloud = False
    argument_spec = dict(how=dict(type="str", required=True))

    def execute(self):
        self.record("sample.change", "thing-1", {"a": 1}, {"a": 2})
        if self.params["how"] == "fail":
            self.fail("the thing did not settle", thing="thing-1")
        if self.params["how"] == "raise":
            raise ValidationError("how is wrong", field="how")
        return dict(changed=True)


def run(capsys, **args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            Sample().run()
    return json.loads(capsys.readouterr().out)


def test_fail_returns_the_result_and_the_audit_entries_written_before(capsys, tmp_path):
    out = run(capsys, how="fail", audit_log=str(tmp_path / "a.jsonl"))
    assert out["failed"] is True and out["msg"] == "the thing did not settle"
    assert out["thing"] == "thing-1"
    assert out["audit"]["entries"] == 1 and out["audit"]["seq"] == 1


def test_a_core_error_fails_naming_its_field_with_the_audit_entries(capsys, tmp_path):
    out = run(capsys, how="raise", audit_log=str(tmp_path / "a.jsonl"))
    assert out["failed"] is True and out["field"] == "how" and out["error_type"] == "ValidationError"
    assert out["audit"]["entries"] == 1


def test_success(capsys, tmp_path):
    out = run(capsys, how="ok", audit_log=str(tmp_path / "a.jsonl"))
    assert out["changed"] is True and "failed" not in out


def test_missing_openstacksdk_is_a_dependency_error(monkeypatch):
    monkeypatch.setattr(module_base, "HAS_OPENSTACKSDK", False)
    module = Sample.__new__(Sample)
    module._conn = None
    with pytest.raises(DependencyError) as err:
        module.conn  # pylint: disable=pointless-statement
    assert "openstacksdk" in err.value.message


class WithBmcs(module_base.Day2Module):
    """A module with the cloud options (auth: no_log) and an inline BMC map (no_log as a whole)."""
    changes_state = False
    argument_spec = dict(bmcs=dict(type="dict", no_log=True), bmc_map=dict(type="path"))

    def execute(self):
        bmcs = self.inline_bmc_map("osfleet.day2.sample")
        return dict(changed=False, hosts=sorted(bmcs or {}),
                    addresses=[b["address"] for b in (bmcs or {}).values()],
                    echo=self.params["auth"]["password"] if self.params.get("auth") else None,
                    bmc_password=[b["password"] for b in (bmcs or {}).values()])


def run_with_bmcs(capsys, **args):
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            WithBmcs().run()
    return json.loads(capsys.readouterr().out)


def test_an_inline_bmc_map_masks_its_passwords_only_and_the_cloud_secret_stays_masked(capsys):
    bmcs = {"compute-01": {"address": "redfish://10.0.0.1", "username": "admin", "password": "bmc-secret-1"}}
    auth = {"auth_url": "http://keystone.test/v3", "username": "admin", "password": "cloud-secret-9"}
    out = run_with_bmcs(capsys, bmcs=bmcs, auth=auth)
    assert out["hosts"] == ["compute-01"] and out["addresses"] == ["redfish://10.0.0.1"]  # not ********
    assert "bmc-secret-1" not in json.dumps(out) and "cloud-secret-9" not in json.dumps(out), out


def test_a_bmc_map_path_without_its_action_plugin_names_the_plugin(capsys):
    out = run_with_bmcs(capsys, bmc_map="/tmp/bmcs.yml")
    assert out["failed"] is True and out["field"] == "bmc_map" and "osfleet.day2.sample" in out["msg"]
