#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: remediation
short_description: Remediate a compute host by runbook, or hold it for an operator and release it
version_added: 0.1.0
description:
  - A state machine per host, its state kept in the cloud (the compute service's disabled reason and the host
    aggregate C(osfleet-remed-<host>)), resumable after a killed run, every step one audit-log entry.
  - V(run) re-runs the audit rules behind the signal (the C(compute_hosts) pack); a signal the audit does not
    confirm ends as C(dismissed). A confirmed one (the rules still failing after the flap guard's
    C(confirm_seconds) of O(guards)) takes the host out of the pool, runs the matching runbook's steps, re-runs the
    rules the runbook names (the alert going quiet is not proof) and returns the host, exactly as it was.
    A runbook that says so, a failed step or verification, or a guard's refusal leaves the host C(held).
  - V(hold) takes the host out of automatic management (no runbook touches it; alert triage suppresses its
    alerts as held) and, with O(take_out), out of the pool. V(note) adds an investigating note to a held host.
    V(release) verifies the host and returns it.
  - Guards, checked before a host leaves the pool and before every disruptive step, each refusal recorded
    with its reason; the cap of hosts out per availability zone (counting every host out for any reason),
    Placement capacity before a drain, a partition stop, a per-host cooldown and daily maximum, the flap
    guard, the kill switch (M(osfleet.day2.remediation_switch)), quarantined servers never touched.
  - See C(docs/remediation.md) for the states, the guards and how to write a runbook.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  action:
    support: full
    description: The action plugin reads O(bmc_map), the runbook files (shipped ones and O(runbook_dirs)) and the
      packs on the controller and hands their content to the module.
  check_mode:
    support: full
    description: The dry run. Everything is read and the audit run; the result's C(plan) lists what would be done
      (each step, each guard's answer). Nothing is written and no command runs.
  diff_mode:
    support: partial
    description: The record's state before and after.
options:
  host:
    description:
      - The compute host, as Nova names it.
    type: str
    required: true
  action:
    description:
      - V(run) remediates (or resumes the open record), V(hold), V(note) and V(release) are the manual path.
    type: str
    choices: [run, hold, note, release]
    default: run
  rules:
    description:
      - The audit rules the signal is about (for example from an alert's triage). Empty means every rule of the
        host that fails.
    type: list
    elements: str
    default: []
  alerts:
    description:
      - Alerts about the host, each C({name, labels}), as triage hands them on; a runbook matching one of them
        is selected, and still confirmed by its rules.
    type: list
    elements: dict
    default: []
  approve:
    description:
      - Approve the step of the open record that waits for an operator (C(approval=required) in the runbook).
    type: bool
    default: false
  reason:
    description:
      - Why the host is held (O(action=hold)); required there.
    type: str
  ticket:
    description:
      - The ticket the hold is tracked in (O(action=hold)).
    type: str
    default: ""
  note:
    description:
      - The investigating note (O(action=note)).
    type: str
  take_out:
    description:
      - With O(action=hold), also take the host out of the pool (disable its compute service with our marker).
    type: bool
    default: true
  runbook_dirs:
    description:
      - Directories of the operator's own runbooks (C(*.yml)), read on the controller after the shipped ones; a
        runbook with the name of a shipped one replaces it.
    type: list
    elements: path
    default: []
  runbook_sources:
    description:
      - The runbooks' texts (C([{source, text, shipped}])), as the action plugin hands them over. Internal.
    type: list
    elements: dict
  guards:
    description:
      - The guards' settings; see C(docs/remediation.md). Unknown keys are refused.
      - C(max_out_per_zone) (1), C(max_out_percent) (25), C(partition_hosts) (2), C(partition_minutes) (10),
        C(cooldown_minutes) (30), C(max_per_day) (3), C(confirm_seconds) (30), C(hold_unmatched) (critical),
        C(capacity_check) (true).
    type: dict
    default: {}
  host_commands:
    description:
      - How commands reach a host. C(service_manager) V(systemd) (default, C(ssh host sudo systemctl restart
        <unit>)), V(kolla) (C(docker restart <container>)) or V(command) with C(restart_command), an argument
        list with C({host}), C({service}) and C({unit}); C(units) maps a service to its unit or container;
        C(bmc_reset_command) the in-band BMC reset (default C(ssh host sudo ipmitool mc reset cold)).
    type: dict
    default: {}
  bmcs:
    description:
      - The BMCs, shaped like C(bmcs.yml). Passwords are never logged or returned.
    type: dict
  bmc_map:
    description:
      - Path of a C(bmcs.yml) file, read on the controller (may be vault-encrypted).
    type: path
  bmc_validate_certs:
    description:
      - Verify the TLS certificates of Redfish BMCs.
    type: bool
    default: true
  bmc_ca_path:
    description:
      - CA bundle that BMC certificates are verified with.
    type: path
  bmc_timeout:
    description:
      - Deadline in seconds of each BMC's reads during the audit.
    type: float
    default: 30
  packs:
    description:
      - The audit packs whose host rules confirm and verify (builtin names or paths).
    type: list
    elements: str
    default: [compute_hosts]
  pack_sources:
    description:
      - The packs' texts, as the action plugin hands them over. Internal.
    type: list
    elements: dict
  params:
    description:
      - The packs' parameters, as for M(osfleet.day2.compliance_audit).
    type: dict
    default: {}
  gather_timeout:
    description:
      - Deadline in seconds of each audit's gathering.
    type: float
    default: 120
  verify_timeout:
    description:
      - With O(action=release), how long the verification may keep re-running the rules (every 10 seconds) before
        the host stays held.
    type: int
    default: 60
  drain_poll_interval:
    description:
      - Seconds between looks at the servers a drain moves.
    type: float
    default: 2
notes:
  - Runs on the controller (C(delegate_to localhost)) as the commands of O(host_commands) run from there.
  - Needs the admin role (compute services, aggregates, migrations).
"""

EXAMPLES = r"""
- name: Remediate compute-03 (whatever fails on it that a runbook knows)
  osfleet.day2.remediation:
    cloud: prod
    host: compute-03
    bmc_map: /etc/osfleet/bmcs.yml
    host_commands:
      service_manager: systemd

- name: Show the plan only
  osfleet.day2.remediation:
    cloud: prod
    host: compute-03
  check_mode: true

- name: Hold compute-01 for an investigation
  osfleet.day2.remediation:
    cloud: prod
    host: compute-01
    action: hold
    reason: fans replaced, burn-in running
    ticket: OPS-1234

- name: Return it once it passes again
  osfleet.day2.remediation:
    cloud: prod
    host: compute-01
    action: release
    bmc_map: /etc/osfleet/bmcs.yml
"""

RETURN = r"""
state:
  description: The host's remediation state after the run (C(returned), C(held), C(dismissed), C(fixing) ...).
  returned: always
  type: str
  sample: returned
state_before:
  description: The state before the run (none when the host had no record).
  returned: always
  type: str
runbook:
  description: The runbook selected (or resumed).
  returned: always
  type: str
  sample: compute_down
rules:
  description: The failing audit rules the runbook is for.
  returned: always
  type: list
  elements: str
transitions:
  description: The state changes made, each C({host, from, to, reason, ...}); one audit-log entry each.
  returned: always
  type: list
  elements: dict
steps:
  description: The runbook steps run, each C({index, name, type, attempt, ok, detail, seconds}).
  returned: always
  type: list
  elements: dict
plan:
  description: In check mode, what would be done.
  returned: always
  type: list
  elements: dict
refusals:
  description: The guards that refused, each C({host, code, reason, hold}).
  returned: always
  type: list
  elements: dict
held_hosts:
  description: The hosts a partition stop held.
  returned: always
  type: list
  elements: str
awaiting_approval:
  description: The step that waits for O(approve).
  returned: when a step waits for approval
  type: dict
record:
  description: The host's record as written.
  returned: always
  type: dict
message:
  description: What happened, in words.
  returned: always
  type: str
"""

from ansible_collections.osfleet.day2.plugins.module_utils._audit import gather as audit_gather
from ansible_collections.osfleet.day2.plugins.module_utils._audit import run as audit_run
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.service import Pacing
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import guards
from ansible_collections.osfleet.day2.plugins.module_utils._remediation import runbook as rb
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.checks import Auditor
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.host_commands import HostCommands
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.machine import Remediation


class RemediationModule(Day2Module):
    argument_spec = dict(
        host=dict(type="str", required=True),
        action=dict(type="str", choices=["run", "hold", "note", "release"], default="run"),
        rules=dict(type="list", elements="str", default=[]),
        alerts=dict(type="list", elements="dict", default=[]),
        approve=dict(type="bool", default=False),
        reason=dict(type="str"),
        ticket=dict(type="str", default=""),
        note=dict(type="str"),
        take_out=dict(type="bool", default=True),
        runbook_dirs=dict(type="list", elements="path", default=[]),
        runbook_sources=dict(type="list", elements="dict"),
        guards=dict(type="dict", default={}),
        host_commands=dict(type="dict", default={}),
        bmcs=dict(type="dict", no_log=True),
        bmc_map=dict(type="path"),
        bmc_validate_certs=dict(type="bool", default=True),
        bmc_ca_path=dict(type="path"),
        bmc_timeout=dict(type="float", default=30.0),
        packs=dict(type="list", elements="str", default=["compute_hosts"]),
        pack_sources=dict(type="list", elements="dict"),
        params=dict(type="dict", default={}),
        gather_timeout=dict(type="float", default=120.0),
        verify_timeout=dict(type="int", default=60),
        drain_poll_interval=dict(type="float", default=2.0),
    )
    module_kwargs = dict(mutually_exclusive=[("bmcs", "bmc_map")],
                         required_if=[("action", "hold", ["reason"]), ("action", "note", ["note"])])

    def _bmcs(self):
        return self.inline_bmc_map("osfleet.day2.remediation")

    def execute(self):
        p = self.params
        # everything the operator wrote is validated before anything is read or changed
        settings = guards.Settings.from_options(p["guards"])
        commands = HostCommands.from_options(p["host_commands"])
        sources = p["runbook_sources"] if p["runbook_sources"] is not None else rb.read_sources(p["runbook_dirs"])
        runbooks = rb.load_sources(sources)
        pack_list = audit_run.load_pack_sources(p["packs"], p["pack_sources"] or [])
        if p["gather_timeout"] <= 0 or p["bmc_timeout"] <= 0:
            raise ValidationError("gather_timeout and bmc_timeout must be more than 0 seconds", field="gather_timeout")
        bmcs = self._bmcs()
        options = audit_gather.GatherOptions(deadline=p["gather_timeout"], bmc_timeout=p["bmc_timeout"],
                                             bmc_validate_certs=p["bmc_validate_certs"], bmc_ca_path=p["bmc_ca_path"])
        auditor = Auditor(self.cloud, pack_list, bmcs, p["params"], options)
        machine = Remediation(self.cloud, auditor, runbooks, settings, commands, bmcs=bmcs,
                              check_mode=self.check_mode, audit=self.record, actor=self.audit.actor,
                              bmc_tls={"validate_certs": p["bmc_validate_certs"], "ca_path": p["bmc_ca_path"]},
                              pacing=Pacing(poll_interval=p["drain_poll_interval"]))
        host, action = p["host"], p["action"]
        if action == "run":
            outcome = machine.run(host, p["rules"], p["alerts"], approve=p["approve"])
        elif action == "hold":
            outcome = machine.hold(host, p["reason"], p["ticket"], take_out=p["take_out"])
        elif action == "note":
            outcome = machine.note(host, p["note"])
        else:
            outcome = machine.release(host, verify_timeout=p["verify_timeout"])
        result = outcome.to_dict()
        result["runbooks"] = [b.name for b in runbooks]
        self.add_diff(result, {"state": outcome.state_before}, {"state": outcome.state})
        if action == "release" and outcome.state == "held" and outcome.transitions:
            self.fail("release of %s: %s" % (host, outcome.message), **result)
        return result


def main():
    RemediationModule().run()


if __name__ == "__main__":
    main()
