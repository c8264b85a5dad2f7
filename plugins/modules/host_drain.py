#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: host_drain
short_description: Empty a compute host by moving its servers away, several at a time, verifying each move
version_added: 0.1.0
description:
  - Disables the host's nova-compute service, then moves every server off the host. Running servers are
    live-migrated and stopped ones cold-migrated (O(action=auto)). At most O(max_parallel) moves are in
    flight, and at most O(max_impacted_members) of one server group.
  - A move counts only when Nova shows it done. The server has its status back with no task state, it is on
    another host, and its migration record is completed.
  - A server that cannot move gets O(on_failure). V(fail) starts no new moves and fails the task, listing
    every server. V(stop) stops it in place. V(skip) leaves it.
  - Idempotent. A host that is already disabled and empty reports no change. A run killed half-way and run
    again waits for the moves still under way instead of starting them again.
  - For a window with owner notices and answers, use M(osfleet.day2.maintenance_window), which drains with
    the same engine.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  check_mode:
    support: full
    description: Returns the planned action for every server and the service change; changes nothing.
  diff_mode:
    support: full
    description: Shows the servers on the host before and after.
options:
  host:
    description: The compute host to empty, as Nova names it.
    type: str
    required: true
  action:
    description:
      - V(auto) live-migrates running and paused servers and cold-migrates stopped ones.
      - V(live_migrate) or V(migrate) forces one kind. Stopped servers are always cold-migrated.
    type: str
    choices: [auto, live_migrate, migrate]
    default: auto
  target_host:
    description: Move every server to this host instead of letting the scheduler choose.
    type: str
  keep:
    description: IDs or names of servers to leave on the host.
    type: list
    elements: str
    default: []
  max_parallel:
    description: Moves in flight at the same time.
    type: int
    default: 4
  max_impacted_members:
    description: Servers of one server group in motion at the same time.
    type: int
    default: 1
  on_failure:
    description: What happens to a server that cannot move.
    type: str
    choices: [fail, stop, skip]
    default: fail
  disable:
    description: Disable the host's compute service first, so that nothing new is placed there.
    type: bool
    default: true
  disabled_reason:
    description: Reason recorded on the disabled service. If omitted, a reason already recorded is kept.
    type: str
  wait_timeout:
    description: Seconds the whole drain may take; servers not moved by then are reported as still in progress.
    type: int
    default: 3600
  migration_timeout:
    description: Seconds one server may take to move before it counts as failed.
    type: int
    default: 900
  poll_interval:
    description: Seconds between two looks at the servers in motion.
    type: float
    default: 2.0
notes:
  - Needs the admin role. Nova's C(max_concurrent_live_migrations) on the source host (default 1) caps how many
    live migrations really run at once, whatever O(max_parallel) says.
seealso:
  - module: osfleet.day2.maintenance_window
  - module: osfleet.day2.compute_service
"""

EXAMPLES = r"""
- name: Empty compute-07 before a firmware update, eight moves at a time
  osfleet.day2.host_drain:
    cloud: prod
    host: compute-07
    disabled_reason: CHG-4711 firmware
    max_parallel: 8
  register: drain

- name: Which servers went where
  ansible.builtin.debug:
    msg: "{{ drain.servers | map(attribute='name') | zip(drain.servers | map(attribute='new_host')) }}"
"""

RETURN = r"""
host:
  description: The host drained.
  returned: always
  type: str
servers:
  description:
    - Every server that was on the host, with C(id), C(name), C(project_id), C(action), C(status) (moved,
      kept, stopped, skipped, gone, failed, in_progress, pending), C(detail), C(new_host), C(migration_id) and
      C(seconds) (time to move).
  returned: always
  type: list
  elements: dict
summary:
  description: Number of servers per status.
  returned: always
  type: dict
  sample: {moved: 48, kept: 2}
remaining:
  description: Servers still on the host (not counting O(keep)); in check mode, how many would be moved.
  returned: always
  type: int
empty:
  description: Whether the host is empty (but for O(keep)).
  returned: always
  type: bool
service_steps:
  description: Changes made to the compute service.
  returned: always
  type: list
  elements: dict
audit:
  description: Where this run's audit entries went and the new head of the log.
  returned: when the module changed something
  type: dict
"""

from ansible_collections.osfleet.day2.plugins.module_utils._hosts.drain import DrainOptions, drain_host
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module


class HostDrainModule(Day2Module):
    argument_spec = dict(
        host=dict(type="str", required=True),
        action=dict(type="str", default="auto", choices=["auto", "live_migrate", "migrate"]),
        target_host=dict(type="str"),
        keep=dict(type="list", elements="str", default=[]),
        max_parallel=dict(type="int", default=4),
        max_impacted_members=dict(type="int", default=1),
        on_failure=dict(type="str", default="fail", choices=["fail", "stop", "skip"]),
        disable=dict(type="bool", default=True),
        disabled_reason=dict(type="str"),
        wait_timeout=dict(type="int", default=3600),
        migration_timeout=dict(type="int", default=900),
        poll_interval=dict(type="float", default=2.0),
    )

    def execute(self):
        p = self.params
        options = DrainOptions(max_parallel=p["max_parallel"], max_impacted_members=p["max_impacted_members"],
                               on_failure=p["on_failure"], target_host=p["target_host"],
                               poll_interval=p["poll_interval"], migration_timeout=p["migration_timeout"])
        result = drain_host(self.cloud.nova, p["host"], options, action=p["action"], keep=p["keep"],
                            disable=p["disable"], disabled_reason=p["disabled_reason"], check_mode=self.check_mode,
                            wait_timeout=p["wait_timeout"], audit=self.record)
        out = result.to_dict()
        moving = [i for i in result.items if i.action != "keep"]
        out["changed"] = bool(result.service_steps or moving)
        self.add_diff(out, sorted(i.name or i.id for i in result.items),
                      sorted(i.name or i.id for i in result.items if i.action == "keep" or i.status not in
                             ("moved", "gone", "pending")))
        failed = [i for i in result.items if i.status == "failed"]
        if failed and not self.check_mode:
            self.fail("%d server(s) on %s could not be moved: %s; the host stays disabled"
                      % (len(failed), p["host"], "; ".join("%s (%s): %s" % (i.name, i.id, i.detail) for i in failed)),
                      **out)
        return out


def main():
    HostDrainModule().run()


if __name__ == "__main__":
    main()
