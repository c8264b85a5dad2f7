# -*- coding: utf-8 -*-
"""A patch run's bookkeeping over the access layer's real Nova facade, conftest's FakeNova behind stubbed HTTP:
plan under the lock, resume, host results against the budget of the whole run, the end."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._patching import run_state as rs
from ansible_collections.osfleet.day2.plugins.module_utils._patching.run import PatchRuns

AT = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def fleet(nova_fake):
    """Six healthy compute hosts, three per zone."""
    svc = nova_fake.services._services
    svc.clear()
    for n in range(1, 7):
        svc["svc-%d" % n] = dict(id="svc-%d" % n, host="compute-%02d" % n, binary="nova-compute",
                                 zone="az%d" % (1 + (n - 1) // 3), status="enabled", state="up")
    return nova_fake


def runs(fake, owner="ops@bastion", **kw):
    log = []
    kw.setdefault("settle_timeout", 0)
    out = PatchRuns(fake.api, owner, audit=lambda *entry: log.append(entry), clock=lambda: AT, **kw)
    out.log = log
    return out


def aggregate_names(fake):
    return sorted(a["name"] for a in fake.aggregates())


def test_plan_records_the_run_takes_the_lock_and_offers_the_canary_first(fleet):
    r = runs(fleet)
    out = r.plan("june", batch=2, max_failures=1)
    assert out.new and out.changed and out.run["state"] == "running" and out.wave == 0
    assert [h["host"] for h in out.next_hosts] == ["compute-01"]
    assert aggregate_names(fleet) == ["osfleet-patch-june", "osfleet-patch-lock-fleet"]
    assert out.lock["run"] == "june" and out.lock["owner"] == "ops@bastion"
    waves = {w["wave"]: w["hosts"] for w in out.run["waves"]}
    assert sorted(h for hs in waves.values() for h in hs) == ["compute-%02d" % n for n in range(1, 7)]
    assert [e[0] for e in r.log] == ["patching.run"] and r.log[0][3] == "running"


def test_check_mode_plans_and_writes_nothing(fleet):
    out = runs(fleet, check_mode=True).plan("june", batch="50%")
    assert out.new and out.run["state"] == "running" and out.writes
    assert aggregate_names(fleet) == []


def test_an_ineligible_host_is_skipped_with_its_reason(fleet):
    fleet.services._services["svc-5"].update(status="disabled", disabled_reason="osfleet-maintenance:rack-7 fans")
    out = runs(fleet).plan("june", batch=2)
    host = {h["host"]: h for h in out.run["hosts"]}["compute-05"]
    assert host["status"] == "skipped" and host["detail"] == "in maintenance window rack-7"


def test_a_second_run_is_refused_naming_the_holder(fleet):
    runs(fleet).plan("june")
    with pytest.raises(ConflictError) as err:
        runs(fleet, owner="other@host").plan("july")
    assert err.value.field == "lock" and "june" in err.value.message
    assert "osfleet-patch-july" not in aggregate_names(fleet)


def test_the_budget_counts_the_whole_run_and_a_failure_past_it_stops_the_run(fleet):
    r = runs(fleet)
    out = r.plan("june", batch=2, max_failures=1)
    assert r.host("june", "compute-01", "in_flight", step="drain").run["hosts"][0]["status"] == "in_flight"
    out = r.host("june", "compute-01", "done")
    assert out.decision["action"] == "continue" and out.wave == 1
    first, second = [h["host"] for h in out.next_hosts]
    out = r.host("june", first, "failed", reason="post-check: nova-compute down")
    assert out.decision["action"] == "continue" and [h["host"] for h in out.next_hosts] == [second]
    out = r.host("june", second, "done")
    third = out.next_hosts[0]["host"]
    out = r.host("june", third, "failed", reason="apt: held broken packages")
    assert out.decision["action"] == "stop" and out.run["state"] == "stopped" and out.next_hosts == []
    assert "2nd failure, budget 1" in out.run["stop_reason"] and third in out.run["stop_reason"]
    with pytest.raises(ConflictError):
        r.host("june", out.run["hosts"][-1]["host"], "done")
    # the stopped run is not resumed: its failed hosts need a person first
    with pytest.raises(ConflictError) as err:
        runs(fleet).plan("june", batch=2, max_failures=1)
    assert "stopped" in err.value.message and err.value.field == "run"
    assert [e[0] for e in r.log].count("patching.host") == 5 and r.log[-1][3] == "stopped"


def test_a_failed_canary_stops_the_run_whatever_the_budget(fleet):
    r = runs(fleet)
    r.plan("june", batch=2, max_failures="50%")
    out = r.host("june", "compute-01", "failed", reason="canary server did not boot")
    assert out.decision["action"] == "stop" and "canary compute-01 failed" in out.run["stop_reason"]


def test_a_killed_run_resumes_from_its_step_and_never_repeats_a_done_host(fleet):
    r = runs(fleet)
    r.plan("june", batch=2)
    r.host("june", "compute-01", "done")
    out = r.host("june", "compute-04", "in_flight", step="apply_packages")
    again = runs(fleet).plan("june", batch=2)
    assert not again.new and not again.changed
    assert again.next_hosts[0] == {"host": "compute-04", "step": "apply_packages"}
    assert "compute-01" not in [h["host"] for h in again.next_hosts]
    assert out.run["waves"] == again.run["waves"]


def test_a_resume_with_other_settings_is_refused_naming_the_setting(fleet):
    runs(fleet).plan("june", batch=2, max_failures=1)
    with pytest.raises(ConflictError) as err:
        runs(fleet).plan("june", batch=3, max_failures=1)
    assert err.value.field == "batch" and "batch=2" in err.value.message


def test_finish_completes_a_run_that_is_through_and_releases_the_lock(fleet):
    r = runs(fleet)
    out = r.plan("june", batch="100%")
    while out.next_hosts:
        for h in out.next_hosts:
            out = r.host("june", h["host"], "done")
    end = r.finish("june")
    assert end.run["state"] == "complete" and "lock released" in end.message
    assert aggregate_names(fleet) == ["osfleet-patch-june"]
    assert runs(fleet).plan("june", batch="100%").message.endswith("is complete; a new run needs a new name")


def test_finish_of_an_unfinished_run_keeps_it_running_and_frees_the_lock_for_a_resume(fleet):
    r = runs(fleet)
    r.plan("june", batch=2)
    end = r.finish("june")
    assert end.run["state"] == "running" and "osfleet-patch-lock-fleet" not in aggregate_names(fleet)
    assert runs(fleet).plan("june", batch=2).next_hosts[0]["host"] == "compute-01"


def test_bad_input_is_refused_before_anything_is_written(fleet):
    with pytest.raises(ValidationError) as err:
        runs(fleet).plan("june", hosts=["compute-01", "compute-77"])
    assert err.value.field == "hosts"
    with pytest.raises(ValidationError) as err:
        runs(fleet).plan("june", batch=0)
    assert err.value.field == "batch"
    with pytest.raises(ValidationError) as err:
        PatchRuns(fleet.api, "")
    assert err.value.field == "owner"
    assert aggregate_names(fleet) == []


def test_a_result_for_a_host_outside_the_run_names_it(fleet):
    r = runs(fleet)
    r.plan("june", hosts=["compute-01", "compute-02"])
    with pytest.raises(Exception) as err:
        r.host("june", "compute-05", "done")
    assert "compute-05 is not in patch run june" in str(err.value)
    with pytest.raises(ValidationError):
        r.host("june", "compute-01", "maybe")
    assert rs.aggregate_name("june") in aggregate_names(fleet)


def test_a_stopped_run_takes_the_result_of_a_host_under_way_and_starts_no_other(fleet):
    r = runs(fleet)
    r.plan("june", batch=3, max_failures=0, canary_hosts=["compute-01"])
    r.host("june", "compute-01", "done")
    wave = [h["host"] for h in r.status("june").next_hosts]
    r.host("june", wave[0], "in_flight", step="apply")
    r.host("june", wave[1], "in_flight", step="apply")
    out = r.host("june", wave[0], "failed", reason="apt broke")
    assert out.run["state"] == "stopped"
    late = r.host("june", wave[1], "done", versions={"packages": {"osfleet-lab-agent": "2.0"}})
    assert {h["host"]: h["status"] for h in late.run["hosts"]}[wave[1]] == "done"
    assert late.run["stop_reason"] == out.run["stop_reason"]
    assert r.log[-1][4]["versions"] == {"packages": {"osfleet-lab-agent": "2.0"}}
    with pytest.raises(ConflictError) as err:
        r.host("june", wave[2], "in_flight", step="drain")
    assert "not started" in err.value.message


def test_done_is_a_failure_when_nova_compute_did_not_come_back(fleet):
    r = runs(fleet)
    r.plan("june", batch=2, max_failures=1)
    fleet.services._services["svc-1"]["state"] = "down"
    out = r.host("june", "compute-01", "done")
    host = {h["host"]: h for h in out.run["hosts"]}["compute-01"]
    assert host["status"] == "failed" and host["detail"] == "post-check: nova-compute on compute-01 is down after 0s"
    assert out.decision["action"] == "stop"  # the canary


class Clock:
    def __init__(self):
        self.now = 0.0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def route_placement(stub, traits_answers):
    """Every host a provider rp-<host>; compute-01's traits answer from ``traits_answers`` one call after another."""
    def providers(request, context):
        name = request.qs.get("name", [""])[0]
        return {"resource_providers": [{"uuid": "rp-" + name, "name": name}] if name else []}
    answers = list(traits_answers)
    calls = []

    def traits(request, context):
        calls.append(1)
        return {"traits": answers.pop(0) if len(answers) > 1 else answers[0]}
    stub.route("GET", "placement", "/resource_providers", providers)
    stub.route("GET", "placement", "/resource_providers/rp-compute-01/traits", traits)
    return calls


