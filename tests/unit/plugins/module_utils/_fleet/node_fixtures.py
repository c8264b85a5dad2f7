# -*- coding: utf-8 -*-
"""Recorded-shape Neutron and Cinder answers (fixtures/*.json) and the routes that serve them on the stubbed cloud."""
from __future__ import annotations

import copy
import json
import os
from typing import Any, Dict, Optional

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

L3_ID = "0f9a3c1e-1d2b-4c5a-8e7f-0a1b2c3d4e01"
DHCP_ID = "0f9a3c1e-1d2b-4c5a-8e7f-0a1b2c3d4e02"
DEAD_DHCP_ID = "0f9a3c1e-1d2b-4c5a-8e7f-0a1b2c3d4e07"
FORBIDDEN = {"NeutronError": {"type": "PolicyNotAuthorized", "message": "rule:get_agent is disallowed by policy",
                              "detail": ""}}
CINDER_FORBIDDEN = {"forbidden": {"code": 403, "message": "Policy doesn't allow scheduler_extension:scheduler_stats:"
                                                          "get_pools to be performed."}}


def load(name: str) -> Dict[str, Any]:
    with open(os.path.join(HERE, name), encoding="utf-8") as handle:
        return json.load(handle)


def serve_neutron(stub, agents: Optional[Dict[str, Any]] = None, agents_status: int = 200,
                  bindings_status: int = 200) -> None:
    """``GET /v2.0/agents`` and, for any agent, its ``l3-routers`` and ``dhcp-networks``."""
    if agents_status != 200:
        stub.fail("GET", "network", "/agents", agents_status, FORBIDDEN)
    else:
        stub.route("GET", "network", "/agents", copy.deepcopy(agents or load("neutron_agents.json")))
    for kind, name in (("l3-routers", "l3_routers.json"), ("dhcp-networks", "dhcp_networks.json")):
        path = r"/agents/([^/]+)/" + kind
        if bindings_status != 200:
            stub.fail("GET", "network", path, bindings_status, FORBIDDEN)
        else:
            stub.route("GET", "network", path, load(name))


def serve_cinder(stub, services_status: int = 200, pools_status: int = 200) -> None:
    """``GET /v3/{project}/os-services`` and ``GET /v3/{project}/scheduler-stats/get_pools``."""
    if services_status != 200:
        stub.fail("GET", "block-storage", "/os-services", services_status, CINDER_FORBIDDEN)
    else:
        stub.route("GET", "block-storage", "/os-services", load("cinder_services.json"))
    if pools_status != 200:
        stub.fail("GET", "block-storage", "/scheduler-stats/get_pools", pools_status, CINDER_FORBIDDEN)
    else:
        stub.route("GET", "block-storage", "/scheduler-stats/get_pools", load("cinder_pools.json"))


def hide(stub, *services: str) -> None:
    """Leave services out of the token's catalog (Cinder is listed under two types: both go)."""
    for service in services:
        stub.hidden.add(service)
        if service == "block-storage":
            stub.hidden.update(("volumev3", "volume"))
