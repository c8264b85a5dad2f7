# -*- coding: utf-8 -*-
"""The control-plane snapshot over a stubbed cloud: a real openstacksdk connection, requests-mock under it.

Each test changes what the stubbed services answer and checks what an
operator would read in the snapshot: a new catalog service shows up, a dead
endpoint is down, a refused round trip is degraded with the service's words,
agents keep up/enabled/forced_down apart, one hanging site does not hold the
other back.
"""
from __future__ import annotations

import re
import socket
import threading
import time

import pytest
import requests
import requests_mock

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import CloudOptions
from ansible_collections.osfleet.day2.plugins.module_utils._sites.control_plane import (
    SiteSpec,
    connector,
    read_sites,
    site_specs,
)
from ansible_collections.osfleet.day2.plugins.module_utils._sites.site import ProbeOptions
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import KEYSTONE, NOVA
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._sites.control_plane_fixtures import (
    DNS,
    SWIFT_ACCOUNT,
    dns_service,
    serve_site,
    swift_service,
)

NO_FILES = {"load_yaml_config": False, "load_envvars": False}
HANG_KEYSTONE = "http://hang.example.test:5000/v3"


def lab_cloud(auth_url=KEYSTONE + "/v3"):
    """A cloud given as a dict of settings (as clouds.yaml would hold it), pointing at the stub's Keystone."""
    return {"auth_type": "password", "auth": {"auth_url": auth_url, "username": "admin", "password": "stub-secret",
                                              "project_name": "admin", "user_domain_name": "Default",
                                              "project_domain_name": "Default"}}


def read(specs, probes=2, timeout=10.0, regions=None, **more):
    options = ProbeOptions(probes=probes, timeout=timeout, current_series="2025.1", **more)
    own = CloudOptions(extra=dict(NO_FILES))
    return read_sites(specs, connector(own, listed=True, timeout=timeout), options, regions=regions)


def one_site(**kwargs):
    out = read([SiteSpec("lab", cloud=lab_cloud())], **kwargs)
    assert len(out["sites"]) == 1
    return out["sites"][0]


def by_type(site):
    return {s["type"]: s for s in site["services"]}


@pytest.fixture
def site_stub(stub):
    """The stub with every round trip and listing routed; ``extra`` grows the catalog."""
    stub.extra = serve_site(stub)
    return stub


def test_every_catalog_service_is_probed_and_round_tripped(site_stub):
    site = one_site(probes=3)
    assert site["ok"] is True and site["error"] is None and site["region"] == "RegionOne"
    services = by_type(site)
    assert set(services) == {"baremetal", "block-storage", "compute", "identity", "image", "network", "placement",
                             "volumev3"}
    assert all(s["health"] == "up" for s in services.values()), services
    compute = services["compute"]
    assert compute["version"] == {"id": "v2.1", "status": "CURRENT", "min_microversion": "2.1",
                                  "max_microversion": "2.100", "exact": None}
    assert compute["round_trip"]["call"] == "GET /v2.1/flavors?limit=1" and compute["round_trip"]["status"] == 200
    assert compute["endpoints"][0]["probes"] == 3 and compute["endpoints"][0]["errors"] == 0
    # three unauthenticated GETs of Nova's version document, none carrying the token
    probes = [r for r in site_stub.mocker.request_history
              if r.url.rstrip("/") == NOVA + "/v2.1" and "X-Auth-Token" not in r.headers]
    assert len(probes) >= 3
    trips = [r for r in site_stub.mocker.request_history if "/flavors" in r.url]
    assert len(trips) == 1 and trips[0].headers.get("X-Auth-Token")
    assert services["network"]["round_trip"]["call"] == "GET /v2.0/networks?limit=1"
    assert services["identity"]["round_trip"]["call"].startswith("GET /v3/projects/")


def test_a_service_added_to_the_catalog_appears_in_the_next_run(site_stub):
    first = one_site()
    assert "dns" not in by_type(first)
    site_stub.extra.append(dns_service())
    second = one_site()
    dns = by_type(second)["dns"]
    assert dns["name"] == "designate" and dns["health"] == "up"
    assert dns["version"]["id"] == "v2.0"  # keystoneauth normalizes "v2"
    assert dns["round_trip"]["ok"] is True and dns["round_trip"]["call"] == "GET /"
    assert any(r.url.startswith(DNS) and r.headers.get("X-Auth-Token") for r in site_stub.mocker.request_history)


