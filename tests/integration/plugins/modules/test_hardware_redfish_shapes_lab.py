# -*- coding: utf-8 -*-
"""hardware_info and hardware_scan over every Redfish BMC of the lab, whatever shape it has (issue 13).

Written without knowing which lab host serves which shape (the new-resources-only BMC, the multi-chassis
board and enclosure, the 600-entry SEL): each assertion holds for every Redfish BMC, and the shape-specific
ones run where the BMC has that shape.
"""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from ansible_collections.osfleet.day2.tests.integration.plugins.modules.test_hardware_lab import LAB_DIR, bmc_args


@pytest.fixture(scope="module")
def bmcs(lab):  # pylint: disable=unused-argument  # the lab fixture checks the lab is up
    path = LAB_DIR / "bmcs.yml"
    if not path.exists():
        pytest.skip("no %s: the lab's BMCs are not up" % path)
    return yaml.safe_load(path.read_text())


ALL = ["power", "identity", "sensors", "log", "firmware", "boot"]


def redfish_hosts(bmcs):  # pylint: disable=redefined-outer-name
    return sorted(h for h, b in bmcs.items() if b.get("type", "redfish") == "redfish" and "ipmi" not in b["address"])


def test_every_redfish_bmc_reads_whole_with_unique_names_and_newest_first(run_module, bmcs):
    for host in redfish_hosts(bmcs):
        out = run_module("hardware_info", **bmc_args(bmcs, host, gather=ALL))
        assert out["failed"] is False, (host, out.get("msg"))
        hw = out["hardware"]
        assert hw["temperatures"] or hw["fans"] or hw["power_supplies"], host  # sensors found somewhere
        for kind in ("temperatures", "fans", "power_supplies"):
            names = [x["name"] for x in hw[kind]]
            assert len(names) == len(set(names)), (host, kind, names)
            assert all(x["status"] in ("ok", "warning", "critical", "unknown", "absent", "disabled")
                       for x in hw[kind])
        times = [e["time"] for e in hw["log"] if e["time"]]
        assert times == sorted(times, reverse=True), host
        assert all(e["log"] for e in hw["log"]), host
        if len(hw["log"]) >= 600:  # the long SEL: its newest (last listed) entry is Critical
            assert hw["log"][0]["severity"] == "critical", host


def test_log_limit_keeps_the_newest_and_warns(run_module, bmcs):
    for host in redfish_hosts(bmcs):
        out = run_module("hardware_info", **bmc_args(bmcs, host, gather=["log"], log_limit=5))
        assert out["failed"] is False, (host, out.get("msg"))
        full = run_module("hardware_info", **bmc_args(bmcs, host, gather=["log"]))["hardware"]["log"]
        assert out["hardware"]["log"] == full[:5], host
        if len(full) > 5:
            assert any("log_limit=5" in w for w in out["hardware"]["warnings"]), host


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (apt-get install prometheus)")
def test_scan_textfile_passes_promtool(run_module, bmcs, tmp_path):
    hosts = redfish_hosts(bmcs)
    mapping = {h: {k: bmcs[h][k] for k in ("address", "username", "password")} for h in hosts}
    prom = tmp_path / "bmc.prom"
    out = run_module("hardware_scan", bmcs=mapping, gather=["power", "sensors"], timeout=30,
                     prometheus_path=str(prom))
    assert out["failed"] is False, out.get("msg")
    assert all(r["status"] == "ok" for r in out["results"].values()), json.dumps(out["results"])[:2000]
    series = [line.rsplit(" ", 1)[0] for line in prom.read_text().splitlines() if not line.startswith("#")]
    assert len(series) == len(set(series))
    checked = subprocess.run(["promtool", "check", "metrics"], input=prom.read_text(), capture_output=True,
                             text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
