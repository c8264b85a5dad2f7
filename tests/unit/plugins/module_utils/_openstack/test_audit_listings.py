# -*- coding: utf-8 -*-
"""The audit's fleet-wide raw listings over a stubbed cloud: the request, pagination, and each service's error."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.facade_cases import (
    Case,
    check_call,
    check_refusal,
    ids,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    API,
    query,
)

RP = "4e8e5957-649f-477b-9e5b-f1f75b21c03c"
PORT = {"id": "p-1", "device_id": "", "device_owner": "", "network_id": "n-1", "status": "DOWN",
        "project_id": "prj", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-02T00:00:00Z"}
FIP = {"id": "f-1", "floating_ip_address": "203.0.113.7", "port_id": None, "project_id": "prj"}
AGENT = {"id": "a-1", "binary": "neutron-openvswitch-agent", "agent_type": "Open vSwitch agent",
         "host": "compute-01", "alive": True, "admin_state_up": True}
VOLUME = {"id": "v-1", "status": "available", "attachments": [], "size": 1,
          "volume_image_metadata": {"image_id": "i-1"}}
SNAPSHOT = {"id": "s-1", "volume_id": "v-gone", "status": "available", "size": 1}
IMAGE = {"id": "i-1", "name": "cirros", "visibility": "private", "osfleet_case": "c-1"}

CASES = [
    Case("ports", lambda c: c.neutron.list_ports_json(), "GET", "network", "/ports", {"ports": [PORT]},
         query={"limit": ["1000"]}, mv=None, resource="", check=lambda found: found == [PORT]),
    Case("floating_ips", lambda c: c.neutron.list_floating_ips_json(), "GET", "network", "/floatingips",
         {"floatingips": [FIP]}, query={"limit": ["1000"]}, mv=None, resource="",
         check=lambda found: found == [FIP]),
    Case("agents", lambda c: c.neutron.list_agents_json(), "GET", "network", "/agents", {"agents": [AGENT]},
         query={}, mv=None, resource="", check=lambda found: found == [AGENT]),
    Case("volumes", lambda c: c.cinder.list_volumes_json(), "GET", "block-storage", "/volumes/detail",
         {"volumes": [VOLUME]}, query={"all_tenants": ["1"], "limit": ["1000"]}, resource="",
         check=lambda found: found[0]["volume_image_metadata"] == {"image_id": "i-1"}),
    Case("snapshots", lambda c: c.cinder.list_snapshots_json(), "GET", "block-storage", "/snapshots/detail",
         {"snapshots": [SNAPSHOT]}, query={"all_tenants": ["1"], "limit": ["1000"]}, resource="",
         check=lambda found: found == [SNAPSHOT]),
    Case("images", lambda c: c.glance.list_images_json(), "GET", "image", "/images", {"images": [IMAGE]},
         query={"member_status": ["all"], "limit": ["1000"]}, resource="",
         check=lambda found: found[0]["osfleet_case"] == "c-1"),  # custom properties kept
    Case("traits", lambda c: c.placement.traits(RP), "GET", "placement", "/resource_providers/%s/traits" % RP,
         {"traits": ["COMPUTE_STATUS_DISABLED", "HW_CPU_X86_AVX2"], "resource_provider_generation": 3},
         query={}, mv="1.14", resource=RP, check=lambda found: found == ["COMPUTE_STATUS_DISABLED", "HW_CPU_X86_AVX2"]),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_request_on_the_wire_and_its_result(stub, cloud, case):
    check_call(stub, cloud, case)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_services_refusal_is_a_cloud_error_not_an_empty_list(stub, cloud, case):
    check_refusal(stub, cloud, case)


def test_neutron_ports_follow_the_next_link(stub, cloud):
    def answer(request, context):
        if "marker" not in query(request):
            return {"ports": [dict(PORT, id="p-1")],
                    "ports_links": [{"rel": "next", "href": API["network"] + "/ports?limit=1&marker=p-1"}]}
        return {"ports": [dict(PORT, id="p-2")], "ports_links": [{"rel": "previous", "href": "x"}]}
    stub.route("GET", "network", "/ports", answer)
    assert [p["id"] for p in cloud.neutron.list_ports_json(page_size=1)] == ["p-1", "p-2"]


def test_glance_images_follow_the_top_level_next(stub, cloud):
    def answer(request, context):
        if "marker" not in query(request):
            return {"images": [dict(IMAGE, id="i-1")], "next": "/v2/images?marker=i-1&limit=1"}
        return {"images": [dict(IMAGE, id="i-2")]}
    stub.route("GET", "image", "/images", answer)
    assert [i["id"] for i in cloud.glance.list_images_json(page_size=1)] == ["i-1", "i-2"]
