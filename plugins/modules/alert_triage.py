#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: alert_triage
short_description: Alertmanager alerts to incidents - deduplicated, grouped per host, suppressed with reasons
version_added: 0.1.0
description:
  - Takes an Alertmanager webhook payload (version 4) and/or a plain list of alerts and returns B(incidents) - one
    per resource (a compute host, the fleet for alerts about no host, or the unknown resource an alert names),
    each saying what it is about, how many servers and projects it touches, whether a runbook matches and, when
    it is not actionable, why.
  - Alerts are deduplicated on fingerprint and C(startsAt) with a state file (O(state_path)), so Alertmanager's
    at-least-once delivery (each HA peer sends) makes one incident. The state's entries expire (O(state_hours)).
  - Each alert is placed on the host it is about through the fleet snapshot - host names, short names and FQDNs,
    C(instance) C(host:port), the hypervisor's IP, BMC addresses, and server IDs, names and IPs for alerts about
    servers. An alert about a resource the fleet does not have is its own incident (C(uncorrelated)).
  - Alerts are suppressed, with a reason code, when their host is in a maintenance window (its disabled reason,
    or a window record whose work has begun), held or under remediation, or their server is quarantined.
    Symptoms are inhibited by their cause on the same host (the host down hides its servers' and sensors'
    alerts; a BMC that does not answer makes the sensor alerts blind). An alert that keeps firing and resolving
    is held as flapping until it is stable. The reason codes are listed in docs/alerts-triage.md.
  - When a window or hold has ended and an alert about its host is still firing, it is an incident at once,
    marked C(re_released) - Alertmanager itself sends nothing when a silence ends, only at the next
    C(repeat_interval). With O(fetch_active=true) the still-firing alerts are read from Alertmanager's API.
  - With O(sync_silences=true), one Alertmanager silence per host in a window or held (matcher C(host=<host>),
    created by C(osfleet.day2), the window or hold named in the comment) is created, and expired when the window
    or hold ends, so Alertmanager's UI agrees with the triage.
  - The fleet is read from the cloud as M(osfleet.day2.fleet_info) reads it, with the maintenance window records,
    unless O(fleet) gives a snapshot already read.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  action:
    support: full
    description: The action plugin reads the runbooks (the shipped ones and O(runbook_dirs)) on the controller.
  check_mode:
    support: full
    description: Silences are planned, not made, and the state file is not written.
  diff_mode:
    support: none
    description: The silences created and expired are in RV(silences).
