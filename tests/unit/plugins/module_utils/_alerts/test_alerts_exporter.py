# -*- coding: utf-8 -*-
"""The exporter for real: its HTTP server on 127.0.0.1 (a free port), the cloud stubbed at the HTTP level under
the real access layer and fleet discovery; /metrics read with urllib (requests would be answered by the stub)."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._alerts import exporter as exp
from ansible_collections.osfleet.day2.plugins.module_utils._hardware import scan as hs
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcAuthError, BmcUnreachable
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import Fan, HardwareState, LogEntry
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._alerts.fleet_api import FleetApi
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._alerts.strict_exposition import (
    names,
    parse,
    promtool_check,
    value,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_api_http import serve_adapter


@pytest.fixture
def running():
    """running(sources, interval): an Exporter started on 127.0.0.1:0, stopped after the test."""
    made = []

    def _start(sources, interval=60.0, wait=True):
        exporter = exp.Exporter(sources, interval=interval)
        _host, port = exporter.start("127.0.0.1", 0)
        assert port > 0  # the free port the OS gave (ephemeral range: never the lab's 18000-18999)
        made.append(exporter)
        if wait:
            assert exporter.wait_refreshed(30), "no first refresh within 30 s"
        return exporter

    yield _start
    for exporter in made:
        exporter.stop()


def scrape(exporter, path="/metrics"):
    with urllib.request.urlopen(exporter.url + path, timeout=10) as answer:
        assert answer.status == 200
        assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return answer.read().decode("utf-8")


def cloud_source(stub, api):
    serve_adapter(stub, ("compute", "placement", "identity"), api)
    return exp.CloudSource(stub.options())


def test_the_cloud_as_metrics_over_http(stub, running):
    api = FleetApi(hosts=4, services={
        "compute-0002": {"status": "disabled", "disabled_reason": "osfleet-maintenance:w1 patching"},
        "compute-0003": {"status": "disabled", "disabled_reason": "disk noise"},
        "compute-0004": {"state": "down"}})
    exporter = running([cloud_source(stub, api)])
    text = scrape(exporter)
    samples, _types = parse(text)
    promtool_check(text)
    assert value(samples, "osfleet_exporter_up", source="cloud") == 1
    assert value(samples, "osfleet_exporter_refreshes_total", source="cloud") >= 1
    assert value(samples, "osfleet_compute_service_up", host="compute-0004") == 0
    assert value(samples, "osfleet_hypervisor_up", host="compute-0004") == 0
    assert value(samples, "osfleet_compute_service_disabled", host="compute-0002", marker="maintenance") == 1
    assert value(samples, "osfleet_compute_service_disabled", host="compute-0003", marker="none") == 1
    assert value(samples, "osfleet_host_vcpus_capacity", host="compute-0001", zone="az1") == 64  # Placement x2.0
    # az1: compute-0001 in the pool (8 of 64 used), compute-0003 disabled; az2: none in the pool
    assert value(samples, "osfleet_zone_capacity_free_ratio", zone="az1", resource="vcpus") == 0.875
    assert value(samples, "osfleet_zone_capacity_free_ratio", zone="az2", resource="vcpus") == 0
    # every request of the refresh, by the service the catalog says it went to
    for service in ("compute", "placement", "identity"):
        assert value(samples, "osfleet_openstack_request_duration_seconds_count", service=service) >= 1
        assert value(samples, "osfleet_openstack_request_errors_total", service=service, status_class="5xx") == 0
    assert not [ls for (n, ls) in samples if dict(ls).get("service") == "unknown"]
    total = sum(v for (n, _ls), v in samples.items() if n == "osfleet_openstack_request_duration_seconds_count")
    assert total == len(stub.mocker.request_history)


def test_a_scrape_never_reaches_the_cloud(stub, running):
    exporter = running([cloud_source(stub, FleetApi(hosts=3))], interval=3600)
    before = len(stub.mocker.request_history)
    for _scrape in range(20):
        scrape(exporter)
    assert len(stub.mocker.request_history) == before


def test_a_failing_cloud_is_up_0_with_no_figures_and_its_errors_counted(stub, running):
    api = FleetApi(hosts=3)
    api.fail["/os-services"] = 503
    exporter = running([cloud_source(stub, api)], interval=0.2)
    samples, _types = parse(scrape(exporter))
    assert value(samples, "osfleet_exporter_up", source="cloud") == 0
    assert value(samples, "osfleet_exporter_refresh_failures_total", source="cloud") >= 1
    # no "all fine" from an earlier read or from nothing: no compute figures at all
    assert not [n for n in names(samples) if n.startswith(("osfleet_compute_", "osfleet_zone_", "osfleet_host_"))]
    assert value(samples, "osfleet_openstack_request_errors_total", service="compute", status_class="5xx") >= 1
    assert "osfleet_exporter_last_success_timestamp_seconds" not in names(samples)

    del api.fail["/os-services"]  # the cloud answers again: the next refresh, on a new connection, reads it
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        samples, _types = parse(scrape(exporter))
        if value(samples, "osfleet_exporter_up", source="cloud") == 1:
            break
        time.sleep(0.05)
    assert value(samples, "osfleet_exporter_up", source="cloud") == 1
    assert value(samples, "osfleet_compute_service_up", host="compute-0001") == 1
    assert value(samples, "osfleet_openstack_request_errors_total", service="compute", status_class="5xx") >= 1


def test_a_cloud_that_cannot_be_reached_is_up_0(stub, running):
    options = stub.options()
    options.auth = dict(options.auth, auth_url="http://keystone.unrouted.test:5000/v3")
    exporter = running([exp.CloudSource(options)])
    samples, _types = parse(scrape(exporter))
    assert value(samples, "osfleet_exporter_up", source="cloud") == 0
    assert exporter.sources[0].last_error


def test_other_paths_are_404(stub, running):
    exporter = running([cloud_source(stub, FleetApi(hosts=1))])
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(exporter.url + "/nothing", timeout=10)
    assert err.value.code == 404
    assert "/metrics" in urllib.request.urlopen(exporter.url + "/", timeout=10).read().decode()


# ---- hardware ------------------------------------------------------------------------------------------------

class FakeBmc:
    protocol = "redfish"

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return None

    def read_state(self, gather):
        assert "log" in gather
        return HardwareState("redfish", power_state="on", health="critical", fans=[Fan("Fan2", 0, "critical")],
                             log=[LogEntry("7", "2026-12-02T12:00:00Z", "critical", "Fan2 failed")])


def opener(address, *args, **kwargs):
    if address.endswith(".2"):
        raise BmcUnreachable("%s: connection refused" % address, resource=address)
    if address.endswith(".3"):
        raise BmcAuthError("authentication failed for %s" % address, resource=address)
    return FakeBmc()


BMCS = {"compute-0001": {"address": "redfish://10.0.0.1", "username": "u", "password": "p"},
        "compute-0002": {"address": "redfish://10.0.0.2", "username": "u", "password": "p"},
        "compute-0003": {"address": "redfish://10.0.0.3", "username": "u", "password": "p"}}


def test_the_hardware_scan_is_served_in_its_own_format(stub, running):
    hardware = exp.HardwareSource(hs.targets_from_map(BMCS, "bmcs.yml"), opener=opener, timeout=5)
    exporter = running([cloud_source(stub, FleetApi(hosts=3)), hardware])
    text = scrape(exporter)
    samples, _types = parse(text)
    promtool_check(text)
    assert value(samples, "osfleet_exporter_up", source="hardware") == 1
    assert value(samples, "osfleet_bmc_up", host="compute-0001", status="ok") == 1
    assert value(samples, "osfleet_bmc_up", host="compute-0002", status="unreachable") == 0
    assert value(samples, "osfleet_bmc_up", host="compute-0003", status="auth_failed") == 0
    assert value(samples, "osfleet_fan_health", host="compute-0001", fan="Fan2") == 2
    assert value(samples, "osfleet_sel_last_critical_timestamp_seconds", host="compute-0001") == 1796212800
    # the same hosts' cloud figures next to them, under the same host label
    assert value(samples, "osfleet_compute_service_up", host="compute-0001") == 1
    # the same text the hardware_scan module writes for node_exporter
    results = hs.scan(hs.targets_from_map(BMCS, "bmcs.yml"), gather=exp.HARDWARE_GATHER, opener=opener)
    expected = hs.prometheus_text(results, with_log=True)
    assert [ln for ln in expected.splitlines() if "scan_seconds" not in ln] == \
        [ln for ln in exporter.sources[1].text.splitlines() if "scan_seconds" not in ln]


def test_a_bmc_that_stops_answering_and_comes_back_is_logged_once_each_way(caplog):
    down = {"now": False}

    def flaky(address, *args, **kwargs):
        if down["now"]:
            raise BmcUnreachable("%s: timed out" % address, resource=address)
        return FakeBmc()

    hardware = exp.HardwareSource(hs.targets_from_map({"compute-0001": BMCS["compute-0001"]}, "bmcs.yml"),
                                  opener=flaky, timeout=5)
    with caplog.at_level("WARNING", logger="osfleet.exporter"):
        hardware.read()
        down["now"] = True
        hardware.read()
        hardware.read()
        down["now"] = False
        hardware.read()
    said = [r.getMessage() for r in caplog.records]
    assert said == ["hardware: compute-0001 ok -> unreachable: redfish://10.0.0.1: timed out",
                    "hardware: compute-0001 unreachable -> ok"], said


def test_a_bmc_map_file(tmp_path):
    path = tmp_path / "bmcs.yml"
    path.write_text("compute-0001:\n  address: redfish://10.0.0.1\n  username: u\n  password: p\n")
    assert [t.host for t in exp.load_targets(str(path))] == ["compute-0001"]


@pytest.mark.parametrize("text, address", [("127.0.0.1:9180", ("127.0.0.1", 9180)), (":0", ("127.0.0.1", 0)),
                                           ("[::1]:9180", ("::1", 9180))])
def test_listen_addresses(text, address):
    assert exp.parse_listen(text) == address


def test_the_exporter_imports_without_ansible():
    """It is module_utils run as its own process: nothing of ansible may be needed to import it."""
    code = ("import sys, importlib.abc\n"
            "class Block(importlib.abc.MetaPathFinder):\n"
            "    def find_spec(self, name, path, target=None):\n"
            "        if name == 'ansible' or name.startswith('ansible.'):\n"
            "            raise ImportError('blocked ' + name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "import ansible_collections.osfleet.day2.plugins.module_utils._alerts.exporter\n"
            "import ansible_collections.osfleet.day2.plugins.module_utils._alerts.rules\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert done.returncode == 0, done.stderr


# ---- what it costs ---------------------------------------------------------------------------------------------

def test_measure_a_thousand_hosts(stub, running, capsys):
    api = FleetApi(hosts=1000, zones=3)
    source = cloud_source(stub, api)
    exporter = running([source])
    refresh = source.seconds
    times = []
    for _scrape in range(30):
        start = time.perf_counter()
        text = scrape(exporter)
        times.append(time.perf_counter() - start)
    samples, _types = parse(text)
    assert value(samples, "osfleet_exporter_up", source="cloud") == 1
    assert len({dict(ls).get("host") for (n, ls) in samples} - {None}) == 1000
    with capsys.disabled():
        figures = (refresh, len(text.encode()), statistics.median(times) * 1000, max(times) * 1000)
        print("\n[measure] 1,000 hosts: refresh (discovery over the stub + metrics) %.2f s; /metrics %d bytes, "
              "scrape median %.1f ms, max %.1f ms" % figures)
    assert statistics.median(times) < 1.0


class Constant(exp.Source):
    name = "constant"

    def read(self):
        return "# HELP osfleet_x x\n# TYPE osfleet_x gauge\nosfleet_x 1\n"


def test_an_ipv6_listen_address():
    exporter = exp.Exporter([Constant()], interval=60)
    try:
        exporter.start("::1", 0)
    except OSError as exc:  # pragma: no cover - a machine without IPv6 loopback
        pytest.skip("no IPv6 loopback: %s" % exc)
    try:
        assert exporter.url.startswith("http://[::1]:")
        assert exporter.wait_refreshed(10)
        samples, _types = parse(scrape(exporter))
        assert value(samples, "osfleet_x") == 1
        assert value(samples, "osfleet_exporter_up", source="constant") == 1
    finally:
        exporter.stop()