def test_done_waits_until_the_scheduler_sees_the_host_again(fleet, stub):
    calls = route_placement(stub, [["COMPUTE_STATUS_DISABLED", "HW_CPU_X86_AVX2"]] * 3 + [["HW_CPU_X86_AVX2"]])
    clock = Clock()
    r = runs(fleet, placement=fleet.cloud.placement, settle_timeout=60, monotonic=clock.monotonic, sleep=clock.sleep)
    r.plan("june", batch=2)
    out = r.host("june", "compute-01", "done")
    assert {h["host"]: h["status"] for h in out.run["hosts"]}["compute-01"] == "done"
    assert len(calls) == 4 and clock.now == 6.0


def test_a_host_the_scheduler_never_sees_again_fails_after_the_settle_timeout(fleet, stub):
    route_placement(stub, [["COMPUTE_STATUS_DISABLED"]])
    clock = Clock()
    r = runs(fleet, placement=fleet.cloud.placement, settle_timeout=10, monotonic=clock.monotonic, sleep=clock.sleep)
    r.plan("june", batch=2, max_failures=1)
    out = r.host("june", "compute-01", "done")
    host = {h["host"]: h for h in out.run["hosts"]}["compute-01"]
    assert host["status"] == "failed" and "COMPUTE_STATUS_DISABLED" in host["detail"] and "after 10s" in host["detail"]


