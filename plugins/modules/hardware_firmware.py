#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: hardware_firmware
short_description: Update a server's BMC or BIOS firmware through Redfish, or roll it back to the kept image
version_added: 0.1.0
description:
  - Updates one firmware component (BMC, BIOS, or any member of the BMC's firmware inventory) with the Redfish
    C(UpdateService.SimpleUpdate) action and waits for the task the BMC starts to end, honouring the BMC's
    C(Retry-After). The whole call, the wait included, is bounded by O(timeout).
  - With O(state=previous), rolls the component back to the image the BMC kept when it was last updated (the
    inventory member marked previous, such as Dell's C(Previous-...) or the lab's C(BMC-Previous)), by posting
    that member as the C(ImageURI).
  - Idempotent; a component that already runs the version asked for is not updated. The version asked for is
    O(version), or read from the image's file name when it is C(<component>-<version>.bin).
  - Redfish only; IPMI has no UpdateService.
  - Each update is written to the audit log.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.bmc
  - osfleet.day2.bmc.tls
  - osfleet.day2.audit
attributes:
  check_mode:
    support: full
    description: Reads the firmware inventory; reports what would be updated or rolled back; posts nothing.
  diff_mode:
    support: full
    description: Shows the component's version before and after.
options:
  state:
    description:
      - V(updated) installs O(image_uri) unless the component already runs its version.
      - V(previous) rolls O(component) back to the image the BMC kept. Without O(version) every run rolls back
        again (after a rollback the kept image is the one rolled back from); give O(version) to make it
        idempotent.
    type: str
    default: updated
    choices: [updated, previous]
  image_uri:
    description:
      - Where the BMC fetches the image from (the C(ImageURI) of SimpleUpdate), for example
        C(http://firmware.example/R640/bmc-7.20.bin).
      - Required with O(state=updated).
    type: str
  component:
    description:
      - The firmware inventory member to update or roll back, by its C(Id) or C(SoftwareId) (case does not
        matter), for example V(BMC) or V(BIOS).
      - With O(state=updated), defaults to the C(<component>) of an image named C(<component>-<version>.bin).
        Required with O(state=previous).
    type: str
  version:
    description:
      - The version the component runs after the update (or the rollback); what idempotence compares with.
      - With O(state=updated), defaults to the C(<version>) of an image named C(<component>-<version>.bin); an
        image named otherwise needs it.
    type: str
  targets:
    description:
      - The C(Targets) of SimpleUpdate, the resources the image is for (for example the Manager's URI). Omit to
        let the BMC pick them from the image.
    type: list
    elements: str
  transfer_protocol:
    description:
      - The C(TransferProtocol) of SimpleUpdate (V(HTTP), V(HTTPS), ...). Omit to let the BMC read it from
        O(image_uri).
    type: str
  timeout:
    description:
      - Seconds the whole call may take, the update's task included. A firmware update takes minutes.
      - When it passes before the task ends the task fails, naming the BMC's task and its last state; the BMC
        may still finish the update.
    type: float
    default: 1800
notes:
  - A BIOS image may be staged by the BMC until the server restarts; the module then warns that the inventory
    does not show the new version yet. Use M(osfleet.day2.hardware_power) to restart the server.
seealso:
  - module: osfleet.day2.hardware_info
    description: The firmware versions of a server (O(osfleet.day2.hardware_info#module:gather=firmware)).
  - module: osfleet.day2.hardware_power
    description: Restart the server to activate a staged image.
"""

EXAMPLES = r"""
- name: Update compute-01's BMC firmware to 7.20 (the version is read from the image name)
  osfleet.day2.hardware_firmware:
    address: redfish+https://10.0.0.11/redfish/v1/Systems/1
    username: admin
    password: "{{ vault_bmc_password }}"
    image_uri: http://firmware.example/LabServer-R640e/bmc-7.20.bin
  register: bmc_update

- name: Roll the BMC back if the host does not come back healthy
  osfleet.day2.hardware_firmware:
    address: redfish+https://10.0.0.11/redfish/v1/Systems/1
    username: admin
    password: "{{ vault_bmc_password }}"
    state: previous
    component: BMC
    version: "{{ bmc_update.previous_version }}"
  when: host_unhealthy | bool

- name: A vendor image whose name says no version
  osfleet.day2.hardware_firmware:
    address: redfish+https://10.0.0.12/redfish/v1/Systems/System.Embedded.1
    username: root
    password: "{{ vault_idrac_password }}"
    image_uri: http://firmware.example/dell/BIOS_0X3CM_WN64_2.20.0.EXE
    component: "159"
    version: 2.20.0
    timeout: 3600
"""

RETURN = r"""
component:
  description: The firmware inventory member updated (or that would be, or that already ran the version).
  returned: success
  type: str
  sample: BMC
version:
  description: The component's version at the end (predicted in check mode).
  returned: success
  type: str
  sample: "7.20"
previous_version:
  description: The component's version before the call.
  returned: success
  type: str
  sample: "7.10"
image_uri:
  description: The ImageURI posted (or that would be); null when nothing was needed.
  returned: success
  type: str
  sample: http://firmware.example/LabServer-R640e/bmc-7.20.bin
task:
  description: The BMC's task for the update, as it ended (also in a failed task's result, under RV(details)).
  returned: when an update was posted
  type: dict
  contains:
    task:
      description: The task's URI.
      type: str
    task_state:
      description: Its last TaskState (V(Completed) on success).
      type: str
    task_status:
      description: Its last TaskStatus (V(OK), V(Warning), V(Critical)).
      type: str
    percent_complete:
      description: Its last PercentComplete, when the BMC gives one.
      type: int
    messages:
      description: The BMC's messages about the task.
      type: list
      elements: str
  sample:
    task: /redfish/v1/TaskService/Tasks/1
    task_state: Completed
    task_status: OK
    percent_complete: 100
    messages: ["BMC updated from 7.10 to 7.20"]
firmware:
  description: The firmware inventory at the end, the kept (previous) images included.
  returned: success
  type: list
  elements: dict
  sample:
    - {id: BMC, name: BMC Firmware, version: "7.20", previous: false, updateable: true}
    - {id: BMC-Previous, name: BMC Firmware (previous), version: "7.10", previous: true, updateable: false}
details:
  description: When an update task failed or did not end by the deadline, the task as it was last seen.
  returned: on failure after an update was posted
  type: dict
audit:
  description: Where this run's audit entry went and the new head of the log.
  returned: when the module posted an update
  type: dict
"""

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import BMC_ARGUMENT_SPEC, open_from_params
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcError, BmcTaskFailed
from ansible_collections.osfleet.day2.plugins.module_utils._hardware import firmware
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module

TASK_KEYS = ("task", "task_state", "task_status", "percent_complete", "messages")


def _listed(images):
    return [dict(id=i.id, name=i.name, version=i.version, previous=i.previous, updateable=i.updateable)
            for i in images]


class HardwareFirmwareModule(Day2Module):
    uses_cloud = False
    argument_spec = dict(
        BMC_ARGUMENT_SPEC,
        timeout=dict(type="float", default=1800.0),
        state=dict(type="str", default="updated", choices=["updated", "previous"]),
        image_uri=dict(type="str"),
        component=dict(type="str"),
        version=dict(type="str"),
        targets=dict(type="list", elements="str"),
        transfer_protocol=dict(type="str"),
    )
    module_kwargs = dict(required_if=[("state", "updated", ["image_uri"]), ("state", "previous", ["component"])])

    def execute(self):
        p = self.params
        with open_from_params(p) as bmc:
            images = firmware.inventory(bmc)
            if p["state"] == "updated":
                plan = firmware.plan_update(images, p["image_uri"], p["component"], p["version"], bmc.address)
            else:
                plan = firmware.plan_rollback(images, p["component"], p["version"], bmc.address)
            result = dict(changed=plan.changed, component=plan.component, previous_version=plan.current,
                          version=plan.target if plan.changed else plan.current, image_uri=plan.image_uri,
                          firmware=_listed(images))
            if plan.changed and not self.check_mode:
                result["version"] = self._update(bmc, plan, result)
                result["firmware"] = _listed(firmware.inventory(bmc))
        return self.add_diff(result, {"component": plan.component, "version": plan.current},
                             {"component": plan.component, "version": result["version"]})

    def _update(self, bmc, plan, result):
        """Post the update and wait for it; the component's version at the end."""
        p = self.params
        action = "hardware_firmware." + ("update" if p["state"] == "updated" else "rollback")
        before = {"component": plan.component, "version": plan.current}
        try:
            update = firmware.simple_update(bmc, plan.image_uri, targets=p["targets"],
                                            transfer_protocol=p["transfer_protocol"])
        except BmcError as exc:
            posted = isinstance(exc, BmcTaskFailed) or exc.details.get("timed_out")
            if not posted:
                raise
            # the update was posted (and is audit-logged): the task failed, but the BMC was asked to change
            task = {k: exc.details.get(k) for k in TASK_KEYS}
            self.record(action, p["address"], before, before,
                        {"image_uri": plan.image_uri, "outcome": "failed", "error": exc.message, "task": task})
            result.update(exc.to_result(), task=task, changed=True)
            self.fail(exc.message, **result)
        now = update.after.get(plan.component)
        task = {k: getattr(update, k) for k in TASK_KEYS}
        result["task"] = task
        self.record(action, p["address"], before, {"component": plan.component, "version": now},
                    {"image_uri": plan.image_uri, "outcome": "completed", "task": task, "target_version": plan.target})
        if now != plan.target:
            self.warn("%s: the update task completed, but %s reports version %s, not %s: the image may be staged "
                      "until the server restarts" % (p["address"], plan.component, now, plan.target))
        return now


def main():
    HardwareFirmwareModule().run()


if __name__ == "__main__":
    main()
