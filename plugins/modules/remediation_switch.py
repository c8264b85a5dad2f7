#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: remediation_switch
short_description: The kill switch of automatic remediation
version_added: 0.1.0
description:
  - V(stopped) stops every automatic action of M(osfleet.day2.remediation) in this cloud at once. A run that
    starts, or reaches its next step, changes nothing and says why; every host stays where it is (out of the
    pool, held, half-way through its runbook), its record intact, so that lifting the switch lets the next run
    carry on from there.
  - V(running) lifts it. The switch is the host aggregate C(osfleet-remediation-control) (metadata
    C(osfleet_remed_stopped) = reason, who and when), so every controller and the alert rulebook see it.
  - The manual path (hold, note) still works while stopped; releases wait for the switch.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  check_mode:
    support: full
    description: Says whether the switch would change; changes nothing.
  diff_mode:
    support: full
    description: The switch before and after.
options:
  state:
    description:
      - V(stopped) sets the switch, V(running) lifts it.
    type: str
    choices: [stopped, running]
    required: true
  reason:
    description:
      - Why automatic remediation is stopped; required with O(state=stopped).
    type: str
"""

EXAMPLES = r"""
- name: Stop all automatic remediation now
  osfleet.day2.remediation_switch:
    cloud: prod
    state: stopped
    reason: "INC-881: storage outage, hands off the computes"

- name: Let it run again
  osfleet.day2.remediation_switch:
    cloud: prod
    state: running
"""

RETURN = r"""
stopped:
  description: The switch's words (reason, who, when) after the run; null when running.
  returned: always
  type: str
  sample: "INC-881: storage outage | ops@bastion | 2026-12-02T16:00:00Z"
"""

from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import machine
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.record import Store, now_utc


class RemediationSwitchModule(Day2Module):
    argument_spec = dict(
        state=dict(type="str", choices=["stopped", "running"], required=True),
        reason=dict(type="str"),
    )
    module_kwargs = dict(required_if=[("state", "stopped", ["reason"])])

    def execute(self):
        p = self.params
        store = Store(self.cloud.nova, check_mode=self.check_mode)
        before = store.stopped()
        if p["state"] == "stopped":
            changed = before is None and machine.stop(store, p["reason"], self.audit.actor, now_utc())
        else:
            changed = before is not None and machine.resume(store)
        after = (store.stopped() if not self.check_mode else
                 (before if not changed else ("%s | %s" % (p["reason"], self.audit.actor) if p["state"] == "stopped"
                                              else None)))
        if changed:
            self.record("remediation.switch", "osfleet-remediation-control", before, after,
                        {"state": p["state"], "reason": p["reason"]})
        return self.add_diff(dict(changed=bool(changed), stopped=after), {"stopped": before}, {"stopped": after})


def main():
    RemediationSwitchModule().run()


if __name__ == "__main__":
    main()
