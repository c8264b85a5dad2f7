#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: server_quarantine
short_description: Quarantine a server for a security case, preserve evidence, and release it
version_added: 0.1.0
description:
  - With O(state=quarantined), records the server's pre-state in a case record, locks the server with a reason
    naming the case, marks it (metadata C(osfleet_quarantine_case) and tag C(osfleet-quarantine)), isolates its
    network, detaches its floating IPs, preserves evidence (server image, forced volume snapshots, a volume made
    from each snapshot and uploaded to an image, console log, instance action history, diagnostics where the driver
    has them, a manifest with the SHA-256 of each downloaded artifact), shares the evidence images with
    O(evidence_project) and transfers the evidence volumes to it, and optionally pauses or stops the server.
  - With O(state=released), restores exactly the recorded pre-state (power, security groups, port security and
    admin state, floating IPs, lock, metadata and tags), deletes the quarantine security group, and keeps the
    evidence unless O(delete_evidence=true).
  - Every step checks in the cloud whether it is already done, so a run killed half-way is completed by the next
    run and a second run changes nothing. Each step is one entry in the hash-chained audit log (chain of custody).
  - The case record is a private Glance image owned by the operator's project, named
    C(osfleet-case-<case_id>-record); see C(docs/quarantine.md) for why.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  check_mode:
    support: full
    description: Reports the steps that would run; changes nothing and writes no audit entry.
  diff_mode:
    support: full
    description: Shows the server's lock, marks, power state, port isolation and floating IPs before, and the
      steps that would change them.
options:
  server:
    description: Name or ID of the server (any project; a name must be unique).
    type: str
    required: true
  case_id:
    description:
      - The security case. Names every artifact (C(osfleet-case-<case_id>-...)) and the quarantine security group.
      - With O(state=released) it may be omitted; the case recorded on the server is used.
    type: str
  state:
    description: V(quarantined) or V(released).
    type: str
    choices: [quarantined, released]
    default: quarantined
  forensic_cidr:
    description:
      - The only source allowed in (all protocols) through the quarantine security group. Omit to allow nothing.
    type: str
  evidence_project:
    description:
      - Name or ID of the investigators' project. The evidence images are shared with it and the membership is
        accepted on its behalf; the evidence volumes (one per attached volume, made from its snapshot) are given
        to it with a volume transfer. Omit to keep the evidence in the operator's project only.
    type: str
  evidence_cloud:
    description:
      - Credentials scoped to O(evidence_project), used only to accept the volume transfers (Cinder accepts a
        transfer only from a token of the receiving project). A cloud name from C(clouds.yaml) or a dict of cloud
        settings, like O(cloud); the other connection options (region, TLS, interface, timeout) are the
        operator's.
      - Omit to re-scope the operator's own credentials to O(evidence_project); that needs the operator to have a
        role there.
    type: raw
  isolation:
    description:
      - V(security_group) replaces every port's security groups with C(osfleet-quarantine-<case_id>) (created in the
        server's project). Connections already tracked by conntrack may survive the swap.
      - V(port_down) sets every port's admin state down; nothing passes, forensic access included.
    type: str
    choices: [security_group, port_down]
    default: security_group
  power:
    description: After the evidence is taken, V(pause) or V(stop) the server, or V(keep) it running.
    type: str
    choices: [keep, pause, stop]
    default: keep
  delete_evidence:
    description:
      - With O(state=released), also delete the evidence images, volume snapshots, evidence volumes (also once
        transferred to O(evidence_project); an attached one is refused) and the case record.
    type: bool
    default: false
  evidence_dir:
    description:
      - A directory on the machine running the module where a copy of the console log, the action history,
        the diagnostics and the manifest is written (under C(<evidence_dir>/<case_id>/), mode 0400).
    type: path
  timeout:
    description: Seconds to wait for the server image, each volume snapshot, evidence volume and upload, and each
      power change.
    type: int
    default: 600
notes:
  - Needs admin credentials (lock with reason, all-project lookups, cross-project security groups, image members).
  - A Nova lock does not stop the owner from changing the ports through Neutron; re-running the module restores
    the isolation and reports the change.
seealso:
  - module: osfleet.day2.quarantine_info
"""

EXAMPLES = r"""
- name: Quarantine a compromised server; investigators may reach it from 192.0.2.0/24
  osfleet.day2.server_quarantine:
    cloud: lab-admin
    server: tenant-a-vm01
    case_id: SEC-2026-042
    forensic_cidr: 192.0.2.0/24
    evidence_project: investigators
    evidence_cloud: investigators     # a clouds.yaml entry of an investigator: accepts the volume transfers
    power: pause

