# -*- coding: utf-8 -*-
"""read_offerings over a stubbed cloud: one listing per category, the shape compared between sites, and a
category the site refuses is None with its reason (unknown), never an empty list."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._sites.offerings import read_offerings
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    PROJECT_ID,
    microversion,
    path_of,
    query,
)

FLAVORS = {"flavors": [
    {"id": "f-2", "name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20, "OS-FLV-EXT-DATA:ephemeral": 0, "swap": "",
     "os-flavor-access:is_public": True, "rxtx_factor": 1.0, "extra_specs": {"hw:cpu_policy": "shared"},
     "links": [{"rel": "self", "href": "http://nova.example.test:8774/v2.1/flavors/f-2"}]},
    {"id": "f-1", "name": "gpu.large", "vcpus": 16, "ram": 65536, "disk": 100, "OS-FLV-EXT-DATA:ephemeral": 10,
     "swap": 1024, "os-flavor-access:is_public": False, "extra_specs": {"pci_passthrough:alias": "a100:1"}}]}
PUBLIC = {"images": [{"id": "i-1", "name": "ubuntu-24.04", "checksum": "md5-1", "os_hash_algo": "sha512",
                      "os_hash_value": "sha-1", "disk_format": "qcow2", "container_format": "bare",
                      "visibility": "public", "os_distro": "ubuntu", "os_version": "24.04", "min_disk": 10,
                      "min_ram": 0, "created_at": "2026-01-01T00:00:00Z", "file": "/v2/images/i-1/file"}]}
COMMUNITY = {"images": [{"id": "i-2", "name": "cirros", "checksum": "md5-2", "os_hash_algo": "sha512",
                         "os_hash_value": "sha-2", "disk_format": "raw", "container_format": "bare",
                         "visibility": "community", "min_disk": 0, "min_ram": 0}]}
NETWORKS = {"networks": [
    {"id": "n-2", "name": "public", "router:external": True, "shared": False, "mtu": 1500,
     "provider:network_type": "flat", "provider:physical_network": "physnet1", "status": "ACTIVE"},
    {"id": "n-1", "name": "private", "router:external": False, "shared": True, "mtu": 1450,
     "provider:network_type": "geneve"},
    {"id": "n-3", "name": "shop-net", "router:external": False, "shared": False, "mtu": 1450,
     "provider:network_type": "geneve", "project_id": "p-shop"}]}
SUBNETS = {"subnets": [
    {"id": "s-1", "network_id": "n-1", "name": "private-v4", "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1",
     "enable_dhcp": True, "ip_version": 4},
    {"id": "s-2", "network_id": "n-2", "name": "public-v4", "cidr": "203.0.113.0/24", "gateway_ip": "203.0.113.1",
     "enable_dhcp": False, "ip_version": 4},
    {"id": "s-3", "network_id": "n-3", "name": "shop-v4", "cidr": "10.9.0.0/24", "gateway_ip": "10.9.0.1",
     "enable_dhcp": True, "ip_version": 4}]}
NOVA_AZ = {"availabilityZoneInfo": [{"zoneName": "az1", "zoneState": {"available": True}, "hosts": None},
                                    {"zoneName": "az-broken", "zoneState": {"available": False}, "hosts": None}]}
CINDER_AZ = {"availabilityZoneInfo": [{"zoneName": "nova", "zoneState": {"available": True}}]}
NEUTRON_AZ = {"availability_zones": [{"name": "nova", "resource": "network", "state": "available"},
                                     {"name": "nova", "resource": "router", "state": "available"}]}
NOVA_QUOTA = {"quota_class_set": {"id": "default", "cores": 20, "instances": 10, "ram": 51200}}
CINDER_QUOTA = {"quota_class_set": {"id": "default", "volumes": 10, "gigabytes": 1000}}
NEUTRON_QUOTA = {"quota": {"network": 100, "port": 500, "floatingip": 50}}


def route_all(stub, skip=()):
    routes = [
        ("compute", "/flavors/detail", FLAVORS), ("compute", "/os-availability-zone", NOVA_AZ),
        ("compute", "/os-quota-class-sets/default", NOVA_QUOTA),
        ("network", "/networks", NETWORKS), ("network", "/subnets", SUBNETS),
        ("network", "/availability_zones", NEUTRON_AZ), ("network", "/quotas/%s/default" % PROJECT_ID, NEUTRON_QUOTA),
        ("block-storage", "/os-availability-zone", CINDER_AZ),
        ("block-storage", "/os-quota-class-sets/default", CINDER_QUOTA),
    ]
    for service, path, body in routes:
        if path not in skip:
            stub.route("GET", service, path, body)

    def images(request, context):
        return PUBLIC if query(request).get("visibility") == ["public"] else COMMUNITY
    stub.route("GET", "image", "/images", images)


@pytest.fixture
def cloud(stub):
    made = stub.cloud()
    yield made
    made.close()


def test_every_category_in_the_shape_the_comparison_reads(stub, cloud):
    route_all(stub)
    found = read_offerings(cloud)
    assert found["errors"] == {}
    assert found["flavors"] == [
        {"name": "gpu.large", "vcpus": 16, "ram": 65536, "disk": 100, "ephemeral": 10, "swap": 1024, "is_public": False,
         "extra_specs": {"pci_passthrough:alias": "a100:1"}},
        {"name": "m1.small", "vcpus": 1, "ram": 2048, "disk": 20, "ephemeral": 0, "swap": 0, "is_public": True,
         "extra_specs": {"hw:cpu_policy": "shared"}}]
    assert [(i["name"], i["os_hash_value"], i["visibility"], i["os_distro"]) for i in found["images"]] == [
        ("cirros", "sha-2", "community", None), ("ubuntu-24.04", "sha-1", "public", "ubuntu")]
    assert "created_at" not in found["images"][0] and "id" not in found["images"][1]
    assert found["networks"] == [
        {"name": "private", "external": False, "shared": True, "provider_network_type": "geneve", "mtu": 1450,
         "subnets": [{"name": "private-v4", "cidr": "10.0.0.0/24", "gateway_ip": "10.0.0.1", "enable_dhcp": True,
                      "ip_version": 4}]},
        {"name": "public", "external": True, "shared": False, "provider_network_type": "flat", "mtu": 1500,
         "subnets": [{"name": "public-v4", "cidr": "203.0.113.0/24", "gateway_ip": "203.0.113.1", "enable_dhcp": False,
                      "ip_version": 4}]}]
    assert "shop-net" not in [n["name"] for n in found["networks"]]  # a project's own network is not an offering
    assert found["availability_zones"] == {"compute": ["az1"], "volume": ["nova"], "network": ["nova"]}
    assert found["quotas"] == {"compute": {"cores": 20, "instances": 10, "ram": 51200},
                               "volume": {"gigabytes": 1000, "volumes": 10},
                               "network": {"floatingip": 50, "network": 100, "port": 500}}
    assert "compute" in found["service_types"] and "baremetal" in found["service_types"]


def test_one_listing_per_category_and_flavors_at_2_61_with_every_flavor(stub, cloud):
    route_all(stub)
    read_offerings(cloud)
    sent = sorted((r.method, r.url.split("?", 1)[0].split(".example.test")[0].split("//")[1], path_of(r))
                  for r in stub.calls())
    assert sent == sorted([
        ("GET", "nova", "/flavors/detail"), ("GET", "nova", "/os-availability-zone"),
        ("GET", "nova", "/os-quota-class-sets/default"), ("GET", "neutron", "/networks"), ("GET", "neutron", "/subnets"),
        ("GET", "neutron", "/availability_zones"), ("GET", "neutron", "/quotas/%s/default" % PROJECT_ID),
        ("GET", "cinder", "/os-availability-zone"), ("GET", "cinder", "/os-quota-class-sets/default"),
        ("GET", "glance", "/images"), ("GET", "glance", "/images")])
    flavors = [r for r in stub.calls("compute") if path_of(r) == "/flavors/detail"]
    assert len(flavors) == 1
    assert microversion(flavors[0]) == "2.61"
    assert query(flavors[0])["is_public"] == ["None"]
    images = [query(r)["visibility"] for r in stub.calls("image") if path_of(r) == "/images"]
    assert sorted(images) == [["community"], ["public"]]


def test_a_refused_category_is_unknown_with_the_services_words(stub, cloud):
    route_all(stub, skip=("/flavors/detail", "/os-quota-class-sets/default"))
    stub.fail("GET", "compute", "/flavors/detail", 403,
              {"forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:flavors to be performed."}})
    stub.fail("GET", "block-storage", "/os-quota-class-sets/default", 500,
              {"computeFault": {"code": 500, "message": "quota backend down"}})
    stub.route("GET", "compute", "/os-quota-class-sets/default", NOVA_QUOTA)
    found = read_offerings(cloud)
    assert found["flavors"] is None
    assert "list flavors" in found["errors"]["flavors"] and "Policy doesn't allow" in found["errors"]["flavors"]
    assert found["quotas"]["volume"] is None and "quota backend down" in found["errors"]["quotas.volume"]
    assert found["quotas"]["compute"] == {"cores": 20, "instances": 10, "ram": 51200}
    assert found["images"] and found["networks"]


def test_a_service_missing_from_the_catalog_is_unknown_not_empty_and_not_asked(stub, cloud):
    stub.hidden = {"network"}
    route_all(stub)
    found = read_offerings(cloud)
    assert found["networks"] is None and found["availability_zones"]["network"] is None
    assert found["quotas"]["network"] is None
    assert "no network service" in found["errors"]["networks"]
    assert not stub.calls("network")
    assert found["flavors"] and found["availability_zones"]["compute"] == ["az1"]
