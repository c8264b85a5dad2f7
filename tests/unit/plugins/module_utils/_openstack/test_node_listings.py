# -*- coding: utf-8 -*-
"""The fleet's network and storage listings over a stubbed cloud: the request, its result, each service's error."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.facade_cases import (
    Case,
    check_call,
    check_refusal,
    ids,
)

AGENT_ID = "7b1c0c5e-6a8e-4f0a-9c55-3b8d4e2f1a01"
ROUTER = {"id": "r-1", "name": "router1", "status": "ACTIVE", "admin_state_up": True, "ha": False}
NETWORK = {"id": "n-1", "name": "private", "status": "ACTIVE", "admin_state_up": True, "subnets": ["s-1"]}
SERVICE = {"binary": "cinder-volume", "host": "lab-storage@labfake", "zone": "nova", "status": "enabled",
           "state": "up", "updated_at": "2026-12-03T10:00:01.000000", "disabled_reason": None}
POOL = {"name": "lab-storage@labfake#labfake",
        "capabilities": {"pool_name": "labfake", "total_capacity_gb": 1024.0, "free_capacity_gb": 1000.0}}

CASES = [
    Case("agent_routers", lambda c: c.neutron.list_agent_routers_json(AGENT_ID), "GET", "network",
         "/agents/%s/l3-routers" % AGENT_ID, {"routers": [ROUTER]}, query={}, mv=None, resource=AGENT_ID,
         check=lambda found: found == [ROUTER]),
    Case("agent_networks", lambda c: c.neutron.list_agent_networks_json(AGENT_ID), "GET", "network",
         "/agents/%s/dhcp-networks" % AGENT_ID, {"networks": [NETWORK]}, query={}, mv=None, resource=AGENT_ID,
         check=lambda found: found == [NETWORK]),
    Case("volume_services", lambda c: c.cinder.list_services_json(), "GET", "block-storage", "/os-services",
         {"services": [SERVICE]}, query={}, resource="", check=lambda found: found == [SERVICE]),
    Case("pools", lambda c: c.cinder.list_pools_json(), "GET", "block-storage", "/scheduler-stats/get_pools",
         {"pools": [POOL]}, query={"detail": ["True"]}, resource="", check=lambda found: found == [POOL]),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_request_on_the_wire_and_its_result(stub, cloud, case):
    check_call(stub, cloud, case)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_services_refusal_is_a_cloud_error_not_an_empty_list(stub, cloud, case):
    check_refusal(stub, cloud, case)
