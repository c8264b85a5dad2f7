# -*- coding: utf-8 -*-
"""Facts assembly: targets from the fleet snapshot, hardware scan results, BMC settings and API listings."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import facts, host_facts
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.audit_fixtures import gathered


def hosts(g):
    return {t["id"]: t for t in facts.build_targets(g)["host"]}


def test_host_target_shape(cloud):
    t = hosts(gathered(cloud))["compute-02"]
    assert t["kind"] == "host" and t["compute_service"] is True
    assert t["service"] == {"status": "enabled", "state": "up", "disabled_reason": None, "forced_down": False,
                            "updated_at": "2026-11-22T12:00:00Z"}
    assert t["hypervisor"]["version_text"] == "8.2.0"
    assert t["zones"] == ["az1"] and t["aggregates"] == ["agg-az1"]
    assert t["tags"] == ["agg-az1", "availability_zone", "ssd"]  # aggregate names and metadata keys
    assert t["server_count"] == 2 and sorted(t["servers"]) == ["srv-2", "srv-5"]
    assert t["marks"] == {"maintenance": None, "ours": False, "remediation": None, "window_state": None,
                          "window_open": False}
    assert t["held"] is False
    assert t["placement"] == {"has_provider": True, "provider": "rp-compute-02",
                              "traits": ["COMPUTE_NODE", "HW_CPU_X86_AVX2"]}
    assert t["network_agents"] == [{"binary": "ovn-controller", "agent_type": "OVN Controller agent",
                                    "alive": True, "admin_state_up": True}]
    assert t["bmc_access"] == {"configured": True, "address": "redfish+https://10.1.0.12/redfish/v1/Systems/1",
                               "protocol": "redfish", "status": "ok", "error": None}
    assert t["hardware"]["firmware_versions"] == {"bmc": "7.10", "bios": "2.19.1"}
    assert t["bmc"]["network"]["https"] is True and t["bmc"]["clock_offset_seconds"] == 5.0
    assert t["peers"]["hypervisor_versions_behind"] == 0 and t["peers"]["hypervisor_newest"] == "8.2.0"
    assert t["peers"]["allocation_ratios"] == {"agg-az1": {"vcpus": [4.0], "memory_mb": [1.0], "disk_gb": [1.0]}}
    assert t["peers"]["mixed_ratio_aggregates"] == []
    assert "_errors" not in t


def test_parts_not_read_are_absent(cloud):
    t = hosts(facts.Gathered(fleet=cloud["fleet"]))["compute-01"]
    for absent in ("hardware", "bmc", "bmc_access", "placement", "network_agents"):
        assert absent not in t
    assert "window_open" not in t["marks"]  # windows were not listed


@pytest.mark.parametrize("status", ["unreachable", "auth_failed", "error"])
def test_a_failed_scan_is_explicit(cloud, status):
    cloud["hardware"]["compute-01"].update(status=status, state=None, error="boom")
    t = hosts(gathered(cloud))["compute-01"]
    assert t["bmc_access"]["status"] == status
    assert t["_errors"] == {"hardware": "%s: boom" % status, "bmc": "%s: boom" % status}
    assert "hardware" not in t and "bmc" not in t


def test_not_scanned_and_not_configured(cloud):
    del cloud["hardware"]["compute-01"]
    del cloud["hardware"]["compute-02"]
    del cloud["bmc_map"]["compute-02"]
    ts = hosts(gathered(cloud))
    assert ts["compute-01"]["bmc_access"]["status"] == "not_scanned"
    assert ts["compute-02"]["bmc_access"]["status"] == "not_configured"
    assert "no BMC is known" in ts["compute-02"]["_errors"]["hardware"]


def test_a_bmc_known_to_ironic_counts_as_configured(cloud):
    del cloud["hardware"]["compute-02"]
    del cloud["bmc_map"]["compute-02"]
    cloud["fleet"]["hosts"]["compute-02"]["bmc"] = {"address": "redfish+https://10.9.9.9", "source": "ironic"}
    assert hosts(gathered(cloud))["compute-02"]["bmc_access"]["status"] == "not_scanned"


def test_gather_option_gaps_are_named(cloud):
    t = hosts(gathered(cloud, hardware_gather=("power", "sensors")))["compute-01"]
    assert set(t["_errors"]) == {"hardware.identity", "hardware.log", "hardware.firmware",
                                 "hardware.firmware_versions"}
    assert "lacks 'log'" in t["_errors"]["hardware.log"]


def test_settings_missing_for_one_host(cloud):
    g = gathered(cloud)
    del g.bmc_settings["compute-03"]
    assert hosts(g)["compute-03"]["_errors"] == {"bmc.settings": "the BMC's settings were not read for this host"}


def test_ipmi_host_has_ipmi_over_lan_on(cloud):
    cloud["hardware"]["compute-03"].update(protocol=None, address="ipmi://10.1.0.13")
    g = gathered(cloud, bmc_settings=None)
    t = hosts(g)["compute-03"]
    assert t["bmc_access"]["protocol"] == "ipmi" and t["bmc"] == {"network": {"ipmi": True}}


def test_settings_errors_are_prefixed(cloud):
    cloud["redfish"]["compute-01"]["_errors"] = {"accounts": "HTTP 403"}
    t = hosts(gathered(cloud))["compute-01"]
    assert t["_errors"] == {"bmc.accounts": "HTTP 403"} and "accounts" not in t["bmc"]


def test_machines_only_in_the_bmc_map(cloud):
    cloud["bmc_map"]["spare-9"] = {"address": "redfish+https://10.1.0.99", "type": "redfish"}
    t = hosts(gathered(cloud))["spare-9"]
    assert t["compute_service"] is False and "service" not in t and "peers" not in t
    assert t["bmc_access"]["status"] == "not_scanned"


def test_maintenance_marks_and_window(cloud):
    cloud["fleet"]["hosts"]["compute-03"]["service"].update(status="disabled",
                                                            disabled_reason="osfleet-maintenance:w-1 drain")
    cloud["fleet"]["hosts"]["compute-03"]["maintenance"] = "w-1"
    cloud["maintenance_windows"].append({"name": "w-1", "state": "draining", "start_at": "2026-11-21T00:00:00Z",
                                         "hosts": ["compute-03"]})
    t = hosts(gathered(cloud))["compute-03"]
    assert t["marks"] == {"maintenance": "w-1", "ours": True, "remediation": None, "window_state": "draining",
                          "window_open": True}
    assert t["service"]["disabled_since"] == "2026-11-21T00:00:00Z"
    assert t["held"] is True and t["hold"] == {"maintenance": "w-1", "quarantine": None, "remediation": None}


def test_a_host_remediation_holds_is_marked_held(cloud):
    cloud["fleet"]["hosts"]["compute-03"]["service"].update(
        status="disabled", disabled_reason="osfleet-remediation:held overtemp hardware: needs hands")
    t = hosts(gathered(cloud))["compute-03"]
    assert t["marks"]["remediation"] == "held" and t["marks"]["ours"] is True and t["marks"]["maintenance"] is None
    assert t["held"] is True and t["hold"]["remediation"] == "held"


def test_the_maintenance_mark_is_read_from_the_reason_when_the_snapshot_lacks_it(cloud):
    cloud["fleet"]["hosts"]["compute-03"]["service"].update(status="disabled", disabled_reason="osfleet-maintenance:w-2")
    assert hosts(gathered(cloud))["compute-03"]["marks"]["maintenance"] == "w-2"


def test_zones_from_the_service_when_aggregates_are_not_listed(cloud):
    cloud["fleet"]["hosts"]["compute-01"]["zone"] = "az1,az2"  # Nova joins a host's zones with commas
    t = hosts(gathered(cloud, aggregates=None))["compute-01"]
    assert t["zones"] == ["az1", "az2"] and t["tags"] == ["agg-az1"]


def test_peer_versions_and_ratios(cloud):
    cloud["fleet"]["hosts"]["compute-01"]["hypervisor"]["version"] = 9001000
    cloud["fleet"]["hosts"]["compute-04"]["hypervisor"]["version"] = 8002005
    cloud["fleet"]["hosts"]["compute-02"]["hypervisor"]["version"] = 7000000
    cloud["fleet"]["hosts"]["compute-03"]["capacity"]["vcpus"]["allocation_ratio"] = 8.0
    ts = hosts(gathered(cloud))
    assert ts["compute-02"]["peers"]["hypervisor_versions_behind"] == 2  # 8.2 and 9.1 are newer lines
    assert ts["compute-04"]["peers"]["hypervisor_versions_behind"] == 1
    assert ts["compute-02"]["peers"]["hypervisor_newest"] == "9.1.0"
    assert ts["compute-01"]["peers"]["mixed_ratio_aggregates"] == ["agg-az1"]
    assert ts["compute-01"]["peers"]["allocation_ratios"]["agg-az1"]["vcpus"] == [4.0, 8.0]


def test_ratios_not_read_from_placement_are_errors(cloud):
    t = hosts(gathered(cloud, allocation_ratios_read=False))["compute-01"]
    assert "capacity.vcpus.allocation_ratio" in t["_errors"] and "peers.mixed_ratio_aggregates" in t["_errors"]


def test_empty_agent_listing_is_not_trusted(cloud):
    t = hosts(gathered(cloud, network_agents=[]))["compute-01"]
    assert "network_agents" not in t and "empty" in t["_errors"]["network_agents"]


def test_agents_match_fqdn_hosts(cloud):
    cloud["network_agents"][0]["host"] = "compute-01.example.org"
    assert len(hosts(gathered(cloud))["compute-01"]["network_agents"]) == 1


def test_server_count_from_the_hypervisor_when_servers_were_not_listed(cloud):
    cloud["fleet"]["servers"] = {}
    t = hosts(gathered(cloud))["compute-01"]
    assert t["server_count"] == 2 and "servers" not in t


def test_spare_ranks(cloud):
    cloud["fleet"]["hosts"]["compute-03"]["servers"] = []
    ts = hosts(gathered(cloud))
    assert ts["compute-03"]["peers"]["empty_enabled_rank"] == 1
    assert ts["compute-04"]["peers"]["empty_enabled_rank"] == 2
    assert ts["compute-01"]["peers"]["empty_enabled_rank"] is None
    assert ts["compute-04"]["peers"]["empty_enabled_hosts"] == 2 and ts["compute-04"]["peers"]["spare_group"] == "zone:az1"


@pytest.mark.parametrize("version, text", [(8002000, "8.2.0"), (1000, "0.1.0"), (None, None), ("6.1", "6.1"),
                                           (True, None)])
def test_hypervisor_version_text(version, text):
    assert host_facts.hypervisor_version_text(version) == text


@pytest.mark.parametrize("items, expected", [
    ([{"component": "Integrated Dell Remote Access Controller", "version": "7.00.60"},
      {"component": "BIOS", "version": "2.21.2"}], {"bmc": "7.00.60", "bios": "2.21.2"}),
    ([{"component": "iLO 5", "version": "3.10"}, {"component": "System ROM", "version": "U46 v2.72"}],
     {"bmc": "3.10", "bios": "U46 v2.72"}),
    ([{"component": "BMC", "version": "2.01"}], {"bmc": "2.01", "bios": None}),
    ([{"component": "NIC 1", "version": "22.5"}], {"bmc": None, "bios": None}),
])
def test_firmware_versions_across_vendors(items, expected):
    assert host_facts.firmware_versions({"firmware": items}) == expected


def test_bios_version_of_the_state_wins():
    assert host_facts.firmware_versions({"firmware": [], "bios_version": "1.2"})["bios"] == "1.2"


# ---- tenant resources -------------------------------------------------------------------


def resources(g):
    return {(t["kind"], t["id"]): t for kind, ts in facts.build_targets(g).items() for t in ts}


def test_server_target(cloud):
    t = resources(gathered(cloud))[("server", "srv-2")]
    assert t["status"] == "SHUTOFF" and t["since"] == "2026-10-08T12:00:00Z" and t["created"] == "2026-08-14T12:00:00Z"
    assert t["project"] == {"id": "p-alpha", "exists": True, "enabled": True, "name": "alpha"}
    assert t["held"] is False and t["tags"] == []


def test_quarantined_server_and_its_resources_are_held(cloud):
    rs = resources(gathered(cloud))
    assert rs[("server", "srv-3")]["hold"] == {"quarantine": "case-7", "maintenance": None}
    assert rs[("port", "port-quarantined")]["held"] is True
    assert rs[("volume", "vol-evidence")]["hold"]["quarantine"] == "case-7"
    assert rs[("snapshot", "snap-evidence")]["held"] is True
    assert rs[("image", "osfleet-case-case-7-record")]["hold"]["quarantine"] == "case-7"


def test_a_disabled_project_is_not_a_gone_one(cloud):
    cloud["fleet"]["servers"]["srv-1"]["project_id"] = "p-off"
    t = resources(gathered(cloud))[("server", "srv-1")]
    assert t["project"] == {"id": "p-off", "exists": True, "enabled": False, "name": "retired"}


def test_port_target(cloud):
    rs = resources(gathered(cloud))
    assert rs[("port", "port-gone")]["device_exists"] is False
    assert rs[("port", "port-srv1")]["device_exists"] is True
    assert "device_exists" not in rs[("port", "port-router")]  # routers are not listed: no claim
    assert rs[("port", "port-orphan")]["since"] == "2026-10-23T12:00:00Z"
    assert rs[("port", "port-orphan")]["fixed_ips"] == ["192.0.2.40"]


def test_floating_ip_held_through_its_port(cloud):
    cloud["floating_ips"][0]["port_details"]["device_id"] = "srv-3"
    assert resources(gathered(cloud))[("floating_ip", "fip-used")]["held"] is True
    del cloud["floating_ips"][0]["port_details"]
    cloud["ports"][0]["device_id"] = "srv-3"  # found through the port listing instead
    assert resources(gathered(cloud))[("floating_ip", "fip-used")]["held"] is True


def test_volume_and_snapshot_targets(cloud):
    rs = resources(gathered(cloud))
    v = rs[("volume", "vol-attached")]
    assert v["attached_servers"] == ["srv-1"] and v["project_id"] == "p-alpha" and v["status"] == "in-use"
    assert rs[("volume", "vol-bfv")]["image_id"] == "img-bfv" and rs[("volume", "vol-bfv")]["bootable"] is True
    assert rs[("snapshot", "snap-orphan")]["volume_exists"] is False
    assert rs[("snapshot", "snap-ok")]["volume_exists"] is True


def test_image_users(cloud):
    rs = resources(gathered(cloud))
    assert rs[("image", "img-used")]["used_by"] == {"servers": 5, "volumes": 0}
    assert rs[("image", "img-bfv")]["used_by"] == {"servers": 0, "volumes": 1}
    assert rs[("image", "img-old")]["in_use"] is False
    rs = resources(gathered(cloud, volumes=None))
    assert "in_use" not in rs[("image", "img-old")] and rs[("image", "img-old")]["used_by"]["volumes"] is None
    assert rs[("image", "img-used")]["in_use"] is True


def test_resource_kinds_not_listed_are_absent(cloud):
    kinds = set(facts.build_targets(facts.Gathered(fleet=cloud["fleet"], ports=[])))
    assert kinds == {"host", "server", "port"}


def test_gathered_from_a_dict_keeps_unknown_keys_apart():
    g = facts.Gathered.from_dict({"projects": [], "volums": []})
    assert g.projects == [] and g.volumes is None and g.extra == {"volums": []}
