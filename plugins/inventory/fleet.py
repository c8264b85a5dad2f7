# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
name: fleet
short_description: OpenStack compute, network and storage nodes, their capacity and BMCs, and the servers on them
version_added: 0.1.0
description:
  - One inventory of what an operator runs - each compute host (hypervisor, nova-compute service state,
    capacity and allocation ratios from Placement, aggregates, availability zone, BMC), each host running
    Neutron agents (network nodes) or Cinder volume and backup services (storage nodes) and, with O(vms=true),
    every server of every project.
  - Clouds and regions from C(clouds.yaml) are read concurrently, with a fixed handful of list calls each
    (no call per server; one Placement call per compute host for allocation ratios unless O(placement=false);
    one call per L3 and per DHCP agent for what it serves, as Neutron lists that per agent only).
  - Config files must end in C(.fleet.yml) or C(.fleet.yaml).
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - constructed
  - inventory_cache
requirements:
  - python >= 3.9
  - openstacksdk >= 4.0.0
  - netaddr
options:
  plugin:
    description: The name of this plugin.
    type: str
    required: true
    choices: [osfleet.day2.fleet]
  clouds:
    description:
      - Names of the clouds of C(clouds.yaml) to read. Every region a cloud lists is read.
      - Empty means every cloud in C(clouds.yaml).
    type: list
    elements: str
    default: []
  clouds_yaml_path:
    description:
      - Extra C(clouds.yaml) files to read, besides the standard locations and C(OS_CLIENT_CONFIG_FILE).
    type: list
    elements: path
    default: []
    env:
      - name: OS_CLIENT_CONFIG_FILE
  vms:
    description: Also add every server as a host, in group C(vms).
    type: bool
    default: false
  placement:
    description:
      - Read totals, reserved amounts and allocation ratios from Placement (one call per compute host,
        made concurrently). Without it, capacity is Nova's hypervisor figures with a ratio of 1.
    type: bool
    default: true
  bmc_map:
    description:
      - A YAML file mapping host name to its BMC (C(address), C(username), C(password), optional C(type)),
        such as the lab's C(bmcs.yml). Hosts get C(fleet.bmc) with the address, the type and a
        C(credentials_ref); credentials themselves only with O(show_bmc_credentials).
      - Addresses take the schemes the hardware modules take (C(docs/hardware.md), Addresses). The file may be
        encrypted with C(ansible-vault) as a whole or hold C(!vault) values.
      - The environment variable lets an AWX credential inject the file.
    type: path
    env:
      - name: OSFLEET_BMC_MAP
  bmc_source:
    description:
      - Where each compute host's BMC comes from, put into C(fleet.bmc).
      - V(map) - only the O(bmc_map) file.
      - V(ironic) - only OpenStack Ironic. One node listing per cloud region. A node is a host when its
        C(extra.osfleet_host) names the host, else when its name is the host's name (a short name matches
        an FQDN in either direction), else when its UUID is the host's name. Addresses come from the node's
        C(driver_info). Entries carry C(source=ironic), the node UUID and name, and Ironic's C(power_state),
        C(provision_state), C(maintenance), C(maintenance_reason) and C(fault).
      - V(auto) - O(bmc_map) entries first. Ironic fills in the hosts the file lacks, when the cloud's catalog
        has a C(baremetal) endpoint. If Ironic cannot be read (for example HTTP 403), a warning is given and
        the map file is used alone.
      - Ironic credentials are never copied, whatever O(show_bmc_credentials) says. C(credentials_ref) is
        C(ironic:<cloud>/<region>/<node uuid>).
    type: str
    choices: [auto, map, ironic]
    default: auto
  show_bmc_credentials:
    description: Put the BMC username and password into the host variables. Off by default.
    type: bool
    default: false
  fail_on_errors:
    description:
      - If V(false), a cloud or region that cannot be read is reported as a warning and the others are still
        returned (as openstack.cloud's inventory does). If V(true), the inventory fails.
    type: bool
    default: false
  workers:
    description: How many clouds/regions to read at the same time.
    type: int
    default: 8
  page_size:
    description: Items per page of the list calls.
    type: int
    default: 1000
  node_kinds:
    description:
      - Which nodes to read and add as hosts.
      - V(compute) - the compute hosts (group C(hypervisors)).
      - V(network) - the hosts of Neutron's agents (one agent listing, plus one call per L3 and per DHCP agent).
      - V(storage) - the hosts of Cinder's C(cinder-volume) and C(cinder-backup) services, with their pools.
      - A cloud whose catalog has no Neutron or Cinder endpoint, or whose service refuses the listing, gives no
        node of that kind and a warning.
    type: list
    elements: str
    choices: [compute, network, storage]
    default: [compute, network, storage]
    version_added: 0.1.0
  server_slices:
    description:
      - Read the server listing as this many slices at the same time, after a cheap listing of the server IDs
        (one call per 1,000 servers) has told where each slice starts.
      - Nova spends most of a server listing building each server's details, on the one API worker that took
        the call; slices let a Nova API with several worker processes (on enough cores) build them in
        parallel. V(1) reads the listing page after page, the better choice when Nova's API runs on few
        cores (see C(docs/inventory.md), Speed).
      - Clouds and regions with fewer than twice as many servers as slices are read page after page.
    type: int
    default: 1
notes:
  - Host variables - C(fleet_kind) (V(hypervisor), V(network), V(storage) or V(vm)), C(fleet) (everything read),
    C(fleet_kinds) (every kind of the host), C(fleet_network) (its Neutron agents), C(fleet_storage) (its Cinder
    services and pools), C(ansible_host) (the hypervisor's host IP; for a server its floating IPv4, else fixed
    IPv4, else IPv6).
  - A compute host that also runs agents or volume services stays one host (C(fleet_kind=hypervisor)) with
    C(fleet_network) and C(fleet_storage) beside C(fleet).
  - Groups - C(hypervisors), C(vms), C(az_<zone>), C(aggregate_<name>), C(compute_enabled), C(compute_disabled),
    C(hypervisor_down), C(in_maintenance), C(quarantined), C(project_<name>), C(cloud_<name>), C(region_<name>),
    C(vms_on_<host>), C(network_nodes) (a host running an agent other than an L2 one), C(agent_down) (an agent
    not alive), C(storage_nodes) and C(storage_down) (a volume or backup service down).
  - A host name seen in two clouds/regions becomes C(<cloud>_<region>_<name>) for the second; a server whose
    name is not unique (or equals a host name) is named by its ID.
"""

EXAMPLES = r"""
# lab.fleet.yml
plugin: osfleet.day2.fleet
clouds: [lab-admin]
vms: true
bmc_map: .lab/bmcs.yml
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/osfleet-inventory
cache_timeout: 300
keyed_groups:
  - key: fleet.hypervisor.type
    prefix: hv
    parent_group: hypervisors
groups:
  nearly_full: fleet_kind == 'hypervisor' and fleet.capacity.vcpus.free < 8
compose:
  vcpu_free: fleet.capacity.vcpus.free | default(omit)
"""

import concurrent.futures

from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import discover
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.groups import plan_inventory
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc_map import parse_bmc_map
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.cloud import Cloud
from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import (
    HAS_OPENSTACKSDK,
    count_requests_of,
)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "osfleet.day2.fleet"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith((".fleet.yml", ".fleet.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option("cache")
        results = None
        if use_cache and cache:
            try:
                results = self._cache[cache_key]
            except KeyError:
                results = None
        if results is None:
            results = self._fetch()
            if use_cache:
                self._cache[cache_key] = results
        self._populate(results)

    # -- reading the clouds --------------------------------------------------
    def _fetch(self):
        if not HAS_OPENSTACKSDK:
            raise AnsibleError("the osfleet.day2.fleet inventory needs openstacksdk (pip install openstacksdk)")
        import openstack.config
        import openstack.connection

        try:
            config = openstack.config.OpenStackConfig(config_files=openstack.config.loader.CONFIG_FILES
                                                      + list(self.get_option("clouds_yaml_path")))
            wanted = set(self.get_option("clouds"))
            regions = [r for r in config.get_all_clouds() if not wanted or r.name in wanted]
        except Exception as exc:
            raise AnsibleParserError("cannot read clouds.yaml: %s" % to_native(exc))
        missing = wanted - {r.name for r in regions}
        if missing:
            raise AnsibleParserError("clouds not found in clouds.yaml: %s" % ", ".join(sorted(missing)))

        def read(region):
            cloud = Cloud(openstack.connection.Connection(config=count_requests_of(region)), name=region.name)
            try:
                fleet = discover(cloud, vms=self.get_option("vms"),
                                 page_size=self.get_option("page_size"), placement=self.get_option("placement"),
                                 server_slices=self.get_option("server_slices"),
                                 ironic={"auto": "auto", "ironic": "required"}.get(self.get_option("bmc_source")),
                                 node_kinds=self.get_option("node_kinds"))
                return fleet.to_dict()
            finally:
                cloud.close()

        results, errors = [], []
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(self.get_option("workers"),
                                                                          len(regions) or 1))) as pool:
            futures = {pool.submit(read, r): r for r in regions}
            for future in concurrent.futures.as_completed(futures):
                region = futures[future]
                label = "%s/%s" % (region.name, region.region_name or "-")
                try:
                    snapshot = future.result()
                    results.append(snapshot)
                    for warning in snapshot.get("warnings") or []:
                        self.display.warning("osfleet.day2.fleet: " + warning)
                    for note in snapshot.get("notes") or []:
                        self.display.vvv("osfleet.day2.fleet: " + note)
                except Day2Error as exc:
                    errors.append("%s: %s" % (label, exc.message))
                except Exception as exc:  # keystoneauth, network: reported per cloud like openstack.cloud
                    errors.append("%s: %s" % (label, to_native(exc)))
        if errors:
            if self.get_option("fail_on_errors"):
                raise AnsibleParserError("osfleet.day2.fleet: " + "; ".join(sorted(errors)))
            for error in sorted(errors):
                self.display.warning("osfleet.day2.fleet could not read %s" % error)
        results.sort(key=_place_of)
        return results

    # -- building the inventory ---------------------------------------------------
    def _populate(self, results):
        bmcs = {}
        if self.get_option("bmc_map") and self.get_option("bmc_source") != "ironic":
            path = self.get_option("bmc_map")
            try:
                data = self.loader.load_from_file(path)
                bmcs = parse_bmc_map(data, path, self.get_option("show_bmc_credentials"))
            except Day2Error as exc:
                raise AnsibleParserError(exc.message)
            except AnsibleError as exc:
                raise AnsibleParserError("cannot read bmc_map %s: %s" % (path, to_native(exc)))
        strict = self.get_option("strict")
        for entry in plan_inventory(results, bmcs, self._sanitize_group_name):
            name = entry["name"]
            self.inventory.add_host(name)
            for group in entry["groups"]:
                self.inventory.add_group(group)
                self.inventory.add_host(name, group=group)
            for key, value in entry["hostvars"].items():
                self.inventory.set_variable(name, key, value)
            hostvars = self.inventory.get_host(name).get_vars()
            self._set_composite_vars(self.get_option("compose"), hostvars, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, name, strict=strict)


def _place_of(snapshot):
    """(cloud, region) of a snapshot, from its hosts or nodes: the order of the clouds' entries."""
    items = list(snapshot["hosts"].values()) + snapshot.get("network_nodes", []) + snapshot.get("storage_nodes", [])
    return min([(i["cloud"] or "", i["region"] or "") for i in items] or [("", "")])
