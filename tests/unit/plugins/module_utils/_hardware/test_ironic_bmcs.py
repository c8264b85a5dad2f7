# -*- coding: utf-8 -*-
"""BMCs from Ironic: which node is which compute host and what its ``driver_info`` becomes, over the
in-memory Ironic node listing (fake_ironic). The listing itself (fields, microversion, pages, errors) is
the access layer's and is tested over HTTP in _openstack/test_ironic.py."""
from __future__ import annotations

import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.ironic_bmcs import (
    bmc_from_node,
    read_ironic_bmcs,
)
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.ironic import Ironic
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_ironic import (
    SECRET,
    FakeIronic,
    ipmi_info,
    node,
    redfish_info,
    uid,
)


def read(nodes, hosts, **kwargs):
    """(BMCs, the fake, how many listing requests it answered, skipped nodes)."""
    api = kwargs.pop("api", None) or FakeIronic(nodes)
    skipped = []
    got = read_ironic_bmcs(Ironic(api, "prod/RegionOne"), hosts, "prod/RegionOne", skipped=skipped, **kwargs)
    return got, api, len(api.requests), skipped


# -- addresses ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("info, address, system_id", [
    (redfish_info("https://10.0.0.11", "/redfish/v1/Systems/1"), "redfish+https://10.0.0.11/redfish/v1/Systems/1",
     "1"),
    (redfish_info("http://10.0.0.12:8000", "/redfish/v1/Systems/5ff7d2a1-aa3c-4e48-9aab-1c8ef1a7a7d2"),
     "redfish+http://10.0.0.12:8000/redfish/v1/Systems/5ff7d2a1-aa3c-4e48-9aab-1c8ef1a7a7d2",
     "5ff7d2a1-aa3c-4e48-9aab-1c8ef1a7a7d2"),
    # no scheme: Ironic assumes https
    (redfish_info("bmc-cmp1.oob.example.net:8443", "/redfish/v1/Systems/System.Embedded.1"),
     "redfish+https://bmc-cmp1.oob.example.net:8443/redfish/v1/Systems/System.Embedded.1", "System.Embedded.1"),
    (redfish_info("https://10.0.0.11:443/", "/redfish/v1/Systems/1/"), "redfish+https://10.0.0.11/redfish/v1/Systems/1",
     "1"),
    (redfish_info("HTTPS://[fd00:10::11]:8443", "/redfish/v1/Systems/1"),
     "redfish+https://[fd00:10::11]:8443/redfish/v1/Systems/1", "1"),
    (redfish_info("fd00:10::12", "/redfish/v1/Systems/1"), "redfish+https://[fd00:10::12]/redfish/v1/Systems/1", "1"),
    (redfish_info("https://10.0.0.13", "https://10.0.0.13/redfish/v1/Systems/2"),
     "redfish+https://10.0.0.13/redfish/v1/Systems/2", "2"),
])
def test_redfish_driver_info(info, address, system_id):
    got, _api, _stats, _skipped = read([node(uid(1), "cmp1", driver_info=info)], ["cmp1"])
    assert got["cmp1"]["type"] == "redfish"
    assert got["cmp1"]["address"] == address
    assert got["cmp1"]["system_id"] == system_id
    assert "verify" not in got["cmp1"]


def test_redfish_without_a_system_id_names_no_system():
    got, _api, _stats, _skipped = read([node(uid(1), "cmp1", driver_info=redfish_info("https://10.0.0.11", None))], ["cmp1"])
    assert got["cmp1"]["address"] == "redfish+https://10.0.0.11"
    assert "system_id" not in got["cmp1"]


@pytest.mark.parametrize("verify_ca, verify", [
    (False, False), ("False", False), ("false", False), ("no", False), ("0", False),
    (True, None), ("True", None), ("/etc/ironic/bmc-ca.pem", None),
])
def test_redfish_verify_ca(verify_ca, verify):
    info = redfish_info(redfish_verify_ca=verify_ca)
    got, _api, _stats, _skipped = read([node(uid(1), "cmp1", driver_info=info)], ["cmp1"])
    assert got["cmp1"].get("verify") is verify


