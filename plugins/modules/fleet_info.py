#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: fleet_info
short_description: Compute hosts of a cloud with service state, hypervisor, capacity, aggregates and servers
version_added: 0.1.0
description:
  - Reads one cloud region's compute fleet with a few list calls (none per host or per server) -
    compute services, hypervisors with details, aggregates and, with O(servers=true), the servers of all projects.
  - Needs admin credentials.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
attributes:
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
"""

EXAMPLES = r"""
- name: Read the fleet
  osfleet.day2.fleet_info:
    cloud: lab-admin
  register: fleet

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
api_calls:
  description: How many list calls were made (pages included).
  returned: success
  type: int
"""

from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import discover
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module


class FleetInfoModule(Day2Module):
    changes_state = False
    argument_spec = dict(
        servers=dict(type="bool", default=True),
        page_size=dict(type="int", default=1000),
    )

    def execute(self):
        cloud = self.params["cloud"] if isinstance(self.params["cloud"], str) else None
        fleet = discover(self.conn, cloud=cloud, vms=self.params["servers"], page_size=self.params["page_size"])
        result = fleet.to_dict()
        for warning in result.pop("warnings"):
            self.ansible.warn(warning)
        result.pop("notes")
        result["changed"] = False
        return result


def main():
    FleetInfoModule().run()


if __name__ == "__main__":
    main()
