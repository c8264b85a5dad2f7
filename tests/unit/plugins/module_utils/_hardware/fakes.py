# -*- coding: utf-8 -*-
"""A fake BMC for the module tests: keeps power and boot state, records every change."""
from __future__ import annotations

import json

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import BootOverride, HardwareState, Temperature

BMC_ARGS = dict(address="redfish://bmc-02.example", username="admin", password="s3cret-pw")


class FakeBmc:
    protocol = "redfish"

    def __init__(self, power="on", boot=None, settle_polls=1):
        self.address = BMC_ARGS["address"]
        self._power = power
        self._boot = boot or BootOverride("none", "disabled", None)
        self.calls = []
        self.closed = 0
        self.settle_polls = settle_polls
        self._pending = None
        self.deadline = Deadline(60, self.address)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.closed += 1

    def read_state(self, gather, log_since=None, log_limit=None):
        self.calls.append(("read", tuple(gather), log_since))
        return HardwareState("redfish", power_state=self._power, health="ok",
                             temperatures=[Temperature("CPU1 Temp", 52.0, 90, 100, "ok")])

    def power_state(self):
        if self._pending:
            self._pending[1] -= 1
            if self._pending[1] <= 0:
                self._power, self._pending = self._pending[0], None
        return self._power

    def power(self, action):
        self.calls.append(("power", action))
        target = "off" if action in ("off", "graceful_shutdown") else "on"
        self._pending = [target, self.settle_polls]

    def boot_override(self):
        return self._boot

    def set_boot_override(self, target, persistent, mode=None):
        self.calls.append(("boot", target, persistent, mode))
        self._boot = (BootOverride("none", "disabled", self._boot.mode) if target == "none" else
                      BootOverride(target, "continuous" if persistent else "once", mode or self._boot.mode))


def make_runner(module, monkeypatch, module_main, bmc, audit):
    def _open(params, tls_prefix=""):
        if bmc is not None:
            bmc.deadline = Deadline(params["timeout"], bmc.address)
        return bmc
    monkeypatch.setattr(module, "open_from_params", _open)

    def _run(**args):
        args = dict(BMC_ARGS, **args)
        if audit:
            args.setdefault("audit_log", audit)
        out = module_main(module, args)
        assert BMC_ARGS["password"] not in json.dumps(out)
        return out
    return _run
