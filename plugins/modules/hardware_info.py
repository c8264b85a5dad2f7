#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: hardware_info
short_description: Read a server's hardware state from its BMC (Redfish or IPMI)
version_added: 0.1.0
description:
  - Reads power state, identity, sensors (temperatures, fans, power supplies, power draw), the hardware event log,
    firmware versions and the boot override from one BMC, and returns them in one shape whichever protocol the BMC
    speaks (see C(docs/hardware.md) for where each field comes from).
  - Redfish through C(sushy), IPMI 2.0 (RMCP+) through C(pyghmi); the address scheme picks the backend.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.bmc
  - osfleet.day2.bmc.tls
attributes:
  check_mode:
    support: full
    description: Reads only; runs the same in check mode.
  diff_mode:
    support: none
    description: Reads only; there is nothing to compare.
options:
  gather:
    description:
      - Which parts to read. Fewer parts mean fewer requests; V(sensors) and V(log) cost the most.
      - V(utilization) reads the system summary's Redfish C(ProcessorMetrics) and C(MemoryMetrics) where the
        System links them (one request each, none where it does not); IPMI has no such figure.
    type: list
    elements: str
    choices: [power, identity, sensors, log, firmware, boot, utilization]
    default: [power, identity, sensors, log, firmware, boot, utilization]
  log_since:
    description:
      - Only return event log entries at or after this ISO 8601 time, for example V(2026-11-20T00:00:00Z)
        (a time without an offset is UTC). Entries whose time the BMC does not give are kept.
      - A value that is not such a time fails the task, naming O(log_since), before the BMC is asked anything.
      - Applied to every entry read (all pages, the System's and the Manager's logs), not to the first page.
    type: str
  log_limit:
    description:
      - Return at most this many event log entries, the newest (the log is sorted newest first whatever order
        the BMC lists it in). A warning says how many older entries were left out and their time span.
      - Where the BMC does not expand its log collection, at most this many entries are fetched one request
        each (200 when not set).
      - Not set returns every entry read.
    type: int
seealso:
  - module: osfleet.day2.hardware_scan
    description: The same read from many BMCs in one task.
"""

EXAMPLES = r"""
- name: Read everything the BMC offers
  osfleet.day2.hardware_info:
    address: redfish+https://10.0.0.11/redfish/v1/Systems/1
    username: admin
    password: "{{ vault_bmc_password }}"
    ca_path: /etc/pki/bmc-ca.pem
  register: hw

- name: Power and sensors only, from an IPMI BMC
  osfleet.day2.hardware_info:
    address: ipmi://10.0.0.13
    username: admin
    password: "{{ vault_bmc_password }}"
    gather: [power, sensors]

- name: Critical events of the last day
  osfleet.day2.hardware_info:
    address: "{{ bmc.address }}"
    username: "{{ bmc.username }}"
    password: "{{ bmc.password }}"
    gather: [log]
    log_since: "{{ '%Y-%m-%dT%H:%M:%SZ' | strftime(now(utc=true).timestamp() - 86400) }}"
  register: events
"""

RETURN = r"""
protocol:
  description: The protocol the BMC was read with.
  returned: success
  type: str
  sample: redfish
