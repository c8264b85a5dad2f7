# -*- coding: utf-8 -*-
"""ProcessorMetrics / MemoryMetrics of the system summary (gather ``utilization``), over HTTP on loopback."""
from __future__ import annotations

import json

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.conftest import FakeRedfish
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.redfish.conftest import VENDORS

SYSTEM = "/redfish/v1/Systems/system"
CPU = SYSTEM + "/ProcessorSummary/ProcessorMetrics"
MEM = SYSTEM + "/MemorySummary/MemoryMetrics"


def serve(cpu=None, mem=None, link=True):
    docs = json.loads((VENDORS / "openbmc.json").read_text())
    if link:
        docs[SYSTEM]["ProcessorSummary"] = {"Count": 2, "Metrics": {"@odata.id": CPU}}
        docs[SYSTEM]["MemorySummary"] = {"TotalSystemMemoryGiB": 256, "Metrics": {"@odata.id": MEM}}
    if cpu is not None:
        docs[CPU] = {"@odata.id": CPU, "@odata.type": "#ProcessorMetrics.v1_6_1.ProcessorMetrics", "Id": "ProcessorMetrics",
                     "Name": "Processor summary metrics", "BandwidthPercent": cpu}
    if mem is not None:
        docs[MEM] = {"@odata.id": MEM, "@odata.type": "#MemoryMetrics.v1_7_0.MemoryMetrics", "Id": "MemoryMetrics",
                     "Name": "Memory summary metrics", "BandwidthPercent": mem}
    fake = FakeRedfish(docs)
    fake.thread.start()
    return fake


def read(fake, gather):
    try:
        with open_bmc(fake.address(), "admin", "secret", timeout=20) as bmc:
            return bmc.read_state(gather=list(gather))
    finally:
        fake.server.shutdown()
        fake.server.server_close()


def gets(fake):
    return [p for m, p in fake.requests if m == "GET"]


def test_both_metrics_are_read_when_the_system_links_them():
    fake = serve(cpu=37.5, mem=12)
    s = read(fake, ["power", "utilization"])
    assert (s.cpu_bandwidth_percent, s.memory_bandwidth_percent) == (37.5, 12.0)
    assert CPU in gets(fake) and MEM in gets(fake)


def test_not_asked_not_read():
    fake = serve(cpu=37.5, mem=12)
    s = read(fake, ["power", "sensors"])
    assert s.cpu_bandwidth_percent is None and s.memory_bandwidth_percent is None
    assert CPU not in gets(fake) and MEM not in gets(fake)


def test_a_system_without_the_links_costs_no_request_and_gives_none():
    fake = serve(cpu=37.5, mem=12, link=False)
    s = read(fake, ["utilization"])
    assert s.cpu_bandwidth_percent is None and s.memory_bandwidth_percent is None
    assert not [p for p in gets(fake) if "Metrics" in p]
    assert not s.warnings


def test_a_missing_metrics_document_is_a_warning_and_the_other_still_counts():
    fake = serve(cpu=None, mem=64)  # ProcessorMetrics linked but 404
    s = read(fake, ["utilization"])
    assert s.cpu_bandwidth_percent is None and s.memory_bandwidth_percent == 64.0
    assert any("ProcessorSummary.Metrics" in w for w in s.warnings)


def test_a_reading_out_of_range_is_no_reading():
    fake = serve(cpu=250, mem="high")
    s = read(fake, ["utilization"])
    assert s.cpu_bandwidth_percent is None and s.memory_bandwidth_percent is None