@pytest.mark.parametrize("info, address", [
    (ipmi_info("10.0.1.11"), "ipmi://10.0.1.11:623"),
    (ipmi_info("10.0.1.12", ipmi_port="6230"), "ipmi://10.0.1.12:6230"),
    (ipmi_info("ipmi-cmp3.oob.example.net", ipmi_port=6231), "ipmi://ipmi-cmp3.oob.example.net:6231"),
    (ipmi_info("fd00:20::13"), "ipmi://[fd00:20::13]:623"),
    (ipmi_info("[fd00:20::14]", ipmi_port=6232), "ipmi://[fd00:20::14]:6232"),
])
def test_ipmi_driver_info(info, address):
    got, _api, _stats, _skipped = read([node(uid(1), "cmp1", driver="ipmi", driver_info=info)], ["cmp1"])
    assert got["cmp1"]["type"] == "ipmi"
    assert got["cmp1"]["address"] == address
    assert "system_id" not in got["cmp1"] and "verify" not in got["cmp1"]


def test_the_driver_decides_which_address_wins_when_both_are_set():
    both = dict(ipmi_info("10.0.1.11"), **redfish_info("https://10.0.0.11"))
    nodes = [node(uid(1), "cmp1", driver="ipmi", driver_info=both),
             node(uid(2), "cmp2", driver="redfish", driver_info=both),
             node(uid(3), "cmp3", driver="idrac", driver_info=both)]
    got, _api, _stats, _skipped = read(nodes, ["cmp1", "cmp2", "cmp3"])
    assert got["cmp1"]["type"] == "ipmi" and got["cmp1"]["address"] == "ipmi://10.0.1.11:623"
    assert got["cmp2"]["type"] == "redfish" and got["cmp2"]["address"].startswith("redfish+https://10.0.0.11/")
    assert got["cmp3"]["type"] == "redfish"


def test_a_bad_address_of_the_preferred_kind_falls_back_to_the_other():
    info = dict(ipmi_info("10.0.1.11"), redfish_address="ftp://10.0.0.11")
    got, _api, _stats, _skipped = read([node(uid(1), "cmp1", driver="redfish", driver_info=info)], ["cmp1"])
    assert got["cmp1"]["address"] == "ipmi://10.0.1.11:623"


@pytest.mark.parametrize("driver, info, address, derived_from", [
    # idrac with the idrac-redfish interfaces: Ironic's own redfish_* keys
    ("idrac", redfish_info("https://10.0.2.11", "/redfish/v1/Systems/System.Embedded.1"),
     "redfish+https://10.0.2.11/redfish/v1/Systems/System.Embedded.1", None),
    # idrac with WS-Man interfaces: the iDRAC serves Redfish on the same web server
    ("idrac", {"drac_address": "10.0.2.12", "drac_username": "root", "drac_password": SECRET},
     "redfish+https://10.0.2.12", "drac_address"),
    ("idrac", {"drac_address": "10.0.2.13", "drac_protocol": "http", "drac_port": 80, "drac_password": SECRET},
     "redfish+http://10.0.2.13", "drac_address"),
    ("idrac", {"drac_address": "fd00:30::14", "drac_port": "8443", "drac_password": SECRET},
     "redfish+https://[fd00:30::14]:8443", "drac_address"),
    ("ilo", {"ilo_address": "ilo-cmp5.oob.example.net", "ilo_password": SECRET},
     "redfish+https://ilo-cmp5.oob.example.net", "ilo_address"),
    ("ilo5", {"ilo_address": "10.0.2.16", "client_port": 8443, "ilo_password": SECRET},
     "redfish+https://10.0.2.16:8443", "ilo_address"),
    ("irmc", {"irmc_address": "10.0.2.17", "irmc_port": 80, "irmc_password": SECRET},
     "redfish+http://10.0.2.17", "irmc_address"),
    # an irmc node that also has an IPMI address: Ironic's concrete address beats a derived one
    ("irmc", {"irmc_address": "10.0.2.18", "ipmi_address": "10.0.1.18", "irmc_password": SECRET},
     "ipmi://10.0.1.18:623", None),
])
def test_vendor_drivers(driver, info, address, derived_from):
    got, _api, _stats, _skipped = read([node(uid(1), "cmp1", driver=driver, driver_info=info)], ["cmp1"])
    assert got["cmp1"]["address"] == address
    assert got["cmp1"].get("derived_from") == derived_from
    assert got["cmp1"]["driver"] == driver
    assert "system_id" not in got["cmp1"] or derived_from is None


