# -*- coding: utf-8 -*-
"""The Keystone and Placement facades over a stubbed cloud: request, result, 404 and each service's error."""
from __future__ import annotations

import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack import bodies as b
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.facade_cases import (
    Case,
    check_call,
    check_missing,
    check_refusal,
    ids,
    with_404,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    KEYSTONE,
    PROJECT_ID,
    query,
)

RP = "4e8e5957-649f-477b-9e5b-f1f75b21c03c"
INVENTORIES = {"resource_provider_generation": 7, "inventories": {
    "VCPU": {"total": 8, "reserved": 2, "min_unit": 1, "max_unit": 8, "step_size": 1, "allocation_ratio": 4.0},
    "MEMORY_MB": {"total": 16000, "reserved": 512, "min_unit": 1, "max_unit": 16000, "step_size": 1,
                  "allocation_ratio": 1.5}}}

CASES = [
    Case("projects_json", lambda c: c.keystone.projects_json(), "GET", "identity", "/projects",
         {"projects": b.PROJECTS, "links": {"self": KEYSTONE + "/v3/projects", "previous": None, "next": None}},
         query={}, mv=None, resource="",
         check=lambda found: found[0]["osfleet_maintenance_webhook"] == "https://hooks.shop.example/maint"
         and [p["name"] for p in found] == ["shop", "lab"]),
    Case("find_project_by_id", lambda c: c.keystone.find_project(b.PROJECT), "GET", "identity",
         "/projects/" + b.PROJECT, {"project": b.PROJECTS[0]}, query={},
         routes=[("GET", "identity", "/projects", {"projects": []}, 200)],  # by name, after a 404 by id
         missing=None,  # a 404 by id is followed by a listing by name: test_find_project_by_name_...
         check=lambda project: (project.id, project.name) == (b.PROJECT, "shop")),
    Case("resource_providers_json", lambda c: c.placement.resource_providers_json(), "GET", "placement",
         "/resource_providers",
         {"resource_providers": [{"uuid": RP, "name": "compute-01", "generation": 7, "root_provider_uuid": RP,
                                  "parent_provider_uuid": None, "links": []}]},
         query={}, mv="1.14", resource="",
         check=lambda found: [(p["uuid"], p["root_provider_uuid"]) for p in found] == [(RP, RP)]),
    Case("inventories", lambda c: c.placement.inventories(RP), "GET", "placement",
         "/resource_providers/%s/inventories" % RP, INVENTORIES, query={}, mv="1.14", resource=RP,
         check=lambda inv: (inv["VCPU"]["allocation_ratio"], inv["MEMORY_MB"]["reserved"]) == (4.0, 512)),
]


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_request_on_the_wire_and_its_result(stub, cloud, case):
    check_call(stub, cloud, case)


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_the_services_refusal_is_a_cloud_error_with_its_message_and_request_id(stub, cloud, case):
    check_refusal(stub, cloud, case)


@pytest.mark.parametrize("case", with_404(CASES), ids=ids(with_404(CASES)))
def test_a_404(stub, cloud, case):
    check_missing(stub, cloud, case)


def test_project_names_are_id_to_name(stub, cloud):
    stub.route("GET", "identity", "/projects", {"projects": b.PROJECTS})
    assert cloud.keystone.project_names() == {b.PROJECT: "shop", "b1c2d3e4f5a64b7c8d9e0f1a2b3c4d5e": "lab"}


def test_a_reader_who_may_not_list_projects_gets_no_names_not_an_error(stub, cloud):
    body, _words = b.ERRORS["identity"]
    stub.fail("GET", "identity", "/projects", 403, body)
    assert cloud.keystone.project_names() == {}


def test_find_project_by_name_and_a_missing_one_names_it(stub, cloud):
    stub.fail("GET", "identity", "/projects/investigators", 404, b.NOT_FOUND["identity"])
    stub.route("GET", "identity", "/projects", lambda request, context: {
        "projects": [dict(b.PROJECTS[1], id="e" * 32, name="investigators")] if query(request) == {
            "name": ["investigators"]} else []})
    assert cloud.keystone.find_project("investigators").id == "e" * 32
    stub.fail("GET", "identity", "/projects/nobody", 404, b.NOT_FOUND["identity"])
    with pytest.raises(NotFoundError) as err:
        cloud.keystone.find_project("nobody")
    assert err.value.resource == "nobody" and err.value.field is None and "nobody" in err.value.message


def test_connect_as_is_a_new_token_scoped_to_the_project_with_its_own_count(stub, cloud):
    stub.route("GET", "compute", "/servers/detail", {"servers": []})
    cloud.nova.list_servers_json()
    before = cloud.requests()
    other = cloud.keystone.connect_as("e" * 32)
    assert isinstance(other, Cloud)
    assert other.project_id == "e" * 32
    (token,) = [r for r in stub.mocker.request_history if r.url.endswith("/auth/tokens")][1:]
    assert json.loads(token.body)["auth"]["scope"] == {"project": {"id": "e" * 32}}
    assert other.requests() >= 1 and cloud.requests() == before  # counted where it was made
    assert cloud.project_id == PROJECT_ID
