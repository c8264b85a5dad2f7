# -*- coding: utf-8 -*-
"""The run's state in the cloud: the aggregate's metadata, Nova's limits, resume, what a save writes.

The RunStore runs over the access layer's real Nova facade, with conftest's FakeNova behind stubbed HTTP
(the FakeNova refuses a metadata key or value over 255 characters, as Nova does).
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import (
    ConflictError,
    NotFoundError,
    ValidationError,
)
from ansible_collections.osfleet.day2.plugins.module_utils._patching import run_state as rs
from ansible_collections.osfleet.day2.plugins.module_utils._patching.budget import parse_budget
from ansible_collections.osfleet.day2.plugins.module_utils._patching.waves import Target, plan_waves

AT = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)
HOSTS = [Target("compute-%02d" % n, "az%d" % (1 + n % 2), "PowerEdge R650" if n % 3 else "R750 xa")
         for n in range(1, 9)] + [Target("compute-99", "az1", "R650", eligible=False, reason="under remediation")]


def planned(name="p1", batch=2, max_failures="10%", **kw):
    plan = plan_waves(HOSTS, batch=batch, **kw)
    return rs.RunState.from_plan(name, plan, batch=batch, max_failures=max_failures,
                                 budget=parse_budget(max_failures, plan.selected).allowed,
                                 max_per_zone=kw.get("max_per_zone"), baselines={"PowerEdge R650": "a" * 64},
                                 at=AT)


def store(fake, **kw):
    return rs.RunStore(fake.api, clock=lambda: AT, **kw)


def aggregate(fake, name="p1"):
    return next(a for a in fake.aggregates() if a["name"] == "osfleet-patch-" + name)


def metadata_writes(fake):
    return [w[3]["metadata"] for w in fake.writes if w[0] == "aggregate_action" and w[2] == "set_metadata"]


def test_a_new_run_is_one_aggregate_whose_metadata_is_the_run(nova_fake):
    run, new = store(nova_fake).start(planned())
    assert new and run.aggregate_id is not None
    md = aggregate(nova_fake)["metadata"]
    assert aggregate(nova_fake)["hosts"] == []  # the host lines are the targets, no membership
    assert md["osfleet_patch_batch"] == "2" and md["osfleet_patch_max_failures"] == "10%"
    assert md["osfleet_patch_budget"] == "0" and md["osfleet_patch_selected"] == "9"  # 10% of 9 rounds down
    assert md["osfleet_patch_h_compute-01"] == "1|az2|PowerEdge R650|pending"
    assert md["osfleet_patch_h_compute-99"] == "|az1|R650|skipped:under remediation"
    assert md["osfleet_patch_h_compute-03"] == "2|az2|R750 xa|pending"
    sha_key = [k for k in md if k.startswith("osfleet_patch_base_")]
    assert len(sha_key) == 1 and md[sha_key[0]] == "a" * 64 + "|PowerEdge R650"
    assert all(rs.KEY_RE.match(k) and len(v) <= 255 for k, v in md.items())


def test_the_run_reads_back_as_it_was_written(nova_fake):
    run, _new = store(nova_fake).start(planned(max_per_zone=1))
    back = store(nova_fake).load("p1")
    assert back == run
    assert back.waves() == run.waves() and 0 in back.waves() and back.waves()[0] == ["compute-02"]
    assert back.settings() == {"batch": "2", "canary": "1", "max_per_zone": "1", "max_failures": "10%"}
    assert back.baselines == {"PowerEdge R650": "a" * 64}


def test_a_resumed_run_never_repeats_a_done_host_and_continues_an_in_flight_one_from_its_step(nova_fake):
    first = store(nova_fake)
    run, _new = first.start(planned())
    canary = run.waves()[0][0]
    run = first.save(run.with_state(rs.RUNNING).mark(canary, rs.DONE))
    wave1 = run.waves()[1]
    run = first.save(run.mark(wave1[0], rs.DONE).mark(wave1[1], rs.IN_FLIGHT, "apply_firmware"))
    # the run is killed here; the next one reads the aggregate again
    again, new = store(nova_fake).start(planned())
    assert not new and again.state == rs.RUNNING
    assert again.current_wave() == 1
    assert again.next_hosts() == [(wave1[1], "apply_firmware")]
    done = store(nova_fake).save(again.mark(wave1[1], rs.DONE))
    assert done.current_wave() == 2
    assert all(again.hosts[h].status != rs.DONE for h, _step in done.next_hosts())
    with pytest.raises(ConflictError, match="is done in patch run p1; a done host is never patched again"):
        done.mark(canary, rs.IN_FLIGHT, "drain")


def test_failed_and_skipped_hosts_are_not_offered_again_and_a_finished_run_has_no_next_host(nova_fake):
    run, _new = store(nova_fake).start(planned(batch=8))
    canary = run.waves()[0][0]
    run = run.mark(canary, rs.FAILED, "post-check: nova-compute down")
    assert run.current_wave() == 1 and canary not in [h for h, _step in run.next_hosts()]
    while run.next_hosts():
        for host, _step in run.next_hosts():
            run = run.mark(host, rs.DONE)
    assert run.current_wave() is None and run.next_hosts() == []
    assert run.progress() == {"failed": 1, "done": 7, "skipped": 1}
    assert run.with_status(rs.FAILED) == [canary]


def test_a_save_writes_only_the_keys_that_changed(nova_fake):
    st = store(nova_fake)
    run, _new = st.start(planned())
    count = len(metadata_writes(nova_fake))
    run = st.save(run.mark("compute-01", rs.IN_FLIGHT, "drain"))
    assert metadata_writes(nova_fake)[count:] == [{"osfleet_patch_h_compute-01": "1|az2|PowerEdge R650|"
                                                   "in_flight:drain",
                                                   "osfleet_patch_updated_at": "2026-12-04T12:00:00Z"}]
    st.save(run)  # nothing changed: nothing written
    assert len(metadata_writes(nova_fake)) == count + 1
    st.save(run.with_state(rs.STOPPED, "3rd failure, budget 2"))
    assert metadata_writes(nova_fake)[-1]["osfleet_patch_state"] == "stopped"
    assert metadata_writes(nova_fake)[-1]["osfleet_patch_stop_reason"] == "3rd failure, budget 2"


def test_a_long_reason_is_cut_to_nova_s_255_characters_and_the_status_word_survives(nova_fake):
    st = store(nova_fake)
    run, _new = st.start(planned())
    st.save(run.mark("compute-04", rs.FAILED, "x" * 400).with_state(rs.STOPPED, "y" * 300))
    md = aggregate(nova_fake)["metadata"]
    assert len(md["osfleet_patch_h_compute-04"]) == 255 and len(md["osfleet_patch_stop_reason"]) == 255
    back = store(nova_fake).load("p1")
    assert back.hosts["compute-04"].status == rs.FAILED and back.hosts["compute-04"].detail.startswith("xxx")


def test_a_run_resumed_with_other_settings_is_refused_naming_the_setting(nova_fake):
    store(nova_fake).start(planned())
    with pytest.raises(ConflictError, match="was started with batch=2; resume it with the same settings") as err:
        store(nova_fake).start(planned(batch="50%"))
    assert err.value.field == "batch"


def test_check_mode_writes_nothing(nova_fake):
    st = store(nova_fake, check_mode=True)
    run, new = st.start(planned())
    made = [a for a in nova_fake.aggregates() if a["name"].startswith("osfleet-patch-")]
    assert new and run.aggregate_id is None and not made
    assert st.writes and "osfleet_patch_h_compute-01" in st.writes[0]["keys"]
    with pytest.raises(NotFoundError, match="no patch run 'p1' \\(no host aggregate osfleet-patch-p1\\)"):
        st.load("p1")


@pytest.mark.parametrize("change, field", [
    (lambda r: r.mark("compute-01", rs.IN_FLIGHT, "Apply Firmware!"), "step"),
    (lambda r: r.mark("compute-01", rs.FAILED), "reason"),
    (lambda r: r.mark("compute-01", "rebooting"), "status"),
    (lambda r: r.mark("compute-77", rs.DONE), "host"),
    (lambda r: r.with_state("paused"), "state"),
])
def test_bad_changes_are_refused_naming_the_field(change, field):
    with pytest.raises((ValidationError, NotFoundError)) as err:
        change(planned())
    assert err.value.field == field


def test_names_that_cannot_be_nova_keys_or_values_are_refused():
    with pytest.raises(ValidationError, match="run 'p/1'"):
        planned(name="p/1")
    plan = plan_waves([Target("compute-01", "az1"), Target("bad/host", "az1")], batch=1)
    with pytest.raises(ValidationError, match="'bad/host' cannot name a Nova metadata key") as err:
        rs.RunState.from_plan("p2", plan, batch=1, max_failures=0, budget=0)
    assert err.value.field == "hosts"
    plan = plan_waves([Target("compute-01", "az1", "m" * 81)], batch=1)
    with pytest.raises(ValidationError, match="longer than 80 characters"):
        rs.RunState.from_plan("p2", plan, batch=1, max_failures=0, budget=0)
    plan = plan_waves([Target("compute-01", "az1", "R750|xa")], batch=1)
    with pytest.raises(ValidationError, match="zone or model has a '|'"):
        rs.RunState.from_plan("p2", plan, batch=1, max_failures=0, budget=0)


def test_a_host_line_tolerates_what_someone_else_wrote():
    assert rs.HostState.decode("h", "x|az|m|rebooting") == rs.HostState("h", None, "az", "m", rs.PENDING, "")
    assert rs.HostState.decode("h", "") == rs.HostState("h", None)
    rec = rs.HostState.decode("h", "2|az|m|failed:a|b: c")
    assert (rec.wave, rec.status, rec.detail) == (2, rs.FAILED, "a|b: c")
