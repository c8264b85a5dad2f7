#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: compute_service
short_description: Enable, disable or force down a nova-compute service
version_added: 0.1.0
description:
  - Enables or disables (with a reason) the Nova compute service of a host, and sets or clears its
    C(forced_down) flag, as C(openstack compute service set) does.
  - Idempotent; a second run with the same options reports no change. A new O(disabled_reason) on an already
    disabled service is a change.
  - Each change is written to the audit log.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  check_mode:
    support: full
    description: Reports what would change and the predicted service record; changes nothing.
  diff_mode:
    support: full
    description: Shows the service record before and after.
options:
  host:
    description:
      - Name of the compute host, as Nova knows it (C(openstack compute service list)).
    type: str
    required: true
  binary:
    description:
      - The service binary on that host.
    type: str
    default: nova-compute
  status:
    description:
      - V(disabled) stops the scheduler from placing new servers on the host; V(enabled) lets it again.
      - Omit to leave the status as it is.
    type: str
    choices: [enabled, disabled]
  disabled_reason:
    description:
      - Why the service is disabled (at most 255 characters). Only with O(status=disabled).
      - If omitted, disabling keeps any reason already recorded.
    type: str
  forced_down:
    description:
      - V(true) marks the service down at once, without waiting for it to miss its heartbeats, so servers can
        be evacuated after the host has been fenced. V(false) clears the flag.
      - Omit to leave the flag as it is.
    type: bool
notes:
  - At least one of O(status) and O(forced_down) must be given.
  - Needs the admin role (or the C(os_compute_api:os-services:update) policy).
seealso:
  - name: Nova compute services API
    description: The API behind this module (microversion 2.53 and later).
    link: https://docs.openstack.org/api-ref/compute/#compute-services-os-services
"""

EXAMPLES = r"""
- name: Take compute-01 out of scheduling for a firmware update
  osfleet.day2.compute_service:
    cloud: lab-admin
    host: compute-01
    status: disabled
    disabled_reason: "CHG-1234 BIOS update"

- name: Mark a fenced host down so its servers can be evacuated
  osfleet.day2.compute_service:
    cloud: lab-admin
    host: compute-03
    status: disabled
    disabled_reason: "fenced by remediation"
    forced_down: true

- name: Return it to service
  osfleet.day2.compute_service:
    cloud: lab-admin
    host: compute-03
    status: enabled
    forced_down: false
"""

RETURN = r"""
service:
  description: The compute service after the change (predicted in check mode).
  returned: success
  type: dict
  contains:
    id:
      description: Service ID.
      type: str
    host:
      description: Compute host name.
      type: str
    binary:
      description: Service binary.
      type: str
    zone:
      description: Availability zone of the host.
      type: str
    status:
      description: V(enabled) or V(disabled).
      type: str
    state:
      description: V(up) or V(down), from the service heartbeat.
      type: str
    disabled_reason:
      description: Why it is disabled, if it is.
      type: str
    forced_down:
      description: Whether it is forced down.
      type: bool
    updated_at:
      description: Last heartbeat or update time.
      type: str
  sample:
    id: 5ad8b1b0-44e1-4a6e-9d4c-4bd4d3f2cbbf
    host: compute-01
    binary: nova-compute
    zone: az1
    status: disabled
    state: up
    disabled_reason: CHG-1234 BIOS update
    forced_down: false
    updated_at: "2026-11-21T22:40:01.000000"
steps:
  description: The changes made (or, in check mode, that would be made), in order.
  returned: success
  type: list
  elements: dict
  sample: [{"action": "disable", "reason": "CHG-1234 BIOS update"}]
audit:
  description: Where this run's audit entries went and the new head of the log.
  returned: when the module changed something
  type: dict
  contains:
    path:
      description: The audit log file.
      type: str
    seq:
      description: Sequence number of the last entry written.
      type: int
    hash:
      description: SHA-256 of the last entry written; keep it to detect a log truncated later.
      type: str
    entries:
      description: How many entries this run wrote.
      type: int
"""

from ansible_collections.osfleet.day2.plugins.module_utils._hosts.compute_service import (
    Desired,
    apply,
    find_compute_service,
    plan,
    predict,
)
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module


class ComputeServiceModule(Day2Module):
    argument_spec = dict(
        host=dict(type="str", required=True),
        binary=dict(type="str", default="nova-compute"),
        status=dict(type="str", choices=["enabled", "disabled"]),
        disabled_reason=dict(type="str"),
        forced_down=dict(type="bool"),
    )
    module_kwargs = dict(required_one_of=[("status", "forced_down")])

    def execute(self):
        p = self.params
        desired = Desired(status=p["status"], disabled_reason=p["disabled_reason"], forced_down=p["forced_down"])
        desired.validate()
        current = find_compute_service(self.cloud.nova, p["host"], p["binary"])
        steps = plan(current, desired)
        if steps and not self.check_mode:
            final = apply(self.cloud.nova, current, steps, on_step=lambda step, before, after: self.record(
                "compute_service." + step.action, after.label, before.to_dict(), after.to_dict()))
        else:
            final = predict(current, steps)
        result = dict(changed=bool(steps), service=final.to_dict(), steps=[s.to_dict() for s in steps])
        return self.add_diff(result, current.to_dict(), final.to_dict())


def main():
    ComputeServiceModule().run()


if __name__ == "__main__":
    main()
