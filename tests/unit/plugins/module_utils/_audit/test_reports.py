# -*- coding: utf-8 -*-
"""Reports from one results document: JSON, JUnit XML, Prometheus textfile (promtool), HTML (structure),
and the diff with the previous run that gives the cron job its exit status."""
from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import diff as diff_mod
from ansible_collections.osfleet.day2.plugins.module_utils._audit import waivers
from ansible_collections.osfleet.day2.plugins.module_utils._audit.report import html, json_doc, junit, prometheus
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.audit_fixtures import faulty, run


WAIVER = [{"rule": "UNUSED-05", "target": "vol-idle", "reason": "restore test", "who": "bob", "expires": "2027-01-01"}]


@pytest.fixture
def docs(cloud):
    import copy
    previous = run(copy.deepcopy(cloud))
    current = run(faulty(cloud), waivers=waivers.load_waivers(WAIVER))
    return previous, current


# ---- diff and exit status ------------------------------------------------------------------------


def test_diff_finds_new_fixed_and_still_failing(docs, cloud):
    previous, current = docs
    d = diff_mod.diff_runs(previous, current)
    the_three = {("BMC-01", "compute-01"), ("HW-14", "compute-02"), ("HOST-25", "compute-03")}
    assert {(b["rule"], b["target"]) for b in d["new"]} == the_three
    assert ("UNUSED-05", "vol-idle") in {(b["rule"], b["target"]) for b in d["now_waived"]}
    assert d["counts"]["still_failing"] == 9 and d["counts"]["fixed"] == 0
    assert d["new"][0]["severity"] == "high" and d["previous_run"] == "run-1"
    back = diff_mod.diff_runs(previous=current, current=previous)
    assert {(b["rule"], b["target"]) for b in back["fixed"]} == the_three


def test_a_second_run_with_nothing_changed_has_no_new_failures(docs):
    _previous, current = docs
    gate = diff_mod.gate(diff_mod.diff_runs(current, current), "high")
    assert gate == {"failed": False, "msg": "no new failures", "fail_on": "high", "blocking": [],
                    "counts": {"new": 0, "still_failing": 12, "fixed": 0, "now_waived": 0, "now_error": 0, "gone": 0}}


def test_gate_fails_only_at_or_above_the_chosen_severity(docs):
    previous, current = docs
    d = diff_mod.diff_runs(previous, current)
    assert diff_mod.gate(d, "high")["failed"] is True
    assert diff_mod.gate(d, "high")["msg"].startswith("3 new failure(s) at or above high: ")
    low = diff_mod.gate(d, "critical")
    assert low["failed"] is False and low["msg"] == "no new failures at or above critical (3 new below it)"
    assert diff_mod.gate(d, "never")["failed"] is False
    with pytest.raises(ValidationError):
        diff_mod.gate(d, "severe")


def test_first_run_every_failure_is_new(docs):
    _previous, current = docs
    d = diff_mod.diff_runs(None, current)
    assert d["counts"]["new"] == 12 and d["previous_run"] is None
    assert diff_mod.gate(d, "info")["failed"] is True


def test_an_expired_waiver_makes_a_new_failure(docs, cloud):
    _previous, current = docs
    expired = run(faulty(cloud), waivers=waivers.load_waivers([dict(WAIVER[0], expires="2026-11-01")]))
    d = diff_mod.diff_runs(current, expired)
    assert [(b["rule"], b["target"], b["previous_status"]) for b in d["new"]] == [("UNUSED-05", "vol-idle", "waived")]


def test_a_deleted_resource_is_gone_not_fixed(docs):
    previous, current = docs
    current = dict(current, results=[r for r in current["results"] if r["target"] != "vol-orphan"])
    d = diff_mod.diff_runs(previous, current)
    assert [(b["rule"], b["target"]) for b in d["gone"]] == [("UNUSED-10", "vol-orphan")]


# ---- JSON --------------------------------------------------------------------------------------


def test_json_round_trip(docs):
    previous, current = docs
    d = diff_mod.diff_runs(previous, current)
    text = json_doc.to_json(current, d)
    back = json_doc.from_json(text)
    assert back["changes"]["counts"]["new"] == 3 and back["run"]["who"] == "tester"
    assert back["packs"][0]["name"] == "compute_hosts" and len(back["packs"][0]["sha256"]) == 64
    assert back["waivers"][0]["waived"] == 1
    assert len(back["results"]) == len(current["results"])
    r = [x for x in back["results"] if x["rule"] == "HW-14" and x["target"] == "compute-02"][0]
    assert r["evidence"]["tests"][1]["matching"][0]["name"] == "CPU1 Temp"


@pytest.mark.parametrize("text", ["not json", "[]", '{"format": "other", "results": []}'])
def test_from_json_refuses_other_files(text):
    with pytest.raises(ValidationError):
        json_doc.from_json(text)


# ---- JUnit -----------------------------------------------------------------------------------


