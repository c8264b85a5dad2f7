#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: hardware_power
short_description: Power a server on, off or through a restart through its BMC, with a Nova interlock
version_added: 0.1.0
description:
  - Powers a server on or off, shuts it down gracefully, or restarts it, through its BMC (Redfish or IPMI), and
    waits until the BMC reports the power state the action ends in. The whole call, retries and wait included,
    is bounded by O(timeout).
  - Idempotent; V(on) on a server that is on and V(off) or V(graceful_shutdown) on a server that is off change
    nothing. A restart or power cycle of a server that is off powers it on.
  - With O(host) and the cloud options, refuses to take down a compute host whose nova-compute service is still
    enabled or that still runs servers (any project), unless O(force=true).
  - Each change is written to the audit log.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.bmc
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  check_mode:
    support: full
    description: Reads the power state (and runs the interlock); reports what would change; changes nothing.
  diff_mode:
    support: full
    description: Shows the power state before and after.
options:
  bmc_validate_certs:
    description:
      - Verify the Redfish BMC's TLS certificate (O(validate_certs) is the cloud's). Turn off only for a lab.
    type: bool
    default: true
  bmc_ca_path:
    description:
      - A CA bundle file (or directory) to verify the BMC's certificate with.
    type: path
  state:
    description:
      - V(on), V(off) (immediate, like pulling the plug), V(graceful_shutdown) (ACPI soft-off; the OS shuts down),
        V(graceful_restart), V(force_restart) (reset) or V(power_cycle) (off, then on).
      - IPMI has no graceful restart; it is done as a graceful shutdown, a wait for off, then power on.
    type: str
    required: true
    choices: ["on", "off", graceful_shutdown, graceful_restart, force_restart, power_cycle]
  host:
    description:
      - The compute host this BMC powers, as Nova knows it. Turns on the interlock for every state that takes
        the server down; needs the cloud options (or C(OS_CLOUD)).
      - Without it there is no interlock, and the module warns when it takes a server down.
    type: str
  force:
    description:
      - Take the host down even if the interlock would refuse (nova-compute enabled, servers still on it).
    type: bool
    default: false
  wait:
    description:
      - Wait until the BMC reports the state the action ends in (on, or off for V(off) and V(graceful_shutdown)).
        With V(false), return once the BMC has accepted the request.
    type: bool
    default: true
notes:
  - The interlock needs the admin role (it lists compute services and servers of all projects).
seealso:
  - module: osfleet.day2.compute_service
    description: Disable the host's nova-compute first.
"""

EXAMPLES = r"""
- name: Take compute-02 out of scheduling
  osfleet.day2.compute_service:
    cloud: lab-admin
    host: compute-02
    status: disabled
    disabled_reason: "CHG-1234 PSU swap"

- name: Shut it down (refused while nova-compute is enabled or servers run there)
  osfleet.day2.hardware_power:
    cloud: lab-admin
    host: compute-02
    address: "{{ bmc.address }}"
    username: "{{ bmc.username }}"
    password: "{{ bmc.password }}"
    state: graceful_shutdown
    timeout: 300

- name: Power it back on
  osfleet.day2.hardware_power:
    address: ipmi://10.0.0.13
    username: admin
    password: "{{ vault_bmc_password }}"
    state: "on"
"""

RETURN = r"""
power_state:
  description: The power state at the end (predicted in check mode).
  returned: success
  type: str
  sample: "off"
previous_power_state:
  description: The power state before the call.
  returned: success
  type: str
  sample: "on"
action:
  description: The BMC action run (or, in check mode, that would be run); null when nothing was needed.
  returned: success
  type: str
  sample: graceful_shutdown
changed:
  description: True whenever a power action was sent, also when the task then fails because the power state
    did not reach the target by the deadline.
  returned: always
  type: bool
interlock:
  description: What Nova said about O(host) (compute service status, number of servers), when it was asked.
  returned: when O(host) is set and the action takes the server down
  type: dict
  sample: {host: compute-02, compute_service: disabled, servers: 0}
audit:
  description: Where this run's audit entry went and the new head of the log.
  returned: when the module changed something
  type: dict
"""

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import (
    BMC_ARGUMENT_SPEC_WITH_CLOUD,
    POWER_ACTIONS,
    open_from_params,
)
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcError
from ansible_collections.osfleet.day2.plugins.module_utils._hosts import interlock
from ansible_collections.osfleet.day2.plugins.module_utils._hardware import power
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module


class HardwarePowerModule(Day2Module):
    argument_spec = dict(
        BMC_ARGUMENT_SPEC_WITH_CLOUD,
        state=dict(type="str", required=True, choices=list(POWER_ACTIONS)),
        host=dict(type="str"),
        force=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
    )

    def execute(self):
        p = self.params
        target = p["host"] or p["address"]
        result = dict(changed=False)
        with open_from_params(p, tls_prefix="bmc_") as bmc:
            plan = power.plan(bmc.power_state(), p["state"])
            result.update(previous_power_state=plan.current, action=plan.action)
            if plan.disruptive:
                if p["host"] and not p["force"]:
                    result["interlock"] = interlock.check(self.cloud.nova, p["host"], plan.action)
                elif not p["host"]:
                    self.ansible.warn("%s: no interlock (host not set): nothing checked that this server runs no "
                                      "workload" % p["address"])
            if not plan.changed or self.check_mode:
                final = plan.target if plan.changed else plan.current
            else:
                bmc.power(plan.action)
                self.record("hardware_power." + plan.action, target, {"power_state": plan.current},
                            {"power_state": plan.target},
                            {"address": p["address"], "protocol": bmc.protocol, "forced": p["force"],
                             "interlock": result.get("interlock")})
                try:
                    final = power.wait_for(bmc, plan.target) if p["wait"] else bmc.power_state()
                except BmcError as exc:
                    # the reset was sent (and audit-logged): the task failed, but it did change something
                    result.update(exc.to_result(), changed=True)
                    self.fail(exc.message, **result)
        result.update(changed=plan.changed, power_state=final)
        return self.add_diff(result, {"power_state": plan.current}, {"power_state": final})


def main():
    HardwarePowerModule().run()


if __name__ == "__main__":
    main()
