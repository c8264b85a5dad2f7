#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: patch_run
short_description: The bookkeeping of a rolling patch run - waves, the run lock, the failure budget, resume
version_added: 0.1.0
description:
  - Keeps a rolling patch run of compute hosts honest across hosts, waves and controllers. What patches a
    host (its maintenance window, the package and firmware steps, the post-checks) is the playbook's; this
    module says which hosts are next, takes each host's result and decides whether the run goes on.
  - O(action=plan) reads the selection from the cloud in three fleet-wide listings and leaves out, each with
    its reason, a host whose nova-compute is down, one disabled by a maintenance window (other than this
    run's own), by a remediation or by anyone else, one held by remediation and one with a quarantined
    server. It plans the waves (a canary, then batches of O(batch) per availability zone, at most
    O(max_per_zone) of a zone at once), takes the run lock (one run per O(lock_scope)) and records the run
    as the host aggregate C(osfleet-patch-<run>). Planned again, a recorded run is resumed with the waves it
    recorded; its settings must be the ones it started with.
  - O(action=host) records a host's step in flight (O(result=in_flight), what a killed run continues from)
    or its result, V(done) or V(failed) with the O(reason). A V(done) is checked first - nova-compute on the
    host must report up and the scheduler must see the host again (Placement), else the host is V(failed)
    with that reason. A stopped run still takes the result
    of a host that was under way when it stopped, and starts no other. Failures count against O(max_failures), a budget
    for the whole run (not per batch as Ansible's C(max_fail_percentage)); past it, or when a canary fails,
    the run is V(stopped) with the reason, RV(stop) is true and no more hosts are offered.
  - O(action=precheck) fails, naming the reason, when O(host) may not be drained - a quarantined server on
    it, or its servers do not fit on the other enabled, up hosts (Placement's free capacity, first fit,
    largest first; the remediation's own guards). It changes nothing.
  - With O(probe_flavor) and O(probe_image), a V(done) also boots a probe server onto the host (C(host) in
    the request, microversion 2.74), which must become ACTIVE there; it is deleted whatever happens.
  - O(action=finish) marks a run whose waves are through V(complete) and releases the lock (a run not
    through stays as it is, to be resumed). O(action=status) reads the run and the lock holder.
  - Baselines, the last tested configuration per host model (host aggregate C(osfleet-patch-base-<model>),
    its sha256 in the audit log, C(patching.baseline)). A step in flight with O(versions) (the pre-state)
    records them as the baseline of a model that has none (wave -1, what ran before the run). A V(done) that
    completes the hosts of a model in its wave makes the O(versions) they verified the model's baseline, the
    replaced one kept as the previous (with O(rollback=true), a rollback run's, none is kept).
  - O(action=rollback_target) reads what O(host) rolls back to, given the O(versions) it runs now - the
    model's baseline when the host does not run it, else the previous one - and fails, naming the reason,
    when there is none or the host does not report a component of it. The first call for a model in a run
    pins that target in the run's record (its later hosts, and a resumed one, go to the same), the only
    change it makes.
  - Every change is one audit-log entry (C(patching.run), C(patching.host)).
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  check_mode:
    support: full
    description: Plans and decides as a real run would, reads the cloud, writes nothing (RV(writes) says what).
  diff_mode:
    support: full
    description: The run's state and its host before and after.
options:
  action:
    description:
      - V(plan) starts or resumes the run, V(host) records a host's step or result, V(finish) ends it,
        V(status) only reads, V(rollback_target) reads what a host rolls back to, V(precheck) reads whether
        O(host) may be drained.
    type: str
    choices: [plan, host, finish, status, rollback_target, precheck]
    required: true
  run:
    description:
      - The run's name (1-60 letters, digits, C(_), C(.), C(-)); a new name is a new run.
    type: str
    required: true
  hosts:
    description:
      - With O(action=plan), the compute hosts selected (host names as Nova knows them, for example the
        fleet inventory's C(compute_nodes) group); empty selects every compute host. A name Nova does not
        know is refused.
    type: list
    elements: str
    default: []
  batch:
    description:
      - Hosts per batch after the canary, a count (V(2)) or a share of the eligible hosts (V(25%)).
    type: str
    default: "1"
  canary:
    description:
      - How many canary hosts form wave 0 (default 1, or the number of O(canary_hosts)).
    type: int
  canary_hosts:
    description:
      - Hosts to take as the canaries, first.
    type: list
    elements: str
    default: []
  max_per_zone:
    description:
      - At most this many hosts (or this share of a zone's selected hosts) of one availability zone per
        batch.
    type: str
  max_failures:
    description:
      - Failures tolerated in the whole run, a count or a share (rounded down) of the selected hosts; V(0)
        stops at the first failure.
    type: str
    default: "0"
  models:
    description:
      - Host name to host model (the hardware facts of the fleet inventory); baselines are kept per model.
        A host without one is C(unknown).
    type: dict
    default: {}
  lock_scope:
    description:
      - One run at a time per scope (the lock is the aggregate C(osfleet-patch-lock-<scope>)).
    type: str
    default: fleet
  lock_ttl:
    description:
      - Seconds the lock is held before it is stale (60 to 86400); each O(action=plan) renews it.
    type: int
    default: 14400
  take_over:
    description:
      - Take over a stale lock (its run is known to be gone).
    type: bool
    default: false
  host:
    description:
      - With O(action=host), the host.
    type: str
  result:
    description:
      - With O(action=host), V(in_flight) (with O(step)), V(done) or V(failed) (with O(reason)).
    type: str
    choices: [in_flight, done, failed]
  step:
    description:
      - With O(result=in_flight), the step the host is at (1-40 lower-case letters, digits, C(_), C(.), C(-)).
    type: str
  reason:
    description:
      - With O(result=failed), why.
    type: str
  settle_timeout:
    description:
      - With O(result=done), seconds to wait for the host to settle - nova-compute up and, once enabled, its
        Placement provider without the C(COMPUTE_STATUS_DISABLED) trait (the scheduler skips the host until
        nova-compute has handled the enable); still not so after this time, the host is V(failed).
    type: int
    default: 120
  probe_flavor:
    description:
      - With O(result=done), the flavor (id or name) of a probe server booted onto the host once it has
        settled; it must become ACTIVE on the host, else the host is V(failed) with the reason. It is deleted
        whatever happens. Needs O(probe_image).
    type: str
  probe_image:
    description:
      - The image (id or name) of the probe server.
    type: str
  probe_network:
    description:
      - The network id of the probe server; none when omitted (a server with no port).
    type: str
  probe_timeout:
    description:
      - Seconds the probe server may take to become ACTIVE (and to be deleted).
    type: int
    default: 300
  versions:
    description:
      - With O(action=host), what the host runs at this point (for example the pre-state before it is patched -
        package versions, kernel, firmware), kept in the audit log entry of the step or result.
      - With O(action=rollback_target), what the host runs now.
      - A mapping of V(packages), V(firmware) (each component name to version) and V(kernel).
    type: dict
    default: {}
  patched:
    description:
      - With O(result=done), the components this run patched on the host (packages and firmware, at their
        versions after), which the model's baseline moves on by when the wave is verified; the baseline's other
        components stay as they were. Default, all of O(versions).
    type: dict
  rollback:
    description:
      - With O(action=host), the run is a rollback - no pre-state becomes a baseline, and a verified wave's
        baseline keeps no previous one (the configuration rolled back from was rejected).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Plan (or resume) the June run over the fleet inventory's compute hosts
  osfleet.day2.patch_run:
    cloud: prod
    action: plan
    run: june
    hosts: "{{ groups['compute_nodes'] }}"
    batch: "25%"
    max_per_zone: 1
    max_failures: "10%"
  register: plan

- name: A host's step, so that a killed run continues from there
  osfleet.day2.patch_run:
    cloud: prod
    action: host
    run: june
    host: compute-07
    result: in_flight
    step: apply_packages

- name: Its result; stop when the budget of the whole run is spent
  osfleet.day2.patch_run:
    cloud: prod
    action: host
    run: june
    host: compute-07
    result: failed
    reason: "post-check: the canary server did not boot"
  register: result

- name: What compute-07 rolls back to (its model's last tested configuration, or the one before)
  osfleet.day2.patch_run:
    cloud: prod
    action: rollback_target
    run: june-rollback
    host: compute-07
    versions:
      packages: {openssl: "3.0.15-1~deb12u1"}
      firmware: {BMC: "7.20"}
  register: target

- name: Release the lock (and mark the run complete when every wave is through)
  osfleet.day2.patch_run:
    cloud: prod
    action: finish
    run: june
"""

RETURN = r"""
run:
  description: The run as recorded - settings, budget, waves, every host's wave, zone, model and status.
  returned: always
  type: dict
  sample:
    run: june
    state: running
    stop_reason: ""
    settings: {batch: "2", canary: "1", max_per_zone: "", max_failures: "1"}
    budget: 1
    selected: 4
    waves: [{wave: 0, hosts: [compute-01]}, {wave: 1, hosts: [compute-02, compute-03]}]
    hosts:
      - {host: compute-01, wave: 0, zone: az1, model: unknown, status: done, detail: ""}
      - {host: compute-04, wave: null, zone: az2, model: unknown, status: skipped,
         detail: "in maintenance window rack-7"}
    progress: {done: 1, pending: 2, skipped: 1}
new:
  description: The plan started a new run (false - a recorded one was resumed).
  returned: always
  type: bool
next_hosts:
  description: The current wave's hosts still to do, in-flight hosts first with the step to continue from.
  returned: always
  type: list
  elements: dict
  sample: [{host: compute-02, step: apply_packages}, {host: compute-03, step: null}]
wave:
  description: The current wave's number (0 is the canary); null once the run is through or stopped.
  returned: always
  type: int
decision:
  description: With O(action=host) and a result, what the budget decided - C(continue) or C(stop), why.
  returned: always
  type: dict
  sample: {action: stop, reason: "2nd failure, budget 1: compute-03 failed (apt: held packages)", failures: 2}
stop:
  description: The run is stopped (no host may be patched in it any more).
  returned: always
  type: bool
lock:
  description: The lock as taken (plan) or its holder (status) - scope, run, owner, taken and expiry.
  returned: always
  type: dict
writes:
  description: The writes to the run's record (in check mode, the writes it would make).
  returned: always
  type: list
  elements: dict
message:
  description: What happened, in words.
  returned: always
  type: str
baseline:
  description: The baseline this call wrote - host model, sha256, wave (-1 a pre-state) and versions; null
    when it wrote none.
  returned: with O(action=host)
  type: dict
  sample: {model: LabServer R640e, sha256: 9f2c..., wave: 0, versions: {packages: {openssl: "3.0.15"}}}
target:
  description:
    - With O(action=rollback_target), the baseline the host goes back to - C(model), C(sha256), the C(run)
      and C(wave) that verified it, C(which) (V(current) or V(previous)), its C(versions), C(targets) (what
      changes, per kind, component to version) and the C(comparison).
  returned: with O(action=rollback_target)
  type: dict
  sample:
    model: LabServer R640e
    which: previous
    run: may
    wave: 1
    targets: {packages: {openssl: "3.0.11-1~deb12u2"}, firmware: {BMC: "7.10"}}
"""

from datetime import timedelta

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._patching.prechecks import room_to_drain
from ansible_collections.osfleet.day2.plugins.module_utils._patching.probe import Probe, ProbeSpec
from ansible_collections.osfleet.day2.plugins.module_utils._patching.run import PatchRuns


class PatchRunModule(Day2Module):
    argument_spec = dict(
        action=dict(type="str", choices=["plan", "host", "finish", "status", "rollback_target", "precheck"],
                    required=True),
        run=dict(type="str", required=True),
        hosts=dict(type="list", elements="str", default=[]),
        batch=dict(type="str", default="1"),
        canary=dict(type="int"),
        canary_hosts=dict(type="list", elements="str", default=[]),
        max_per_zone=dict(type="str"),
        max_failures=dict(type="str", default="0"),
        models=dict(type="dict", default={}),
        lock_scope=dict(type="str", default="fleet"),
        lock_ttl=dict(type="int", default=14400),
        take_over=dict(type="bool", default=False),
        host=dict(type="str"),
        result=dict(type="str", choices=["in_flight", "done", "failed"]),
        step=dict(type="str"),
        reason=dict(type="str"),
        versions=dict(type="dict", default={}),
        settle_timeout=dict(type="int", default=120),
        rollback=dict(type="bool", default=False),
        patched=dict(type="dict"),
        probe_flavor=dict(type="str"),
        probe_image=dict(type="str"),
        probe_network=dict(type="str"),
        probe_timeout=dict(type="int", default=300),
    )
    module_kwargs = dict(required_if=[("action", "host", ["host", "result"]), ("action", "rollback_target", ["host"]),
                                      ("action", "precheck", ["host"]),
                                      ("result", "in_flight", ["step"]), ("result", "failed", ["reason"])])

    def execute(self):
        p = self.params
        if not 60 <= p["lock_ttl"] <= 86400:
            raise ValidationError("lock_ttl must be 60 to 86400 seconds, not %d" % p["lock_ttl"], field="lock_ttl")
        spec = ProbeSpec.from_options(p["probe_flavor"], p["probe_image"], p["probe_network"], p["probe_timeout"])
        probe = Probe(self.cloud.nova, self.cloud.glance, spec) if spec and p["result"] == "done" else None
        runs = PatchRuns(self.cloud.nova, self.audit.actor, audit=self.record, check_mode=self.check_mode,
                         scope=p["lock_scope"], placement=self.cloud.placement, settle_timeout=p["settle_timeout"],
                         probe=probe)
        before = None
        if p["action"] == "host":
            found = runs.store.find(p["run"])
            before = found.hosts[p["host"]].to_dict() if found is not None and p["host"] in found.hosts else None
        if p["action"] == "plan":
            out = runs.plan(p["run"], hosts=p["hosts"], batch=p["batch"], canary=p["canary"],
                            canary_hosts=p["canary_hosts"], max_per_zone=p["max_per_zone"],
                            max_failures=p["max_failures"], models=p["models"],
                            lock_ttl=timedelta(seconds=p["lock_ttl"]), take_over=p["take_over"])
        elif p["action"] == "host":
            out = runs.host(p["run"], p["host"], p["result"], reason=p["reason"] or "", step=p["step"] or "",
                            versions=p["versions"], rollback=p["rollback"], patched=p["patched"])
        elif p["action"] == "precheck":
            problem = room_to_drain(self.cloud, p["host"])
            if problem:
                raise ConflictError("%s may not be drained: %s" % (p["host"], problem), field="host",
                                    resource=p["host"])
            return {"changed": False, "message": "%s may be drained: its servers fit elsewhere" % p["host"]}
        elif p["action"] == "rollback_target":
            target = runs.rollback_target(p["run"], p["host"], p["versions"])
            # the first call of a rollback run pins its target in the run's record
            return {"changed": target.pop("pinned"), "target": target, "message": "%s rolls back to the %s baseline of %s (%s)" % (
                p["host"], target["which"], target["model"], target["sha256"][:12])}
        elif p["action"] == "finish":
            out = runs.finish(p["run"])
        else:
            out = runs.status(p["run"])
        result = out.to_dict()
        result["stop"] = out.run.get("state") == "stopped"
        if p["action"] == "host":
            after = next((h for h in out.run["hosts"] if h["host"] == p["host"]), None)
            return self.add_diff(result, {"host": before}, {"host": after})
        return self.add_diff(result, {"state": None if out.new else out.run.get("state")},
                             {"state": out.run.get("state")})


def main():
    PatchRunModule().run()


if __name__ == "__main__":
    main()