def test_junit_one_case_per_rule_and_target(docs):
    _previous, current = docs
    root = ET.fromstring(junit.to_junit(current).encode("utf-8"))  # well-formed, despite the BMC's escape codes
    assert root.tag == "testsuites"
    assert int(root.get("tests")) == len(current["results"])
    assert int(root.get("failures")) == current["summary"]["by_status"]["fail"]
    assert int(root.get("errors")) == current["summary"]["by_status"]["error"]
    assert int(root.get("skipped")) == (current["summary"]["by_status"]["waived"]
                                        + current["summary"]["by_status"]["not_applicable"])
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"compute_hosts", "unused_capacity"}
    assert suites["compute_hosts"].find("properties/property[@name='pack_version']").get("value") == "1.0.0"
    case = [c for c in root.iter("testcase") if c.get("classname") == "host.compute-02" and "HW-14" in c.get("name")][0]
    assert case.get("name") == "[high] HW-14 Temperatures within thresholds"
    failure = case.find("failure")
    assert failure.get("type") == "high" and "hardware.temperatures" in failure.get("message")
    assert json.loads(failure.text)["tests"][1]["matched"] == 1
    waived = [c for c in root.iter("testcase") if c.get("classname") == "volume.vol-idle" and "UNUSED-05" in c.get("name")]
    assert waived[0].find("skipped").get("message").startswith("waived by bob")
    error = [c for c in root.iter("testcase") if c.get("classname") == "host.compute-03" and "BMC-04" in c.get("name")]
    assert error[0].find("error").get("message").startswith("could not gather bmc: unreachable")
    passing = [c for c in root.iter("testcase") if c.get("classname") == "host.compute-04" and "HW-14" in c.get("name")]
    assert passing[0].find("failure") is None and passing[0].find("system-out").text == "runbook: hw-investigate-thermal"


# ---- Prometheus --------------------------------------------------------------------------------


def test_prometheus_textfile_content(docs):
    previous, current = docs
    text = prometheus.to_prometheus(current, diff_mod.diff_runs(previous, current))
    lines = text.splitlines()
    assert 'osfleet_compliance_results{pack="compute_hosts",rule="HW-14",severity="high",result="fail"} 1' in lines
    assert 'osfleet_compliance_results{pack="compute_hosts",rule="HW-14",severity="high",result="pass"} 2' in lines
    assert 'osfleet_compliance_target_failing_rules{kind="host",target="compute-04"} 0' in lines
    assert 'osfleet_compliance_target_failing_rules{kind="host",target="compute-02"} 1' in lines
    assert 'osfleet_compliance_target_failing_rules{kind="volume",target="vol-orphan"} 1' in lines
    assert not any('target="vol-fresh"' in line for line in lines)  # non-host targets only while failing
    assert 'osfleet_compliance_target_error_rules{kind="host",target="compute-03"} 15' in lines
    assert 'osfleet_compliance_new_failures{severity="high"} 3' in lines
    assert 'osfleet_compliance_waivers{status="active"} 1' in lines
    assert "osfleet_compliance_last_run_timestamp_seconds 1795348800.000" in lines
    assert text.endswith("\n")


def test_prometheus_label_values_are_escaped():
    doc = {"results": [{"pack": "p", "rule": "R", "severity": "low", "kind": "server", "target": 'a"b\\c\nd',
                        "status": "fail"}], "packs": [], "run": {}}
    assert 'target="a\\"b\\\\c\\nd"' in prometheus.to_prometheus(doc)


@pytest.mark.skipif(shutil.which("promtool") is None,
                    reason="promtool is not installed: apt-get install --no-install-recommends prometheus "
                           "(the CI path installs it: docs/audit.md, Tests)")
def test_promtool_check_metrics_accepts_the_textfile(docs):
    previous, current = docs
    text = prometheus.to_prometheus(current, diff_mod.diff_runs(previous, current))
    done = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "" and done.stderr.strip() == ""


# ---- HTML (structure; the browser test is test_report_browser.py) ----------------------------------


def test_html_is_self_contained_and_escaped(docs, cloud):
    previous, current = docs
    current["results"][0]["message"] = "<script>alert(1)</script>"
    page = html.to_html(current, previous=previous)
    assert page.startswith("<!DOCTYPE html>")
    for remote in ("http://", "https://", "//cdn", "<link", "src="):
        assert remote not in page.replace("redfish+https://", "")  # BMC addresses are text, nothing is fetched
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'id="changes"' in page and "New failures (3)" in page
    assert page.count('class="target"') == 4 + len({(r["kind"], r["target"]) for r in current["results"]
                                                   if r["kind"] != "host" and r["status"] in ("fail", "error", "waived")})


def test_html_findings_put_failures_first(docs):
    _previous, current = docs
    page = html.to_html(current)
    rows = page.split('<table id="findings-table">')[1].split("</tbody>")[0].split("<tr data-status=")[1:]
    statuses = [row.split('"')[1] for row in rows]
    assert statuses == sorted(statuses, key=["fail", "error", "waived", "not_applicable"].index)
    assert statuses[0] == "fail" and 'id="changes"' not in page  # no previous: no comparison section


def test_html_first_run_says_so(docs):
    _previous, current = docs
    page = html.to_html(current, diff=diff_mod.diff_runs(None, current))
    assert "No previous report in this directory" in page
