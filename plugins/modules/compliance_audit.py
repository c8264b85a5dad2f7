#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: compliance_audit
short_description: Audit the fleet against rule packs and write the compliance reports
version_added: 0.1.0
description:
  - Gathers the facts the rule packs need, all sources at the same time under one deadline (O(gather_timeout)) -
    the fleet snapshot, the hardware scan of every BMC, the BMCs' settings over Redfish, Neutron agents,
    Placement traits, maintenance windows, quarantine cases and the unused-capacity listings (ports, floating
    IPs, volumes, snapshots, images, projects, the servers' times).
  - Evaluates the packs (C(docs/audit.md)) and writes four reports into O(report_dir), each atomically
    (a temporary file in the same directory, then a rename) - C(compliance.json), C(compliance.junit.xml),
    C(compliance.html) and C(compliance.prom) (a Prometheus textfile).
  - Compares the results with the previous C(compliance.json) in O(report_dir) and fails only when there is a
    B(new) failure at or above O(fail_on_severity); known failures are reported every run, not alarmed on.
  - A source that cannot be read makes the rules reading its facts C(error), never C(pass) nor C(fail);
    C(gather_errors) says which source and why.
  - Changes nothing in the cloud or on the BMCs, unless O(unused_actions) turns on a stage of the unused-capacity
    actions (notify the owner, stop, delete), which is opt-in, staged, capped and written to the audit log
    (C(docs/audit.md), Acting on unused capacity).
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  action:
    support: full
    description: The action plugin reads O(bmc_map), the packs named by path or builtin name and the O(waivers)
      files on the controller through Ansible's loader (a vault-encrypted BMC map is decrypted there) and hands
      their content to the module.
  check_mode:
    support: full
    description: Everything is gathered and evaluated and the result returned; the report files are not written.
      The audit changes nothing in either mode.
  diff_mode:
    support: partial
    description: With O(unused_actions), the diff is one line per resource acted on (its marks before, after or
      C(deleted)). For the results, the reports' C(changes) (and the result's C(new_failures)) say what changed
      since the last run.
