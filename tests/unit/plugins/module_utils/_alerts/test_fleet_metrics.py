# -*- coding: utf-8 -*-
"""The fleet snapshot and request totals as Prometheus text: values, markers, the pool, escaping, strictness."""
from __future__ import annotations

import time

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._alerts import exposition
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.fleet_metrics import (
    fleet_families,
    marker_of,
    request_families,
)
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.model import ComputeHost, Fleet, Resource
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.request_stats import ServiceStats
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._alerts.strict_exposition import (
    names,
    parse,
    promtool_check,
    value,
)


def host(name, zone="az1", status="enabled", state="up", reason=None, hv_state="up", vcpus=(16, 4, 0, 2.0),
         memory=(65536, 16384, 512, 1.0), running=3):
    return ComputeHost(
        name=name, zone=zone,
        service={"status": status, "state": state, "disabled_reason": reason, "forced_down": False},
        hypervisor={"state": hv_state, "running_vms": running},
        capacity={"vcpus": Resource(*vcpus), "memory_mb": Resource(*memory)})


def fleet_of(*hosts):
    return Fleet(hosts={h.name: h for h in hosts})


def text_of(fleet):
    return exposition.render(fleet_families(fleet))


@pytest.mark.parametrize("reason, marker", [
    (None, "none"), ("", "none"), ("broken disk", "none"),
    ("osfleet-maintenance:w42 patching until 18:00", "maintenance"),
    ("osfleet-remediation:held RB-7 waiting for a part", "remediation"),
    ("see osfleet-maintenance:w1", "none"),  # the mark is a prefix, not a word anywhere
])
def test_the_marker_a_disabled_reason_carries(reason, marker):
    assert marker_of(reason) == marker


def test_host_series_carry_host_and_zone_and_the_values_nova_gave():
    fleet = fleet_of(host("c1"), host("c2", zone="az2", status="disabled", reason="osfleet-maintenance:w1 x"),
                     host("c3", status="disabled", reason="someone"), host("c4", state="down", hv_state="down"),
                     host("c5", zone=None, status="disabled", reason="osfleet-remediation:fixing RB-1 psu"))
    samples, types = parse(text_of(fleet))
    assert value(samples, "osfleet_compute_service_up", host="c1", zone="az1") == 1
    assert value(samples, "osfleet_compute_service_up", host="c4") == 0
    assert value(samples, "osfleet_compute_service_enabled", host="c2") == 0
    assert value(samples, "osfleet_compute_service_disabled", host="c2", marker="maintenance", zone="az2") == 1
    assert value(samples, "osfleet_compute_service_disabled", host="c3", marker="none") == 1
    assert value(samples, "osfleet_compute_service_disabled", host="c5", marker="remediation") == 1
    assert value(samples, "osfleet_compute_service_disabled", host="c1", marker="none") == 0
    assert value(samples, "osfleet_hypervisor_up", host="c4") == 0
    assert value(samples, "osfleet_host_servers", host="c1") == 3
    # a host whose zone nobody names has no zone label (not zone="")
    assert ("zone", "") not in dict(next(ls for (n, ls) in samples if dict(ls).get("host") == "c5"))
    assert all("zone" not in dict(ls) for (n, ls) in samples if dict(ls).get("host") == "c5")
    # capacity: Nova's totals and use, and what the scheduler may place ((16 - 0) x 2.0)
    assert value(samples, "osfleet_host_vcpus", host="c1") == 16
    assert value(samples, "osfleet_host_vcpus_used", host="c1") == 4
    assert value(samples, "osfleet_host_vcpus_capacity", host="c1") == 32
    assert value(samples, "osfleet_host_memory_bytes", host="c1") == 65536 * 2 ** 20
    assert value(samples, "osfleet_host_memory_capacity_bytes", host="c1") == (65536 - 512) * 2 ** 20
    assert types["osfleet_compute_service_up"] == "gauge"


def test_the_free_fraction_counts_only_the_hosts_in_the_pool():
    fleet = fleet_of(host("c1", vcpus=(10, 2, 0, 1.0)), host("c2", vcpus=(10, 8, 0, 1.0)),
                     host("c3", status="disabled", reason="x", vcpus=(100, 0, 0, 1.0)),  # out: its room is no room
                     host("c4", state="down", vcpus=(100, 0, 0, 1.0)),
                     host("d1", zone="az2", status="disabled", reason="osfleet-maintenance:w1"))
    samples, _types = parse(text_of(fleet))
    assert value(samples, "osfleet_zone_capacity_free_ratio", zone="az1", resource="vcpus") == pytest.approx(0.5)
    # a zone with no host in the pool has no free room, it is not left out
    assert value(samples, "osfleet_zone_capacity_free_ratio", zone="az2", resource="vcpus") == 0
    assert value(samples, "osfleet_zone_pool_hosts", zone="az1", state="in_pool") == 2
    assert value(samples, "osfleet_zone_pool_hosts", zone="az1", state="all") == 4
    assert value(samples, "osfleet_fleet_capacity_free_ratio", resource="vcpus") == pytest.approx(0.5)
    assert value(samples, "osfleet_fleet_capacity_free_ratio", resource="memory") == pytest.approx(0.75, abs=0.01)


