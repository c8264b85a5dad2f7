# -*- coding: utf-8 -*-
"""The action plugins of hardware_scan and fleet_info read ``bmc_map`` on the controller, through
Ansible's loader with the vault secrets, so a vault-encrypted map works and its passwords go
only where they must (hardware_scan's no_log ``bmcs``; nowhere for fleet_info).

The plugins run here with Ansible's real DataLoader and vault; only the module call
(``_execute_module``) is replaced. test_bmc_map_playbook.py runs them through ansible-playbook."""
from __future__ import annotations

import json
import types

import pytest

from ansible.parsing.dataloader import DataLoader
from ansible.parsing.vault import VaultLib, VaultSecret

from ansible_collections.osfleet.day2.plugins.action import fleet_info as fleet_info_action
from ansible_collections.osfleet.day2.plugins.action import hardware_scan as hardware_scan_action
from ansible_collections.osfleet.day2.plugins.plugin_utils.bmc_map import plain

VAULT_PASSWORD = b"correct horse battery staple"
BMCS = {
    "compute-01": {"address": "redfish+http://10.0.0.1/redfish/v1/Systems/1", "username": "bmc-operator",
                   "password": "pw-one-secret"},
    "compute-03": {"address": "ipmi://10.0.0.3", "username": "bmc-operator", "password": "pw-three-secret",
                   "verify": False},
}
SECRETS = ("pw-one-secret", "pw-three-secret")


def vault_encrypt(path, text):
    vault = VaultLib([("default", VaultSecret(VAULT_PASSWORD))])
    path.write_bytes(vault.encrypt(text.encode()))
    assert path.read_bytes().startswith(b"$ANSIBLE_VAULT;")


@pytest.fixture
def vaulted_map(tmp_path):
    path = tmp_path / "bmcs.yml"
    vault_encrypt(path, json.dumps(BMCS))  # JSON is YAML
    return path


class Task:
    def __init__(self, action, args, search_path, async_val=0):
        self.action = action
        self.args = args
        self.async_val = async_val
        self.check_mode = False
        self._search_path = search_path

    def get_search_path(self):
        return [self._search_path]


def make_action(module, action_name, args, basedir, module_result=None, async_val=0, vault=True):
    """(action plugin, the module calls it made): the module answers ``module_result``."""
    loader = DataLoader()
    loader.set_basedir(str(basedir))
    if vault:
        loader.set_vault_secrets([("default", VaultSecret(VAULT_PASSWORD))])
    connection = types.SimpleNamespace(_shell=types.SimpleNamespace(tmpdir=None), has_native_async=False)
    action = module.ActionModule(Task("osfleet.day2." + action_name, args, str(basedir), async_val), connection,
                                 play_context=None, loader=loader, templar=None, shared_loader_obj=None)
    calls = []

    def execute(module_args=None, task_vars=None, wrap_async=False, **kwargs):
        calls.append({"module_args": json.loads(json.dumps(module_args)), "wrap_async": wrap_async})
        return json.loads(json.dumps(module_result if module_result is not None else {"changed": False}))
    action._execute_module = execute
    return action, calls


# -- hardware_scan ----------------------------------------------------------------------------------------

def test_scan_reads_a_vault_encrypted_map_on_the_controller(vaulted_map, tmp_path):
    action, calls = make_action(hardware_scan_action, "hardware_scan",
                                {"bmc_map": str(vaulted_map), "hosts": ["compute-01"]}, tmp_path)
    result = action.run(task_vars={})
    assert "failed" not in result
    (call,) = calls
    # the module gets the decrypted map as bmcs (no_log there) and never the path
    assert call["module_args"] == {"bmcs": BMCS, "hosts": ["compute-01"]}


def test_scan_finds_a_relative_map_like_a_copy_src(tmp_path):
    (tmp_path / "files").mkdir()
    vault_encrypt(tmp_path / "files" / "bmcs.yml", json.dumps(BMCS))
    action, calls = make_action(hardware_scan_action, "hardware_scan", {"bmc_map": "bmcs.yml"}, tmp_path)
    assert "failed" not in action.run(task_vars={})
    assert calls[0]["module_args"]["bmcs"] == BMCS


def test_scan_passes_inline_bmcs_through(tmp_path):
    action, calls = make_action(hardware_scan_action, "hardware_scan", {"bmcs": BMCS, "workers": 4}, tmp_path)
    action.run(task_vars={})
    assert calls[0]["module_args"] == {"bmcs": BMCS, "workers": 4}


@pytest.mark.parametrize("content, vault, field, says", [
    (None, True, "bmc_map", "cannot read bmc_map"),                  # no such file
    ("{}", True, "bmc_map", "lists no BMCs"),
    ("[1, 2]", True, "bmc_map", "a BMC map is a mapping"),
    (json.dumps({"h": {"address": "ftp://x"}}), True, "address", "entry 'h', address"),
    (json.dumps(BMCS), False, "bmc_map", "cannot read bmc_map"),    # no vault secret
])
def test_scan_a_bad_map_fails_before_the_module_naming_the_field(tmp_path, content, vault, field, says):
    path = tmp_path / "bmcs.yml"
    if content is not None:
        vault_encrypt(path, content)
    action, calls = make_action(hardware_scan_action, "hardware_scan", {"bmc_map": str(path)}, tmp_path,
                                vault=vault)
    result = action.run(task_vars={})
    assert result["failed"] is True and result["field"] == field, result
    assert says in result["msg"]
    assert result["error_type"] == "ValidationError"
    assert calls == []