# ---- baselines: the pre-state of a model with none, a verified wave, a rollback --------------------------

MODELS = {"compute-%02d" % n: "R650" for n in range(1, 7)}
OLD = {"packages": {"agent": "1.0"}, "firmware": {"BMC": "7.10"}, "kernel": "6.1.0-25"}
NEW = {"packages": {"agent": "2.0"}, "firmware": {"BMC": "7.20"}, "kernel": "6.1.0-25"}


def test_the_pre_state_seeds_a_baseline_and_a_verified_wave_moves_it_on(fleet):
    r = runs(fleet)
    r.plan("june", hosts=["compute-01", "compute-02", "compute-03"], batch=2, models=MODELS)
    seeded = r.host("june", "compute-01", "in_flight", step="apply", versions=OLD)
    assert seeded.baseline["wave"] == -1 and seeded.baseline["versions"] == {
        "packages": {"agent": "1.0"}, "firmware": {"BMC": "7.10"}}  # no kernel: it is rolled back as a package
    assert r.host("june", "compute-01", "done", versions=NEW).baseline["wave"] == 0
    current, previous = r.baselines.load_both("R650")
    assert current.versions["packages"] == {"agent": "2.0"} and previous.versions["packages"] == {"agent": "1.0"}
    # the batch: no baseline until both of its hosts are done
    r.host("june", "compute-02", "in_flight", step="apply", versions=OLD)
    assert r.host("june", "compute-02", "done", versions=NEW).baseline is None
    assert r.host("june", "compute-03", "done", versions=NEW).baseline == {
        "model": "R650", "sha256": r.baselines.load_both("R650")[0].sha256(), "wave": 1,
        "versions": {"packages": {"agent": "2.0"}, "firmware": {"BMC": "7.20"}}}
    assert [e[0] for e in r.log].count("patching.baseline") == 3