def test_an_empty_fleet_says_nothing_rather_than_all_fine():
    assert text_of(Fleet()) == ""


def test_request_totals_per_service():
    stats = {"compute": ServiceStats(requests=12, seconds=3.5, last_max_seconds=0.9, errors={"5xx": 2}),
             "identity": ServiceStats(requests=2, seconds=0.2, last_max_seconds=0.1)}
    text = exposition.render(request_families(stats))
    samples, types = parse(text)
    assert types["osfleet_openstack_request_duration_seconds"] == "summary"
    assert value(samples, "osfleet_openstack_request_duration_seconds_count", service="compute") == 12
    assert value(samples, "osfleet_openstack_request_duration_seconds_sum", service="compute") == 3.5
    assert value(samples, "osfleet_openstack_request_last_max_seconds", service="compute") == 0.9
    assert value(samples, "osfleet_openstack_request_errors_total", service="compute", status_class="5xx") == 2
    # both classes always there, 0 included: an alert on an increase needs the 0 before the first error
    assert value(samples, "osfleet_openstack_request_errors_total", service="identity", status_class="5xx") == 0
    promtool_check(text)


def test_label_values_are_escaped_and_read_back():
    weird = 'we"ird\\host\nname'
    samples, _types = parse(text_of(fleet_of(host(weird, zone='z"1'))))
    assert value(samples, "osfleet_compute_service_up", host=weird, zone='z"1') == 1


def test_the_writer_refuses_what_prometheus_would_drop():
    fam = exposition.Family("osfleet_x", "gauge", "x").add(1, host="a").add(2, host="a")
    with pytest.raises(ValueError, match="duplicate series"):
        exposition.render([fam])
    with pytest.raises(ValueError, match="written twice"):
        exposition.render([exposition.Family("osfleet_y", "gauge", "y").add(1),
                           exposition.Family("osfleet_y", "gauge", "y").add(2)])
    with pytest.raises(ValueError, match="_total"):
        exposition.Family("osfleet_errors", "counter", "no suffix")
    with pytest.raises(ValueError, match="bad label"):
        exposition.Family("osfleet_z", "gauge", "z").add(1, **{"bad-label": "x"})
    with pytest.raises(ValueError):
        exposition.Family("osfleet_z", "gauge", "z").add(1, suffix="_sum")


@pytest.mark.parametrize("number, text", [(1, "1"), (7200.0, "7200"), (0.25, "0.25"), (True, "1"),
                                          (float("nan"), "NaN"), (float("inf"), "+Inf")])
def test_values(number, text):
    assert exposition.format_value(number) == text


def test_promtool_accepts_the_fleet_metrics():
    fleet = fleet_of(host("c1"), host("c2", status="disabled", reason="osfleet-maintenance:w1"))
    promtool_check(text_of(fleet))


def big_fleet(n):
    hosts = []
    for i in range(n):
        status = "disabled" if i % 50 == 0 else "enabled"
        reason = "osfleet-maintenance:w%d" % i if i % 100 == 0 else ("someone" if status == "disabled" else None)
        hosts.append(host("compute-%04d" % i, zone="az%d" % (i % 3), status=status, reason=reason,
                          state="down" if i % 97 == 0 else "up"))
    return fleet_of(*hosts)


def test_a_thousand_hosts_are_quick(capsys):
    fleet = big_fleet(1000)
    start = time.perf_counter()
    text = text_of(fleet)
    took = time.perf_counter() - start
    samples, _types = parse(text)
    assert len({dict(ls)["host"] for (n, ls) in samples if "host" in dict(ls)}) == 1000
    assert names(samples) >= {"osfleet_compute_service_up", "osfleet_zone_capacity_free_ratio"}
    with capsys.disabled():
        print("\n[measure] fleet metrics for 1,000 hosts: %.1f ms, %d series, %d bytes"
              % (took * 1000, len(samples), len(text)))
    assert took < 2.0  # measured ~30 ms on the 2-core CI machine (docs/alerts.md)