@pytest.mark.parametrize("action_module, name", [(hardware_scan_action, "hardware_scan"),
                                                 (fleet_info_action, "fleet_info")])
def test_an_empty_bmc_map_is_no_map(tmp_path, action_module, name):
    action, calls = make_action(action_module, name, {"bmc_map": "", "workers": 2}, tmp_path, module_result=snapshot())
    action.run(task_vars={})
    assert calls[0]["module_args"] == {"workers": 2}


def test_scan_with_map_and_bmcs_leaves_the_verdict_to_the_module(vaulted_map, tmp_path):
    action, calls = make_action(hardware_scan_action, "hardware_scan", {"bmc_map": str(vaulted_map), "bmcs": BMCS},
                                tmp_path)
    action.run(task_vars={})
    assert set(calls[0]["module_args"]) == {"bmc_map", "bmcs"}  # mutually exclusive: the module says so


# -- fleet_info -------------------------------------------------------------------------------------------

IRONIC = {"address": "redfish+https://10.9.0.2/redfish/v1/Systems/1", "type": "redfish", "source": "ironic",
          "credentials_ref": "ironic:lab-admin/RegionOne/node-2"}


def snapshot():
    """What the fleet_info module returns: compute-02's BMC came from Ironic (bmc_source auto)."""
    return {"changed": False, "api_calls": 7, "servers": {},
            "hosts": {"compute-01": {"name": "compute-01", "bmc": None},
                      "compute-02": {"name": "compute-02", "bmc": dict(IRONIC)},
                      "compute-03": {"name": "compute-03",
                                     "bmc": dict(IRONIC, address="ipmi://10.9.0.3:623", type="ipmi")}}}


def test_fleet_info_merges_the_map_first_then_ironic_and_never_credentials(vaulted_map, tmp_path):
    action, calls = make_action(fleet_info_action, "fleet_info", {"cloud": "lab-admin", "bmc_map": str(vaulted_map)},
                                tmp_path, module_result=snapshot())
    result = action.run(task_vars={})
    assert "failed" not in result
    hosts = result["hosts"]
    assert hosts["compute-01"]["bmc"] == {"address": BMCS["compute-01"]["address"], "type": "redfish",
                                          "credentials_ref": "%s#compute-01" % vaulted_map}
    assert hosts["compute-02"]["bmc"] == IRONIC  # the map lacks it: Ironic's entry stays
    assert hosts["compute-03"]["bmc"] == {"address": "ipmi://10.0.0.3", "type": "ipmi", "verify": False,
                                          "credentials_ref": "%s#compute-03" % vaulted_map}  # the map wins
    text = json.dumps(result) + json.dumps(calls)
    assert not any(secret in text for secret in SECRETS)  # not in the result, not even sent to the module
    assert "bmc-operator" not in text
    assert calls[0]["module_args"] == {"cloud": "lab-admin", "bmc_map": str(vaulted_map)}


def test_fleet_info_with_ironic_only_ignores_the_map(tmp_path):
    action, calls = make_action(fleet_info_action, "fleet_info",
                                {"bmc_map": str(tmp_path / "absent.yml"), "bmc_source": "ironic"}, tmp_path,
                                module_result=snapshot())
    result = action.run(task_vars={})
    assert "failed" not in result
    assert result["hosts"] == snapshot()["hosts"]
    assert calls[0]["module_args"]["bmc_source"] == "ironic"


def test_fleet_info_checks_the_map_before_reading_the_cloud(tmp_path):
    path = tmp_path / "bmcs.yml"
    vault_encrypt(path, json.dumps({"compute-01": {"address": "redfish://10.0.0.1", "type": "snmp"}}))
    action, calls = make_action(fleet_info_action, "fleet_info", {"bmc_map": str(path)}, tmp_path,
                                module_result=snapshot())
    result = action.run(task_vars={})
    assert result["failed"] is True and result["field"] == "type"
    assert result["resource"] == "%s#compute-01" % path
    assert calls == []


def test_fleet_info_without_a_map_runs_the_module_as_is(tmp_path):
    action, calls = make_action(fleet_info_action, "fleet_info", {"placement": False}, tmp_path,
                                module_result=snapshot())
    assert action.run(task_vars={})["hosts"] == snapshot()["hosts"]
    assert calls[0]["module_args"] == {"placement": False}


def test_fleet_info_refuses_a_map_with_async(vaulted_map, tmp_path):
    action, calls = make_action(fleet_info_action, "fleet_info", {"bmc_map": str(vaulted_map)}, tmp_path,
                                module_result=snapshot(), async_val=60)
    result = action.run(task_vars={})
    assert result["failed"] is True and result["field"] == "bmc_map" and "async" in result["msg"]
    assert calls == []


def test_a_failed_module_result_is_not_merged_into(vaulted_map, tmp_path):
    action, _calls = make_action(fleet_info_action, "fleet_info", {"bmc_map": str(vaulted_map)}, tmp_path,
                                 module_result={"failed": True, "msg": "HTTP 403"})
    assert action.run(task_vars={}) == {"failed": True, "msg": "HTTP 403"}


def test_plain_makes_loader_values_ordinary():
    class Tagged(str):
        pass

    class Encrypted:
        def __str__(self):
            return "decrypted"
    got = plain({Tagged("h"): {"password": Encrypted(), "port": 623, "verify": False, "list": (Tagged("a"),)}})
    assert got == {"h": {"password": "decrypted", "port": 623, "verify": False, "list": ["a"]}}
    assert list(got)[0].__class__ is str and got["h"]["list"][0].__class__ is str
