# -*- coding: utf-8 -*-
"""control_plane_info on the lab's real control plane: every service of the catalog probed, read with a real
authenticated call, its agents listed; a service registered in Keystone between two runs is in the second. (A
stopped cinder-volume down in the next run, still enabled: test_fleet_nodes_lab.py, which stops it for
fleet_info too.)

The lab is one site; the second site of issue 18 is not built yet (docs/sites.md).
"""
from __future__ import annotations

import os
from pathlib import Path

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
        e.service_id == s.id and e.interface == "public" for e in admin_conn.identity.endpoints())}


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


def test_site_report_compares_two_sites_and_writes_its_page(lab, tmp_path):
    """`ansible-playbook osfleet.day2.site_report` over two clouds of the lab: the admin's view of RegionOne (the
    reference) and tenant-a's. Until the lab has its second site (issue 18), these two views are what differs:
    tenant-a cannot list agents, and sees only its own and public things."""
    import json
    from ansible_collections.osfleet.day2.tests.integration.playbooks.test_maintenance_playbooks_lab import Playbooks
    out = tmp_path / "reports"
    rc, tasks, _stats = Playbooks(tmp_path).run(
        "site_report", osfleet_clouds="lab-admin, tenant-a", osfleet_clouds_yaml=str(LAB_DIR / "clouds.yaml"),
        osfleet_reference="lab-admin/RegionOne", osfleet_report_dir=str(out))
    assert rc == 0, {k: v.get("msg") for k, v in tasks.items() if v.get("failed")}
    report = json.loads((out / "sites.json").read_text())
    assert [(s["cloud"], s["region"], s["ok"]) for s in report["sites"]] == [
        ("lab-admin", "RegionOne", True), ("tenant-a", "RegionOne", True)]
    admin = report["sites"][0]
    assert admin["offerings"]["flavors"] and admin["offerings"]["networks"] is not None, admin["offerings"]
    comparison = report["comparison"]
    assert comparison["reference"] == "lab-admin/RegionOne"
    [other] = comparison["sites"]
    assert other["site"] == "tenant-a/RegionOne"
    assert other["categories"]["services"]["lacks"] == [] and other["categories"]["services"]["extra"] == []
    assert other["summary"]["identical"] is False  # the tenant's view is not the admin's: something differs or is unknown
    page = (out / "sites.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "tenant-a/RegionOne" in page and "lab-admin/RegionOne" in page
    assert "osfleet_control_plane_up" in (out / "control-plane.prom").read_text()
