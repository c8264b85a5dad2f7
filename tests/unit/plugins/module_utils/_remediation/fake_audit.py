# -*- coding: utf-8 -*-
"""An audit whose answers a test scripts: the stand-in for checks.Auditor in the remediation tests.

It stubs the audit (the rules' evaluation over what is gathered), not the cloud: the audit engine and the
gathering have their own tests; the remediation tests ask what the machine does with an audit's answer.
"""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._remediation.checks import HostAudit

SEVERITY = {"NOVA-16": "critical", "HW-12": "critical", "HW-13": "high", "HW-14": "high", "HOST-25": "high",
            "HOST-99": "critical", "HOST-50": "low"}


class FakeAuditor:
    """checks.Auditor's stand-in: ``status[host][rule]`` is what the audit sees now (default: every rule
    passes); ``facts[host]`` the host target's facts. ``calls`` lists the ``hosts`` of every run."""

    def __init__(self, hosts):
        self.status = {h: {} for h in hosts}
        self.facts = {h: {} for h in hosts}
        self.calls = []

    def fail(self, host, *rules, status="fail"):
        for rule in rules:
            self.status[host][rule] = status

    def heal(self, host, *rules):
        for rule in rules:
            self.status[host].pop(rule, None)

    def run(self, hosts=None):
        self.calls.append(None if hosts is None else list(hosts))
        statuses, results = {}, {}
        for host in self.status:
            mine = {rule: self.status[host].get(rule, "pass") for rule in SEVERITY}
            statuses[host] = mine
            results[host] = {rule: {"rule": rule, "target": host, "kind": "host", "status": st,
                                    "severity": SEVERITY[rule], "message": "%s %s on %s" % (rule, st, host)}
                             for rule, st in mine.items()}
        targets = {h: dict({"id": h}, **self.facts[h]) for h in self.status}
        return HostAudit(statuses, results, targets)
