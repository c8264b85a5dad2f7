#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: maintenance_info
short_description: List maintenance windows, their state, the owners' answers and the drain's progress
version_added: 0.1.0
description:
  - Reads the maintenance windows that M(osfleet.day2.maintenance_window) keeps in the cloud (host aggregates
    named C(osfleet-maint-<name>)). For each window it returns its settings and state, the compute service of
    each host, and each affected server with its status and action.
  - With O(live=true) it also reads each server still on the window's hosts. That adds the owner's current
    answer and policy and the server's own status.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
attributes:
  check_mode:
    support: full
    description: Reads only.
  diff_mode:
    support: none
    description: Reads only; there is nothing to diff.
options:
  name:
    description: Only this window. Omit for every window.
    type: str
  include_ended:
    description: Include windows that are C(complete) or C(cancelled).
    type: bool
    default: true
  live:
    description: Also read the servers on the windows' hosts (one list call per host).
    type: bool
    default: false
seealso:
  - module: osfleet.day2.maintenance_window
"""

EXAMPLES = r"""
- name: Where does window chg-4711-bios stand?
  osfleet.day2.maintenance_info:
    cloud: prod
    name: chg-4711-bios
    live: true
  register: mw

- name: Servers whose owners have not answered yet
  ansible.builtin.debug:
    msg: "{{ mw.windows[0].servers | selectattr('status', 'equalto', 'pending') | map(attribute='name') }}"
"""

RETURN = r"""
windows:
  description: The windows, by name.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Window name.
      type: str
    state:
      description: scheduled, notified, draining, ready, in_maintenance, complete, failed or cancelled.
      type: str
    hosts:
      description: The window's hosts.
      type: list
      elements: str
    services:
      description: Each host's nova-compute C(status), C(state) and C(disabled_reason).
      type: dict
    servers:
      description:
        - Each affected server with C(id), C(name), C(project_id), C(status), C(action), C(host) and
          C(notified) (the last notice handled for its owner - scheduled, a server status, or ended) and
          C(webhook) (whether that notice was delivered to the project's webhook). With O(live=true), also
          C(answer), C(policy) and
          C(server_status) for servers still on the hosts.
      type: list
      elements: dict
    progress:
      description: Number of servers per status.
      type: dict
    failed_reason:
      description: Why the window failed.
      type: str
  sample:
    - name: chg-4711-bios
      state: notified
      kind: temporary
      hosts: [compute-07]
      reply_deadline: "2026-12-04T12:00:00Z"
      services: {compute-07: {status: enabled, state: up, disabled_reason: null}}
      servers: [{id: 6f1c..., name: web-1, project_id: 9a2b..., status: pending, action: pending,
                 host: compute-07, notified: scheduled, webhook: true, answer: keep}]
      progress: {pending: 1}
"""

from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.info import report


class MaintenanceInfoModule(Day2Module):
    changes_state = False
    argument_spec = dict(
        name=dict(type="str"),
        include_ended=dict(type="bool", default=True),
        live=dict(type="bool", default=False),
    )

    def execute(self):
        p = self.params
        return dict(changed=False, windows=report(self.cloud.nova, p["name"], p["include_ended"], p["live"]))


def main():
    MaintenanceInfoModule().run()


if __name__ == "__main__":
    main()