options:
  payload:
    description:
      - An Alertmanager webhook payload, version 4 (C(version), C(groupKey), C(truncatedAlerts), C(status),
        C(receiver), C(groupLabels), C(commonLabels), C(commonAnnotations), C(externalURL), C(alerts)), such as
        C(event.payload) of an C(ansible.eda.alertmanager) or webhook event source. A list is read as O(alerts).
    type: raw
  alerts:
    description:
      - Alerts as a list - each with C(labels) (with C(alertname), or C(name) for it), and optionally C(status)
        (V(firing), the default, or V(resolved); or the API v2 C(status) mapping), C(startsAt), C(endsAt),
        C(annotations) and C(fingerprint). The answer of C(GET /api/v2/alerts) can be given as it is.
      - An alert without a fingerprint gets the one Alertmanager computes from its labels.
    type: list
    elements: raw
  fleet:
    description:
      - A fleet snapshot, the result of M(osfleet.day2.fleet_info) (its C(hosts) and C(servers)). When given,
        the cloud is not read; maintenance window records come from O(windows) only.
    type: dict
  windows:
    description:
      - Maintenance windows, as M(osfleet.day2.maintenance_info) returns them (C(name), C(state), C(hosts),
        C(start_at), C(end_at)). Read from the cloud when O(fleet) is not given.
    type: list
    elements: dict
  bmc_source:
    description:
      - Where the BMC addresses of the hosts come from when the fleet is read here (for alerts that name a host
        by its BMC). V(auto) - Ironic when the catalog has it; V(ironic) - Ironic, failing if it cannot be read;
        V(none) - no BMC addresses. For a BMC map file, read the fleet with M(osfleet.day2.fleet_info) and give
        O(fleet).
    type: str
    choices: [auto, ironic, none]
    default: auto
  runbook_dirs:
    description:
      - Directories of the operator's own runbooks, besides the shipped ones (an operator's runbook with the name
        of a shipped one replaces it). Read on the controller.
    type: list
    elements: path
    default: []
  runbook_sources:
    description:
      - The runbooks' texts (C(source), C(text), C(shipped)), as the action plugin reads them; not set by hand.
    type: list
    elements: dict
  state_path:
    description:
      - The file that keeps the dedup keys, the flap history and the open incidents between runs (JSON, written
        atomically, mode 0600; C(<state_path>.lock) makes concurrent runs take turns). Without it each run starts
        with no memory - at-least-once delivery then repeats
        incidents, and there is neither flap hold nor re-release.
    type: path
  state_hours:
    description:
      - An alert not seen for this many hours is forgotten by the state file.
    type: int
    default: 24
  flap_count:
    description:
      - An alert that began firing more than this many times within O(flap_minutes) is held as flapping.
    type: int
    default: 3
  flap_minutes:
    description:
      - The period O(flap_count) counts in.
    type: int
    default: 30
  stable_minutes:
    description:
      - A flapping alert whose current firing has lasted this long is released (as an incident, C(re_released)).
    type: int
    default: 15
  reopen_minutes:
    description:
      - A resource's incident that closed (its last raised alert resolved) this many minutes ago or less is reopened
        by the resource's next raised alert - same id, C(new=false), C(reopened=true) - instead of a new incident
        (a symptom that outlives its cause by a moment is the same trouble). Needs O(state_path).
    type: int
    default: 15
  inhibit_rules:
    description:
      - Cause and symptom rules replacing the default ones; each C(name), C(causes) (alert names) and
        C(symptoms) (C(kinds) - V(vm), V(sensor) - and C(names), alert names).
    type: list
    elements: dict
  alertmanager_url:
    description:
      - The Alertmanager (API v2) for O(fetch_active) and O(sync_silences), such as C(https://alertmanager:9093).
    type: str
  alertmanager_token:
    description:
      - A bearer token for an Alertmanager behind an authenticating proxy.
    type: str
  alertmanager_validate_certs:
    description:
      - Verify Alertmanager's TLS certificate.
    type: bool
    default: true
  alertmanager_ca_path:
    description:
      - A CA bundle to verify Alertmanager's certificate with.
    type: path
  alertmanager_timeout:
    description:
      - Seconds each Alertmanager call may take.
    type: int
    default: 10
  fetch_active:
    description:
      - Also read the still-firing alerts from Alertmanager (C(GET /api/v2/alerts), silenced and inhibited ones
        included) - so that an alert whose window or hold has ended is re-released now, not at Alertmanager's
        next C(repeat_interval). Needs O(alertmanager_url).
    type: bool
    default: false
  sync_silences:
    description:
      - Create one silence per host in a maintenance window or held, and expire ours whose window or hold has
        ended. Needs O(alertmanager_url).
    type: bool
    default: false
  hold_silence_hours:
    description:
      - How long a silence for a hold (or a window without an end) lasts; a later run renews it.
    type: int
    default: 24
"""

EXAMPLES = r"""
- name: Triage the payload of an Alertmanager event (in a rulebook's run_playbook)
  osfleet.day2.alert_triage:
    cloud: prod
    payload: "{{ ansible_eda.event.alertmanager }}"
    state_path: /var/lib/osfleet/triage.json
    alertmanager_url: https://alertmanager.example.org:9093
    fetch_active: true
    sync_silences: true
  register: triage

- name: Remediate what is actionable and has a runbook
  osfleet.day2.remediation:
    cloud: prod
    host: "{{ incident.resource.host }}"
    alerts: "{{ incident.alerts }}"
  loop: "{{ triage.actionable | selectattr('runbook') | list }}"
  loop_control:
    loop_var: incident

- name: Triage a list of alerts against a fleet already read
  osfleet.day2.alert_triage:
    fleet: "{{ fleet }}"
    alerts:
      - labels: {alertname: OsfleetFanFailed, host: compute-01, severity: critical}
        startsAt: "2026-12-02T15:00:00Z"
"""

RETURN = r"""
incidents:
  description:
    - Every incident with something new, actionable first, then by severity. C(actionable) is true for an
      incident that is firing and not suppressed.
  returned: success
  type: list
  elements: dict
  sample:
    - id: inc-8f945c67e20e7dc1
      resource: {key: "host:compute-01", kind: host, name: compute-01, host: compute-01, correlated: true,
                 via: ["host=compute-01", "instance=10.10.0.11"], zone: az1}
      alert_names: [OsfleetHypervisorDown, OsfleetNovaComputeDown]
      fingerprints: [1b2a3c4d5e6f7a8b, 9c8d7e6f5a4b3c2d]
      alerts: [{name: OsfleetNovaComputeDown, fingerprint: 9c8d7e6f5a4b3c2d, status: firing, severity: critical,
                starts_at: "2026-12-02T14:58:10Z", labels: {}, summary: ""}]
      inhibited: [{name: OsfleetFanFailed, by: OsfleetNovaComputeDown}]
      severity: critical
      servers: {count: 5, items: [{id: 0f1e, name: web-1, project_id: 3f0a, project_name: web, status: ACTIVE}]}
      projects: {count: 2, items: [{id: 3f0a, name: web, servers: 3}]}
      runbook: compute_down
      actionable: true
      suppressed: null
      cause: OsfleetNovaComputeDown
      status: firing
      re_released: false
      released_from: []
      new: true
      reopened: false
      upcoming_window: null
      detail: ""
actionable:
  description: The incidents of RV(incidents) that are actionable.
  returned: success
  type: list
  elements: dict
suppressed:
  description: Every alert that is not part of an actionable incident, with its reason code and, when inhibited,
    the cause.
  returned: success
  type: list
  elements: dict
  sample:
    - {name: NovaAgentDisabled, fingerprint: 4d3c2b1a09f8e7d6, starts_at: "2026-12-02T15:00:00Z",
       resource: "host:compute-02", reason: "in_maintenance:dec-patch", cause: null, incident: inc-cb085ff99a716a9a}
duplicates:
  description: Alerts already handled the same way (a repeated delivery, or an alert from O(fetch_active) already
    raised).
  returned: success
  type: int
silences:
  description: The silences created and expired (planned, in check mode), and those kept.
  returned: when O(sync_silences=true)
  type: dict
  sample:
    created: [{host: compute-02, code: "in_maintenance:dec-patch", id: 6d2c..., ends_at: "2026-12-02T18:00:00Z"}]
    expired: [{host: compute-03, code: "held:fan_failed", id: 1a2b..., why: the host is no longer suppressed}]
    kept: []
warnings_payload:
  description: What the input said that may need attention (Alertmanager truncated a group).
  returned: success
  type: list
  elements: str
"""

import fcntl
import json
import os
from datetime import datetime, timezone

from ansible_collections.osfleet.day2.plugins.module_utils._alerts import silences as silence_plan
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.alertmanager import Alertmanager
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.correlate import FleetIndex
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.payload import parse_alerts, parse_any
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.triage import triage
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.discover import discover
from ansible_collections.osfleet.day2.plugins.module_utils._maintenance.record import Run, WindowRecord
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.runbook import load_runbooks, load_sources

IRONIC = {"auto": "auto", "ironic": "required", "none": None}


class AlertTriageModule(Day2Module):
    argument_spec = dict(
        payload=dict(type="raw"),
        alerts=dict(type="list", elements="raw"),
        fleet=dict(type="dict"),
        windows=dict(type="list", elements="dict"),
        bmc_source=dict(type="str", choices=list(IRONIC), default="auto"),
        runbook_dirs=dict(type="list", elements="path", default=[]),
        runbook_sources=dict(type="list", elements="dict"),
        state_path=dict(type="path"),
        state_hours=dict(type="int", default=24),
        flap_count=dict(type="int", default=3),
        flap_minutes=dict(type="int", default=30),
        stable_minutes=dict(type="int", default=15),
        reopen_minutes=dict(type="int", default=15),
        inhibit_rules=dict(type="list", elements="dict"),
        alertmanager_url=dict(type="str"),
        alertmanager_token=dict(type="str", no_log=True),
        alertmanager_validate_certs=dict(type="bool", default=True),
        alertmanager_ca_path=dict(type="path"),
        alertmanager_timeout=dict(type="int", default=10),
        fetch_active=dict(type="bool", default=False),
        sync_silences=dict(type="bool", default=False),
        hold_silence_hours=dict(type="int", default=24),
    )
    module_kwargs = dict(required_if=[("fetch_active", True, ["alertmanager_url"]),
                                      ("sync_silences", True, ["alertmanager_url"])])

    def execute(self):
        if not self.params["state_path"]:
            return self._triage()
        # one run at a time per state file: two concurrent runs would each miss the other's keys
        try:
            lock = open(self.params["state_path"] + ".lock", "a", encoding="utf-8")  # pylint: disable=consider-using-with
        except OSError as exc:
            raise ValidationError("state_path %s: cannot open its lock file: %s" % (self.params["state_path"], exc),
                                  field="state_path") from None
        with lock:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
            try:
                return self._triage()
            finally:
                fcntl.flock(lock.fileno(), fcntl.LOCK_UN)

    def _triage(self):
        p = self.params
        now = datetime.now(timezone.utc)
        parsed = parse_any(p["payload"], p["alerts"])
        client = self._client() if (p["fetch_active"] or p["sync_silences"]) else None
        if p["fetch_active"]:
            parsed.alerts.extend(parse_alerts(client.alerts(), "alertmanager").alerts)
        index = self._index()
        state = self._read_state()
        names = ("state_hours", "flap_count", "flap_minutes", "stable_minutes", "reopen_minutes", "inhibit_rules")
        settings = {k: p[k] for k in names}
        result = triage(parsed.alerts, index, self._runbooks(), state=state, now=now, settings=settings)
        out = result.to_dict()
        out.update(changed=False, warnings_payload=parsed.warnings)
        if p["state_path"] and not self.check_mode:
            self.write_output(p["state_path"], json.dumps(result.state, sort_keys=True), mode=0o600,
                              field="state_path")
        if p["sync_silences"]:
            plan = silence_plan.plan(index, client.ours(), now, hold_hours=p["hold_silence_hours"])
            done = {"created": plan.create, "expired": plan.expire}
            if not self.check_mode:
                done = silence_plan.apply(client, plan, now)
                for item in done["created"]:
                    self.record("alerts.silence_create", item["host"], None,
                                {"id": item["id"], "code": item["code"], "ends_at": item["ends_at"]})
                for item in done["expired"]:
                    self.record("alerts.silence_expire", item["host"] or item["id"], {"id": item["id"],
                                                                                      "code": item["code"]}, None,
                                {"why": item.get("why")})
            out["silences"] = {"created": [{k: v for k, v in c.items() if k != "matchers"} for c in done["created"]],
                               "expired": done["expired"], "kept": plan.keep}
            out["changed"] = plan.changes
        return out

    def _client(self):
        p = self.params
        verify = p["alertmanager_ca_path"] if (p["alertmanager_validate_certs"] and p["alertmanager_ca_path"]) \
            else p["alertmanager_validate_certs"]
        return Alertmanager(p["alertmanager_url"], token=p["alertmanager_token"], verify=verify,
                            timeout=p["alertmanager_timeout"])

    def _index(self):
        p = self.params
        if p["fleet"] is not None:
            if not isinstance(p["fleet"].get("hosts"), dict):
                raise ValidationError("fleet: a fleet_info result, with hosts (and servers)", field="fleet")
            return FleetIndex.build(p["fleet"], p["windows"] or [])
        fleet = discover(self.cloud, vms=True, placement=False, ironic=IRONIC[p["bmc_source"]])
        for warning in fleet.warnings:
            self.warn(warning)
        windows = p["windows"]
        if windows is None:
            windows = [v.window.to_dict() for v in WindowRecord(self.cloud.nova, Run(check_mode=True)).windows()]
        return FleetIndex.build(fleet, windows)

    def _runbooks(self):
        if self.params["runbook_sources"] is not None:
            return load_sources(self.params["runbook_sources"])
        return load_runbooks(self.params["runbook_dirs"])

    def _read_state(self):
        path = self.params["state_path"]
        if not path or not os.path.exists(path):
            return None
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)
        except (OSError, ValueError) as exc:
            # a damaged file costs at most one repeat of each incident; a failed triage costs every incident
            self.warn("state_path %s cannot be read (%s): triage starts with no memory" % (path, exc))
            return None


def main():
    AlertTriageModule().run()


if __name__ == "__main__":
    main()
