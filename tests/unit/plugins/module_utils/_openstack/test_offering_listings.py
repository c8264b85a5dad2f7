# -*- coding: utf-8 -*-
"""The site comparison's listings (what a site offers its users) over a stubbed cloud: the request on the wire,
the answer as dicts, and each service's refusal as a CloudError naming the call, never an empty list."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.facade_cases import (
    Case,
    check_call,
    check_refusal,
    ids,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import PROJECT_ID

FLAVOR = {"id": "f-1", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20, "extra_specs": {"hw:mem_page_size": "large"}}
ZONE = {"zoneName": "az1", "zoneState": {"available": True}, "hosts": None}
NET = {"id": "n-1", "name": "public", "router:external": True, "mtu": 1500}
SUBNET = {"id": "s-1", "network_id": "n-1", "cidr": "203.0.113.0/24"}
IMAGE = {"id": "i-1", "name": "cirros", "visibility": "community", "os_distro": "cirros"}

CASES = [
    Case("flavors", lambda c: c.nova.list_flavors_json(), "GET", "compute", "/flavors/detail", {"flavors": [FLAVOR]},
         query={"is_public": ["None"], "limit": ["1000"]}, mv="2.61", resource="",
         check=lambda found: found[0]["extra_specs"] == {"hw:mem_page_size": "large"}),
    Case("compute_zones", lambda c: c.nova.list_availability_zones_json(), "GET", "compute", "/os-availability-zone",
         {"availabilityZoneInfo": [ZONE]}, query={}, mv=None, resource="", check=lambda found: found == [ZONE]),
    Case("compute_quotas", lambda c: c.nova.default_quotas_json(), "GET", "compute", "/os-quota-class-sets/default",
         {"quota_class_set": {"id": "default", "cores": 20}}, query={}, mv=None, resource="default",
         check=lambda found: found == {"id": "default", "cores": 20}),
    Case("networks", lambda c: c.neutron.list_networks_json(), "GET", "network", "/networks", {"networks": [NET]},
         query={"limit": ["1000"]}, mv=None, resource="", check=lambda found: found == [NET]),
    Case("subnets", lambda c: c.neutron.list_subnets_json(), "GET", "network", "/subnets", {"subnets": [SUBNET]},
         query={"limit": ["1000"]}, mv=None, resource="", check=lambda found: found == [SUBNET]),
    Case("network_zones", lambda c: c.neutron.list_availability_zones_json(), "GET", "network", "/availability_zones",
         {"availability_zones": [{"name": "nova", "resource": "network", "state": "available"}]}, query={}, mv=None,
         resource="", check=lambda found: found[0]["name"] == "nova"),
    Case("network_quotas", lambda c: c.neutron.default_quotas_json(PROJECT_ID), "GET", "network",
         "/quotas/%s/default" % PROJECT_ID, {"quota": {"port": 500}}, query={}, mv=None, resource=PROJECT_ID,
         check=lambda found: found == {"port": 500}),
    Case("volume_zones", lambda c: c.cinder.list_availability_zones_json(), "GET", "block-storage",
         "/os-availability-zone", {"availabilityZoneInfo": [ZONE]}, query={}, resource="", check=lambda found: found == [ZONE]),
    Case("volume_quotas", lambda c: c.cinder.default_quotas_json(), "GET", "block-storage", "/os-quota-class-sets/default",
         {"quota_class_set": {"volumes": 10}}, query={}, resource="default", check=lambda found: found == {"volumes": 10}),
    Case("community_images", lambda c: c.glance.list_images_visible_json("community"), "GET", "image", "/images",
         {"images": [IMAGE]}, query={"visibility": ["community"], "limit": ["1000"]}, resource="",
         check=lambda found: found[0]["os_distro"] == "cirros"),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_request_on_the_wire_and_its_result(stub, cloud, case):
    check_call(stub, cloud, case)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_services_refusal_is_a_cloud_error_not_an_empty_list(stub, cloud, case):
    check_refusal(stub, cloud, case)


def test_the_catalogs_service_types_come_from_the_token(stub, cloud):
    stub.hidden = {"baremetal"}
    assert cloud.catalog_service_types() == ["block-storage", "compute", "identity", "image", "network", "placement",
                                             "volumev3"]
    assert not stub.calls()
