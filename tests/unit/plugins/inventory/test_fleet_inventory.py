# -*- coding: utf-8 -*-
"""Naming, grouping and the constructed features of the fleet inventory."""
from __future__ import annotations

import pytest

from ansible.inventory.data import InventoryData
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

from ansible_collections.osfleet.day2.plugins.inventory.fleet import InventoryModule
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.groups import plan_inventory


def host(name, cloud="c1", region="R1", zone="az1", status="enabled", state="up", hv_state="up",
         maintenance=None, aggregates=("agg-1",), free=10):
    return {"name": name, "cloud": cloud, "region": region, "zone": zone, "aggregates": list(aggregates),
            "service": {"status": status, "state": state, "forced_down": False},
            "hypervisor": {"state": hv_state, "host_ip": "192.0.2.1", "type": "QEMU"},
            "capacity": {"vcpus": {"free": free, "total": 16}}, "servers": [], "maintenance": maintenance}


def server(sid, name, host_name="compute-01", project="tenant-a", quarantine=None, cloud="c1", region="R1"):
    return {"id": sid, "name": name, "host": host_name, "zone": "az1", "project_id": "p-" + project,
            "project_name": project, "quarantine": quarantine, "cloud": cloud, "region": region,
            "addresses": [{"addr": "10.0.0.%d" % len(sid), "version": 4, "type": "fixed"}]}


def snapshot(hosts, servers=()):
    return {"hosts": {h["name"]: h for h in hosts}, "servers": {s["id"]: s for s in servers}}


def ident(name):
    return name.replace("-", "_")


def plan(results, bmcs=None):
    return {e["name"]: e for e in plan_inventory(results, bmcs or {}, ident)}


def test_hypervisor_groups_follow_state():
    entries = plan([snapshot([
        host("compute-01"),
        host("compute-02", status="disabled", maintenance="win-1"),
        host("compute-03", state="down", hv_state="down", zone="az2", aggregates=()),
    ])])
    assert set(entries["compute-01"]["groups"]) == {"hypervisors", "az_az1", "aggregate_agg_1", "compute_enabled",
                                                    "cloud_c1", "region_R1"}
    assert {"compute_disabled", "in_maintenance"} <= set(entries["compute-02"]["groups"])
    assert "compute_enabled" not in entries["compute-02"]["groups"]
    assert {"hypervisor_down", "az_az2", "compute_enabled"} <= set(entries["compute-03"]["groups"])
    assert entries["compute-01"]["hostvars"]["ansible_host"] == "192.0.2.1"


def test_vm_groups_and_names():
    entries = plan([snapshot([host("compute-01")], [
        server("id-1", "web"), server("id-2", "db", quarantine="CASE-1", project="tenant-b"),
        server("id-3", "dup"), server("id-4", "dup"), server("id-5", "compute-01"),
    ])])
    assert set(entries["web"]["groups"]) == {"vms", "az_az1", "project_tenant_a", "vms_on_compute_01",
                                             "cloud_c1", "region_R1"}
    assert {"quarantined", "project_tenant_b"} <= set(entries["db"]["groups"])
    # duplicate names and a name equal to a hypervisor's fall back to the ID
    assert {"id-3", "id-4", "id-5"} <= set(entries)
    assert "dup" not in entries
    assert entries["web"]["hostvars"]["fleet_kind"] == "vm"


def test_same_host_name_in_two_clouds_is_kept_apart():
    entries = plan([snapshot([host("compute-01")]),
                    snapshot([host("compute-01", cloud="c2", region="R2")],
                             [server("id-9", "vm9", cloud="c2", region="R2")])])
    assert "compute-01" in entries and "c2_R2_compute-01" in entries
    assert "cloud_c2" in entries["c2_R2_compute-01"]["groups"]
    # the VM of the second cloud's compute-01 lands in that host's group
    assert "vms_on_c2_R2_compute_01" in entries["vm9"]["groups"]


def test_bmc_is_referenced_not_copied():
    from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc_map import parse_bmc_map
    bmcs = parse_bmc_map({"compute-01": {"address": "ipmi://127.0.0.1:18403", "username": "u", "password": "p"}},
                         "bmcs.yml")
    entries = plan([snapshot([host("compute-01")])], bmcs)
    bmc = entries["compute-01"]["hostvars"]["fleet"]["bmc"]
    assert bmc == {"address": "ipmi://127.0.0.1:18403", "type": "ipmi", "credentials_ref": "bmcs.yml#compute-01"}
    shown = parse_bmc_map({"h": {"address": "redfish+http://x/redfish/v1/Systems/1", "username": "u",
                                 "password": "p"}}, "f", with_credentials=True)
    assert shown["h"]["type"] == "redfish" and shown["h"]["password"] == "p"


def test_map_file_first_then_ironic_per_cloud():
    ironic = {"address": "redfish+https://10.0.0.12/redfish/v1/Systems/1", "type": "redfish", "source": "ironic",
              "credentials_ref": "ironic:c2/R1/node-2"}
    from_map = {"compute-01": {"address": "ipmi://10.0.0.11:623", "type": "ipmi", "credentials_ref": "f#compute-01"}}
    entries = plan([snapshot([host("compute-01"), dict(host("compute-02"), bmc=None)]),
                    snapshot([dict(host("compute-01", cloud="c2"), bmc=ironic),
                              dict(host("compute-02", cloud="c2"), bmc=ironic)])], from_map)
    assert entries["compute-01"]["hostvars"]["fleet"]["bmc"] == from_map["compute-01"]
    assert entries["compute-02"]["hostvars"]["fleet"]["bmc"] is None  # c1's compute-02: Ironic of c2 is not its
    assert entries["c2_R1_compute-02"]["hostvars"]["fleet"]["bmc"] == ironic
    # the map file names hosts, not clouds: it wins for c2's compute-01 too
    assert entries["c2_R1_compute-01"]["hostvars"]["fleet"]["bmc"] == from_map["compute-01"]


