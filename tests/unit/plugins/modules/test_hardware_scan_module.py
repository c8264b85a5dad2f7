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


def test_map_file_and_host_filter(run, tmp_path):
    path = tmp_path / "bmcs.yml"
    path.write_text(json.dumps(BMCS))  # JSON is YAML
    out = run(bmc_map=str(path), hosts=["compute-01"])
    assert list(out["results"]) == ["compute-01"]


def test_unknown_host_and_missing_map_fail_naming_the_field(run, tmp_path):
    out = run(bmcs=BMCS, hosts=["compute-09"])
    assert out["failed"] is True and out["field"] == "hosts"
    out = run(bmc_map=str(tmp_path / "nope.yml"))
    assert out["failed"] is True and out["field"] == "bmc_map"