@pytest.mark.parametrize("driver, info, reason", [
    ("fake-hardware", ipmi_info(), "has no BMC"),
    ("manual-management", {}, "has no BMC"),
    ("ibmc", {"ibmc_address": "https://10.0.3.11", "ibmc_password": SECRET}, "no redfish or ipmi address"),
    ("xclarity", {"xclarity_manager_ip": "10.0.3.12", "xclarity_password": SECRET}, "no redfish or ipmi address"),
    ("snmp", {"snmp_driver": "apc", "snmp_address": "10.0.3.13", "snmp_outlet": 3}, "no redfish or ipmi address"),
    ("some-vendor-hw", {"vendor_address": "10.0.3.14"}, "no redfish or ipmi address"),
    ("ilo", {"ilo_username": "admin"}, "no redfish or ipmi address"),
    ("redfish", {}, "no driver_info"),
    ("redfish", None, "no driver_info"),
    ("redfish", {"content": "** Redacted - requires baremetal:node:get:driver_info permission. **"}, "redacted"),
    ("redfish", {"redfish_address": "https://admin:pw@10.0.0.11"}, "not an http(s) address"),
    ("redfish", {"redfish_address": "not a host name!"}, "not an http(s) address"),
    ("ipmi", {"ipmi_address": "10.0.1.11", "ipmi_port": "six"}, "not a host and port"),
    ("ipmi", {"ipmi_address": "10.0.1.11", "ipmi_port": 70000}, "not a host and port"),
])
def test_nodes_without_a_usable_bmc_get_no_entry_and_a_reason(driver, info, reason):
    got, _api, _stats, skipped = read([node(uid(1), "cmp1", driver=driver, driver_info=info)], ["cmp1"])
    assert got == {}
    assert len(skipped) == 1 and skipped[0]["node"] == uid(1) and skipped[0]["host"] == "cmp1"
    assert reason in skipped[0]["reason"]


def test_an_unknown_driver_with_standard_keys_is_read_by_them():
    got, _api, _stats, _skipped = read([node(uid(1), "cmp1", driver="staging-redfish-ng", driver_info=redfish_info())], ["cmp1"])
    assert got["cmp1"]["type"] == "redfish"


# -- matching nodes to hosts ----------------------------------------------------------------------------


def test_extra_osfleet_host_names_the_host_whatever_the_node_is_called():
    nodes = [node(uid(1), "rack4-u12", driver_info=redfish_info(), extra={"osfleet_host": "cmp1.prod.example"})]
    got, _api, _stats, _skipped = read(nodes, ["cmp1.prod.example", "rack4-u12"])
    assert list(got) == ["cmp1.prod.example"] and got["cmp1.prod.example"]["matched_by"] == "extra"


def test_extra_osfleet_host_naming_no_host_does_not_fall_back_to_the_name():
    nodes = [node(uid(1), "cmp1", driver_info=redfish_info(), extra={"osfleet_host": "cmp9"})]
    got, _api, _stats, _skipped = read(nodes, ["cmp1"])
    assert got == {}


