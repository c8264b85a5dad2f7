# -*- coding: utf-8 -*-
"""The snapshot as Prometheus text: the series an alert rule selects, and promtool's own check of the text."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._sites.metrics import exposition
from ansible_collections.osfleet.day2.plugins.module_utils._sites.site import empty_site


def snapshot():
    site = empty_site("lab", "RegionOne", None, 1.5)
    site["services"] = [
        {"type": "compute", "name": "nova",
         "endpoints": [{"interface": "public", "url": "http://nova", "reachable": True,
                        "latency_ms": {"p50": 3.0, "p95": 250.0}, "probes": 5, "errors": 1, "error": "HTTP 503"}],
         "version": {"id": "v2.1"},
         "release": {"series": None, "candidates": ["2024.1", "2024.2"], "confidence": "range", "evidence": "x"},
         "currency": {"status": "older", "current_series": "2025.2", "slurp_reach": None},
         "round_trip": {"ok": False, "call": "GET /flavors?limit=1", "status": 401, "ms": 12.0, "error": "HTTP 401"},
         "health": "degraded"},
        {"type": "dns", "name": "designate",
         "endpoints": [{"interface": "public", "url": "http://dns", "reachable": False,
                        "latency_ms": {"p50": None, "p95": None}, "probes": 5, "errors": 5, "error": "refused"}],
         "version": {"id": None}, "release": {"series": None, "candidates": [], "confidence": "unknown"},
         "currency": {"status": "unknown", "current_series": "2025.2"},
         "round_trip": {"ok": False, "call": None, "status": None, "ms": None, "error": "not tried"},
         "health": "down"}]
    site["agents"] = [
        {"service_type": "compute", "binary": "nova-compute", "host": "c1", "state": "up"},
        {"service_type": "compute", "binary": "nova-compute", "host": "c2", "state": "down"},
        {"service_type": "compute", "binary": "nova-compute", "host": "c3", "state": "down"},
        {"service_type": "network", "binary": "neutron-l3-agent", "host": "n1", "state": "disabled"}]
    hung = empty_site("edge", "EdgeOne", "no answer within 30 s", 30.0)
    return [site, hung]


def lines(text):
    return [line for line in text.splitlines() if not line.startswith("#")]


def test_the_series_alert_rules_select():
    text = exposition(snapshot(), now=1764756000.0)
    got = lines(text)
    nova = 'cloud="lab",interface="public",region="RegionOne",service="nova",service_type="compute"'
    assert 'osfleet_control_plane_up{%s} 1' % nova in got
    assert 'osfleet_control_plane_latency_p95_seconds{%s} 0.25' % nova in got
    assert 'osfleet_control_plane_latency_p50_seconds{%s} 0.003' % nova in got
    assert 'osfleet_control_plane_probe_errors{%s} 1' % nova in got
    assert ('osfleet_control_plane_round_trip_success{cloud="lab",region="RegionOne",service="nova",'
            'service_type="compute"} 0') in got
    assert ('osfleet_control_plane_service_health{cloud="lab",health="degraded",region="RegionOne",service="nova",'
            'service_type="compute"} 1') in got
    assert ('osfleet_control_plane_agents{binary="nova-compute",cloud="lab",region="RegionOne",service_type="compute",'
            'state="down"} 2') in got
    assert ('osfleet_control_plane_agents{binary="neutron-l3-agent",cloud="lab",region="RegionOne",'
            'service_type="network",state="up"} 0') in got
    assert ('osfleet_control_plane_release_info{candidates="2024.1,2024.2",cloud="lab",confidence="range",'
            'currency="older",current_series="2025.2",region="RegionOne",series="",service="nova",'
            'service_type="compute"} 1') in got
    assert 'osfleet_control_plane_site_up{cloud="edge",region="EdgeOne"} 0' in got
    assert 'osfleet_control_plane_last_run_timestamp_seconds 1764756000' in got
    # a latency nobody measured is not written as zero
    assert not [line for line in got if "latency" in line and 'service="designate"' in line]
    assert 'osfleet_control_plane_up{cloud="lab",interface="public",region="RegionOne",service="designate",' \
           'service_type="dns"} 0' in got


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not on PATH (the prometheus package has it)")
def test_promtool_accepts_the_text():
    done = subprocess.run(["promtool", "check", "metrics"], input=exposition(snapshot()), capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
