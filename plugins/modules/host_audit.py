#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)

from __future__ import annotations

DOCUMENTATION = r"""
module: host_audit
short_description: Check that compute hosts pass the given audit rules now
version_added: 0.1.0
description:
  - Runs the host rules of the audit packs (the C(compute_hosts) pack by default, the rules and parameters of
    M(osfleet.day2.compliance_audit)) over what it gathers now - the cloud's view of the fleet and the BMCs of
    O(hosts) - and fails, naming each host and rule, unless every rule of O(rules) passes on every host of
    O(hosts). A rule that cannot be evaluated (C(error)) or is not evaluated for the host is no pass.
  - What the pre- and post-checks of M(osfleet.day2.patch_run)'s rolling patch run use; a remediation confirms
    and verifies with the same audit.
  - Reads only; writes no report (M(osfleet.day2.compliance_audit) writes those) and no audit-log entry.
author:
  - osfleet.day2 contributors (@osfleet)
extends_documentation_fragment:
  - osfleet.day2.cloud
  - osfleet.day2.audit
attributes:
  action:
    support: full
    description: The action plugin reads O(bmc_map) and the packs on the controller and hands their content to
      the module.
  check_mode:
    support: full
    description: Reads only; the same in check mode.
  diff_mode:
    support: none
    description: Reads only; there is nothing to compare.
options:
  hosts:
    description:
      - The compute hosts (as Nova names them) the rules must pass on.
    type: list
    elements: str
    required: true
  rules:
    description:
      - The rule ids that must pass, for example V(NOVA-16) or V(HW-14).
    type: list
    elements: str
    required: true
  packs:
    description:
      - The audit packs the rules are in (builtin names or paths).
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
      - Deadline in seconds of each BMC's reads.
    type: float
    default: 30
  gather_timeout:
    description:
      - Deadline in seconds of the gathering.
    type: float
    default: 120
seealso:
  - module: osfleet.day2.compliance_audit
    description: The fleet's audit, with reports and waivers.
"""

EXAMPLES = r"""
- name: compute-07 must be up and its hardware healthy before it is patched
  osfleet.day2.host_audit:
    cloud: prod
    hosts: [compute-07]
    rules: [NOVA-16, HW-13, HW-14, HOST-25]
    bmc_map: /etc/osfleet/bmcs.yml
"""

RETURN = r"""
statuses:
  description: Per host, each rule of O(rules) and its status (V(pass), V(fail), V(error), V(skip) or
    V(not evaluated)).
  returned: always
  type: dict
  sample: {compute-07: {NOVA-16: pass, HW-14: fail}}
failing:
  description: Per host, the rules of O(rules) that did not pass, with the audit's message.
  returned: always
  type: dict
  sample: {compute-07: {HW-14: {status: fail, message: "CPU1 Temp 96 C above its critical 90 C"}}}
seconds:
  description: Seconds the gathering took.
  returned: always
  type: float
"""

from ansible_collections.osfleet.day2.plugins.module_utils._audit import gather as audit_gather
from ansible_collections.osfleet.day2.plugins.module_utils._audit import run as audit_run
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.checks import Auditor


def _said(rule, found):
    return "%s %s%s" % (rule, found["status"], " (%s)" % found["message"][:120] if found["message"] else "")


class HostAuditModule(Day2Module):
    argument_spec = dict(
        hosts=dict(type="list", elements="str", required=True),
        rules=dict(type="list", elements="str", required=True),
        packs=dict(type="list", elements="str", default=["compute_hosts"]),
        pack_sources=dict(type="list", elements="dict"),
        params=dict(type="dict", default={}),
        bmcs=dict(type="dict", no_log=True),
        bmc_map=dict(type="path"),
        bmc_validate_certs=dict(type="bool", default=True),
        bmc_ca_path=dict(type="path"),
        bmc_timeout=dict(type="float", default=30),
        gather_timeout=dict(type="float", default=120),
    )

    def execute(self):
        p = self.params
        hosts = [h for h in p["hosts"] if h]
        rules = [r for r in p["rules"] if r]
        if not hosts or not rules:
            raise ValidationError("%s: give at least one" % ("hosts" if not hosts else "rules"),
                                  field="hosts" if not hosts else "rules")
        if p["gather_timeout"] <= 0 or p["bmc_timeout"] <= 0:
            raise ValidationError("gather_timeout and bmc_timeout must be more than 0 seconds", field="gather_timeout")
        packs = audit_run.load_pack_sources(p["packs"], p["pack_sources"] or [])
        known = {rule.id for pack in packs for rule in pack.rules}
        unknown = sorted(set(rules) - known)
        if unknown:
            raise ValidationError("rules: %s not in the packs %s" % (", ".join(unknown), ", ".join(p["packs"])),
                                  field="rules")
        options = audit_gather.GatherOptions(deadline=p["gather_timeout"], bmc_timeout=p["bmc_timeout"],
                                             bmc_validate_certs=p["bmc_validate_certs"], bmc_ca_path=p["bmc_ca_path"])
        found = Auditor(self.cloud, packs, self.inline_bmc_map("osfleet.day2.host_audit"), p["params"],
                        options).run(hosts)
        statuses = {h: {r: found.statuses.get(h, {}).get(r, "not evaluated") for r in rules} for h in hosts}
        failing = {h: {r: {"status": s, "message": (found.results.get(h, {}).get(r) or {}).get("message", "")}
                       for r, s in mine.items() if s != "pass"} for h, mine in statuses.items()}
        failing = {h: f for h, f in failing.items() if f}
        result = {"changed": False, "statuses": statuses, "failing": failing, "seconds": found.seconds}
        if failing:
            self.fail("rules not passing: %s" % "; ".join(
                "%s: %s" % (h, ", ".join(_said(r, f) for r, f in sorted(mine.items())))
                for h, mine in sorted(failing.items())), **result)
        return dict(result, msg="%s pass on %s" % (", ".join(rules), ", ".join(hosts)))


def main():
    HostAuditModule().run()


if __name__ == "__main__":
    main()
