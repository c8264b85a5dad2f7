# -*- coding: utf-8 -*-
"""The shipped compute_hosts pack on the fixture cloud: every rule passes as shipped, and each fault fails
the rule that should catch it and only that one (the lab's faults are among them)."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.audit_fixtures import by_status, fresh_cloud, result, run, shipped

HOST = "compute-02"


def hw(cloud, host=HOST):
    return cloud["hardware"][host]["state"]


def redfish(cloud, host=HOST):
    return cloud["redfish"][host]


def sel(cloud, message, severity="critical", when="2026-11-22T09:00:00Z"):
    log = hw(cloud)["log"]
    log.append({"id": str(len(log) + 1), "time": when, "severity": severity, "message": message})


# -- the faults, as the lab makes them (lab/lablib/bmc/scenario.py) and as the rest of the pack needs them ----

def old_firmware(cloud):
    hw(cloud)["firmware"] = [{"component": "System BIOS", "version": "1.0.3"}, {"component": "BMC Firmware", "version": "2.01"}]
    hw(cloud)["bios_version"] = "1.0.3"


def old_bmc_only(cloud):
    hw(cloud)["firmware"][1]["version"] = "7.9"


def first_login_account(cloud):
    redfish(cloud)["accounts"][2]["Enabled"] = True


def ipmi_on(cloud):
    redfish(cloud)["network_protocol"]["IPMI"]["ProtocolEnabled"] = True


def http_on(cloud):
    redfish(cloud)["network_protocol"]["HTTP"]["ProtocolEnabled"] = True


def telnet_on(cloud):
    redfish(cloud)["network_protocol"]["Telnet"]["ProtocolEnabled"] = True


def snmp_v2c_on(cloud):
    redfish(cloud)["network_protocol"]["SNMP"]["EnableSNMPv2c"] = True


def self_signed(cloud):
    cert = redfish(cloud)["certificates"][0]
    cert["Issuer"] = dict(cert["Subject"])


def untrusted(cloud):
    redfish(cloud)["tls_verified"] = False


def sha1(cloud):
    redfish(cloud)["certificates"][0]["SignatureAlgorithm"] = "sha1WithRSAEncryption"


def cert_expiring(cloud):
    redfish(cloud)["certificates"][0]["ValidNotAfter"] = "2026-12-02T00:00:00Z"


def clock_drift(cloud):
    redfish(cloud)["manager"]["DateTime"] = "2026-11-22T11:58:30+00:00"


def ntp_off(cloud):
    redfish(cloud)["network_protocol"]["NTP"]["ProtocolEnabled"] = False


def sel_full(cloud):
    redfish(cloud)["sel_entries"] = 500


def sel_critical(cloud):
    sel(cloud, "Uncorrectable ECC error on DIMM A1")


def psu_failed(cloud):
    hw(cloud)["power_supplies"][1].update(status="critical", watts=0.0)
    sel(cloud, "PSU2 failure detected: no output")


def one_psu(cloud):
    del hw(cloud)["power_supplies"][1]


def fan_failed(cloud):
    hw(cloud)["fans"][1].update(rpm=0.0, status="critical")
    sel(cloud, "Fan2 speed 0 RPM is below the lower critical threshold 1000 RPM")


def overtemp(cloud):
    hw(cloud)["temperatures"][1].update(reading_celsius=96.0, status="critical")
    sel(cloud, "CPU1 Temp reading 96 C is above the upper critical threshold 90 C")


def ipmi_overtemp_message(cloud):
    hw(cloud)["temperatures"][1].update(status="critical")
    sel(cloud, "CPU1 Temp: Upper Critical going high (reading 96.0, threshold 90.0)")


def power_restore_off(cloud):
    redfish(cloud)["system"]["PowerRestorePolicy"] = "AlwaysOff"


def compute_down(cloud):
    cloud["fleet"]["hosts"][HOST]["service"]["state"] = "down"


def disabled_by_hand(cloud):
    cloud["fleet"]["hosts"][HOST]["service"].update(status="disabled", disabled_reason="fan noise, ask Bob")
    cloud["placement"][HOST]["traits"].append("COMPUTE_STATUS_DISABLED")  # Nova mirrors the disable


def stale_window(cloud):
    cloud["fleet"]["hosts"][HOST]["service"].update(status="disabled",
                                                    disabled_reason="osfleet-maintenance:w-17 started 2026-10-01")
    cloud["fleet"]["hosts"][HOST]["maintenance"] = "w-17"
    cloud["placement"][HOST]["traits"].append("COMPUTE_STATUS_DISABLED")
    cloud["maintenance_windows"].append({"name": "w-17", "state": "complete", "hosts": [HOST],
                                         "start_at": "2026-10-01T08:00:00Z", "updated_at": "2026-10-02T08:00:00Z"})


def long_window(cloud):
    stale_window(cloud)
    cloud["maintenance_windows"][0]["state"] = "in_maintenance"


def overcommit(cloud):
    for h in cloud["fleet"]["hosts"].values():
        h["capacity"]["memory_mb"]["allocation_ratio"] = 1.5


def mixed_ratios(cloud):
    cloud["fleet"]["hosts"][HOST]["capacity"]["memory_mb"]["allocation_ratio"] = 0.9


def two_zones(cloud):
    cloud["aggregates"].append({"id": 2, "name": "agg-az2", "availability_zone": "az2", "hosts": [HOST], "metadata": {}})


def old_hypervisor(cloud):
    cloud["fleet"]["hosts"]["compute-01"]["hypervisor"]["version"] = 9000000
    cloud["fleet"]["hosts"][HOST]["hypervisor"]["version"] = 6002000


def trait_drift(cloud):
    cloud["placement"][HOST]["traits"].append("COMPUTE_STATUS_DISABLED")


def no_provider(cloud):
    del cloud["placement"][HOST]


def agent_dead(cloud):
    for a in cloud["network_agents"]:
        if a["host"] == HOST:
            a["alive"] = False


def bmc_badauth(cloud):
    cloud["hardware"][HOST].update(status="auth_failed", state=None, error="HTTP 401: bad credentials")


ALL_HOSTS = ("compute-01", "compute-02", "compute-03", "compute-04")

FAULTS = [
    ("old_firmware (lab)", old_firmware, {("BMC-01", HOST)}),
    ("old BMC firmware only", old_bmc_only, {("BMC-01", HOST)}),
    ("first-login account", first_login_account, {("BMC-02", HOST)}),
    ("IPMI over LAN on", ipmi_on, {("BMC-03", HOST)}),
    ("plain HTTP on", http_on, {("BMC-04", HOST)}),
    ("Telnet on", telnet_on, {("BMC-05", HOST)}),
    ("SNMPv2c on", snmp_v2c_on, {("BMC-05", HOST)}),
    ("self-signed certificate", self_signed, {("BMC-06", HOST)}),
    ("certificate not verified", untrusted, {("BMC-06", HOST)}),
    ("SHA-1 certificate", sha1, {("BMC-06", HOST)}),
    ("certificate expiring in 10 days", cert_expiring, {("BMC-07", HOST)}),
    ("BMC clock 90 s behind", clock_drift, {("BMC-08", HOST)}),
    ("NTP off", ntp_off, {("BMC-09", HOST)}),
    ("SEL nearly full", sel_full, {("BMC-10", HOST)}),
    ("sel_critical (lab)", sel_critical, {("HW-11", HOST)}),
    ("psu_failed (lab)", psu_failed, {("HW-12", HOST)}),
    ("one PSU only", one_psu, {("HW-12", HOST)}),
    ("fan_failed (lab)", fan_failed, {("HW-13", HOST)}),
    ("overtemp (lab)", overtemp, {("HW-14", HOST)}),
    ("overtemp, IPMI SEL wording", ipmi_overtemp_message, {("HW-14", HOST)}),
    ("power restore AlwaysOff", power_restore_off, {("HW-15", HOST)}),
    ("compute_down (lab)", compute_down, {("NOVA-16", HOST)}),
    ("disabled by hand", disabled_by_hand, {("NOVA-17", HOST)}),
    ("window ended, host still disabled", stale_window, {("NOVA-18", HOST)}),
    ("window open for 52 days", long_window, {("NOVA-18", HOST)}),
    ("memory overcommitted everywhere", overcommit, {("NOVA-19", h) for h in ALL_HOSTS}),
    ("one host's ratio differs", mixed_ratios, {("NOVA-20", h) for h in ALL_HOSTS}),
    ("host in two zones", two_zones, {("NOVA-21", HOST)}),
    ("hypervisor two releases behind", old_hypervisor, {("NOVA-22", HOST)}),
    ("disabled trait on an enabled host", trait_drift, {("NOVA-23", HOST)}),
    ("no resource provider", no_provider, {("NOVA-23", HOST)}),
    ("Neutron agent dead", agent_dead, {("NET-24", HOST)}),
]


def test_the_fixture_cloud_is_compliant():
    doc = run(fresh_cloud(), packs=("compute_hosts",))
    assert by_status(doc, "fail") == [] and by_status(doc, "error") == []
    assert len({r["rule"] for r in doc["results"]}) == 25
    assert doc["summary"]["by_status"]["pass"] == 25 * 4 - 4  # NOVA-18 does not apply to enabled hosts


@pytest.mark.parametrize("name, fault, expected", FAULTS, ids=[f[0] for f in FAULTS])
def test_each_fault_fails_exactly_its_rule(name, fault, expected, cloud):
    fault(cloud)
    doc = run(cloud, packs=("compute_hosts",))
    assert set(by_status(doc, "fail")) == expected, name
    assert by_status(doc, "error") == []


def test_every_rule_of_the_pack_has_a_failing_fault():
    covered = {rule for _name, _fault, expected in FAULTS for rule, _host in expected}
    covered.add("HOST-25")  # below: bmc_down
    assert covered == {r.id for r in shipped("compute_hosts").rules}


@pytest.mark.parametrize("status, error", [("unreachable", "connection refused"), ("auth_failed", "HTTP 401")])
def test_bmc_down_or_refusing_fails_only_host_25_and_makes_every_bmc_rule_error(status, error, cloud):
    cloud["hardware"][HOST].update(status=status, state=None, error=error)
    doc = run(cloud, packs=("compute_hosts",))
    assert by_status(doc, "fail") == [("HOST-25", HOST)]
    bmc_rules = {r.id for r in shipped("compute_hosts").rules if r.id.startswith(("BMC-", "HW-"))}
    assert set(by_status(doc, "error")) == {(rule, HOST) for rule in bmc_rules}
    r = result(doc, "BMC-04", HOST)
    assert r["message"] == "could not gather bmc: %s: %s" % (status, error)
    assert result(doc, "HOST-25", HOST)["message"].startswith("bmc_access.status = '%s', wanted eq 'ok'" % status)


def test_a_host_with_no_bmc_fails_host_25(cloud):
    del cloud["hardware"]["compute-04"]
    del cloud["bmc_map"]["compute-04"]
    doc = run(cloud, packs=("compute_hosts",))
    assert by_status(doc, "fail") == [("HOST-25", "compute-04")]
    assert "no BMC is known" in result(doc, "HW-14", "compute-04")["message"]


def test_no_firmware_baseline_is_an_error_not_a_pass(cloud):
    doc = run(cloud, packs=("compute_hosts",), params={})
    r = result(doc, "BMC-01", HOST)
    assert r["status"] == "error"
    assert "no entry for 'LabServer R640e' in parameter bmc_firmware_baseline" in r["message"]


def test_a_wildcard_baseline_applies_to_every_model(cloud):
    old_bmc_only(cloud)
    doc = run(cloud, packs=("compute_hosts",), params={"compute_hosts": {"bmc_firmware_baseline": {"*": "7.10"},
                                                                         "bios_baseline": {"*": "2.0"}}})
    assert by_status(doc, "fail") == [("BMC-01", HOST)]


def test_ipmi_managed_host_fails_bmc_03_and_the_redfish_only_rules_do_not_apply(cloud):
    cloud["hardware"][HOST]["protocol"] = "ipmi"
    cloud["hardware"][HOST]["address"] = "ipmi://10.1.0.12"
    del cloud["redfish"][HOST]
    doc = run(cloud, packs=("compute_hosts",))
    assert ("BMC-03", HOST) in by_status(doc, "fail")
    assert {("BMC-02", HOST), ("BMC-04", HOST), ("BMC-05", HOST), ("BMC-06", HOST), ("BMC-07", HOST),
            ("BMC-09", HOST)} <= set(by_status(doc, "not_applicable"))
    # what IPMI could say but was not read: error (never a silent pass)
    assert {("BMC-08", HOST), ("BMC-10", HOST), ("HW-15", HOST)} == set(by_status(doc, "error"))


def test_a_bmc_network_document_that_could_not_be_read_is_an_error(cloud):
    redfish(cloud)["_errors"] = {"network_protocol": "HTTP 404 Not Found"}
    doc = run(cloud, packs=("compute_hosts",))
    errors = {rule for rule, host in by_status(doc, "error") if host == HOST}
    assert errors == {"BMC-03", "BMC-04", "BMC-05", "BMC-09"}
    assert result(doc, "BMC-04", HOST)["message"] == "could not gather bmc.network: HTTP 404 Not Found"


def test_hardware_parts_not_gathered_make_their_rules_error(cloud):
    doc = run(cloud, packs=("compute_hosts",), hardware_gather=("power", "sensors"))
    errors = {rule for rule, host in by_status(doc, "error") if host == HOST}
    assert errors == {"BMC-01", "HW-11"}
    assert "lacks 'firmware'" in result(doc, "BMC-01", HOST)["message"] or \
        "lacks 'identity'" in result(doc, "BMC-01", HOST)["message"]


def test_an_old_critical_sel_entry_is_not_a_finding(cloud):
    sel(cloud, "Uncorrectable ECC error on DIMM A1", when="2026-11-01T00:00:00Z")
    assert by_status(run(cloud, packs=("compute_hosts",)), "fail") == []


def test_a_critical_sel_entry_without_a_time_is_an_error(cloud):
    sel(cloud, "Uncorrectable ECC error on DIMM A1", when=None)
    doc = run(cloud, packs=("compute_hosts",))
    assert by_status(doc, "error") == [("HW-11", HOST)]


def test_sel_rule_evidence_names_the_entry(cloud):
    sel_critical(cloud)
    r = result(run(cloud, packs=("compute_hosts",)), "HW-11", HOST)
    assert "Uncorrectable ECC error on DIMM A1" in r["message"]
    assert r["evidence"]["tests"][0]["matching"][0]["message"] == "Uncorrectable ECC error on DIMM A1"
    assert r["runbook"] == "hw-investigate-sel"


def test_our_maintenance_explains_a_disabled_host(cloud):
    long_window(cloud)
    cloud["maintenance_windows"][0]["start_at"] = "2026-11-20T08:00:00Z"
    doc = run(cloud, packs=("compute_hosts",))
    assert by_status(doc, "fail") == []
    assert result(doc, "NOVA-17", HOST)["status"] == "pass"
    assert result(doc, "NOVA-18", HOST)["age_days"] == pytest.approx(2.2, abs=0.1)


def test_a_machine_only_the_bmc_map_knows_gets_bmc_rules_only(cloud):
    cloud["bmc_map"]["spare-01"] = {"address": "redfish+https://10.1.0.99", "type": "redfish"}
    cloud["hardware"]["spare-01"] = dict(cloud["hardware"]["compute-04"], address="redfish+https://10.1.0.99")
    cloud["redfish"]["spare-01"] = cloud["redfish"]["compute-04"]
    doc = run(cloud, packs=("compute_hosts",))
    spare = {r["rule"]: r["status"] for r in doc["results"] if r["target"] == "spare-01"}
    assert spare["HOST-25"] == "pass" and spare["HW-14"] == "pass"
    assert {rule for rule, status in spare.items() if status == "not_applicable"} == {
        "NOVA-16", "NOVA-17", "NOVA-18", "NOVA-19", "NOVA-20", "NOVA-21", "NOVA-22", "NOVA-23", "NET-24"}
