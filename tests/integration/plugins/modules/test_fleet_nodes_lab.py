# -*- coding: utf-8 -*-
"""The whole fleet on the lab: its network node (lab-network, a real neutron-metadata-agent reporting over
RabbitMQ), its two storage nodes (cinder-volume on lab-storage and lab-storage-02), every node's BMC (the node
BMCs of bmcs-all.yml) and every node's utilization from the lab's real Prometheus (node_exporter) or from its
BMC, through `fleet_info` as a playbook calls it. Stopping the agent
or the second cinder-volume makes that node `down` in the next run (and those services down, still enabled, in
`control_plane_info`); started again, it is `up`.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.tests.integration.lab_tools import labctl

REPO = Path(__file__).resolve().parents[4]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
PROMETHEUS = "http://127.0.0.1:18600"
COMPUTES = ["compute-01", "compute-02", "compute-03", "compute-04"]


def until(what, check, timeout, interval=3.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("%s: not within %ds (last: %r)" % (what, timeout, last))


@pytest.fixture(scope="module")
def alerting(lab):
    labctl("alerts", "up")
    yield
    labctl("alerts", "down")


def nodes(result, kind):
    return {n["name"]: n for n in result[kind]}


def test_network_and_storage_nodes_and_what_every_node_uses(run_module, alerting):
    def read():
        r = run_module("fleet_info", prometheus_url=PROMETHEUS)
        assert not r["failed"], r.get("msg")
        used = [h for h in r["hosts"].values() if (h.get("utilization") or {}).get("cpu_percent")]
        return r if len(used) == len(COMPUTES) else None  # a rate needs two scrapes of node_exporter
    result = until("every compute's CPU in use from Prometheus", read, 90)

    net = nodes(result, "network_nodes")
    assert net["lab-network"]["network_node"] and net["lab-network"]["state"] == "up", net["lab-network"]
    assert [a["type"] for a in net["lab-network"]["agents"]] == ["Metadata agent"]
    assert net["lab-network"]["agents"][0]["alive"] is True
    assert net["compute-01"]["network_node"] is False  # its Open vSwitch agent only (an L2 agent)

    storage = nodes(result, "storage_nodes")
    assert set(storage) == {"lab-storage", "lab-storage-02"}, storage
    assert {n["state"] for n in storage.values()} == {"up"}
    [pool] = storage["lab-storage-02"]["pools"]
    assert pool["total_gb"] == 200 and pool["backend"] == "labpool", pool
    [first] = storage["lab-storage"]["pools"]
    assert first["total_gb"] is None and first["capacity_text"] == "infinite", first

    for host in result["hosts"].values():
        used = host["utilization"]
        for figure in ("cpu_percent", "memory_percent"):
            assert used[figure]["source"] == "prometheus", (host["name"], used)
            assert 0 <= used[figure]["value"] <= 100 and used[figure]["age_seconds"] < 60, (host["name"], used)
    assert net["lab-network"]["utilization"]["memory_percent"]["source"] == "prometheus"
    assert result["utilization"]["queries"] == 6 and result["utilization"]["warnings"] == []


def test_every_kind_of_node_has_its_bmc_and_what_the_bmc_measures(run_module):
    """No Prometheus: the whole lab map (bmcs-all.yml) scanned with `utilization`, then fleet_info with that map and
    those results. Every node has its BMC, its hardware and its use from the BMC - the Redfish emulator's figures
    per host (its scenario), power only from the IPMI ones."""
    import json
    bmc_map = str(LAB_DIR / "bmcs-all.yml")
    scan = run_module("hardware_scan", bmc_map=bmc_map, gather=["power", "sensors", "utilization"])
    assert not scan["failed"], scan.get("msg")
    every = COMPUTES + ["lab-network", "lab-storage", "lab-storage-02"]
    assert sorted(scan["results"]) == sorted(every)
    assert {h: r["status"] for h, r in scan["results"].items()} == {h: "ok" for h in every}
    for node in ("lab-network", "lab-storage", "lab-storage-02"):
        state = scan["results"][node]["state"]
        assert state["power_state"] == "on" and state["temperatures"] and state["power_supplies"], (node, state)

    result = run_module("fleet_info", bmc_map=bmc_map, hardware=scan["results"])
    assert not result["failed"], result.get("msg")
    net, storage = nodes(result, "network_nodes"), nodes(result, "storage_nodes")
    for node in [net["lab-network"], storage["lab-storage"], storage["lab-storage-02"]]:
        assert node["bmc"]["credentials_ref"] == "%s#%s" % (bmc_map, node["name"]), node["bmc"]
        assert "password" not in node["bmc"]
        scenario = json.loads((LAB_DIR / "bmc" / node["name"] / "scenario.json").read_text())
        used = node["utilization"]
        assert used["cpu_percent"]["source"] == "bmc" and used["cpu_percent"]["measure"].startswith("ProcessorMetrics")
        assert used["cpu_percent"]["value"] == scenario["cpu_bandwidth_percent"], (node["name"], used)
        assert used["memory_bandwidth_percent"]["value"] == scenario["memory_bandwidth_percent"], (node["name"], used)
        assert used["power_watts"]["value"] == scenario["power_consumed_watts"] and used["power_watts"]["age_seconds"] < 120
        assert "memory_percent" not in used  # no BMC knows memory in use
    for name in ("compute-03", "compute-04"):  # IPMI: power only
        assert set(result["hosts"][name]["utilization"]) == {"power_watts"}, result["hosts"][name]["utilization"]
    assert result["utilization"]["sources"] == ["bmc"] and result["utilization"]["queries"] == 0


def test_a_stopped_agent_or_volume_service_makes_its_node_down_in_the_next_run(run_module):
    def states():
        r = run_module("fleet_info", node_kinds=["network", "storage"])
        return nodes(r, "network_nodes")["lab-network"]["state"], nodes(r, "storage_nodes")["lab-storage-02"]["state"]
    assert states() == ("up", "up")
    labctl("service", "stop", "neutron-metadata-agent")
    labctl("service", "stop", "cinder-volume-02")
    try:
        t0 = time.monotonic()
        until("lab-network and lab-storage-02 down", lambda: states() == ("down", "down"), 120)
        print("stopped to down in the next run: %.0f s (agent_down_time 20 s, service_down_time 25 s)"
              % (time.monotonic() - t0))
        # control_plane_info says the same of the same services: down, and still enabled (kept apart)
        result = run_module("control_plane_info", probes=1)
        assert not result["failed"], result.get("msg")
        [site] = result["sites"]
        agents = {(a["binary"], a["host"]): a for a in site["agents"]}
        volume = agents[("cinder-volume", "lab-storage-02@labpool")]
        assert volume["up"] is False and volume["state"] == "down" and volume["enabled"] is True, volume
        metadata = [a for (binary, host), a in agents.items() if binary == "neutron-metadata-agent"
                    and host == "lab-network"]
        assert metadata and metadata[0]["up"] is False and metadata[0]["enabled"] is True, metadata
    finally:
        labctl("service", "start", "neutron-metadata-agent")
        labctl("service", "start", "cinder-volume-02")
    until("both up again", lambda: states() == ("up", "up"), 120)


def test_the_fleet_report_page_shows_every_lab_node_with_its_state_and_use(lab, alerting, tmp_path):
    """`ansible-playbook osfleet.day2.fleet_report` as `make demo` runs it; the page it writes opened in headless
    Chromium: every lab node is on it with its state word, and its use with its source."""
    from ansible_collections.osfleet.day2.tests.integration.playbooks.test_maintenance_playbooks_lab import Playbooks
    from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.test_report_html_browser import Dom
    from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.headless_chromium import CHROMIUM, chromium
    if CHROMIUM is None:
        pytest.fail("no headless Chromium: `make test-deps` installs it")
    out = tmp_path / "reports"
    rc, tasks, _stats = Playbooks(tmp_path).run(
        "fleet_report", osfleet_cloud="lab-admin", osfleet_clouds_yaml=str(LAB_DIR / "clouds.yaml"),
        osfleet_bmc_map=str(LAB_DIR / "bmcs-all.yml"), osfleet_prometheus_url=PROMETHEUS, osfleet_report_dir=str(out))
    assert rc == 0, {k: v.get("msg") for k, v in tasks.items() if v.get("failed")}
    page = out / "fleet.html"
    dom = Dom()
    dom.feed(chromium(tmp_path, "--dump-dom", page.as_uri()))
    assert {n: (v["kind"], v["word"]) for n, v in dom.nodes.items()} == dict(
        {h: ("compute", "up") for h in COMPUTES}, **{"lab-network": ("network", "up"),
                                                     "lab-storage": ("storage", "up"),
                                                     "lab-storage-02": ("storage", "up")})
    text = page.read_text()
    assert "prometheus" in text and "lab-storage-02@labpool#labpool" in text
    # every node's hardware from its BMC (the network and storage nodes' too), and a figure only the BMC gives
    assert text.count("Hardware (BMC, redfish)") == 5 and text.count("Hardware (BMC, ipmi)") == 2
    assert "bmc: MemoryMetrics.BandwidthPercent" in text
    shot = tmp_path / "fleet-lab.png"
    chromium(tmp_path, "--screenshot=%s" % shot, "--hide-scrollbars", page.as_uri())
    assert shot.stat().st_size > 20000
    (LAB_DIR / "reports").mkdir(parents=True, exist_ok=True)
    shot.replace(LAB_DIR / "reports" / "fleet-lab.png")