- name: Release it once the case is closed, keeping the evidence
  osfleet.day2.server_quarantine:
    cloud: lab-admin
    server: tenant-a-vm01
    case_id: SEC-2026-042
    state: released
"""

RETURN = r"""
case_id:
  description: The case.
  returned: success
  type: str
server_id:
  description: The server's ID.
  returned: success
  type: str
steps:
  description: The steps run (in check mode, that would run), in order.
  returned: success
  type: list
  elements: str
  sample: [record, lock, mark, restore_name, isolate, detach_floating_ips, evidence, share, power]
record:
  description: The recorded pre-state (status, host, lock, metadata, tags, ports, floating IPs, volumes).
  returned: when a case record exists
  type: dict
manifest:
  description:
    - The evidence manifest; each artifact with its kind, store, ID, name and SHA-256.
    - Kinds C(server_image), C(volume_snapshot), C(evidence_volume) (the volume made from a snapshot, with
      C(data_image), or C(note) saying why it has no hash), C(volume_data) (its uploaded data, hashed),
      C(console_log), C(actions), C(diagnostics), C(record).
  returned: when the evidence has been taken
  type: dict
audit:
  description: Where this run's audit entries went and the new head of the log.
  returned: when the module changed something
  type: dict
"""

from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import CloudOptions, connect_cloud
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import QUARANTINE_META_KEY
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.case import Case, Options
from ansible_collections.osfleet.day2.plugins.module_utils._quarantine.record import find_server


class ServerQuarantineModule(Day2Module):
    argument_spec = dict(
        server=dict(type="str", required=True),
        case_id=dict(type="str"),
        state=dict(type="str", default="quarantined", choices=["quarantined", "released"]),
        forensic_cidr=dict(type="str"),
        evidence_project=dict(type="str"),
        evidence_cloud=dict(type="raw"),
        isolation=dict(type="str", default="security_group", choices=["security_group", "port_down"]),
        power=dict(type="str", default="keep", choices=["keep", "pause", "stop"]),
        delete_evidence=dict(type="bool", default=False),
        evidence_dir=dict(type="path"),
        timeout=dict(type="int", default=600),
    )
    module_kwargs = dict(required_if=[("state", "quarantined", ("case_id",))])

    def execute(self):
        p = self.params
        case_id = p["case_id"]
        if not case_id:
            case_id = (find_server(self.cloud, p["server"]).metadata or {}).get(QUARANTINE_META_KEY)
            if not case_id:
                return dict(changed=False, case_id=None, steps=[], msg="the server carries no quarantine case")
        opts = Options(case_id=case_id, state=p["state"], forensic_cidr=p["forensic_cidr"],
                       evidence_project=p["evidence_project"], isolation=p["isolation"], power=p["power"],
                       delete_evidence=p["delete_evidence"], evidence_dir=p["evidence_dir"], timeout=p["timeout"])
        if opts.delete_evidence and opts.state != "released":
            raise ValidationError("delete_evidence is only valid with state=released", field="delete_evidence")
        case = Case(self.cloud, p["server"], opts, evidence_cloud=self.evidence_cloud if p["evidence_cloud"] else None)
        target = "server %s (case %s)" % (case.server.id, case_id)
        before = case.state() if self.diff_mode else None
        steps = case.plan()
        if steps and not self.check_mode:
            steps = case.apply(on_step=lambda name, out: self.record(
                "server_quarantine." + name, target, out.get("before"), out.get("after"), out.get("details")))
        result = dict(changed=bool(steps), case_id=case_id, server_id=case.server.id, steps=steps)
        if case.record is not None:
            result["record"] = case.record.to_dict()
        if case.manifest is not None or (opts.state == "quarantined" and case.evidence_done()):
            result["manifest"] = case.manifest
        if self.diff_mode:
            if not self.check_mode:
                case.refresh()
            after = case.state() if not self.check_mode else dict(before, planned_steps=steps)
            self.add_diff(result, before, after)
        return result

    def evidence_cloud(self):
        """The access layer on the investigators' credentials, with the operator's other connection settings."""
        p = self.params
        return connect_cloud(CloudOptions(cloud=p["evidence_cloud"], region_name=p["region_name"],
                                          validate_certs=p["validate_certs"], ca_cert=p["ca_cert"],
                                          interface=p["interface"], api_timeout=p["api_timeout"]))


def main():
    ServerQuarantineModule().run()


if __name__ == "__main__":
    main()
