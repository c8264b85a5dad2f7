# -*- coding: utf-8 -*-
"""The Ironic node listing over a stubbed cloud (Ironic 1.1-1.96): fields, microversion, pages by the marker
of ``next``, and Ironic's errors (moved here from _hardware/test_ironic_bmcs.py, now over HTTP)."""
from __future__ import annotations

import pytest
import requests

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ironic_bmcs import read_ironic_bmcs
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.ironic import NODE_FIELDS
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_ironic import (
    FakeIronic,
    ipmi_info,
    ironic_error,
    node,
    redfish_info,
    serve,
    uid,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.json_response import Response
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import (
    microversion,
    query,
)


def read(stub, cloud, nodes, hosts, api=None, **kwargs):
    api = serve(stub, api or FakeIronic(nodes))
    prod = Cloud(cloud.conn, name="prod")  # the cloud's name as clouds.yaml gives it: its label prod/RegionOne
    got = read_ironic_bmcs(prod.ironic, hosts, prod.label, **kwargs)
    return got, api


# -- the call -------------------------------------------------------------------------------------------


def test_no_nodes_is_no_bmcs_and_one_request(stub, cloud):
    got, api = read(stub, cloud, [], ["cmp1", "cmp2"])
    assert got == {}
    assert len(stub.calls("baremetal")) == 1 and len(api.requests) == 1
    assert cloud.requests() == len(stub.mocker.request_history)


def test_one_list_call_with_fields_not_detail_and_a_microversion_ironic_accepts(stub, cloud):
    got, api = read(stub, cloud, [node(uid(1), "cmp1", driver_info=redfish_info())], ["cmp1"])
    assert list(got) == ["cmp1"]
    (request,) = stub.calls("baremetal")
    assert request.url.split("?")[0] == "http://ironic.example.test:6385/v1/nodes"
    assert request.headers["Accept"] == "application/json"
    assert microversion(request, "baremetal") == "1.42"
    sent = query(request)
    assert "detail" not in sent and sent["limit"] == ["1000"]
    asked = sent["fields"][0].split(",")
    assert asked == list(NODE_FIELDS)
    assert {"uuid", "name", "driver", "driver_info", "extra", "power_state", "provision_state",
            "maintenance", "maintenance_reason"} <= set(asked)
    assert not {"properties", "instance_info", "driver_internal_info"} & set(asked)


def test_an_ironic_too_old_for_the_microversion_is_a_cloud_error(stub, cloud):
    api = FakeIronic([node(uid(1), "cmp1", driver_info=redfish_info())], max_version=31)
    with pytest.raises(CloudError) as err:
        read(stub, cloud, [], ["cmp1"], api=api)
    assert err.value.status_code == 406 and "maximum is 1.31" in err.value.message


def test_pages_are_followed_by_the_marker_of_next_not_its_host(stub, cloud):
    nodes = [node(uid(i), "cmp%d" % i, driver_info=ipmi_info("10.0.1.%d" % i)) for i in range(1, 8)]
    api = FakeIronic(nodes, public_url="http://wrong-internal-host:6385")
    got, api = read(stub, cloud, nodes, ["cmp%d" % i for i in range(1, 8)], api=api, page_size=3)
    assert sorted(got) == ["cmp%d" % i for i in range(1, 8)]
    assert got["cmp7"]["address"] == "ipmi://10.0.1.7:623"
    # 3 + 3 + 1 nodes: the last page is not full, so Ironic gives no next link
    calls = stub.calls("baremetal")
    assert len(calls) == 3 and all(r.url.startswith("http://ironic.example.test:6385/v1/nodes?") for r in calls)
    assert [r["params"].get("marker") for r in api.requests] == [None, uid(3), uid(6)]
    assert all(r["params"]["fields"] == api.requests[0]["params"]["fields"] for r in api.requests)


def test_a_full_last_page_costs_one_empty_page_and_a_small_max_limit_still_reads_everything(stub, cloud):
    nodes = [node(uid(i), "cmp%d" % i, driver_info=ipmi_info("10.0.1.%d" % i)) for i in range(1, 7)]
    got, _api = read(stub, cloud, nodes, ["cmp%d" % i for i in range(1, 7)], api=FakeIronic(nodes, max_limit=2))
    assert len(got) == 6
    assert len(stub.calls("baremetal")) == 4  # 2 + 2 + 2 + an empty page after the last full one


def test_an_ironic_that_repeats_its_marker_does_not_loop_forever(stub, cloud):
    class Stuck(FakeIronic):
        """Ignores the marker: every page is the first one, with the same next link."""

        def get(self, path, params=None, **kwargs):
            return super().get(path, dict(params or {}, marker=None), **kwargs)

    nodes = [node(uid(i), "cmp%d" % i, driver_info=ipmi_info()) for i in range(1, 3)]
    got, _api = read(stub, cloud, nodes, ["cmp1"], api=Stuck(nodes, max_limit=2))
    assert len(stub.calls("baremetal")) == 2 and list(got) == ["cmp1"]


def test_nodes_is_a_lazy_iterator_of_dicts(stub, cloud):
    serve(stub, FakeIronic([node(uid(i), "cmp%d" % i) for i in range(1, 4)], max_limit=1))
    nodes = cloud.ironic.nodes(fields=("uuid", "name"), page_size=1)
    assert next(nodes) == {"uuid": uid(1), "name": "cmp1"} and len(stub.calls("baremetal")) == 1
    assert [n["name"] for n in nodes] == ["cmp2", "cmp3"]


# -- errors ---------------------------------------------------------------------------------------------


def test_a_reader_without_node_list_rights_gets_a_403_cloud_error_naming_the_call(stub, cloud):
    api = FakeIronic([])
    api.fail[1] = ironic_error(403, "Access was denied to the following resource: baremetal:node:list")
    with pytest.raises(CloudError) as err:
        read(stub, cloud, [], ["cmp1"], api=api)
    assert err.value.status_code == 403
    assert err.value.call == "list baremetal nodes" and err.value.request_id == "req-1"
    assert "baremetal:node:list" in err.value.message and "HTTP 403" in err.value.message
    assert "prod/RegionOne" in err.value.message and err.value.resource == "prod/RegionOne"
    assert err.value.to_result()["details"]["status_code"] == 403


def test_an_error_on_a_later_page_is_raised_not_a_partial_answer(stub, cloud):
    nodes = [node(uid(i), "cmp%d" % i, driver_info=ipmi_info()) for i in range(1, 5)]
    api = FakeIronic(nodes, max_limit=2)
    api.fail[2] = Response(500, "<html><body><h1>500 Internal Server Error</h1>Service Unavailable</body></html>")
    with pytest.raises(CloudError) as err:
        read(stub, cloud, nodes, ["cmp1", "cmp3"], api=api)
    assert err.value.status_code == 500 and "Service Unavailable" in err.value.message


def test_a_503_is_retried_by_keystoneauth_and_the_listing_completes(stub):
    """The SDK's default for Ironic is 5 retries of a 503 (defaults.json); each retry is in the history, and
    keystoneauth's timing counts the request once."""
    cloud = stub.cloud(baremetal_status_code_retry_delay=0.01)
    nodes = [node(uid(i), "cmp%d" % i, driver_info=ipmi_info()) for i in range(1, 5)]
    api = FakeIronic(nodes, max_limit=2)
    api.fail[2] = Response(503, "<html>Service Unavailable</html>")
    got, _api = read(stub, cloud, nodes, ["cmp1", "cmp3"], api=api)
    assert sorted(got) == ["cmp1", "cmp3"]
    assert len(stub.calls("baremetal")) == 4  # 1, 2 (503), 2 again, 3 (empty)
    assert cloud.requests() == len(stub.mocker.request_history) - 1


def test_a_marker_ironic_no_longer_knows_is_a_not_found(stub, cloud):
    nodes = [node(uid(i), "cmp%d" % i) for i in range(1, 5)]
    api = FakeIronic(nodes, max_limit=2)
    api.fail[2] = ironic_error(404, "Node %s could not be found." % uid(2))
    with pytest.raises(NotFoundError) as err:
        read(stub, cloud, nodes, ["cmp1"], api=api)
    assert "could not be found" in err.value.message and err.value.details["status_code"] == 404


def test_a_body_that_is_not_json_is_a_cloud_error(stub, cloud):
    api = FakeIronic([])
    api.fail[1] = Response(200, "<html>login page of a proxy</html>")
    with pytest.raises(CloudError) as err:
        read(stub, cloud, [], ["cmp1"], api=api)
    assert err.value.call == "list baremetal nodes" and "not a JSON object" in err.value.message


def test_a_transport_error_becomes_a_cloud_error(stub, cloud):
    cloud.ironic  # discovery first, then Ironic goes away
    stub.mocker.get("http://ironic.example.test:6385/v1/nodes", exc=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(CloudError) as err:
        list(cloud.ironic.nodes())
    assert "list baremetal nodes" in err.value.message and "Unable to establish connection" in err.value.message
