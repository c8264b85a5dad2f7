# -*- coding: utf-8 -*-
"""compliance_audit over a stubbed cloud and Redfish servers on loopback: reports written atomically, the gate on
new failures, check mode, and the options' refusals."""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common import module_base
from ansible_collections.osfleet.day2.plugins.module_utils._common.audit_log import AuditLog
from ansible_collections.osfleet.day2.plugins.modules import compliance_audit
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._audit.gather_stubs import (
    pass_local,
    redfish_docs,
    route_cloud,
)
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._hardware.conftest import FakeRedfish

FILES = ("compliance.json", "compliance.junit.xml", "compliance.html", "compliance.prom")
BASELINE = {"compute_hosts": {"bmc_firmware_baseline": {"*": "1.0"}, "bios_baseline": {"*": "1.0"}}}


@pytest.fixture
def lab(monkeypatch, stub):
    """Two hosts behind the stubbed cloud, a Redfish server per BMC (compute-02's with HTTP on)."""
    route_cloud(stub)
    pass_local(stub)
    made = stub.cloud()
    monkeypatch.setattr(module_base.Day2Module, "conn", property(lambda self: made.conn))
    fakes = {"compute-01": FakeRedfish(redfish_docs()), "compute-02": FakeRedfish(redfish_docs(http_on=True))}
    for fake in fakes.values():
        fake.thread.start()
    yield {h: {"address": f.address(), "username": "admin", "password": "secret"} for h, f in fakes.items()}, fakes
    for fake in fakes.values():
        fake.server.shutdown()
        fake.server.server_close()
    made.close()


def run(module_main, bmcs, report_dir, **args):
    base = dict(cloud="lab", bmcs=bmcs, report_dir=str(report_dir), params=BASELINE, bmc_timeout=5,
                gather_timeout=60)
    return module_main(compliance_audit, dict(base, **args))


def test_the_four_reports_are_written_and_a_new_high_failure_fails_the_task(module_main, lab, tmp_path):
    bmcs, _fakes = lab
    out = run(module_main, bmcs, tmp_path / "reports")
    assert out["failed"] is True and "BMC-04 on host compute-02" in out["msg"]  # HTTP on: high, and new
    assert sorted(os.listdir(tmp_path / "reports")) == sorted(FILES)  # no temporary file left
    doc = json.loads((tmp_path / "reports" / "compliance.json").read_text())
    failing = {(r["rule"], r["target"]) for r in doc["results"] if r["status"] == "fail"}
    assert ("BMC-04", "compute-02") in failing and ("BMC-04", "compute-01") not in failing
    assert out["summary"]["failing_by_severity"]["high"] >= 1
    assert out["reports"]["json"] == str(tmp_path / "reports" / "compliance.json")
    suite = ET.parse(str(tmp_path / "reports" / "compliance.junit.xml")).getroot()
    assert any(c.find("failure") is not None and "BMC-04" in c.get("name") and "compute-02" in c.get("classname")
               for c in suite.iter("testcase"))
    assert "osfleet_compliance_results" in (tmp_path / "reports" / "compliance.prom").read_text()
    assert "secret" not in json.dumps(out)


def test_a_second_run_with_nothing_changed_reports_no_new_failures(module_main, lab, tmp_path):
    bmcs, _fakes = lab
    first = run(module_main, bmcs, tmp_path)
    assert first["failed"] is True
    second = run(module_main, bmcs, tmp_path)
    assert "failed" not in second, second["msg"] if "msg" in second else second
    assert second["gate"] == "no new failures" and second["new_failures"] == []
    assert second["summary"]["changes"]["still_failing"] == first["summary"]["changes"]["new"]


def test_fail_on_severity_never_does_not_fail_and_critical_ignores_a_high(module_main, lab, tmp_path):
    bmcs, _fakes = lab
    out = run(module_main, bmcs, tmp_path / "a", fail_on_severity="critical")
    assert "failed" not in out
    assert out["blocking"] == [] and "new below it" in out["gate"]
    assert run(module_main, bmcs, tmp_path / "b", fail_on_severity="never").get("failed") is None