def test_swift_is_a_head_of_its_account_and_its_release_is_from_info(site_stub):
    site_stub.extra.append(swift_service(site_stub))
    swift = by_type(one_site())["object-store"]
    assert swift["health"] == "up"
    assert swift["round_trip"]["call"] == "HEAD " + SWIFT_ACCOUNT.split(":8080", 1)[1]
    assert swift["round_trip"]["status"] == 204
    assert swift["version"]["exact"] == "2.33.0" and swift["version"]["id"]
    assert swift["release"]["confidence"] == "exact" and swift["release"]["series"]
    heads = [r for r in site_stub.mocker.request_history if r.method == "HEAD"]
    assert len(heads) == 1 and heads[0].headers.get("X-Auth-Token")


def test_an_unreachable_endpoint_is_down_and_the_others_are_not(site_stub):
    for url in (NOVA, NOVA + "/", NOVA + "/v2.1", NOVA + "/v2.1/"):
        site_stub.mocker.get(url, exc=requests.exceptions.ConnectionError("connection refused"))
    site = one_site()
    compute = by_type(site)["compute"]
    assert compute["health"] == "down"
    endpoint = compute["endpoints"][0]
    assert endpoint["reachable"] is False and endpoint["errors"] == endpoint["probes"] == 2
    assert "connection refused" in endpoint["error"]
    assert endpoint["latency_ms"] == {"p50": None, "p95": None}
    assert compute["round_trip"]["ok"] is False and compute["round_trip"]["call"] is None
    assert by_type(site)["network"]["health"] == "up"


def test_a_refused_round_trip_is_degraded_with_the_service_words(site_stub):
    site_stub.fail("GET", "image", "/images", 401, "<html><h1>401 Unauthorized</h1>This server could not verify "
                   "that you are authorized</html>")
    image = by_type(one_site())["image"]
    assert image["health"] == "degraded"
    assert image["endpoints"][0]["reachable"] is True
    trip = image["round_trip"]
    assert trip["ok"] is False and trip["status"] == 401
    assert trip["error"].startswith("HTTP 401: 401 Unauthorized") and "could not verify" in trip["error"]


def test_some_failed_probes_degrade_a_service(site_stub):
    answers = iter([500, 200, 200])

    def flaky(request, context):
        context.status_code = next(answers, 200)
        return {"versions": [{"id": "v2.0", "status": "CURRENT", "links": []}]}

    for url in ("http://neutron.example.test:9696/v2.0", "http://neutron.example.test:9696/v2.0/"):
        site_stub.mocker.get(url, json=flaky)
    network = by_type(one_site(probes=3))["network"]
    assert network["endpoints"][0]["errors"] == 1 and network["endpoints"][0]["reachable"] is True
    assert network["health"] == "degraded"


def test_agents_keep_up_enabled_and_forced_down_apart(site_stub):
    site = one_site()
    agents = {(a["binary"], a["host"]): a for a in site["agents"]}
    alive = agents[("nova-compute", "compute-01")]
    assert (alive["up"], alive["enabled"], alive["forced_down"], alive["state"]) == (True, True, False, "up")
    fenced = agents[("nova-compute", "compute-02")]
    assert (fenced["up"], fenced["enabled"], fenced["forced_down"], fenced["state"]) == (False, True, True, "down")
    disabled = agents[("nova-compute", "compute-03")]
    assert (disabled["up"], disabled["enabled"], disabled["forced_down"], disabled["state"]) == (
        True, False, False, "disabled")
    assert disabled["disabled_reason"] == "maintenance"
    l3 = agents[("neutron-l3-agent", "net-01")]
    assert (l3["up"], l3["enabled"], l3["forced_down"], l3["state"]) == (False, True, None, "down")
    assert agents[("cinder-volume", "storage-01@lvm")]["service_type"] == "block-storage"
    conductor = agents[("ironic-conductor", "ctl-01")]
    assert conductor["up"] is True and conductor["enabled"] is None and conductor["state"] == "up"
    assert site["hypervisors"] == [{"host": "compute-01", "type": "QEMU", "version": "8.2.0"}]
    # one fleet-wide listing each, conductors at the microversion that has them
    listing = [r for r in site_stub.calls() if r.path.endswith(("/os-services", "/agents", "/conductors"))
               or "/os-hypervisors" in r.path]
    assert len(listing) == 5
    conductors = [r for r in listing if r.path.endswith("/conductors")][0]
    assert conductors.headers["OpenStack-API-Version"] == "baremetal 1.49"


def test_a_refused_listing_is_a_warning_and_the_rest_stands(site_stub):
    site_stub.fail("GET", "network", "/agents", 403, {"NeutronError": {"message": "rule:get_agent is disallowed"}})
    site = one_site()
    assert site["ok"] is True and by_type(site)["network"]["health"] == "up"
    assert not [a for a in site["agents"] if a["service_type"] == "network"]
    assert any("network agents not read" in w and "disallowed" in w for w in site["warnings"]), site["warnings"]


