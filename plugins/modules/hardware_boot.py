#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: hardware_boot
short_description: Set a server's boot device (one-time or persistent) through its BMC
version_added: 0.1.0
description:
  - Sets the boot override of a server through its BMC (Redfish C(Boot.BootSourceOverride*) or IPMI
    Set System Boot Options), for the next boot only or for every boot, or clears it.
  - Idempotent; an override that already says the same is not set again.
  - Does not restart the server; use M(osfleet.day2.hardware_power) for that.
  - Each change is written to the audit log.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.bmc
  - osfleet.day2.bmc.tls
  - osfleet.day2.audit
attributes:
  check_mode:
    support: full
    description: Reads the override; reports what would change; changes nothing.
  diff_mode:
    support: full
    description: Shows the boot override before and after.
options:
  target:
    description:
      - Boot device. V(none) clears the override (the server boots from its normal boot order).
      - V(bios) enters the firmware setup.
    type: str
    required: true
    choices: [none, pxe, hdd, cd, bios, usb]
  persistent:
    description:
      - V(false) boots from O(target) once (the BMC clears the override after that boot); V(true) keeps it.
    type: bool
    default: false
  mode:
    description:
      - Boot mode to ask for with the override. Omit to leave it as it is.
    type: str
    choices: [uefi, legacy]
"""

EXAMPLES = r"""
- name: Network-boot compute-03 once for reprovisioning
  osfleet.day2.hardware_boot:
    address: ipmi://10.0.0.13
    username: admin
    password: "{{ vault_bmc_password }}"
    target: pxe

- name: Back to the normal boot order
  osfleet.day2.hardware_boot:
    address: redfish+https://10.0.0.11/redfish/v1/Systems/1
    username: admin
    password: "{{ vault_bmc_password }}"
    target: none
"""

RETURN = r"""
boot:
  description: The boot override after the change (predicted in check mode).
  returned: success
  type: dict
  contains:
    target:
      description: Boot device (none, pxe, hdd, cd, bios, usb, ...).
      type: str
    enabled:
      description: V(disabled), V(once) or V(continuous).
      type: str
    mode:
      description: V(uefi), V(legacy) or null when the BMC does not say.
      type: str
  sample: {target: pxe, enabled: once, mode: uefi}
previous_boot:
  description: The boot override before the call.
  returned: success
  type: dict
  sample: {target: none, enabled: disabled, mode: null}
audit:
  description: Where this run's audit entry went and the new head of the log.
  returned: when the module changed something
  type: dict
"""

from dataclasses import asdict

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import BMC_ARGUMENT_SPEC, open_from_params
from ansible_collections.osfleet.day2.plugins.module_utils._hardware import boot
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module


class HardwareBootModule(Day2Module):
    uses_cloud = False
    argument_spec = dict(
        BMC_ARGUMENT_SPEC,
        target=dict(type="str", required=True, choices=list(boot.SETTABLE)),
        persistent=dict(type="bool", default=False),
        mode=dict(type="str", choices=["uefi", "legacy"]),
    )

    def execute(self):
        p = self.params
        want = boot.desired(p["target"], p["persistent"], p["mode"])
        with open_from_params(p) as bmc:
            current = bmc.boot_override()
            changed = boot.needs_change(current, want)
            final = boot.predict(current, want)
            if changed and not self.check_mode:
                bmc.set_boot_override(want.target, p["persistent"], want.mode)
                final = bmc.boot_override()
                self.record("hardware_boot.set", p["address"], asdict(current), asdict(final),
                            {"protocol": bmc.protocol})
        result = dict(changed=changed, boot=asdict(final), previous_boot=asdict(current))
        return self.add_diff(result, asdict(current), asdict(final))


def main():
    HardwareBootModule().run()


if __name__ == "__main__":
    main()
