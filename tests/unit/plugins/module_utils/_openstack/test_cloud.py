# -*- coding: utf-8 -*-
"""Cloud: one connection, a lazily built facade per service, its request count."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cinder import Cinder
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.glance import Glance
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.ironic import Ironic
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.keystone import Keystone
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.neutron import Neutron
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.nova import Nova
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.placement import Placement
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import PROJECT_ID


def test_connect_cloud_makes_a_cloud_and_sends_nothing_yet(stub):
    cloud = stub.cloud()
    assert isinstance(cloud, Cloud) and cloud.conn is not None
    assert (cloud.region, cloud.label) == ("RegionOne", "defaults/RegionOne")
    assert stub.mocker.request_history == [] and cloud.requests() == 0


def test_each_facade_is_built_once_on_first_use(cloud):
    kinds = {"nova": Nova, "neutron": Neutron, "cinder": Cinder, "glance": Glance, "keystone": Keystone,
             "placement": Placement, "ironic": Ironic}
    for name, kind in kinds.items():
        facade = getattr(cloud, name)
        assert isinstance(facade, kind) and getattr(cloud, name) is facade
    assert cloud.ironic.label == cloud.label


def test_a_facade_on_a_connection_touches_only_its_service(stub, cloud):
    cloud.nova  # the compute proxy: the token (for the catalog), no version discovery yet
    urls = [r.url for r in stub.mocker.request_history]
    assert not [u for u in urls if "glance" in u or "cinder" in u or "neutron" in u or "ironic" in u]


def test_the_catalog_answers_which_services_exist(cloud):
    assert cloud.has_service("baremetal") and cloud.has_service("placement")
    assert not cloud.has_service("load-balancer")


def test_the_project_of_the_token(cloud):
    assert cloud.project_id == PROJECT_ID


def test_a_named_cloud_labels_itself_by_name(cloud):
    assert Cloud(cloud.conn, name="prod").label == "prod/RegionOne"