def test_release_and_currency_come_from_the_table(site_stub):
    compute = by_type(one_site())["compute"]
    release = compute["release"]
    assert release["confidence"] in ("exact", "range", "unknown")
    if release["confidence"] == "exact":
        assert release["series"] and release["candidates"] == [release["series"]]
    else:
        assert release["series"] is None
    assert compute["currency"]["current_series"] == "2025.1"


def test_an_unknown_current_series_is_refused_before_any_call(stub):
    with pytest.raises(ValidationError) as err:
        read_sites([SiteSpec("lab", cloud=lab_cloud())], connector(CloudOptions(extra=dict(NO_FILES)), True, 5),
                   ProbeOptions(current_series="2099.9"))
    assert err.value.field == "current_series"
    assert not stub.mocker.request_history


def test_a_region_the_catalog_lacks_is_a_failed_site(site_stub):
    out = read([SiteSpec("lab", cloud=lab_cloud())], regions=["RegionOne", "RegionTwo"])
    sites = {s["region"]: s for s in out["sites"]}
    assert sites["RegionOne"]["ok"] is True
    assert sites["RegionTwo"]["ok"] is False and "no region RegionTwo" in sites["RegionTwo"]["error"]
    assert out["summary"]["sites"] == 2 and out["summary"]["sites_failed"] == 1


@pytest.fixture
def hanging_keystone(site_stub):
    """A Keystone that takes the connection and never answers: a real socket on 127.0.0.1, closed at the end.

    A real one because requests-mock answers one request at a time (a global lock around its send), so a
    callback that waits would hold every other site back too; a request routed with ``real_http`` goes
    out of that lock to this socket.
    """
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    assert not 18000 <= port <= 18999
    held = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = "http://127.0.0.1:%d/v3" % port
    site_stub.mocker.register_uri(requests_mock.ANY, re.compile(re.escape("http://127.0.0.1:%d" % port)),
                                  real_http=True)
    yield url
    stop.set()
    thread.join(2)
    for conn in held:
        conn.close()
    server.close()


def test_a_hanging_site_is_reported_at_its_deadline_and_the_other_is_still_read(site_stub, hanging_keystone):
    started = time.monotonic()
    own = CloudOptions(api_timeout=10, extra=dict(NO_FILES))  # the socket would wait longer than the deadline
    out = read_sites([SiteSpec("lab", cloud=lab_cloud()), SiteSpec("hung", cloud=lab_cloud(hanging_keystone))],
                     connector(own, listed=True, timeout=1.0),
                     ProbeOptions(probes=2, timeout=1.0, current_series="2025.1"))
    took = time.monotonic() - started
    assert took < 3.0, took
    good, hung = out["sites"]
    assert good["ok"] is True and good["cloud"] == "lab" and by_type(good)["compute"]["health"] == "up"
    assert hung["ok"] is False and hung["cloud"] == "hung" and "no answer within 1 s" in hung["error"]
    assert hung["services"] == []
    summary = out["summary"]
    assert summary["sites_ok"] == 1 and summary["sites_failed"] == 1
    assert summary["health"]["up"] == len(good["services"])


def test_a_cloud_that_refuses_the_login_is_a_failed_site(site_stub):
    for url in (HANG_KEYSTONE, HANG_KEYSTONE + "/"):
        site_stub.mocker.get(url, json={"version": {"id": "v3.14", "status": "stable",
                                                    "links": [{"rel": "self", "href": HANG_KEYSTONE + "/"}]}})
    site_stub.mocker.post(HANG_KEYSTONE + "/auth/tokens", status_code=401,
                          json={"error": {"code": 401, "message": "The request you have made requires authentication."}})
    out = read([SiteSpec("lab", cloud=lab_cloud()), SiteSpec("bad", cloud=lab_cloud(HANG_KEYSTONE))])
    good, bad = out["sites"]
    assert good["ok"] is True
    assert bad["ok"] is False and "requires authentication" in bad["error"]


def test_site_specs_take_names_and_dicts_and_refuse_the_rest():
    own = CloudOptions(cloud="lab", region_name="RegionOne")
    assert site_specs([], own) == [SiteSpec("lab", cloud="lab", region="RegionOne")]
    assert site_specs(["a", {"cloud": "b", "region_name": "R2"}], own) == [
        SiteSpec("a", cloud="a"), SiteSpec("b", cloud="b", region="R2")]
    for bad in ([3], [{"region_name": "R"}], [{"cloud": "b", "region": "R"}]):
        with pytest.raises(ValidationError) as err:
            site_specs(bad, own)
        assert err.value.field == "clouds"