def test_network_and_storage_nodes_get_their_bmc_the_map_first_then_ironic():
    ironic = {"address": "redfish+https://10.0.0.31/redfish/v1/Systems/1", "type": "redfish", "source": "ironic",
              "credentials_ref": "ironic:c1/R1/node-31"}
    from_map = {"lab-network": {"address": "redfish+http://127.0.0.1:18108/redfish/v1/Systems/1", "type": "redfish",
                                "credentials_ref": "f#lab-network"},
                "compute-01": {"address": "ipmi://10.0.0.11:623", "type": "ipmi", "credentials_ref": "f#compute-01"}}
    snap = snapshot([host("compute-01")])
    snap["network_nodes"] = [{"name": "lab-network", "cloud": "c1", "region": "R1", "agents": [], "bmc": None},
                             {"name": "compute-01", "cloud": "c1", "region": "R1", "agents": [], "bmc": None}]
    snap["storage_nodes"] = [{"name": "lab-storage-01", "cloud": "c1", "region": "R1", "services": [], "bmc": ironic},
                             {"name": "lab-storage-02", "cloud": "c1", "region": "R1", "services": [], "bmc": None}]
    entries = plan([snap], from_map)
    assert entries["lab-network"]["hostvars"]["fleet"]["bmc"] == from_map["lab-network"]
    assert entries["lab-storage-01"]["hostvars"]["fleet"]["bmc"] == ironic
    assert entries["lab-storage-02"]["hostvars"]["fleet"]["bmc"] is None
    # a compute host that runs an agent stays one entry, its BMC the hypervisor's
    assert entries["compute-01"]["hostvars"]["fleet"]["bmc"] == from_map["compute-01"]
    assert "password" not in str(entries)


@pytest.mark.parametrize("entry, field", [
    ({"h": {"address": "ftp://x"}}, "address"),
    ({"h": {"username": "u"}}, "bmc_map"),
    ({"h": {"address": "ipmi://x", "type": "snmp"}}, "type"),
])
def test_bad_bmc_map_names_the_field(entry, field):
    from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc_map import parse_bmc_map
    from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
    with pytest.raises(ValidationError) as err:
        parse_bmc_map(entry, "bmcs.yml")
    assert err.value.field == field


CONSTRUCTED_DEFAULTS = {"plugin": "osfleet.day2.fleet", "compose": {}, "groups": {}, "keyed_groups": [],
                        "strict": False, "use_extra_vars": False, "leading_separator": True, "bmc_map": None,
                        "show_bmc_credentials": False}


@pytest.fixture
def plugin(monkeypatch):
    p = InventoryModule()
    p.inventory = InventoryData()
    p.loader = DataLoader()
    p.templar = Templar(loader=p.loader)
    options = dict(CONSTRUCTED_DEFAULTS)
    monkeypatch.setattr(p, "get_option", lambda name, hostvars=None: options[name])
    p.set_test_options = options.update
    return p


def test_compose_keyed_groups_and_groups(plugin):
    plugin.set_test_options({
        # expressions read from a config file are trusted templates; say so here too
        "compose": {"vcpu_free": trust_as_template("fleet.capacity.vcpus.free")},
        "groups": {"nearly_full": trust_as_template("fleet_kind == 'hypervisor' and fleet.capacity.vcpus.free < 5")},
        "keyed_groups": [{"key": trust_as_template("fleet.hypervisor.type"), "prefix": "hv"}],
        "strict": False,
    })
    plugin._populate([snapshot([host("compute-01", free=3), host("compute-02", free=12)], [server("i1", "web")])])
    inv = plugin.inventory
    assert inv.get_host("compute-01").get_vars()["vcpu_free"] == 3
    assert [h.name for h in inv.groups["nearly_full"].get_hosts()] == ["compute-01"]
    assert sorted(h.name for h in inv.groups["hv_QEMU"].get_hosts()) == ["compute-01", "compute-02"]
    assert "vcpu_free" not in inv.get_host("web").get_vars()  # not strict: VMs lack capacity, no error


def test_strict_compose_fails_on_missing_keys(plugin):
    from ansible.errors import AnsibleError
    plugin.set_test_options({"compose": {"x": trust_as_template("fleet.capacity.vcpus.free")}, "strict": True})
    with pytest.raises(AnsibleError):
        plugin._populate([snapshot([host("compute-01")], [server("i1", "web")])])


def test_verify_file_wants_the_suffix(plugin, tmp_path):
    good = tmp_path / "x.fleet.yml"
    bad = tmp_path / "x.yml"
    good.write_text("plugin: osfleet.day2.fleet\n")
    bad.write_text("plugin: osfleet.day2.fleet\n")
    assert plugin.verify_file(str(good)) and not plugin.verify_file(str(bad))
