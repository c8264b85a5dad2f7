#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_info
short_description: Compute, network and storage nodes of a cloud with their state, capacity and servers
version_added: 0.1.0
description:
  - Reads one cloud region's compute fleet, the same snapshot the P(osfleet.day2.fleet#inventory) inventory plugin
    makes of it - compute services, hypervisors with details, aggregates, capacity from Placement, each host's
    BMC and, with O(servers=true), the servers of all projects (with their projects and server groups).
  - Also its network nodes (the hosts of Neutron's agents, with the routers of each L3 agent and the networks of
    each DHCP agent) and storage nodes (the hosts of Cinder's volume and backup services, with their backends'
    pools); O(node_kinds) chooses which kinds are read.
  - A few list calls, made concurrently, none per server. With O(placement=true) (the default) there is also one
    Placement inventories call per compute host, made concurrently, for totals, reserved amounts and allocation
    ratios; O(placement=false) leaves them out. With Ironic (O(bmc_source)), one node listing. Network nodes are
    one agent listing plus one call per L3 agent and one per DHCP agent (Neutron has no fleet-wide listing of
    what agents serve), four at a time; storage nodes are two listings (services and pools). RV(api_calls)
    returns how many requests were made.
  - A cloud whose catalog has no network (Neutron) or block-storage (Cinder) endpoint, or whose service refuses
    a listing (for example HTTP 403), returns that kind empty with a warning naming the call.
  - Needs admin credentials.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
attributes:
  action:
    support: full
    description: The action plugin reads O(bmc_map) on the controller, through Ansible's loader (so a
      vault-encrypted map is decrypted there), and puts its entries, without credentials, into C(hosts[].bmc).
  check_mode:
    support: full
    description: Only reads.
  diff_mode:
    support: none
    description: Only reads.