@pytest.mark.parametrize("node_name, hosts, host, how", [
    ("cmp1", ["cmp1", "cmp2"], "cmp1", "name"),
    ("cmp1.prod.example", ["cmp1.prod.example"], "cmp1.prod.example", "name"),
    ("CMP1.Prod.Example", ["cmp1.prod.example"], "cmp1.prod.example", "name"),
    ("cmp1", ["cmp1.prod.example", "cmp2.prod.example"], "cmp1.prod.example", "short_name"),
    ("cmp1.prod.example", ["cmp1", "cmp2"], "cmp1", "short_name"),
    ("cmp1.prod.example", ["cmp1.stage.example"], None, None),  # two FQDNs: different hosts
    ("cmp10", ["cmp1.prod.example"], None, None),
    ("10.0.0.1", ["10.0.0.1"], "10.0.0.1", "name"),
    ("10.0.0.1", ["10"], None, None),  # an IP address has no short name
])
def test_node_names_and_host_names(node_name, hosts, host, how):
    got, _api, _stats, _skipped = read([node(uid(1), node_name, driver_info=redfish_info())], hosts)
    if host is None:
        assert got == {}
    else:
        assert list(got) == [host] and got[host]["matched_by"] == how


def test_a_short_name_matching_two_fqdn_hosts_matches_neither_and_says_so():
    got, _api, _stats, skipped = read([node(uid(1), "cmp1", driver_info=redfish_info())],
                                      ["cmp1.a.example", "cmp1.b.example"])
    assert got == {}
    assert skipped[0]["node"] == uid(1) and "cmp1.a.example, cmp1.b.example" in skipped[0]["reason"]


def test_a_node_uuid_that_is_a_host_name_matches_nova_ironic_driver_hypervisors():
    nodes = [node(uid(7), None, driver_info=redfish_info()), node(uid(8), "unrelated", driver_info=ipmi_info())]
    got, _api, _stats, _skipped = read(nodes, [uid(7), "cmp1"])
    assert list(got) == [uid(7)] and got[uid(7)]["matched_by"] == "uuid" and got[uid(7)]["node_name"] is None


def test_unmatched_nodes_are_ignored_and_not_reported():
    nodes = [node(uid(i), "tenant-bm-%d" % i, driver_info=ipmi_info()) for i in range(5)]
    nodes.append(node(uid(9), "cmp1", driver_info=ipmi_info("10.0.1.99")))
    got, _api, _stats, skipped = read(nodes, ["cmp1"])
    assert list(got) == ["cmp1"] and got["cmp1"]["address"] == "ipmi://10.0.1.99:623"
    assert skipped == []


def test_two_nodes_of_one_host_keep_the_first_listed():
    nodes = [node(uid(2), "cmp1", driver_info=ipmi_info("10.0.1.2")),
             node(uid(1), "cmp1", driver_info=ipmi_info("10.0.1.1"))]
    got, _api, _stats, skipped = read(nodes, ["cmp1"])
    assert got["cmp1"]["node"] == uid(2) and got["cmp1"]["address"] == "ipmi://10.0.1.2:623"
    assert skipped == [{"node": uid(1), "node_name": "cmp1", "host": "cmp1",
                        "reason": "host already matched by node %s" % uid(2)}]


def test_a_better_match_wins_over_an_earlier_node():
    host = "cmp1.prod.example"
    nodes = [node(uid(1), "cmp1", driver_info=ipmi_info("10.0.1.1")),  # short name, listed first
             node(uid(2), host, driver_info=ipmi_info("10.0.1.2")),  # full name
             node(uid(3), "spare", driver_info=ipmi_info("10.0.1.3"), extra={"osfleet_host": host})]
    got, _api, _stats, skipped = read(nodes, [host])
    assert got[host]["node"] == uid(3) and got[host]["matched_by"] == "extra"
    assert [s["node"] for s in skipped] == [uid(2), uid(1)]
    got, _api, _stats, _skipped = read(nodes[:2], [host])
    assert got[host]["node"] == uid(2) and got[host]["address"] == "ipmi://10.0.1.2:623"


