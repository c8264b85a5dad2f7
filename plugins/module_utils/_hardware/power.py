# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Power a server on, off or through a restart, idempotently, within a deadline.

:func:`plan` decides from the current power state which BMC action (if
any) takes the server to the state asked for, so check mode and the real
run share one decision and a second run does nothing. :func:`apply` starts
the action and waits until the BMC reports the target state, or raises
BmcTimeout at the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import POWER_ACTIONS, POWER_TARGET, Bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcTimeout
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

POLL_SECONDS = 1.0
#: actions that take a running server down, however briefly: the interlock guards these
DISRUPTIVE = ("off", "graceful_shutdown", "graceful_restart", "force_restart", "power_cycle")


@dataclass(frozen=True)
class PowerPlan:
    current: str
    action: Optional[str]  # the BMC action to run; None: already there
    target: str

    @property
    def changed(self) -> bool:
        return self.action is not None

    @property
    def disruptive(self) -> bool:
        return self.action in DISRUPTIVE and self.current != "off"


def plan(current: str, state: str) -> PowerPlan:
    """What to do to reach ``state`` from power state ``current``.

    on/off/graceful_shutdown do nothing when already there. A restart or a
    power cycle always runs on a server that is on; on a server that is off
    it becomes a plain power-on (there is nothing to restart).
    """
    if state not in POWER_ACTIONS:
        raise ValidationError("state must be one of %s, not %r" % (", ".join(POWER_ACTIONS), state), field="state")
    target = POWER_TARGET[state]
    settled = {"powering_on": "on", "powering_off": "off"}.get(current, current)
    if state in ("on", "off", "graceful_shutdown"):
        return PowerPlan(current, None if settled == target else state, target)
    if settled == "off":
        return PowerPlan(current, "on", target)
    return PowerPlan(current, state, target)


def wait_for(bmc: Bmc, target: str, poll: float = POLL_SECONDS) -> str:
    """Poll until the BMC reports ``target``; BmcTimeout at the deadline."""
    last = bmc.power_state()
    while last != target:
        try:
            bmc.deadline.sleep(min(poll, max(0.05, bmc.deadline.remaining() / 2)),
                               "waiting for power state %s" % target)
        except BmcTimeout:
            raise BmcTimeout("%s: power state is still %s, not %s, at the deadline (%gs)"
                             % (bmc.address, last, target, bmc.deadline.seconds), resource=bmc.address,
                             details={"power_state": last}) from None
        last = bmc.power_state()
    return last


def apply(bmc: Bmc, power_plan: PowerPlan, wait: bool = True) -> str:
    """Run the planned action; the final power state (the target, when waiting)."""
    if power_plan.action is None:
        return power_plan.current
    bmc.power(power_plan.action)
    if not wait:
        return bmc.power_state()
    return wait_for(bmc, power_plan.target)
