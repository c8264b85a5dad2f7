# -*- coding: utf-8 -*-
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware import boot
from ansible_collections.osfleet.day2.plugins.module_utils._hardware import power
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcTimeout
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import BootOverride
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError


@pytest.mark.parametrize("current, state, action, target", [
    ("on", "on", None, "on"),
    ("off", "on", "on", "on"),
    ("powering_on", "on", None, "on"),
    ("off", "off", None, "off"),
    ("on", "off", "off", "off"),
    ("off", "graceful_shutdown", None, "off"),
    ("on", "graceful_shutdown", "graceful_shutdown", "off"),
    ("on", "force_restart", "force_restart", "on"),
    ("off", "force_restart", "on", "on"),
    ("on", "power_cycle", "power_cycle", "on"),
    ("on", "graceful_restart", "graceful_restart", "on"),
])
def test_power_plan(current, state, action, target):
    p = power.plan(current, state)
    assert (p.action, p.target, p.changed) == (action, target, action is not None)


def test_power_plan_disruptive_only_when_it_takes_a_running_server_down():
    assert power.plan("on", "off").disruptive
    assert power.plan("on", "force_restart").disruptive
    assert not power.plan("off", "force_restart").disruptive  # becomes a power-on
    assert not power.plan("off", "on").disruptive
    with pytest.raises(ValidationError):
        power.plan("on", "explode")


class SlowBmc:
    """Reports ``states`` one per poll (the last one forever)."""

    address = "ipmi://b"

    def __init__(self, states, seconds):
        self.states = list(states)
        self.actions = []
        self.deadline = Deadline(seconds, self.address)

    def power_state(self):
        return self.states.pop(0) if len(self.states) > 1 else self.states[0]

    def power(self, action):
        self.actions.append(action)


def test_apply_waits_for_the_target_state():
    bmc = SlowBmc(["on", "on", "off"], 10)
    assert power.apply(bmc, power.plan("on", "off")) == "off"
    assert bmc.actions == ["off"]


def test_apply_fails_at_the_deadline_naming_the_last_state():
    bmc = SlowBmc(["on"], 0.6)
    with pytest.raises(BmcTimeout) as err:
        power.wait_for(bmc, "off", poll=0.1)
    assert "still on, not off" in err.value.message
    assert bmc.deadline.remaining() < 0.3


@pytest.mark.parametrize("current, target, persistent, mode, changed", [
    (BootOverride("none", "disabled"), "pxe", False, None, True),
    (BootOverride("pxe", "once"), "pxe", False, None, False),
    (BootOverride("pxe", "once"), "pxe", True, None, True),
    (BootOverride("pxe", "once", "uefi"), "pxe", False, "legacy", True),
    (BootOverride("pxe", "once", "uefi"), "pxe", False, None, False),
    (BootOverride("hdd", "continuous"), "none", False, None, True),
    (BootOverride("hdd", "disabled"), "none", True, None, False),
])
def test_boot_needs_change(current, target, persistent, mode, changed):
    want = boot.desired(target, persistent, mode)
    assert boot.needs_change(current, want) is changed
    predicted = boot.predict(current, want)
    assert not boot.needs_change(predicted, want)


def test_boot_rejects_unknown_target():
    with pytest.raises(ValidationError) as err:
        boot.desired("floppy-of-doom", False)
    assert err.value.field == "target"
