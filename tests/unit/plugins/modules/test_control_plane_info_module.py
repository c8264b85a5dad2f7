# -*- coding: utf-8 -*-
"""control_plane_info: the module over the stubbed cloud - sites and summary, the metrics file, its options refused."""
from __future__ import annotations

import os

from ansible_collections.osfleet.day2.plugins.modules import control_plane_info
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import KEYSTONE
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._sites.control_plane_fixtures import serve_site


def stub_cloud_settings():
    """The stub's cloud as a dict of settings (clouds.yaml and OS_* not read, so the test sees only the stub)."""
    return {"auth_type": "password", "region_name": "RegionOne", "load_yaml_config": False, "load_envvars": False,
            "auth": {"auth_url": KEYSTONE + "/v3", "username": "admin", "password": "stub-secret",
                     "project_name": "admin", "user_domain_name": "Default", "project_domain_name": "Default"}}


def run(module_main, **args):
    return module_main(control_plane_info, dict(dict(cloud=stub_cloud_settings(), probes=2, timeout=10,
                                                     current_series="2025.1"), **args))


def test_sites_and_summary_of_the_module_cloud(module_main, stub, tmp_path):
    serve_site(stub)
    path = tmp_path / "control_plane.prom"
    out = run(module_main, prometheus_path=str(path))
    assert "failed" not in out, out
    assert out["changed"] is False
    (site,) = out["sites"]
    assert site["ok"] is True and site["region"] == "RegionOne"
    services = {s["type"]: s for s in site["services"]}
    assert services["compute"]["health"] == "up" and services["compute"]["round_trip"]["ok"] is True
    summary = out["summary"]
    assert summary["sites"] == 1 and summary["sites_ok"] == 1
    assert summary["health"]["up"] == len(site["services"]) and summary["health"]["down"] == 0
    assert sum(summary["currency"].values()) == len(site["services"])
    text = path.read_text()
    assert 'osfleet_control_plane_site_up{cloud="' in text and "osfleet_control_plane_round_trip_success" in text
    assert oct(os.stat(path).st_mode & 0o777) == "0o644"


def test_check_mode_reads_the_same(module_main, stub):
    serve_site(stub)
    out = run(module_main, _ansible_check_mode=True)
    assert "failed" not in out and out["changed"] is False and out["sites"][0]["ok"] is True


def test_a_dead_service_is_down_in_the_result_not_a_failure(module_main, stub):
    serve_site(stub)
    stub.fail("GET", "image", "/images", 503, "<html><h1>503 Service Unavailable</h1></html>")
    out = run(module_main)
    assert "failed" not in out
    image = [s for s in out["sites"][0]["services"] if s["type"] == "image"][0]
    assert image["health"] == "degraded" and "503" in image["round_trip"]["error"]
    assert out["summary"]["health"]["degraded"] == 1


def test_bad_options_are_refused_naming_them(module_main, stub):
    out = run(module_main, probes=0)
    assert out["failed"] is True and "probes" in out["msg"]
    out = run(module_main, current_series="2099.9")
    assert out["failed"] is True and "current_series" in out["msg"]
    out = run(module_main, clouds=[{"region_name": "RegionOne"}])
    assert out["failed"] is True  # clouds with cloud: mutually exclusive, and the item names no cloud
    assert not stub.calls()
