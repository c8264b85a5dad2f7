# -*- coding: utf-8 -*-
"""fleet_info: the inventory's placement and bmc_source options, and an api_calls that counts every request."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common import module_base
from ansible_collections.osfleet.day2.plugins.modules import fleet_info
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._fleet.test_discover import (  # noqa: F401  pylint: disable=unused-import
    NODE,
    FakeCompute,
    FakeIronic,
    cloud_with,
)


@pytest.fixture
def cloud(monkeypatch, stub, cloud_with):  # pylint: disable=redefined-outer-name
    """(compute API stub, Ironic stub) behind the stubbed cloud the module connects to."""
    compute, ironic = FakeCompute(n_servers=3, page=2), FakeIronic([NODE])
    made = cloud_with(compute, ironic, name="lab")
    monkeypatch.setattr(module_base.Day2Module, "conn", property(lambda self: made.conn))
    return compute, ironic


def run(module_main, **args):
    return module_main(fleet_info, dict(dict(cloud="lab"), **args))


def test_api_calls_counts_every_request_placement_and_ironic_included(module_main, cloud, stub):
    compute, ironic = cloud
    out = run(module_main)
    assert "failed" not in out, out
    inventories = [r for r in compute.requests if r[0].endswith("/inventories")]
    assert len(inventories) == 1  # one per compute host that has a resource provider
    assert len(ironic.requests) == 1  # bmc_source auto, and the catalog has Ironic
    assert len(compute.requests) + len(ironic.requests) == len(stub.calls())
    assert out["api_calls"] == len(stub.mocker.request_history)  # and the token and version discovery
    assert out["hosts"]["compute-02"]["bmc"]["source"] == "ironic"
    assert out["hosts"]["compute-01"]["capacity"]["vcpus"]["allocation_ratio"] == 4.0


def test_placement_false_makes_no_placement_call(module_main, cloud, stub):
    compute, _ironic = cloud
    out = run(module_main, placement=False)
    assert not [r for r in compute.requests if r[0].startswith("/resource_providers")]
    assert not [r for r in stub.mocker.request_history if "placement" in r.url]
    assert out["api_calls"] == len(stub.mocker.request_history)
    assert out["hosts"]["compute-01"]["capacity"]["vcpus"]["allocation_ratio"] == 1.0


def test_bmc_source_map_does_not_read_ironic(module_main, cloud):
    _compute, ironic = cloud
    out = run(module_main, bmc_source="map")
    assert ironic.requests == []
    assert all(h["bmc"] is None for h in out["hosts"].values())  # the action plugin adds the map's


def test_an_unreadable_ironic_fails_bmc_source_ironic_and_warns_with_auto(module_main, cloud, monkeypatch):
    from ansible.module_utils.basic import AnsibleModule
    warned = []
    monkeypatch.setattr(AnsibleModule, "warn", lambda self, warning: warned.append(warning))
    _compute, ironic = cloud
    ironic.status = 403
    out = run(module_main, bmc_source="ironic")
    assert out["failed"] is True and "HTTP 403" in out["msg"]
    auto = run(module_main)
    assert "failed" not in auto and all(h["bmc"] is None for h in auto["hosts"].values())
    assert any("BMCs not read from Ironic" in w for w in warned), warned
