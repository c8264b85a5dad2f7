# -*- coding: utf-8 -*-
"""The patch_run module through its main(), over Nova in memory behind stubbed HTTP (no class is stubbed)."""
from __future__ import annotations

import json

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.module_base import Day2Module
from ansible_collections.osfleet.day2.plugins.modules import patch_run
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova import FakeNova

HOSTS = {"compute-01": "az1", "compute-02": "az1", "compute-03": "az2", "compute-04": "az2"}


@pytest.fixture
def env(fake_conn, nova_cloud, stub, tmp_path, monkeypatch, module_main):
    fake_conn.compute._services = {"svc-%s" % h: dict(id="svc-%s" % h, host=h, binary="nova-compute", zone=z,
                                                      status="enabled", state="up") for h, z in HOSTS.items()}
    nova = FakeNova(hosts=tuple(HOSTS), services=fake_conn.compute)
    layer = nova_cloud(nova)
    monkeypatch.setattr(Day2Module, "conn", property(lambda _self: layer.conn))
    stub.route("GET", "placement", "/resource_providers", lambda request, context: {"resource_providers": [
        {"uuid": "rp-" + n, "name": n} for n in request.qs.get("name", [])]})
    for host in HOSTS:
        stub.route("GET", "placement", "/resource_providers/rp-%s/traits" % host, {"traits": ["HW_CPU_X86_AVX2"]})
    log = tmp_path / "audit.jsonl"

    def run(**args):
        args.setdefault("audit_log", str(log))
        args.setdefault("audit_actor", "ops@bastion")
        return module_main(patch_run, args)
    run.nova = nova
    run.log = log
    return run


def entries(log):
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_plan_then_results_then_finish(env):
    plan = env(action="plan", run="june", batch="50%", max_failures="1")
    assert plan["changed"] and plan["new"] and plan["wave"] == 0 and not plan["stop"]
    canary = plan["next_hosts"][0]["host"]
    again = env(action="plan", run="june", batch="50%", max_failures="1")
    assert not again["changed"] and not again["new"] and again["next_hosts"] == plan["next_hosts"]
    step = env(action="host", run="june", host=canary, result="in_flight", step="drain", _ansible_diff=True)
    assert step["changed"] and step["diff"]["after"]["host"]["status"] == "in_flight"
    done = env(action="host", run="june", host=canary, result="done")
    assert done["decision"]["action"] == "continue" and done["wave"] == 1
    for h in done["next_hosts"]:
        last = env(action="host", run="june", host=h["host"], result="done")
    while last["next_hosts"]:
        for h in last["next_hosts"]:
            last = env(action="host", run="june", host=h["host"], result="done")
    end = env(action="finish", run="june")
    assert end["run"]["state"] == "complete" and end["changed"]
    actions = [e["action"] for e in entries(env.log)]
    assert actions[0] == "patching.run" and actions[-1] == "patching.run" and actions.count("patching.host") == 5


def test_check_mode_writes_nothing(env):
    out = env(action="plan", run="june", _ansible_check_mode=True)
    assert out["changed"] and out["writes"] and env.nova.aggregates() == [] and entries(env.log) == []


def test_a_failure_past_the_budget_stops_the_run(env):
    plan = env(action="plan", run="june", batch="1")
    out = env(action="host", run="june", host=plan["next_hosts"][0]["host"], result="failed", reason="apt broke")
    assert out["stop"] and out["decision"]["action"] == "stop" and out["next_hosts"] == []
    status = env(action="status", run="june")
    assert status["stop"] and status["lock"]["run"] == "june" and not status["changed"]


def test_bad_input_names_the_option(env):
    out = env(action="plan", run="june", lock_ttl=5)
    assert out["failed"] and out["field"] == "lock_ttl"
    out = env(action="plan", run="june", batch="two")
    assert out["failed"] and out["field"] == "batch"
    out = env(action="host", run="june", host="compute-01", result="failed")
    assert out["failed"] and "reason" in out["msg"]
    out = env(action="status", run="nope")
    assert out["failed"] and "no patch run" in out["msg"]
    assert env.nova.aggregates() == []
