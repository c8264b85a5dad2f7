#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: hardware_scan
short_description: Read many BMCs (Redfish and IPMI) concurrently in one task
version_added: 0.1.0
description:
  - Reads the hardware state of every BMC in a BMC map, O(workers) at a time, each with its own deadline,
    and returns one result per host. One task for the fleet instead of one task (and one fork) per host.
  - Never fails because a BMC is down, refuses the credentials or errs; that host's C(status) says so.
  - Can write the results as a JSON file and as a Prometheus textfile for node_exporter's textfile collector,
    both atomically (written to a temporary file in the same directory, then moved over the file).
author:
  - osfleet.day2 contributors (@osfleet)
attributes:
  action:
    support: full
    description: The action plugin reads O(bmc_map) on the controller, through Ansible's loader (so a
      vault-encrypted map is decrypted there), and hands its content to the module as O(bmcs).
  check_mode:
    support: full
    description: Reads only; the files are written in check mode too (they are the module's output, not a change
      to the hosts).
  diff_mode:
    support: none
    description: Reads only; there is nothing to compare.
options:
  bmcs:
    description:
      - The BMCs, shaped like C(bmcs.yml), host name to C(address), C(username), C(password) and optionally
        C(type) (redfish or ipmi) and C(verify) (false to skip TLS verification for that BMC).
      - Addresses take the schemes of the O(osfleet.day2.hardware_info#module:address) option (C(docs/hardware.md),
        Addresses); a bad entry fails the task, naming the host and the key.
      - The passwords are never logged or returned.
      - One of O(bmcs) and O(bmc_map) is required.
    type: dict
  bmc_map:
    description:
      - Path of a C(bmcs.yml) file of that shape, read on the controller (not on the host the task runs on)
        through Ansible's loader, so the file may be encrypted with C(ansible-vault) as a whole or hold
        C(!vault) values. A relative path is looked up like a file of M(ansible.builtin.copy)'s C(src) (the
        role's C(files/), then the playbook's directory).
    type: path
  hosts:
    description:
      - Only scan these hosts of the map.
    type: list
    elements: str
  workers:
    description:
      - How many BMCs are read at the same time.
    type: int
    default: 16
  timeout:
    description:
      - Deadline in seconds for each BMC (log in, every request and retry). A BMC still busy at its deadline gets
        C(status=error).
    type: float
    default: 30
  gather:
    description:
      - Which parts of the hardware state to read from each BMC (see M(osfleet.day2.hardware_info)).
    type: list
    elements: str
    choices: [power, identity, sensors, log, firmware, boot, utilization]
    default: [power, sensors]
  validate_certs:
    description:
      - Verify the TLS certificates of Redfish BMCs (a map entry's C(verify) overrides it for that BMC).
    type: bool
    default: true
  ca_path:
    description:
      - CA bundle file or directory to verify the BMCs' certificates with.
    type: path
  json_path:
    description:
      - Write C(results) and C(summary) as JSON to this file.
    type: path
  prometheus_path:
    description:
      - Write the results as a Prometheus textfile here (give it a C(.prom) name in node_exporter's
        C(--collector.textfile.directory)). Metrics are C(osfleet_bmc_up), C(osfleet_bmc_scan_seconds),
        C(osfleet_power_on), C(osfleet_health) (0 ok, 1 warning, 2 critical), C(osfleet_temperature_celsius),
        C(osfleet_fan_rpm), C(osfleet_fan_percent), C(osfleet_psu_ok) and C(osfleet_power_watts), labelled by
        C(host) (and C(sensor), C(fan), C(psu), unique within a host). An absent power supply has no C(osfleet_psu_ok).
      - The BMC's own status of each component is C(osfleet_temperature_health), C(osfleet_fan_health) and
        C(osfleet_psu_health) (0 ok, 1 warning, 2 critical), a sensor's threshold
        C(osfleet_temperature_upper_critical_celsius); with C(log) in O(gather), C(osfleet_sel_entries) (by
        C(severity)) and C(osfleet_sel_last_critical_timestamp_seconds). The alert rules shipped in
        C(extensions/prometheus/rules/) read these (C(docs/alerts.md)).
    type: path
requirements:
  - sushy (for Redfish BMCs)
  - pyghmi (for IPMI BMCs)
seealso:
  - module: osfleet.day2.hardware_info
    description: Everything about one BMC.
"""

EXAMPLES = r"""
- name: Scan the fleet's BMCs and feed node_exporter (the map may be vault-encrypted)
  osfleet.day2.hardware_scan:
    bmc_map: /etc/osfleet/bmcs.yml
    workers: 32
    timeout: 20
    prometheus_path: /var/lib/node_exporter/textfile/osfleet_bmc.prom
  register: scan

- name: List the hosts whose BMC did not answer
  ansible.builtin.debug:
    msg: "{{ scan.results | dict2items | selectattr('value.status', 'ne', 'ok') | map(attribute='key') | list }}"

- name: Two BMCs given inline
  osfleet.day2.hardware_scan:
    bmcs:
      compute-01: {address: "redfish+https://10.0.0.11", username: admin, password: "{{ vault_bmc_pw }}"}
      compute-03: {address: "ipmi://10.0.0.13", username: admin, password: "{{ vault_bmc_pw }}"}
"""

RETURN = r"""
results:
  description: One entry per host.
  returned: always
  type: dict
  contains:
    status:
      description: V(ok), V(unreachable), V(auth_failed) or V(error).
      type: str
    error:
      description: What went wrong (null when ok). Wrong credentials read C(authentication failed for <address>).
      type: str
    error_type:
      description: The error's class (BmcUnreachable, BmcAuthError, BmcTimeout, BmcError, ...).
      type: str
    address:
      description: The BMC address.
      type: str
    protocol:
      description: V(redfish) or V(ipmi), once logged in.
      type: str
    state:
      description: The HardwareState (see M(osfleet.day2.hardware_info)); null unless ok.
      type: dict
    elapsed:
      description: Seconds the scan of this BMC took.
      type: float
    read_at:
      description:
        - When the reading of this BMC ended (UTC, C(YYYY-MM-DDTHH:MM:SSZ)); absent for a BMC cut off by the
          scan's deadline. M(osfleet.day2.fleet_info)'s O(osfleet.day2.fleet_info#module:hardware) ages the
          figures by it.
      type: str
  sample:
    compute-01:
      status: ok
      error: null
      address: redfish+https://10.0.0.11
      protocol: redfish
      elapsed: 0.21
      read_at: "2026-12-03T10:00:00Z"
      state: {power_state: "on", health: ok, temperatures: [{name: CPU1 Temp, reading_celsius: 52, status: ok}]}
    compute-03:
      status: auth_failed
      error: authentication failed for ipmi://10.0.0.13
      state: null
summary:
  description: How many hosts ended in each status, and C(total).
  returned: always
  type: dict
  sample: {total: 4, ok: 3, unreachable: 1}
elapsed:
  description: Seconds the whole scan took.
  returned: always
  type: float
"""

import time

from ansible_collections.osfleet.day2.plugins.module_utils._hardware import scan as hardware_scan
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import GATHER_CHOICES
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module


class HardwareScanModule(Day2Module):
    uses_cloud = False
    changes_state = False
    argument_spec = dict(
        bmcs=dict(type="dict", no_log=True),
        bmc_map=dict(type="path"),
        hosts=dict(type="list", elements="str"),
        workers=dict(type="int", default=16),
        timeout=dict(type="float", default=30.0),
        gather=dict(type="list", elements="str", choices=list(GATHER_CHOICES),
                    default=list(hardware_scan.DEFAULT_GATHER)),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        json_path=dict(type="path"),
        prometheus_path=dict(type="path"),
    )
    module_kwargs = dict(required_one_of=[("bmcs", "bmc_map")], mutually_exclusive=[("bmcs", "bmc_map")])

    def _targets(self):
        p = self.params
        if p["bmc_map"] is not None:
            # plugins/action/hardware_scan.py turns bmc_map into bmcs on the controller (vault decrypted)
            raise ValidationError("bmc_map is read on the controller by the osfleet.day2.hardware_scan action "
                                  "plugin, which did not run; give the map's content as bmcs", field="bmc_map")
        targets = hardware_scan.targets_from_map(p["bmcs"], "bmcs")
        # Only the passwords are secret: without this, ansible would mask every value of the map (host
        # addresses, user names) wherever it appears in the results.
        self.mask_only("bmcs", [t.password for t in targets])
        if p["hosts"]:
            unknown = sorted(set(p["hosts"]) - {t.host for t in targets})
            if unknown:
                raise ValidationError("hosts not in the BMC map: %s" % ", ".join(unknown), field="hosts")
            targets = [t for t in targets if t.host in p["hosts"]]
        return targets

    def execute(self):
        p = self.params
        if p["timeout"] <= 0:
            raise ValidationError("timeout must be more than 0 seconds", field="timeout")
        start = time.monotonic()
        results = hardware_scan.scan(self._targets(), workers=p["workers"], timeout=p["timeout"],
                                     gather=p["gather"], validate_certs=p["validate_certs"], ca_path=p["ca_path"])
        if p["json_path"]:
            self.write_output(p["json_path"], hardware_scan.results_json(results), field="json_path")
        if p["prometheus_path"]:
            text = hardware_scan.prometheus_text(results, with_log="log" in p["gather"])
            self.write_output(p["prometheus_path"], text, field="prometheus_path")
        return dict(changed=False, results=results, summary=hardware_scan.summary(results),
                    elapsed=round(time.monotonic() - start, 3))


def main():
    HardwareScanModule().run()


if __name__ == "__main__":
    main()