options:
  bmcs:
    description:
      - The BMCs, shaped like C(bmcs.yml) (see M(osfleet.day2.hardware_scan)). The passwords are never logged or
        returned. Without O(bmcs) and O(bmc_map) the hardware and BMC rules are C(error) on every host.
    type: dict
  bmc_map:
    description:
      - Path of a C(bmcs.yml) file, read on the controller (may be vault-encrypted); see
        M(osfleet.day2.hardware_scan).
    type: path
  bmc_validate_certs:
    description:
      - Verify the TLS certificates of Redfish BMCs when reading them (a map entry's C(verify) overrides it).
      - Whether a BMC's certificate is B(trusted) (rule BMC-06) is always decided by a verified TLS handshake of
        its own, against O(bmc_ca_path) or the default bundle, whatever this says.
    type: bool
    default: true
  bmc_ca_path:
    description:
      - CA bundle file or directory that BMC certificates are verified with.
    type: path
  bmc_timeout:
    description:
      - Deadline in seconds of each BMC's reads.
    type: float
    default: 30
  bmc_workers:
    description:
      - How many BMCs are read at the same time.
    type: int
    default: 16
  gather_timeout:
    description:
      - Deadline in seconds of the whole gathering. A source without an answer by then is an error of its facts.
    type: float
    default: 600
  sources:
    description:
      - Which sources to read (default all). A rule reading a source left out is C(error).
    type: list
    elements: str
    choices: [fleet, aggregates, placement, network_agents, maintenance_windows, quarantine, projects,
              server_times, ports, floating_ips, volumes, snapshots, images, hardware, bmc_settings]
  packs:
    description:
      - The rule packs, each a builtin name (V(compute_hosts), V(unused_capacity)) or the path of a pack file.
    type: list
    elements: str
    default: [compute_hosts, unused_capacity]
  pack_sources:
    description:
      - Set by the action plugin - the packs' texts as read on the controller (C(source), C(text)). Not for
        playbooks.
    type: list
    elements: dict
  waivers:
    description:
      - Waivers - each item the path of a waiver file (a C(waivers) list; see C(docs/audit.md), Waivers) or one
        waiver given inline as a mapping (C(rule), C(target), C(reason), C(who), C(expires), optionally C(kind)
        and C(pack)).
    type: list
    elements: raw
    default: []
  waiver_sources:
    description:
      - Set by the action plugin - the waiver files' texts (C(source), C(text)). Not for playbooks.
    type: list
    elements: dict
  params:
    description:
      - Parameters per pack - the pack's name to a mapping of parameter names to values, or of a rule id to such a
        mapping (that rule only); see C(docs/audit.md), Parameters. An unknown name or a value of another kind than
        the default fails the task, naming it.
    type: dict
    default: {}
  report_dir:
    description:
      - Directory of the reports (created if missing). The previous C(compliance.json) there is what the run is
        compared with.
    type: path
    required: true
  fail_on_severity:
    description:
      - Fail the task when a B(new) failure (failing now, not failing in the previous report - a new problem,
        an expired waiver) is at or above this severity. V(never) never fails on results.
      - The exit status of C(ansible-playbook) then tells cron or AWX that something new is wrong.
    type: str
    choices: [info, low, medium, high, critical, never]
    default: high
  unused_actions:
    description:
      - Act on the failing results of the C(unused_capacity) pack (off when not given, or when C(stages) is empty).
        Keys (each checked, an unknown one refused by name) - C(stages) (a list of V(notify), V(stop),
        V(delete)), C(grace_stop_days) (default 7), C(grace_delete_days) (default 14), C(max_resources) (default
        10), C(max_percent) (default 10, of the candidates' kind), C(exclusion_tag) (default V(osfleet-keep)),
        C(dry_run), C(rules) (ids or globs), C(pack), C(webhooks) (project id or name to a webhook, as in
        M(osfleet.day2.maintenance_window)), C(validate_certs), C(ca_path).
      - A resource moves at most one stage per run; the stage reached is marked on the resource, so a re-run
        resumes. Held (quarantine, maintenance) and excluded resources and any target with an C(error) result
        are never touched. The caps are checked on the whole plan before anything is done; a breach fails the
        task and nothing is done.
      - Every action is one entry in O(audit_log). In check mode nothing is done and C(unused_actions.done)
        lists what would be.
    type: dict
  trust_empty:
    description:
      - An empty listing is the truth (a new cloud). By default an empty project or agent listing is not trusted
        and the rules reading it are C(error).
    type: bool
    default: false
notes:
  - Runs on the controller (C(delegate_to=localhost) or a play on C(localhost)); the builtin packs are read from
    the collection there.
seealso:
  - module: osfleet.day2.hardware_scan
  - module: osfleet.day2.fleet_info
"""

EXAMPLES = r"""
- name: Nightly compliance audit, failing only on a new high or critical failure
  osfleet.day2.compliance_audit:
    cloud: prod
    bmc_map: /etc/osfleet/bmcs.yml
    report_dir: /var/lib/osfleet/compliance
    fail_on_severity: high
    params:
      compute_hosts:
        bmc_firmware_baseline: {"PowerEdge R650": "7.10.30.00"}
    waivers: [/etc/osfleet/waivers.yml]
  register: audit

- name: Only the unused-capacity pack, never failing
  osfleet.day2.compliance_audit:
    cloud: prod
    packs: [unused_capacity]
    sources: [fleet, projects, server_times, ports, floating_ips, volumes, snapshots, images, maintenance_windows,
              quarantine]
    report_dir: /var/lib/osfleet/unused
    fail_on_severity: never
"""

RETURN = r"""
summary:
  description: Counts of the results (C(by_status), C(by_severity), C(failing_by_severity)), targets per kind
    and the counts of C(changes) since the previous report.
  returned: always
  type: dict
  sample: {by_status: {pass: 92, fail: 2, error: 4}, failing_by_severity: {high: 2}, targets: {host: 4},
           changes: {new: 2, fixed: 0, still_failing: 0, now_waived: 0, now_error: 0, gone: 0}}
new_failures:
  description: The failures that were not failing in the previous report (pack, rule, severity, kind, target,
    message), most severe first.
  returned: always
  type: list
  elements: dict
blocking:
  description: The new failures at or above O(fail_on_severity) (those that fail the task).
  returned: always
  type: list
  elements: dict
gate:
  description: The verdict in words, e.g. C(no new failures) or C(1 new failure(s) at or above high - HW-14 on host
    compute-02).
  returned: always
  type: str
reports:
  description: Paths of the four reports (written unless in check mode).
  returned: always
  type: dict
  sample: {json: /var/lib/osfleet/compliance/compliance.json, junit: /var/lib/osfleet/compliance/compliance.junit.xml,
           html: /var/lib/osfleet/compliance/compliance.html, prometheus: /var/lib/osfleet/compliance/compliance.prom}
gather_errors:
  description: Source -> why it could not be read (the rules reading it are C(error)).
  returned: always
  type: dict
timings:
  description: Seconds of each source's gathering, of the whole gathering (C(gather)) and of the evaluation.
  returned: always
  type: dict
run_id:
  description: The run's id, as in the reports.
  returned: always
  type: str
unused_actions:
  description: With O(unused_actions) - the plan (C(plan) - its C(actions), the resources C(waiting) for their
    grace period with C(due_at), those C(skipped) with the reason, C(counts)) and C(done), the actions done (in check
    mode, those that would be).
  returned: when O(unused_actions) turns on a stage
  type: dict
"""

import getpass
import os
import socket
import time
from datetime import datetime, timezone

from ansible_collections.osfleet.day2.plugins.module_utils._audit import actions
from ansible_collections.osfleet.day2.plugins.module_utils._audit import gather as audit_gather
from ansible_collections.osfleet.day2.plugins.module_utils._audit import run as audit_run
from ansible_collections.osfleet.day2.plugins.module_utils._audit.engine import RunInfo
from ansible_collections.osfleet.day2.plugins.module_utils._audit.report import json_doc
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._common.version import COLLECTION_VERSION

SEVERITIES = ["info", "low", "medium", "high", "critical", "never"]
REPORT_KEYS = {"compliance.json": "json", "compliance.junit.xml": "junit", "compliance.html": "html",
               "compliance.prom": "prometheus"}


class ComplianceAuditModule(Day2Module):
    # the audit itself changes nothing; the opt-in unused-capacity actions do, each an audit-log entry
    changes_state = True
    argument_spec = dict(
        bmcs=dict(type="dict", no_log=True),
        bmc_map=dict(type="path"),
        bmc_validate_certs=dict(type="bool", default=True),
        bmc_ca_path=dict(type="path"),
        bmc_timeout=dict(type="float", default=30.0),
        bmc_workers=dict(type="int", default=16),
        gather_timeout=dict(type="float", default=600.0),
        sources=dict(type="list", elements="str",
                     choices=list(audit_gather.CLOUD_SOURCES + audit_gather.BMC_SOURCES)),
        packs=dict(type="list", elements="str", default=["compute_hosts", "unused_capacity"]),
        pack_sources=dict(type="list", elements="dict"),
        waivers=dict(type="list", elements="raw", default=[]),
        waiver_sources=dict(type="list", elements="dict"),
        params=dict(type="dict", default={}),
        report_dir=dict(type="path", required=True),
        fail_on_severity=dict(type="str", choices=SEVERITIES, default="high"),
        trust_empty=dict(type="bool", default=False),
        unused_actions=dict(type="dict"),
    )
    module_kwargs = dict(mutually_exclusive=[("bmcs", "bmc_map")])

    def _bmcs(self):
        return self.inline_bmc_map("osfleet.day2.compliance_audit")

    def _previous(self, path):
        if not os.path.exists(path):
            return None
        try:
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except OSError as exc:
            raise ValidationError("cannot read the previous report %s: %s" % (path, exc), field="report_dir")
        return json_doc.from_json(text, path)

    def execute(self):
        p = self.params
        for name in ("gather_timeout", "bmc_timeout"):
            if p[name] <= 0:
                raise ValidationError("%s must be more than 0 seconds" % name, field=name)
        # validated before anything is gathered: a typo in a setting fails at once, naming it
        act = actions.Settings.from_options(p["unused_actions"]) if p["unused_actions"] else None
        if act is not None and not act.stages:
            act = None
        started = datetime.now(timezone.utc)
        pack_list = audit_run.load_pack_sources(p["packs"], p["pack_sources"] or [])
        waiver_list = audit_run.load_waiver_sources(p["waivers"], p["waiver_sources"] or [])
        report_dir = p["report_dir"]
        previous = self._previous(os.path.join(report_dir, "compliance.json"))
        options = audit_gather.GatherOptions(
            deadline=p["gather_timeout"], bmc_workers=p["bmc_workers"], bmc_timeout=p["bmc_timeout"],
            bmc_validate_certs=p["bmc_validate_certs"], bmc_ca_path=p["bmc_ca_path"], trust_empty=p["trust_empty"])
        if p["sources"]:
            options.sources = tuple(p["sources"])
        bmcs = self._bmcs()
        # no connection at all when no cloud source is read (an audit of the BMCs only)
        cloud = self.cloud if set(options.sources) & set(audit_gather.CLOUD_SOURCES) else None
        gathered = audit_gather.gather(cloud, bmcs, options)
        began = time.monotonic()
        run = RunInfo(who=getpass.getuser(), controller=socket.gethostname(), started_at=started,
                      tool_version=COLLECTION_VERSION)
        outcome = audit_run.evaluate_run(gathered, pack_list, waiver_list, p["params"], previous,
                                         p["fail_on_severity"], run=run)
        evaluation = round(time.monotonic() - began, 3)
        paths = {REPORT_KEYS[name]: os.path.join(report_dir, name) for name in audit_run.REPORT_FILES}
        if not self.check_mode:
            try:
                os.makedirs(report_dir, exist_ok=True)
            except OSError as exc:
                raise ValidationError("cannot create %s: %s" % (report_dir, exc), field="report_dir")
            for name in audit_run.REPORT_FILES:  # compliance.json last: the next run compares with it
                self.write_output(paths[REPORT_KEYS[name]], outcome.reports[name], field="report_dir")
        gate = outcome.gate
        result = dict(changed=True, summary=outcome.summary(), new_failures=outcome.diff["new"],
                      blocking=gate["blocking"], gate=gate["msg"], reports=paths,
                      gather_errors=dict(gathered.errors), run_id=outcome.document["run"]["id"],
                      timings=dict(gathered.extra.get("timings", {}), gather=gathered.extra.get("elapsed"),
                                   evaluation=evaluation))
        for warning in gathered.extra.get("warnings", []):
            self.warn(warning)
        if act is not None:
            self._act(act, outcome, result)
        if gate["failed"]:
            self.fail("compliance audit: " + gate["msg"], **result)
        return result

    def _act(self, settings, outcome, result):
        """The opt-in unused-capacity actions over this run's results (caps checked before anything)."""
        todo = actions.plan(outcome.document, outcome.targets, settings, datetime.now(timezone.utc))
        result["unused_actions"] = dict(plan=todo.to_dict(), done=[])
        if self.diff_mode:
            result["diff"] = todo.diff()
        try:
            done = actions.apply(self.cloud, todo, None if self.check_mode else self.audit, self.check_mode)
        except actions.ActionFailedError as exc:
            result["unused_actions"]["done"] = list(exc.done)
            self._audit_summary(result, len(exc.done))
            self.fail("compliance audit: %s" % exc, **result)
        result["unused_actions"]["done"] = list(done)
        for warning in done.warnings:
            self.warn(warning)
        if not self.check_mode and not settings.dry_run:
            self._audit_summary(result, len(done))

    def _audit_summary(self, result, count):
        # the executor writes its entries itself; the result names the log and its last entry like every module's
        if count and self.audit.path:
            entries = self.audit.entries()
            if entries:
                last = entries[-1]
                result["audit"] = {"path": self.audit.path, "seq": last["seq"], "hash": last["hash"],
                                   "entries": count}


def main():
    ComplianceAuditModule().run()


if __name__ == "__main__":
    main()
