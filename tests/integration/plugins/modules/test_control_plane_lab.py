# -*- coding: utf-8 -*-
"""control_plane_info on the lab's real control plane: every service of the catalog probed, read with a real
authenticated call, its agents listed; a service registered in Keystone between two runs is in the second. (A
stopped cinder-volume down in the next run, still enabled: test_fleet_nodes_lab.py, which stops it for
fleet_info too.)

The second site (``labctl site-b up``: region site-b of the same Keystone, Ironic one series back, Barbican) is
started by the site_report test only; the others read site A, whose clouds.yaml entry pins RegionOne.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.tests.integration.lab_tools import labctl

REPO = Path(__file__).resolve().parents[4]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
NOTHING_LISTENS = "http://127.0.0.1:18997"  # in the tests' port range; no test listens there


def read(run_module, **args):
    result = run_module("control_plane_info", **args)
    assert not result["failed"], result.get("msg")
    [site] = result["sites"]
    assert site["ok"], site["error"]
    return site


def catalog_types(admin_conn):
    return {s.type for s in admin_conn.identity.services() if any(
        e.service_id == s.id and e.interface == "public" and e.region_id == "RegionOne"
        for e in admin_conn.identity.endpoints())}


def test_every_service_is_up_read_for_real_with_its_agents(run_module, admin_conn):
    site = read(run_module, probes=3)
    services = {s["type"]: s for s in site["services"]}
    assert set(services) == catalog_types(admin_conn)  # nothing configured per service: the catalog's
    for kind, s in services.items():
        assert s["health"] == "up", (kind, s)
        assert s["round_trip"]["ok"] and s["round_trip"]["status"] < 400, (kind, s["round_trip"])
        assert [e["reachable"] for e in s["endpoints"]] == [True], (kind, s["endpoints"])
        assert 0 < s["endpoints"][0]["latency_ms"]["p50"] <= s["endpoints"][0]["latency_ms"]["p95"]
        release = s["release"]
        assert release["confidence"] in ("exact", "range", "unknown"), release
        assert (release["series"] is not None) == (release["confidence"] == "exact"), release  # never a guess
    assert services["compute"]["version"]["max_microversion"].startswith("2.")
    agents = {(a["binary"], a["host"]): a for a in site["agents"]}
    for host in ("compute-01", "compute-02", "compute-03", "compute-04"):
        nova = agents[("nova-compute", host)]
        assert (nova["up"], nova["enabled"], nova["forced_down"], nova["state"]) == (True, True, False, "up"), nova
    assert agents[("neutron-metadata-agent", "lab-network")]["up"] is True
    assert agents[("cinder-volume", "lab-storage-02@labpool")]["up"] is True
    assert any(binary == "ironic-conductor" and a["up"] for (binary, _host), a in agents.items())
    assert sorted(h["host"] for h in site["hypervisors"]) == ["compute-01", "compute-02", "compute-03", "compute-04"]


def test_a_service_registered_between_two_runs_is_in_the_second(run_module, admin_conn):
    assert "dns" not in {s["type"] for s in read(run_module, probes=1)["services"]}
    service = admin_conn.identity.create_service(type="dns", name="osfleet-test-dns", enabled=True)
    try:
        admin_conn.identity.create_endpoint(service_id=service.id, interface="public", url=NOTHING_LISTENS,
                                            region_id="RegionOne")
        site = read(run_module, probes=1)
        [dns] = [s for s in site["services"] if s["type"] == "dns"]
        assert dns["name"] == "osfleet-test-dns" and dns["health"] == "down", dns  # registered, nothing answers
        assert dns["endpoints"][0]["reachable"] is False and dns["endpoints"][0]["url"] == NOTHING_LISTENS
        assert dns["release"]["confidence"] == "unknown" and dns["currency"]["status"] == "unknown"
    finally:
        for endpoint in admin_conn.identity.endpoints(service_id=service.id):
            admin_conn.identity.delete_endpoint(endpoint)
        admin_conn.identity.delete_service(service)


@pytest.fixture(scope="module")
def site_b(lab):
    """The lab's second site (region site-b: Ironic 35.0.1 of 2026.1, Barbican), for this module's tests."""
    labctl("site-b", "up")
    yield
    labctl("site-b", "down")


def test_site_report_finds_the_older_service_and_what_each_site_lacks(lab, site_b, tmp_path):
    """`ansible-playbook osfleet.day2.site_report` over the lab's two sites, site A (lab-admin, RegionOne) the
    reference, 2026.2 declared current: site B's Ironic is 2026.1 exactly (n-1), its Barbican is what site A
    lacks, and site B lacks every other service of site A. Both sites of one Keystone, each its own cloud of
    clouds.yaml pinned to its region: two sites, not four."""
    from ansible_collections.osfleet.day2.tests.integration.playbooks.test_maintenance_playbooks_lab import Playbooks
    out = tmp_path / "reports"
    rc, tasks, _stats = Playbooks(tmp_path).run(
        "site_report", osfleet_clouds="lab-admin, lab-site-b", osfleet_clouds_yaml=str(LAB_DIR / "clouds.yaml"),
        osfleet_reference="lab-admin/RegionOne", osfleet_current_series="2026.2", osfleet_report_dir=str(out))
    assert rc == 0, {k: v.get("msg") for k, v in tasks.items() if v.get("failed")}
    report = json.loads((out / "sites.json").read_text())
    assert [(s["cloud"], s["region"], s["ok"]) for s in report["sites"]] == [
        ("lab-admin", "RegionOne", True), ("lab-site-b", "site-b", True)], [
        (s["cloud"], s["region"], s["ok"], s.get("error")) for s in report["sites"]]
    site_a, site_b_ = report["sites"]
    a_services = {s["type"]: s for s in site_a["services"]}
    b_services = {s["type"]: s for s in site_b_["services"]}
    assert set(b_services) == {"identity", "baremetal", "key-manager"}, sorted(b_services)
    for kind, service in b_services.items():
        assert service["health"] == "up" and service["round_trip"]["ok"], (kind, service)
    assert b_services["key-manager"]["round_trip"]["call"] == "GET /v1/secrets?limit=1"  # authenticated, not /
    ironic_b = b_services["baremetal"]
    assert ironic_b["version"]["max_microversion"] == "1.111", ironic_b["version"]
    assert (ironic_b["release"]["series"], ironic_b["release"]["confidence"]) == ("2026.1", "exact"), ironic_b
    assert ironic_b["currency"]["status"] == "n-1", ironic_b["currency"]
    # site A's Ironic (39.0.0, 1.115) is newer than the table knows: unknown, said so, never n-1 or current
    assert a_services["baremetal"]["currency"]["status"] != "n-1", a_services["baremetal"]
    comparison = report["comparison"]
    assert comparison["reference"] == "lab-admin/RegionOne"
    [other] = comparison["sites"]
    assert other["site"] == "lab-site-b/site-b"
    services = other["categories"]["services"]
    assert services["extra"] == ["key-manager"], services
    assert {"compute", "image", "network", "block-storage", "placement"} <= set(services["lacks"]), services
    versions = other["categories"]["versions"]
    assert [d["name"] for d in versions["different"] if d["name"] == "baremetal"], versions
    assert other["summary"]["identical"] is False
    page = (out / "sites.html").read_text()
    for text in ("<!DOCTYPE html>", "lab-site-b/site-b", "lab-admin/RegionOne", "key-manager", "n-1", "2026.1"):
        assert text in page, text
    prom = (out / "control-plane.prom").read_text()
    assert 'region="site-b"' in prom and "osfleet_control_plane_up" in prom
