# -*- coding: utf-8 -*-
"""gather.py over a stubbed cloud (requests-mock under the real access layer) and a Redfish server on loopback."""
from __future__ import annotations

import time

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import bmc_settings, engine, facts, gather, packs
from ansible_collections.osfleet.day2.plugins.module_utils._audit.redfish_settings import settings_from_redfish
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.gather_stubs import (
    pass_local,
    redfish_docs,
    route_cloud,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.conftest import (  # noqa: F401  pylint: disable=unused-import
    FakeRedfish,
    https_redfish,
)


@pytest.fixture
def bmc_server():
    started = []

    def _start(**kw):
        fake = FakeRedfish(redfish_docs(**kw))
        fake.thread.start()
        started.append(fake)
        return fake
    yield _start
    for fake in started:
        fake.server.shutdown()
        fake.server.server_close()


def bmcs_of(**fakes):
    return {host: {"address": f.address(), "username": "admin", "password": "secret"} for host, f in fakes.items()}


# -- one BMC's settings ---------------------------------------------------------------------------------
def test_settings_over_plain_http_are_read_and_the_certificate_is_an_error_saying_why(bmc_server):
    fake = bmc_server(http_on=True, password_change_required=True, bmc_clock_ahead=120)
    docs = bmc_settings.read_settings(fake.address(), "admin", "secret", timeout=5)
    got = settings_from_redfish(docs)
    assert got["network"]["http"] is True and got["network"]["ipmi"] is False
    assert got["network"]["ntp_servers"] == ["ntp1.lab"]
    assert [a["username"] for a in got["accounts"]] == ["admin"]  # the empty slot is left out
    assert got["accounts"][0]["password_change_required"] is True
    assert 110 < got["clock_offset_seconds"] < 130
    assert got["power_restore_policy"] == "LastState"
    assert got["sel"]["max_entries"] == 100 and got["sel"]["free_percent"] is not None
    assert "certificate" not in got and "plain http" in got["_errors"]["certificate"]


def test_a_document_the_bmc_does_not_serve_is_an_error_of_its_fact_only(bmc_server):
    fake = bmc_server()
    fake.docs.pop("/redfish/v1/AccountService/Accounts")
    got = settings_from_redfish(bmc_settings.read_settings(fake.address(), "admin", "secret", timeout=5))
    assert "accounts" in got["_errors"] and "accounts" not in got
    assert got["network"]["https"] is True  # the others are still read


def test_an_unreachable_bmc_makes_every_setting_an_error():
    got = settings_from_redfish(bmc_settings.read_settings("redfish+http://127.0.0.1:9", "admin", "x", timeout=2))
    assert set(got) == {"_errors"}
    assert set(got["_errors"]) == {"network", "accounts", "certificate", "clock_offset_seconds",
                                   "power_restore_policy", "sel"}
    assert all("unreachable" in why for why in got["_errors"].values())


def test_the_certificate_is_trusted_only_when_our_verified_handshake_accepts_it(https_redfish):
    fake, cert = https_redfish(cert_name="bmc-01")
    for name, value in redfish_docs().items():
        fake.docs.setdefault(name.rstrip("/") or "/", value)
    fake.docs["/redfish/v1"] = redfish_docs()["/redfish/v1/"]
    # the BMC's own CA given: verified, and the certificate's facts come from the handshake
    trusted = settings_from_redfish(bmc_settings.read_settings(fake.address(), "admin", "secret", ca_path=cert,
                                                               timeout=5))
    assert trusted["certificate"]["trusted"] is True
    assert trusted["certificate"]["subject_cn"] == "bmc-01" and trusted["certificate"]["self_signed"] is True
    assert trusted["certificate"]["not_after"]
    # the default bundle does not know this self-signed certificate: not trusted (the reads need verify off)
    untrusted = settings_from_redfish(bmc_settings.read_settings(fake.address(), "admin", "secret",
                                                                 validate_certs=False, timeout=5))
    assert untrusted["certificate"]["trusted"] is False


# -- a whole run ---------------------------------------------------------------------------------------
def test_a_run_reads_every_source_and_the_packs_evaluate_over_it(stub, bmc_server):
    route_cloud(stub)
    pass_local(stub)
    one, two = bmc_server(), bmc_server(http_on=True)
    cloud = stub.cloud()
    g = gather.gather(cloud, bmcs_of(**{"compute-01": one, "compute-02": two}),
                      gather.GatherOptions(deadline=60, bmc_timeout=5))
    assert g.errors == {}, g.errors
    assert set(g.fleet["hosts"]) == {"compute-01", "compute-02"}
    assert g.hardware["compute-01"]["status"] == "ok"
    assert g.bmc_settings["compute-02"]["network"]["http"] is True
    assert g.placement["compute-02"] == {"uuid": gather_stubs_h2(), "traits": ["COMPUTE_STATUS_DISABLED"]}
    assert [p["id"] for p in g.ports] == ["port-orphan"] and g.server_times["s-1"]["created"]
    assert g.fleet["servers"]["s-2"]["quarantine"] == "case-7"
    assert set(g.extra["timings"]) >= {"fleet", "hardware", "bmc_settings", "ports"}
    targets = facts.build_targets(g)
    doc = engine.evaluate(packs.load_packs(["compute_hosts", "unused_capacity"]), targets, [], {})
    status = {(r["rule"], r["target"]): r["status"] for r in doc["results"]}
    assert status[("BMC-04", "compute-02")] == "fail" and status[("BMC-04", "compute-01")] == "pass"
    assert status[("NOVA-23", "compute-02")] == "fail"  # the trait says disabled, the service enabled
    assert status[("BMC-06", "compute-01")] == "error"  # over http: no certificate to judge
    assert status[("UNUSED-03", "port-orphan")] == "fail"
    cloud.close()


def gather_stubs_h2():
    from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.gather_stubs import H2
    return H2


def test_a_failed_listing_is_an_error_of_its_facts_never_an_empty_list(stub):
    route_cloud(stub, fail={("GET", "network", "/agents"), ("GET", "identity", "/projects")})
    cloud = stub.cloud()
    g = gather.gather(cloud, None, gather.GatherOptions(deadline=60))
    assert g.network_agents is None and "list network agents" in g.errors["network_agents"]
    assert "list projects" in g.errors["projects"]
    assert "no BMC map" in g.errors["hardware"]
    targets = facts.build_targets(g)
    host = {t["id"]: t for t in targets["host"]}["compute-01"]
    assert "network_agents" in host["_errors"] and "network_agents" not in host
    doc = engine.evaluate(packs.load_packs(["compute_hosts", "unused_capacity"]), targets, [], {})
    status = {(r["rule"], r["target"]): r["status"] for r in doc["results"]}
    assert status[("NET-24", "compute-01")] == "error"
    assert status[("UNUSED-02", "s-1")] == "error"  # no project listing: never "orphan"
    cloud.close()


def test_a_source_past_the_deadline_is_given_up_and_named(stub, monkeypatch):
    route_cloud(stub)
    cloud = stub.cloud()
    slow = cloud.neutron.list_ports_json

    def very_slow(*a, **kw):
        time.sleep(3)
        return slow(*a, **kw)
    monkeypatch.setattr(cloud.neutron, "list_ports_json", very_slow)
    began = time.monotonic()
    g = gather.gather(cloud, None, gather.GatherOptions(deadline=1.0, sources=("ports", "floating_ips")))
    assert time.monotonic() - began < 2.5
    assert g.ports is None and "deadline" in g.errors["ports"]
    assert g.floating_ips is not None
    cloud.close()


def test_without_the_fleet_a_host_only_the_bmc_map_knows_is_error_on_nova_rules_not_not_applicable(stub, bmc_server):
    route_cloud(stub, fail={("GET", "compute", "/os-services")})
    pass_local(stub)
    fake = bmc_server()
    cloud = stub.cloud()
    g = gather.gather(cloud, bmcs_of(**{"compute-01": fake}), gather.GatherOptions(deadline=60, bmc_timeout=5))
    assert g.fleet is None and "list compute services" in g.errors["fleet"]
    assert "fleet snapshot" in g.errors["placement"]  # traits cannot be matched to hosts without it
    doc = engine.evaluate(packs.load_packs(["compute_hosts"]), facts.build_targets(g), [], {})
    status = {(r["rule"], r["target"]): r["status"] for r in doc["results"]}
    assert status[("NOVA-16", "compute-01")] == "error"  # Nova could not be read: not "no compute service"
    assert status[("HW-14", "compute-01")] == "pass"  # the BMC still answered
    cloud.close()