hardware:
  description: The HardwareState; parts not in O(gather) are null or empty.
  returned: success
  type: dict
  contains:
    protocol:
      description: V(redfish) or V(ipmi).
      type: str
    power_state:
      description: V(on), V(off), V(powering_on), V(powering_off) or V(unknown).
      type: str
    health:
      description: V(ok), V(warning) or V(critical); the BMC's rollup, no better than the worst component read
        (sensors, PSUs, chassis and their thermal and power subsystems).
      type: str
    identity:
      description: Manufacturer, model, serial and UUID of the system.
      type: dict
    temperatures:
      description: Temperature sensors, each with C(name), C(reading_celsius), C(upper_critical), C(upper_fatal)
        C(status) (as for fans), C(chassis) (the Redfish chassis Id) and C(id) (its member id), from every chassis
        the system links and those they contain or sit in.
      type: list
      elements: dict
    fans:
      description:
        - Fans, each with C(name), C(rpm), C(percent) (the speed in the unit the BMC reports it in; the other is
          null), C(status), C(chassis) and C(id).
        - C(status) is V(ok), V(warning), V(critical), or V(unknown) (no status given), V(absent), V(disabled).
      type: list
      elements: dict
    power_supplies:
      description:
        - Power supplies, each with C(name), C(status) (as for fans), C(watts) (null if the BMC does not say),
          C(chassis) and C(id).
        - Where two share a C(name), the chassis and member id are added to it, so names never repeat.
      type: list
      elements: dict
    power_draw_watts:
      description: Power the server draws now.
      type: float
    cpu_bandwidth_percent:
      description:
        - With V(utilization) in O(gather), the CPUs' C(BandwidthPercent) from Redfish C(ProcessorMetrics) (the
          system summary's C(ProcessorSummary.Metrics)), what the BMC sees of how busy they are; null when the BMC
          does not offer it, and always with IPMI.
      type: float
    memory_bandwidth_percent:
      description:
        - With V(utilization) in O(gather), the memory bus's C(BandwidthPercent) from Redfish C(MemoryMetrics)
          (C(MemorySummary.Metrics)) - bandwidth, not memory in use, which only the operating system knows.
      type: float
    log:
      description:
        - Event log entries, newest first, each with C(id), C(time) (Redfish C(EventTimestamp), else C(Created)),
          C(severity) (ok, warning, critical), C(message) and C(log) (the log service it came from).
        - Both the System's and the Manager's event logs are read.
      type: list
      elements: dict
    firmware:
      description:
        - Firmware inventory, each with C(component) (its name), C(version), C(id) (the inventory member's
          C(Id), what M(osfleet.day2.hardware_firmware)'s O(osfleet.day2.hardware_firmware#module:component) takes)
          and C(previous) (true for a kept image, not the running firmware).
      type: list
      elements: dict
    bios_version:
      description: BIOS version.
      type: str
    warnings:
      description: What could not be read (a sub-resource that failed) or was left out (log entries past
        O(log_limit), a crawl cut by the deadline); also issued as task warnings.
      type: list
      elements: str
    boot:
      description: Boot override, with C(target) (none, pxe, hdd, cd, bios, usb, ...), C(enabled)
        (disabled, once, continuous) and C(mode) (uefi, legacy or null).
      type: dict
  sample:
    protocol: redfish
    power_state: "on"
    health: ok
    identity: {manufacturer: Osfleet Lab Systems, model: LabServer R640e, serial: LAB3883CE812,
               uuid: 3883ce81-216d-5391-91b3-ae04fb93b8f7}
    temperatures: [{name: CPU1 Temp, reading_celsius: 52, upper_critical: 90, upper_fatal: 100, status: ok}]
    fans: [{name: Fan1, rpm: 7200, status: ok}]
    power_supplies: [{name: PSU1, status: ok, watts: 110}]
    power_draw_watts: 212
    log: [{id: "2", time: "2026-11-21T22:39:33+00:00", severity: ok, message: System boot initiated}]
    firmware: [{component: System BIOS, version: 2.19.1, id: BIOS, previous: false},
               {component: BMC Firmware, version: "7.10", id: BMC, previous: false}]
    bios_version: 2.19.1
    boot: {target: hdd, enabled: continuous, mode: uefi}
"""

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import BMC_ARGUMENT_SPEC, open_from_params
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import GATHER_CHOICES
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import parse_time


class HardwareInfoModule(Day2Module):
    uses_cloud = False
    changes_state = False
    argument_spec = dict(
        BMC_ARGUMENT_SPEC,
        gather=dict(type="list", elements="str", choices=list(GATHER_CHOICES), default=list(GATHER_CHOICES)),
        log_since=dict(type="str"),
        log_limit=dict(type="int"),
    )

    def execute(self):
        parse_time(self.params["log_since"], "log_since")  # a bad time fails before any BMC request
        if self.params["log_limit"] is not None and self.params["log_limit"] < 0:
            raise ValidationError("log_limit must be 0 or more", field="log_limit")
        with open_from_params(self.params) as bmc:
            state = bmc.read_state(gather=self.params["gather"], log_since=self.params["log_since"],
                                   log_limit=self.params["log_limit"])
        for warning in state.warnings:
            self.warn("%s: %s" % (self.params["address"], warning))
        return dict(changed=False, protocol=state.protocol, hardware=state.to_dict())


def main():
    HardwareInfoModule().run()


if __name__ == "__main__":
    main()
