# -*- coding: utf-8 -*-
"""HostAudit over plain data: what fails, what does not pass (an error is not a pass), the evidence."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._remediation.checks import HostAudit


def audit():
    def res(rule, status, severity):
        return {"rule": rule, "status": status, "severity": severity, "message": "%s is %s" % (rule, status),
                "target": "x", "facts": {"big": "not evidence"}}
    results = {"c1": {"NOVA-16": res("NOVA-16", "fail", "critical"), "HW-13": res("HW-13", "fail", "high"),
                      "HOST-50": res("HOST-50", "fail", "low"), "HOST-25": res("HOST-25", "error", "high"),
                      "HW-14": res("HW-14", "pass", "high")},
               "c2": {"NOVA-16": res("NOVA-16", "fail", "critical")},
               "c3": {"NOVA-16": res("NOVA-16", "pass", "critical")}}
    statuses = {h: {r: v["status"] for r, v in mine.items()} for h, mine in results.items()}
    return HostAudit(statuses, results, {h: {"id": h} for h in results})


def test_failing_by_rules_and_severity():
    a = audit()
    assert a.failing("c1") == ["HOST-50", "HW-13", "NOVA-16"]
    assert a.failing("c1", ["NOVA-16", "HW-14", "HOST-25"]) == ["NOVA-16"]
    assert a.failing("c1", None, min_severity="high") == ["HW-13", "NOVA-16"]
    assert a.failing("c1", None, min_severity="critical") == ["NOVA-16"]
    assert a.failing("nope") == []


def test_passing_names_what_does_not_pass_an_error_and_a_missing_rule_included():
    a = audit()
    assert a.passing("c1", ["HW-14"]) == {}
    assert a.passing("c1", ["HW-14", "HOST-25", "NOVA-16", "HW-99"]) == {
        "HOST-25": "error", "NOVA-16": "fail", "HW-99": "not evaluated"}


def test_hosts_failing_and_evidence():
    a = audit()
    assert a.hosts_failing(["NOVA-16"]) == ["c1", "c2"]
    assert a.hosts_failing(["HOST-25"]) == []  # an error is not a failure either
    assert a.evidence("c1", ["NOVA-16", "HW-99"]) == {"NOVA-16": {"status": "fail", "message": "NOVA-16 is fail"},
                                                      "HW-99": {}}


# -- the real Auditor over the audit tests' cloud fixture (the gathering injected, the engine and packs real) ----

def test_the_auditor_runs_the_host_rules_and_the_runbooks_match_its_facts():
    from ansible_collections.osfleet.day2.plugins.module_utils._remediation import runbook as rb
    from ansible_collections.osfleet.day2.plugins.module_utils._remediation.checks import HOST_SOURCES, Auditor
    from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit import audit_fixtures as af

    cloud = af.faulty(af.fresh_cloud())  # overtemp on compute-02, compute-03's BMC unreachable
    asked = []

    def gather(conn, bmcs, options):
        asked.append((conn, bmcs, options.sources))
        return af.gathered(cloud)
    bmcs = {h: {"address": "redfish://10.0.0.%d" % i} for i, h in enumerate(("compute-01", "compute-02"))}
    auditor = Auditor("the cloud", [af.shipped("compute_hosts")], bmcs, af.BASELINE, gather=gather)
    result = auditor.run()
    assert asked[-1] == ("the cloud", bmcs, HOST_SOURCES)
    assert "HW-14" in result.failing("compute-02") and "HW-14" not in result.failing("compute-01")
    assert "HOST-25" in result.failing("compute-03")
    assert result.targets["compute-03"]["bmc_access"]["status"] == "unreachable"
    books = rb.load_runbooks()
    assert rb.select(books, result.failing("compute-02"), target=result.targets["compute-02"]).name == "overtemp"
    assert rb.select(books, result.failing("compute-03", ["HOST-25"]),
                     target=result.targets["compute-03"]).name == "bmc_down"
    auditor.run(["compute-02"])  # the BMCs read are the host's only
    assert asked[-1][1] == {"compute-02": bmcs["compute-02"]}