def test_the_winner_without_a_bmc_leaves_the_host_without_one():
    nodes = [node(uid(1), "spare", driver="manual-management", extra={"osfleet_host": "cmp1"}),
             node(uid(2), "cmp1", driver_info=ipmi_info())]
    got, _api, _stats, skipped = read(nodes, ["cmp1"])
    assert got == {}
    assert {s["node"] for s in skipped} == {uid(1), uid(2)}


def test_hosts_may_be_any_collection_of_names():
    nodes = [node(uid(1), "cmp1", driver_info=ipmi_info()), node(uid(2), "cmp2", driver_info=ipmi_info())]
    assert sorted(read(nodes, {"cmp1": {}, "cmp2": {}})[0]) == ["cmp1", "cmp2"]
    assert sorted(read(nodes, iter(["cmp2"]))[0]) == ["cmp2"]
    assert read(nodes, [])[0] == {}


# -- what an entry carries ------------------------------------------------------------------------------


def test_an_entry_carries_the_node_view_and_a_credentials_reference():
    record = node(uid(4), "cmp4", driver="redfish", driver_info=redfish_info(), power_state="power off",
                  provision_state="active", maintenance=True, maintenance_reason="fan 3 replaced, burn-in",
                  fault="power failure")
    got, _api, _stats, _skipped = read([record], ["cmp4"])
    assert got["cmp4"] == {
        "address": "redfish+https://10.0.0.11/redfish/v1/Systems/1", "type": "redfish", "system_id": "1",
        "credentials_ref": "ironic:prod/RegionOne/%s" % uid(4), "source": "ironic", "node": uid(4),
        "node_name": "cmp4", "driver": "redfish", "matched_by": "name", "power_state": "power off",
        "provision_state": "active", "maintenance": True, "maintenance_reason": "fan 3 replaced, burn-in",
        "fault": "power failure",
    }


def test_maintenance_is_a_bool_even_when_ironic_leaves_it_out():
    record = node(uid(4), "cmp4", driver_info=ipmi_info())
    del record["maintenance"]
    got, _api, _stats, _skipped = read([record], ["cmp4"])
    assert got["cmp4"]["maintenance"] is False


@pytest.mark.parametrize("show_password", [False, True])
def test_credentials_are_never_copied_even_when_ironic_shows_them(show_password):
    nodes = [node(uid(1), "cmp1", driver="redfish", driver_info=redfish_info()),
             node(uid(2), "cmp2", driver="ipmi", driver_info=ipmi_info()),
             node(uid(3), "cmp3", driver="idrac", driver_info={"drac_address": "10.0.2.3", "drac_username": "root",
                                                               "drac_password": SECRET}),
             node(uid(4), "cmp4", driver="fake-hardware", driver_info=ipmi_info())]
    api = FakeIronic(nodes, show_password=show_password)
    got, _api, _stats, skipped = read(nodes, ["cmp1", "cmp2", "cmp3", "cmp4"], api=api)
    assert sorted(got) == ["cmp1", "cmp2", "cmp3"]
    text = json.dumps([got, skipped])
    assert SECRET not in text and "******" not in text
    assert "admin" not in text and "ADMIN" not in text and "root" not in text
    for entry in got.values():
        assert not {"username", "password"} & set(entry)
        assert not [key for key in entry if "password" in key or "user" in key]


def test_bmc_from_node_needs_no_api():
    bmc, reason = bmc_from_node({"driver": "redfish", "driver_info": redfish_info("10.9.9.9", None)})
    assert bmc == {"type": "redfish", "address": "redfish+https://10.9.9.9"} and reason == ""
    assert bmc_from_node({"driver": "snmp", "driver_info": {"snmp_address": "pdu"}})[0] is None