options:
  servers:
    description:
      - Also list the servers and which host each runs on.
    type: bool
    default: true
  page_size:
    description:
      - Items per page of the list calls.
    type: int
    default: 1000
  placement:
    description:
      - Read totals, reserved amounts and allocation ratios from Placement (one call per compute host,
        made concurrently). Without it, capacity is Nova's hypervisor figures with a ratio of 1.
    type: bool
    default: true
  bmc_map:
    description:
      - A BMC map file (C(bmcs.yml)) mapping host name to its BMC (C(address), C(username), C(password), optional
        C(type)), as for the inventory and M(osfleet.day2.hardware_scan). Hosts get C(bmc) with the address, the
        type and a C(credentials_ref) (C(<bmc_map>#<host>)); the credentials are never returned. Network and
        storage nodes (RV(network_nodes), RV(storage_nodes)) get their C(bmc) the same way.
      - Read on the controller through Ansible's loader, so the file may be encrypted with C(ansible-vault) as a
        whole or hold C(!vault) values. A relative path is looked up like a file of M(ansible.builtin.copy)'s
        C(src) (the role's C(files/), then the playbook's directory). Every entry is checked before the cloud
        is read.
      - Cannot be used with C(async), because the map is merged into the module's result on the controller.
    type: path
  bmc_source:
    description:
      - Where each compute host's BMC comes from, put into C(hosts[].bmc); the inventory's rule.
      - V(map) - only the O(bmc_map) file.
      - V(ironic) - only OpenStack Ironic (one node listing; the catalog must have a C(baremetal) endpoint).
        O(bmc_map) is ignored. See the inventory's O(osfleet.day2.fleet#inventory:bmc_source) for how nodes are
        matched to hosts.
      - V(auto) - O(bmc_map) entries first; Ironic fills in the hosts the file lacks, when the cloud's catalog
        has a C(baremetal) endpoint. If Ironic cannot be read (for example HTTP 403), a warning is given and
        the map file is used alone.
      - Ironic credentials are never copied. C(credentials_ref) is C(ironic:<cloud>/<region>/<node uuid>).
    type: str
    choices: [auto, map, ironic]
    default: auto
  node_kinds:
    description:
      - Which nodes to read.
      - V(compute) - RV(hosts) (compute services, hypervisors, aggregates, Placement, BMCs). Without it RV(hosts)
        is empty and none of those calls is made; O(servers=true) still lists the servers.
      - V(network) - RV(network_nodes) (Neutron's agents and what the L3 and DHCP agents serve).
      - V(storage) - RV(storage_nodes) (Cinder's volume and backup services, and the scheduler's pools).
    type: list
    elements: str
    choices: [compute, network, storage]
    default: [compute, network, storage]
    version_added: 0.1.0
  prometheus_url:
    description:
      - A Prometheus server (or anything with its query API - Thanos Query, VictoriaMetrics, Mimir) to read what
        every node uses - CPU and memory from node_exporter (C(node_cpu_seconds_total), C(node_memory_*)), power
        from C(osfleet_power_watts) (the hardware scan's textfile) - into each node's C(utilization), beside
        what Placement has allocated (C(capacity)).
      - One fleet-wide instant query per figure and one for its samples' age, never one per node. A series is
        placed on a node by its C(host) label, else the host part of C(instance); one that names no node is
        counted in RV(utilization)'s C(unmatched). A failed query is a warning for its figure only.
    type: str
    version_added: 0.1.0
  prometheus_token:
    description:
      - A bearer token sent to O(prometheus_url) (a Prometheus behind an authenticating proxy).
    type: str
    version_added: 0.1.0
  prometheus_validate_certs:
    description:
      - Verify O(prometheus_url)'s TLS certificate (with O(prometheus_ca_cert) when given).
    type: bool
    default: true
    version_added: 0.1.0
  prometheus_ca_cert:
    description:
      - CA bundle for O(prometheus_url)'s certificate.
    type: path
    version_added: 0.1.0
  hardware:
    description:
      - The C(results) of M(osfleet.day2.hardware_scan) (host -> result), read from the BMCs before this task - the
        second source of each node's C(utilization), for a figure O(prometheus_url) did not give - power drawn
        (C(power_draw_watts)) and, when the scan's C(gather) has V(utilization), C(cpu_percent) (Redfish
        C(ProcessorMetrics.BandwidthPercent)) and C(memory_bandwidth_percent) (C(MemoryMetrics.BandwidthPercent);
        memory bandwidth, not memory in use, which no BMC knows). The age is now minus the result's C(read_at).
      - A result that is not C(ok) gives nothing.
    type: dict
    version_added: 0.1.0
  utilization_window:
    description:
      - The rate window of the CPU figure (a Prometheus duration); at least twice the scrape interval.
    type: str
    default: 2m
    version_added: 0.1.0
"""

EXAMPLES = r"""
- name: Read the fleet
  osfleet.day2.fleet_info:
    cloud: lab-admin
  register: fleet

- name: The fleet with each host's BMC, from a vault-encrypted map, and no Placement calls
  osfleet.day2.fleet_info:
    cloud: prod
    bmc_map: /etc/osfleet/bmcs.yml
    bmc_source: map
    placement: false

- name: Only the network and storage nodes
  osfleet.day2.fleet_info:
    cloud: prod
    servers: false
    node_kinds: [network, storage]
  register: nodes

- name: Network nodes with a dead agent
  ansible.builtin.debug:
    msg: "{{ nodes.network_nodes | selectattr('state', 'eq', 'down') | map(attribute='name') }}"

- name: Hosts that take no new servers
  ansible.builtin.debug:
    msg: "{{ fleet.hosts | dict2items | selectattr('value.service.status', 'eq', 'disabled') | map(attribute='key') }}"
"""

RETURN = r"""
hosts:
  description: Compute hosts by name.
  returned: success
  type: dict
  sample:
    compute-01:
      name: compute-01
      cloud: lab-admin
      region: RegionOne
      zone: az1
      aggregates: [agg-az1]
      service: {status: enabled, state: up, disabled_reason: null, forced_down: false}
      hypervisor: {type: fake, state: up, status: enabled, running_vms: 2}
      capacity:
        vcpus: {total: 1000, used: 2, free: 998}
        memory_mb: {total: 800000, used: 1024, free: 798976}
        disk_gb: {total: 600000, used: 2, free: 599998}
      servers: [9d8f1f3e-4d0c-4c47-b2a5-0b4d7f0c9a11]
      bmc: {address: "redfish+https://10.0.0.11/redfish/v1/Systems/1", type: redfish,
            credentials_ref: "/etc/osfleet/bmcs.yml#compute-01"}
servers:
  description: Servers by ID (when O(servers=true)).
  returned: success
  type: dict
  sample:
    9d8f1f3e-4d0c-4c47-b2a5-0b4d7f0c9a11:
      id: 9d8f1f3e-4d0c-4c47-b2a5-0b4d7f0c9a11
      name: web-1
      project_id: 3f0a9d1e2b8c4d5e8f9a0b1c2d3e4f5a
      status: ACTIVE
      power_state: running
      task_state: null
      host: compute-01
      flavor: m1.tiny
      locked: false
network_nodes:
  description:
    - The hosts that run a Neutron agent, by name (when O(node_kinds) has V(network)). A compute host appears here
      too, with its L2 agent.
    - C(network_node) is true when the host runs an agent other than an L2 one (Open vSwitch, Linux bridge, NIC
      Switch, MacVTap). C(roles) are C(l2), C(l3), C(dhcp), C(metadata) and C(other).
    - C(state) is V(disabled) when every agent is administratively down, else V(down) when an agent is not
      alive, else V(up).
    - C(zone) is the agents' availability zone (only L3 and DHCP agents have one), or null. Times are UTC,
      C(YYYY-MM-DDTHH:MM:SSZ).
    - An agent's C(routers) (L3 agents) or C(networks) (DHCP agents) are the IDs it serves; null for other agents,
      and when they could not be read (a warning says so).
  returned: success
  type: list
  elements: dict
  sample:
    - name: lab-network
      cloud: lab-admin
      region: RegionOne
      zone: nova
      kind: network
      network_node: true
      roles: [dhcp, l2, l3]
      state: up
      agents:
        - {id: 0f9a3c1e-1d2b-4c5a-8e7f-0a1b2c3d4e01, type: L3 agent, binary: neutron-l3-agent, alive: true,
           admin_state_up: true, heartbeat: "2026-12-03T10:00:01Z", started: "2026-12-01T08:00:00Z", zone: nova,
           routers: [5a1d6c9e-2b3f-4a8d-9c0e-1f2a3b4c5d01], networks: null}
storage_nodes:
  description:
    - The hosts that run C(cinder-volume) or C(cinder-backup), by name (when O(node_kinds) has V(storage)); the
      name is the part of the service host before C(@). The scheduler does not make a storage node.
    - C(state) is V(disabled) when all its services are disabled, else V(down) when a C(cinder-volume) service of
      it is down, else V(up).
    - C(services[].backend) is the part of the host after C(@) (null for none).
    - C(pools) are the scheduler's pools of its backends (C(name) is Cinder's C(host@backend#pool)). C(total_gb)
      and C(free_gb) are null when Cinder reports no number; C(capacity_text) then holds its word (C(infinite),
      C(unknown)). C(over_subscription) is C(provisioned_gb / total_gb), null without both.
  returned: success
  type: list
  elements: dict
  sample:
    - name: lab-storage
      cloud: lab-admin
      region: RegionOne
      zone: nova
      kind: storage
      state: up
      services:
        - {binary: cinder-volume, host: lab-storage@labfake, backend: labfake, zone: nova, state: up,
           status: enabled, updated_at: "2026-12-03T10:00:02Z", disabled_reason: null}
      pools:
        - {name: "lab-storage@labfake#labfake", backend: labfake, total_gb: 1024.0, free_gb: 900.5,
           capacity_text: null, allocated_gb: 120.0, provisioned_gb: 2048.0, reserved_percentage: 0.0,
           thin_provisioning: true, max_over_subscription_ratio: 20.0, over_subscription: 2.0}
utilization:
  description:
    - With O(prometheus_url) or O(hardware), what was asked and what could not be placed - C(sources) (best
      first - V(prometheus), V(bmc)), C(unmatched) (figure -> the C(host)/C(instance) values that name no node),
      C(warnings) (a failed query), C(queries) (how many).
    - Each node (RV(hosts), RV(network_nodes), RV(storage_nodes)) then has C(utilization) - figure
      (C(cpu_percent), C(memory_percent), C(memory_bandwidth_percent), C(power_watts)) -> C(value), C(source)
      (V(prometheus) or V(bmc), the first source that has it), C(age_seconds) (now minus its newest sample or the
      BMC's reading) and, from a BMC, C(measure) (the Redfish property read). A figure no source has is left out,
      never zero.
  returned: when prometheus_url or hardware is given
  type: dict
  sample:
    sources: [prometheus]
    unmatched: {}
    warnings: []
    queries: 6
api_calls:
  description:
    - How many HTTP requests the module made to the cloud's APIs, every page counted - the list calls (compute
      services, hypervisors, aggregates, Placement resource providers with O(placement=true); servers, projects
      and server groups with O(servers=true)), one Placement inventories call per compute host with
      O(placement=true), and the Ironic node listing when BMCs are read from Ironic.
    - With O(node_kinds), the Neutron agent listing and one call per L3 and per DHCP agent (V(network)), and the
      Cinder service and pool listings (V(storage)).
    - Also counted - what the connection needs before its first call to each service - Keystone
      authentication (one request) and each API's version discovery (one request per service used) - so a
      module run, whose connection is new, counts them; they are the same for every cloud size.
    - Counted by keystoneauth itself (its request timing collection), so no request is missed or counted twice.
  returned: success
  type: int
  sample: 11
"""

from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import NODE_KINDS, discover
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.prometheus import Prometheus
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.utilization import utilization
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module


#: bmc_source -> discover()'s ``ironic``
IRONIC_MODES = {"auto": "auto", "ironic": "required", "map": None}


class FleetInfoModule(Day2Module):
    changes_state = False
    argument_spec = dict(
        servers=dict(type="bool", default=True),
        page_size=dict(type="int", default=1000),
        placement=dict(type="bool", default=True),
        # read and merged into the result on the controller by plugins/action/fleet_info.py
        bmc_map=dict(type="path"),
        bmc_source=dict(type="str", choices=list(IRONIC_MODES), default="auto"),
        node_kinds=dict(type="list", elements="str", choices=list(NODE_KINDS), default=list(NODE_KINDS)),
        prometheus_url=dict(type="str"),
        prometheus_token=dict(type="str", no_log=True),
        prometheus_validate_certs=dict(type="bool", default=True),
        prometheus_ca_cert=dict(type="path"),
        hardware=dict(type="dict"),
        utilization_window=dict(type="str", default="2m"),
    )

    def execute(self):
        p = self.params
        fleet = discover(self.cloud, vms=p["servers"], page_size=p["page_size"], placement=p["placement"],
                         ironic=IRONIC_MODES[p["bmc_source"]], node_kinds=p["node_kinds"])
        result = fleet.to_dict()
        for warning in result.pop("warnings"):
            self.warn(warning)
        result.pop("notes")
        if p["prometheus_url"] or p["hardware"]:
            self._utilization(result)
        result["changed"] = False
        return result

    def _utilization(self, result):
        """Each node's figures in use, from the operator's Prometheus and the BMCs, next to its allocation."""
        p = self.params
        client = None
        if p["prometheus_url"]:
            verify = (p["prometheus_ca_cert"] or True) if p["prometheus_validate_certs"] else False
            client = Prometheus(p["prometheus_url"], token=p["prometheus_token"], verify=verify)
        nodes = list(result["hosts"].values()) + result["network_nodes"] + result["storage_nodes"]
        used = utilization([n["name"] for n in nodes], prometheus=client, hardware=p["hardware"],
                           window=p["utilization_window"])
        for node in nodes:
            node["utilization"] = used.nodes.get(node["name"], {})
        result["utilization"] = used.to_dict()
        del result["utilization"]["nodes"]
        for warning in used.warnings:
            self.warn("utilization: %s" % warning)


def main():
    FleetInfoModule().run()


if __name__ == "__main__":
    main()
