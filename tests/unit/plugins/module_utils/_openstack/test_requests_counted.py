# -*- coding: utf-8 -*-
"""One request counter: keystoneauth's timing collection on the connection's session. Every request on the
wire (authentication, version discovery, SDK proxy calls, raw JSON pages) is counted once, from any thread."""
from __future__ import annotations

import threading

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import (
    connect,
    count_requests_of,
    requests_made,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack import bodies as b

openstack = pytest.importorskip("openstack")


def wire(stub):
    return len(stub.mocker.request_history)


def test_auth_discovery_sdk_calls_and_raw_pages_are_all_counted(stub):
    stub.route("GET", "compute", "/servers/" + b.SERVER_ID, {"server": b.SERVER})
    stub.route("GET", "compute", "/servers/detail", {"servers": [b.SERVER]})
    stub.route("GET", "block-storage", "/volumes/" + b.VOLUME_ID, {"volume": b.VOLUME})
    cloud = stub.cloud()
    assert cloud.requests() == 0 and wire(stub) == 0  # connecting sends nothing yet
    cloud.nova.get_server(b.SERVER_ID)                   # SDK proxy call: auth first
    assert cloud.requests() == wire(stub) == 3           # GET /v3 (discovery), POST /v3/auth/tokens, the GET
    cloud.nova.list_servers_json()                       # raw adapter call
    cloud.cinder.get_volume(b.VOLUME_ID)                 # another service: its discovery and the call
    assert cloud.requests() == wire(stub)
    methods = [(r.method, r.url.split("?")[0]) for r in stub.mocker.request_history]
    assert ("POST", "http://keystone.example.test:5000/v3/auth/tokens") in methods
    assert ("GET", "http://cinder.example.test:8776/v3/") in methods  # discovery is counted too
    assert cloud.requests() == 1 + 1 + 1 + 1 + 1 + 1  # /v3, token, server, /servers/detail, cinder /v3/, volume


def test_a_refused_call_is_counted_too(stub, cloud):
    body, _words = b.ERRORS["compute"]
    stub.fail("POST", "compute", "/servers/%s/action" % b.SERVER_ID, 409, body)
    with pytest.raises(Exception):
        cloud.nova.stop(b.SERVER_ID)
    assert cloud.requests() == wire(stub)


def test_counting_is_right_with_many_threads_on_one_connection(stub, cloud):
    stub.route("GET", "compute", "/servers/detail", {"servers": [b.SERVER]})
    stub.route("GET", "compute", "/servers/" + b.SERVER_ID, {"server": b.SERVER})
    cloud.nova.get_server(b.SERVER_ID)  # authenticated once, before the threads
    before = cloud.requests()
    start = threading.Barrier(16)

    def work(n):
        start.wait()
        for _call in range(25):
            if n % 2:
                cloud.nova.list_servers_json()
            else:
                cloud.nova.get_server(b.SERVER_ID)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cloud.requests() - before == 16 * 25
    assert cloud.requests() == wire(stub)


def test_connect_asks_the_sdk_to_collect_timings(stub):
    conn = connect(stub.options())
    assert conn.config.config["timing"] is True
    assert conn.session._collect_timing is True


def _region(stub):
    """A CloudRegion as the inventory plugin gets one from OpenStackConfig."""
    config = openstack.config.OpenStackConfig(load_yaml_config=False, load_envvars=False)
    options = stub.options()
    return config.get_one(auth=options.auth, auth_type="password", region_name="RegionOne")


def test_a_connection_made_from_a_cloud_region_counts_once_asked_to(stub):
    stub.route("GET", "compute", "/servers/detail", {"servers": []})
    plain = openstack.connection.Connection(config=_region(stub))
    Cloud(plain).nova.list_servers_json()
    assert requests_made(plain) == 0  # the SDK collects no timings unless asked
    counted = openstack.connection.Connection(config=count_requests_of(_region(stub)))
    cloud = Cloud(counted)
    cloud.nova.list_servers_json()
    assert cloud.requests() == 3  # its own discovery, token and page


def test_count_requests_of_a_region_whose_session_is_already_made(stub):
    stub.route("GET", "compute", "/servers/detail", {"servers": []})
    region = _region(stub)
    conn = openstack.connection.Connection(config=region)
    conn.session  # built without timing
    count_requests_of(region)
    Cloud(conn).nova.list_servers_json()
    assert requests_made(conn) == 3


def test_a_redirect_counts_each_response(stub, cloud):
    stub.route("GET", "compute", "/os-aggregates", "", status=302,
               headers={"Location": "http://nova.example.test:8774/v2.1/os-aggregates-moved"})
    stub.route("GET", "compute", "/os-aggregates-moved", {"aggregates": []})
    assert cloud.nova.list_aggregates_json() == []
    assert cloud.requests() == wire(stub)