def test_check_mode_writes_nothing(module_main, lab, tmp_path):
    bmcs, _fakes = lab
    out = run(module_main, bmcs, tmp_path / "r", fail_on_severity="never", _ansible_check_mode=True)
    assert "failed" not in out and not (tmp_path / "r").exists()
    assert out["summary"]["by_status"]["fail"] >= 1


def test_a_failed_source_is_named_and_its_rules_are_errors(module_main, lab, tmp_path, stub):
    bmcs, _fakes = lab
    stub.fail("GET", "network", "/agents", 503, {"error": {"message": "down"}})
    out = run(module_main, bmcs, tmp_path, fail_on_severity="never")
    assert "network_agents" in out["gather_errors"]
    doc = json.loads((tmp_path / "compliance.json").read_text())
    assert {r["status"] for r in doc["results"] if r["rule"] == "NET-24"} == {"error"}
    assert doc["run"]["gather_errors"]["network_agents"] == out["gather_errors"]["network_agents"]


def test_an_unknown_parameter_fails_naming_it(module_main, lab, tmp_path):
    bmcs, _fakes = lab
    out = run(module_main, bmcs, tmp_path, params={"compute_hosts": {"max_dayz": 3}})
    assert out["failed"] is True and "max_dayz" in out["msg"]
    assert not (tmp_path / "compliance.json").exists()


def test_a_previous_file_that_is_no_report_is_refused(module_main, lab, tmp_path):
    bmcs, _fakes = lab
    (tmp_path / "compliance.json").write_text("{}")
    out = run(module_main, bmcs, tmp_path)
    assert out["failed"] is True and "not an osfleet.day2 compliance report" in out["msg"]


def test_pack_sources_from_the_action_plugin_are_used(module_main, lab, tmp_path):
    bmcs, _fakes = lab
    text = ("pack: mine\nversion: '1'\ntarget: host\nrules:\n  - id: MY-1\n    title: Host up\n    severity: low\n"
            "    facts: [service.state]\n    condition: {key: service.state, value: up}\n    rationale: r\n"
            "    references: []\n    runbook: none\n")
    out = run(module_main, bmcs, tmp_path, pack_sources=[{"source": "site/mine.yml", "text": text}],
              sources=["fleet"], params={})
    assert "failed" not in out, out
    doc = json.loads((tmp_path / "compliance.json").read_text())
    assert {r["rule"] for r in doc["results"]} == {"MY-1"} and doc["packs"][0]["source"] == "site/mine.yml"


def test_an_inline_waiver_turns_the_new_failure_into_waived(module_main, lab, tmp_path):
    bmcs, _fakes = lab
    waiver = {"rule": "BMC-04", "target": "compute-02", "reason": "CASE-1 vendor web UI", "who": "alice@example.org",
              "expires": "2099-01-01"}
    out = run(module_main, bmcs, tmp_path, waivers=[waiver], fail_on_severity="high")
    doc = json.loads((tmp_path / "compliance.json").read_text())
    [bmc04] = [r for r in doc["results"] if r["rule"] == "BMC-04" and r["target"] == "compute-02"]
    assert bmc04["status"] == "waived" and "alice@example.org" in bmc04["message"]
    assert all(b["rule"] != "BMC-04" for b in out["blocking"])


def test_an_audit_of_the_bmcs_only_makes_no_cloud_request(module_main, lab, tmp_path, stub):
    bmcs, _fakes = lab
    out = run(module_main, bmcs, tmp_path, sources=["hardware", "bmc_settings"], packs=["compute_hosts"],
              fail_on_severity="never")
    assert "failed" not in out, out
    assert [r.url for r in stub.calls() if "example.test" in r.url] == [] and stub.auth_requests == 0
    doc = json.loads((tmp_path / "compliance.json").read_text())
    status = {(r["rule"], r["target"]): r["status"] for r in doc["results"]}
    assert status[("BMC-04", "compute-02")] == "fail" and status[("HW-14", "compute-01")] == "pass"


# -- the opt-in unused-capacity actions --------------------------------------------------------------------------
OPEN_CAPS = {"max_resources": 50, "max_percent": 100}


