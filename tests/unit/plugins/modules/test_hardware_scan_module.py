# -*- coding: utf-8 -*-
from __future__ import annotations

import json

import pytest


from ansible_collections.osfleet.day2.plugins.module_utils._hardware import scan as core
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcAuthError
from ansible_collections.osfleet.day2.plugins.modules import hardware_scan

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.fakes import FakeBmc

BMCS = {
    "compute-01": {"address": "redfish://10.0.0.1", "username": "admin", "password": "pw-one-secret"},
    "compute-03": {"address": "ipmi://10.0.0.3", "username": "admin", "password": "pw-three-secret"},
}


@pytest.fixture
def run(monkeypatch, module_main):
    def opener(address, username, password, **kw):
        if address.startswith("ipmi"):
            raise BmcAuthError("authentication failed for %s" % address, resource=address)
        return FakeBmc()
    real_scan = core.scan
    monkeypatch.setattr(core, "scan", lambda targets, **kw: real_scan(targets, opener=opener, **kw))

    def _run(**args):
        out = module_main(hardware_scan, args)
        text = json.dumps(out)
        assert "pw-one-secret" not in text and "pw-three-secret" not in text
        return out
    return _run


def test_inline_map_results_and_files(run, tmp_path):
    out = run(bmcs=BMCS, json_path=str(tmp_path / "scan.json"), prometheus_path=str(tmp_path / "bmc.prom"))
    assert out["changed"] is False and "failed" not in out
    assert out["results"]["compute-01"]["status"] == "ok"
    assert out["results"]["compute-01"]["address"] == "redfish://10.0.0.1"  # not masked as a secret
    assert out["results"]["compute-03"] == {**out["results"]["compute-03"], "status": "auth_failed",
                                            "error": "authentication failed for ipmi://10.0.0.3"}
    assert out["summary"] == {"total": 2, "ok": 1, "auth_failed": 1}
    saved = json.loads((tmp_path / "scan.json").read_text())
    assert saved["results"]["compute-01"]["state"]["power_state"] == "on"
    prom = (tmp_path / "bmc.prom").read_text()
    assert 'osfleet_bmc_up{host="compute-03",status="auth_failed"} 0' in prom
    assert "pw-one-secret" not in prom + (tmp_path / "scan.json").read_text()


def test_host_filter(run):
    # a map file is read by the action plugin and arrives as bmcs (tests/unit/plugins/action)
    out = run(bmcs=BMCS, hosts=["compute-01"])
    assert list(out["results"]) == ["compute-01"]


def test_unknown_host_fails_naming_the_field(run):
    out = run(bmcs=BMCS, hosts=["compute-09"])
    assert out["failed"] is True and out["field"] == "hosts"


def test_the_module_never_reads_a_map_file_itself(run, tmp_path):
    """yaml.safe_load on the managed host could not read a vault-encrypted map: the action plugin reads it."""
    path = tmp_path / "bmcs.yml"
    path.write_text(json.dumps(BMCS))
    out = run(bmc_map=str(path))
    assert out["failed"] is True and out["field"] == "bmc_map"
    assert "action plugin" in out["msg"]
    assert "results" not in out


def test_files_are_put_in_place_by_atomic_move(run, tmp_path, monkeypatch):
    from ansible.module_utils.basic import AnsibleModule
    moved = []
    real = AnsibleModule.atomic_move

    def spy(self, src, dest, *args, **kwargs):
        moved.append(dest)
        return real(self, src, dest, *args, **kwargs)
    monkeypatch.setattr(AnsibleModule, "atomic_move", spy)
    run(bmcs=BMCS, json_path=str(tmp_path / "scan.json"), prometheus_path=str(tmp_path / "bmc.prom"))
    assert moved == [str(tmp_path / "scan.json"), str(tmp_path / "bmc.prom")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bmc.prom", "scan.json"]


def test_an_unwritable_output_fails_naming_the_option(run, tmp_path):
    out = run(bmcs=BMCS, prometheus_path=str(tmp_path / "no-such-dir" / "bmc.prom"))
    assert out["failed"] is True and out["field"] == "prometheus_path"