def test_a_wave_with_a_failed_host_moves_no_baseline(fleet):
    r = runs(fleet)
    r.plan("june", hosts=["compute-01", "compute-02", "compute-03"], batch=2, max_failures=1, models=MODELS)
    r.host("june", "compute-01", "in_flight", step="apply", versions=OLD)
    r.host("june", "compute-01", "done", versions=NEW)
    r.host("june", "compute-02", "failed", reason="apt: held packages")
    assert r.host("june", "compute-03", "done", versions=NEW).baseline is None
    assert r.baselines.load_both("R650")[0].wave == 0


def test_a_rollback_goes_back_to_the_previous_baseline_and_keeps_none(fleet):
    r = runs(fleet)
    r.plan("june", hosts=["compute-01"], models=MODELS)
    r.host("june", "compute-01", "in_flight", step="apply", versions=OLD)
    r.host("june", "compute-01", "done", versions=NEW)
    r.finish("june")
    r.plan("june-back", hosts=["compute-01"], models=MODELS)
    target = r.rollback_target("june-back", "compute-01", NEW)
    assert target["which"] == "previous" and target["targets"] == {"packages": {"agent": "1.0"},
                                                                   "firmware": {"BMC": "7.10"}}
    assert r.host("june-back", "compute-01", "in_flight", step="apply", versions=NEW, rollback=True).baseline is None
    r.host("june-back", "compute-01", "done", versions=OLD, rollback=True)
    current, previous = r.baselines.load_both("R650")
    assert current.versions["packages"] == {"agent": "1.0"} and previous is None
    r.finish("june-back")
    r.plan("again", hosts=["compute-01"], models=MODELS)
    with pytest.raises(ConflictError, match="no earlier one is kept"):
        r.rollback_target("again", "compute-01", OLD)


def test_check_mode_writes_no_baseline(fleet):
    runs(fleet).plan("june", hosts=["compute-01"], models=MODELS)
    dry = runs(fleet, check_mode=True)
    out = dry.host("june", "compute-01", "in_flight", step="apply", versions=OLD)
    assert out.baseline["wave"] == -1 and dry.baselines.load_both("R650") == (None, None)


def test_bad_versions_are_refused_before_anything_is_written(fleet):
    r = runs(fleet)
    r.plan("june", hosts=["compute-01"], models=MODELS)
    before = len(fleet.writes)
    with pytest.raises(ValidationError, match="'bios' is not one of"):
        r.host("june", "compute-01", "in_flight", step="apply", versions={"bios": {"x": "1"}})
    assert len(fleet.writes) == before


def test_a_rollback_run_keeps_the_target_it_chose_for_its_later_and_resumed_hosts(fleet):
    r = runs(fleet)
    r.plan("june", hosts=["compute-01", "compute-02"], models=MODELS)
    for host in ("compute-01", "compute-02"):
        r.host("june", host, "in_flight", step="apply", versions=OLD)
        r.host("june", host, "done", versions=NEW)
    r.finish("june")
    r.plan("back", hosts=["compute-01", "compute-02"], models=MODELS)
    first = r.rollback_target("back", "compute-01", NEW)
    assert first["which"] == "previous" and first["pinned"]
    assert r.log[-1][0] == "patching.rollback_target" and r.log[-1][4]["host"] == "compute-01"
    r.host("back", "compute-01", "done", versions=OLD, rollback=True)  # the canary verified 1.0: now current
    # resumed after its apply, compute-01 runs 1.0 already: still 1.0, not a roll forward
    assert r.rollback_target("back", "compute-01", OLD)["targets"] == {"packages": {}, "firmware": {}}
    second = r.rollback_target("back", "compute-02", NEW)
    assert second["which"] == "current" and second["targets"]["packages"] == {"agent": "1.0"}
    assert not second["pinned"]


def test_a_host_whose_firmware_the_run_could_not_patch_does_not_pull_the_baseline_back(fleet):
    r = runs(fleet)
    r.plan("june", hosts=["compute-01", "compute-02"], models=MODELS)
    r.host("june", "compute-01", "in_flight", step="apply", versions=OLD)
    r.host("june", "compute-01", "done", versions=NEW, patched={"packages": {"agent": "2.0"}, "firmware": {"BMC": "7.20"}})
    ipmi = {"packages": {"agent": "2.0"}, "firmware": {"BMC": "7.10"}}
    r.host("june", "compute-02", "done", versions=ipmi, patched={"packages": {"agent": "2.0"}, "firmware": {}})
    current, previous = r.baselines.load_both("R650")
    assert current.versions == {"packages": {"agent": "2.0"}, "firmware": {"BMC": "7.20"}}
    assert previous.versions == {"packages": {"agent": "1.0"}, "firmware": {"BMC": "7.10"}}