def writes(stub):
    return [(r.method, r.path) for r in stub.calls() if r.method != "GET" and "127.0.0.1" not in r.url
            and not r.path.endswith("/auth/tokens")]


def answer_marks(stub):
    stub.route("PUT", "network", r"/(ports|floatingips)/([^/]+)/tags/(.+)", "", status=201)
    stub.route("POST", "block-storage", r"/volumes/([^/]+)/metadata", lambda req, ctx: {"metadata": req.json()["metadata"]})
    stub.route("POST", "compute", r"/servers/([^/]+)/metadata", lambda req, ctx: {"metadata": req.json()["metadata"]})
    stub.route("PUT", "image", r"/images/([^/]+)/tags/(.+)", "", status=204)


def test_unused_actions_are_off_unless_a_stage_is_named(module_main, lab, tmp_path, stub):
    bmcs, _fakes = lab
    out = run(module_main, bmcs, tmp_path / "a", fail_on_severity="never")
    assert "unused_actions" not in out and writes(stub) == []
    out = run(module_main, bmcs, tmp_path / "b", fail_on_severity="never", unused_actions={"stages": []})
    assert "unused_actions" not in out and writes(stub) == []


def test_unused_actions_in_check_mode_say_what_they_would_do_and_send_nothing(module_main, lab, tmp_path, stub):
    bmcs, _fakes = lab
    out = run(module_main, bmcs, tmp_path, fail_on_severity="never", _ansible_check_mode=True, _ansible_diff=True,
              unused_actions=dict(OPEN_CAPS, stages=["notify", "stop", "delete"]), audit_log=str(tmp_path / "a.jsonl"))
    done = out["unused_actions"]["done"]
    want = {("port", "port-orphan"), ("volume", "vol-1"), ("floating_ip", "fip-1")}
    assert {(d["kind"], d["target"]) for d in done} >= want
    assert {d["stage"] for d in done} == {"notify"} and all(d["check_mode"] for d in done)
    assert "port/port-orphan" in out["diff"]["after"]
    assert writes(stub) == [] and not (tmp_path / "a.jsonl").exists()


def test_unused_actions_notify_marks_each_resource_and_write_one_audit_entry_each(module_main, lab, tmp_path, stub):
    bmcs, _fakes = lab
    answer_marks(stub)
    log = tmp_path / "audit.jsonl"
    out = run(module_main, bmcs, tmp_path / "r", fail_on_severity="never", audit_log=str(log), audit_actor="cron",
              unused_actions=dict(OPEN_CAPS, stages=["notify"]))
    done = out["unused_actions"]["done"]
    assert done and not any(d["check_mode"] for d in done)
    sent = writes(stub)
    assert any(m == "PUT" and "/ports/port-orphan/tags/osfleet-unused-notified-at" in p for m, p in sent)
    assert any(m == "POST" and p.endswith("/volumes/vol-1/metadata") for m, p in sent)
    entries = AuditLog(str(log)).entries()
    assert len(entries) == len(done) == out["audit"]["entries"]
    assert {e["action"] for e in entries} == {"unused_capacity.notify"} and {e["actor"] for e in entries} == {"cron"}
    assert out["audit"]["seq"] == entries[-1]["seq"]


def test_a_cap_breach_fails_the_task_and_nothing_is_done(module_main, lab, tmp_path, stub):
    bmcs, _fakes = lab
    answer_marks(stub)
    out = run(module_main, bmcs, tmp_path, fail_on_severity="never", audit_log=str(tmp_path / "a.jsonl"),
              unused_actions={"stages": ["notify"], "max_resources": 1, "max_percent": 100})
    assert out["failed"] is True and "max_resources" in out["msg"]
    assert writes(stub) == [] and not (tmp_path / "a.jsonl").exists()


def test_a_bad_unused_action_setting_fails_naming_it_before_anything_is_read(module_main, lab, tmp_path, stub):
    bmcs, _fakes = lab
    out = run(module_main, bmcs, tmp_path, unused_actions={"stages": ["nuke"]})
    assert out["failed"] is True and "stages" in out["msg"] and "nuke" in out["msg"]
    assert stub.calls() == [] and not (tmp_path / "compliance.json").exists()
