# -*- coding: utf-8 -*-
"""The record in the cloud: metadata round trip, a new cycle, what a save writes, check mode, the kill switch.

The Store runs over the access layer's real Nova facade, with conftest's FakeNova behind stubbed HTTP.
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._remediation import record as rr

AT = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)
FULL = rr.Record(host="compute-01", state="held", runbook="compute_down", rules=("NOVA-16", "HW-13"),
                 alerts=("OsfleetNovaComputeDown",), step=2, attempts=1, detected_at="2026-12-04T11:00:00Z",
                 confirmed_at="2026-12-04T11:00:30Z", updated_at="2026-12-04T11:05:00Z", reason="a, b: c",
                 ticket="OPS-1", actor="alice", note="looked at it", window="remed-compute-01-1",
                 prior="disabled:old reason", out_by_us=True, approved=1,
                 history=("2026-12-04T11:00:30Z", "2026-12-04T09:00:00Z"), aggregate_id="7")


def agg_of(rec, name=None):
    return {"id": rec.aggregate_id, "name": name or rr.AGGREGATE_PREFIX + rec.host, "metadata": rec.to_metadata()}


def t(minutes_ago):
    return rr.format_time(AT - timedelta(minutes=minutes_ago))


def meta(fake, host="compute-01"):
    return next(a for a in fake.aggregates() if a["name"] == rr.AGGREGATE_PREFIX + host)


def metadata_writes(fake):
    return [w[3]["metadata"] for w in fake.writes if w[0] == "aggregate_action" and w[2] == "set_metadata"]


# -- the metadata ----------------------------------------------------------------------------------------------

def test_round_trip_keeps_every_field():
    md = FULL.to_metadata()
    assert all(k.startswith("osfleet_remed_") for k in md) and all(isinstance(v, str) for v in md.values())
    assert md["osfleet_remed_rules"] == "NOVA-16,HW-13" and md["osfleet_remed_out_by_us"] == "1"
    assert rr.Record.from_aggregate(agg_of(FULL)) == FULL


def test_round_trip_of_empty_values_and_false():
    rec = rr.Record("compute-02", aggregate_id="3")
    md = rec.to_metadata()
    assert md["osfleet_remed_out_by_us"] == "" and md["osfleet_remed_approved"] == "-1"
    assert md["osfleet_remed_rules"] == "" and md["osfleet_remed_history"] == ""
    back = rr.Record.from_aggregate(agg_of(rec))
    assert back == rec and back.rules == () and back.out_by_us is False and back.approved == -1


def test_every_value_is_capped_at_255_characters():
    rec = replace(FULL, reason="x" * 400, note="n" * 300)
    md = rec.to_metadata()
    assert len(md["osfleet_remed_reason"]) == 255 and len(md["osfleet_remed_note"]) == 255
    back = rr.Record.from_aggregate(agg_of(rec))
    assert back.reason == "x" * 255 and back.note == "n" * 255


def test_lists_keep_whole_items_within_255_characters():
    rules = tuple("NOVA-%d" % i for i in range(100, 150))  # 50 rule ids, 449 characters joined
    md = replace(FULL, rules=rules, alerts=tuple("OsfleetAlertNumber%02d" % i for i in range(20))).to_metadata()
    assert len(md["osfleet_remed_rules"]) <= 255 and len(md["osfleet_remed_alerts"]) <= 255
    back = rr.Record.from_aggregate(agg_of(replace(FULL, rules=rules)))
    assert back.rules == rules[:len(back.rules)] and len(back.rules) > 20  # no id cut short
    assert all(a.startswith("OsfleetAlertNumber") and len(a) == 20
               for a in md["osfleet_remed_alerts"].split(","))


def test_from_aggregate_tolerates_missing_and_bad_values():
    rec = rr.Record.from_aggregate({"id": 9, "name": "osfleet-remed-compute-09",
                                    "metadata": {"osfleet_remed_step": "two", "osfleet_remed_approved": ""}})
    assert rec.host == "compute-09" and rec.state == rr.DETECTED and rec.step == 0 and rec.approved == -1
    assert rec.aggregate_id == "9"
    assert rr.Record.from_aggregate({"name": "osfleet-remed-x"}).aggregate_id is None


def test_open_states():
    assert [s for s in rr.OPEN + rr.CLOSED + (rr.HELD,) if rr.Record("h", state=s).open] == list(rr.OPEN)


def test_times():
    assert rr.parse_time(rr.format_time(AT)) == AT
    assert rr.parse_time("") is None and rr.parse_time("yesterday") is None
    assert rr.format_time(None) == ""


def test_service_reason():
    assert rr.service_reason("held", "compute_down", "why") == "osfleet-remediation:held compute_down why"
    assert rr.service_reason("out_of_pool") == "osfleet-remediation:out_of_pool -"
    assert len(rr.service_reason("held", "r", "w" * 400)) == 255


def test_new_cycle_keeps_a_days_history_only():
    old = replace(FULL, history=(t(60 * 25), t(60 * 23), t(30)), state="returned")
    fresh = old.new_cycle(AT)
    assert fresh.history == (t(60 * 23), t(30))
    assert fresh.aggregate_id == "7" and fresh.host == "compute-01"
    assert (fresh.state, fresh.runbook, fresh.rules, fresh.step, fresh.reason, fresh.prior, fresh.out_by_us,
            fresh.window, fresh.approved) == (rr.DETECTED, "", (), 0, "", "", False, "", -1)
    assert fresh.detected_at == fresh.updated_at == rr.format_time(AT)
    many = replace(FULL, history=tuple(t(m) for m in range(20, 0, -1))).new_cycle(AT)
    assert len(many.history) == 10 and many.history[-1] == t(1)
    assert len(many.to_metadata()["osfleet_remed_history"]) <= 255


def test_started_within():
    rec = replace(FULL, history=(t(10), t(100), "bad"))
    assert rec.started_within(AT, timedelta(minutes=30)) == [AT - timedelta(minutes=10)]


# -- the store over Nova -----------------------------------------------------------------------------------------

def test_the_first_save_creates_the_aggregate_with_the_host_and_every_key(nova_fake):
    store = rr.Store(nova_fake.api)
    saved = store.save(rr.Record("compute-01", state=rr.DETECTED, runbook="compute_down", rules=("NOVA-16",)))
    agg = meta(nova_fake)
    assert agg["hosts"] == ["compute-01"] and saved.aggregate_id == agg["id"]
    assert agg["metadata"]["osfleet_remed_state"] == "detected"
    assert agg["metadata"]["osfleet_remed_rules"] == "NOVA-16"
    assert set(agg["metadata"]) == set(saved.to_metadata())
    # what the run reports: the keys with a value (the empty ones are written too, so a later save compares)
    assert store.writes[-1]["keys"] == sorted(k for k, v in saved.to_metadata().items() if v)
    assert store.get("compute-01") == saved


def test_a_save_writes_only_what_changed_since_the_last_read_or_write(nova_fake):
    store = rr.Store(nova_fake.api)
    first = store.save(rr.Record("compute-01", runbook="compute_down"))
    n = len(metadata_writes(nova_fake))
    second = store.save(replace(first, state=rr.CONFIRMED, confirmed_at="2026-12-04T12:00:00Z"))
    assert metadata_writes(nova_fake)[n:] == [{"osfleet_remed_confirmed_at": "2026-12-04T12:00:00Z",
                                               "osfleet_remed_state": "confirmed"}]
    store.save(second)  # nothing changed: nothing written
    assert len(metadata_writes(nova_fake)) == n + 1 and store.writes[-1]["keys"] == []
    # a second store (another run) compares with what it read, not with what the first one wrote
    other = rr.Store(nova_fake.api)
    rec = other.get("compute-01")
    other.save(replace(rec, state=rr.OUT_OF_POOL, prior="enabled", out_by_us=True))
    assert metadata_writes(nova_fake)[-1] == {"osfleet_remed_state": "out_of_pool", "osfleet_remed_prior": "enabled",
                                              "osfleet_remed_out_by_us": "1"}
    assert rr.Record.from_aggregate(meta(nova_fake)).prior == "enabled"


def test_a_save_of_a_record_modified_before_it_was_saved_still_writes_the_change(nova_fake):
    """The lead's bug: the save compared with an already-modified record and wrote nothing. A record read,
    modified (``replace``) twice and saved writes both changes, compared with what was read."""
    store = rr.Store(nova_fake.api)
    store.save(rr.Record("compute-01", runbook="compute_down", state=rr.FIXING))
    run = rr.Store(nova_fake.api)
    rec = run.get("compute-01")
    moved = replace(replace(rec, prior="disabled:theirs"), state=rr.VERIFYING)
    run.save(moved)
    back = rr.Record.from_aggregate(meta(nova_fake))
    assert back.state == rr.VERIFYING and back.prior == "disabled:theirs"


def test_clearing_a_value_writes_it_empty(nova_fake):
    store = rr.Store(nova_fake.api)
    rec = store.save(rr.Record("compute-01", reason="broken", state=rr.HELD))
    store.save(rr.Record("compute-01", aggregate_id=rec.aggregate_id).new_cycle(AT))
    back = rr.Record.from_aggregate(meta(nova_fake))
    assert back.reason == "" and back.state == rr.DETECTED


def test_records_lists_only_ours(nova_fake):
    nova_fake.create_aggregate("osfleet-maint-w1")
    nova_fake.create_aggregate(rr.CONTROL_AGGREGATE)
    store = rr.Store(nova_fake.api)
    store.save(rr.Record("compute-01"))
    store.save(rr.Record("compute-02", state=rr.HELD))
    assert sorted(rr.Store(nova_fake.api).records()) == ["compute-01", "compute-02"]
    assert rr.Store(nova_fake.api).get("compute-03") is None


def test_a_host_nova_refuses_in_the_aggregate_still_gets_its_record(nova_fake):
    class Refusing:
        def __init__(self, api):
            self.api = api

        def __getattr__(self, name):
            return getattr(self.api, name)

        def add_aggregate_host(self, aggregate_id, host):
            raise RuntimeError("HTTP 404: compute host compute-07 could not be found")

    rec = rr.Store(Refusing(nova_fake.api)).save(rr.Record("compute-07", state=rr.HELD))
    assert rec.aggregate_id is not None
    assert rr.Store(nova_fake.api).get("compute-07").state == rr.HELD


def test_check_mode_writes_nothing(nova_fake):
    store = rr.Store(nova_fake.api, check_mode=True)
    rec = store.save(rr.Record("compute-01", state=rr.CONFIRMED))
    assert rec.aggregate_id is None and nova_fake.writes == [] and nova_fake.aggregates() == []
    assert store.writes == [{"host": "compute-01", "state": "confirmed",
                             "keys": sorted(k for k, v in rec.to_metadata().items() if v)}]
    assert store.set_stopped("stop | alice | now") is True
    assert nova_fake.writes == []


# -- the kill switch ---------------------------------------------------------------------------------------------

def test_the_kill_switch_is_set_and_lifted_idempotently(nova_fake):
    store = rr.Store(nova_fake.api)
    assert store.stopped() is None
    assert store.set_stopped(None) is False and nova_fake.writes == []
    assert store.set_stopped("incident 42 | alice | 2026-12-04T12:00:00Z") is True
    assert store.stopped() == "incident 42 | alice | 2026-12-04T12:00:00Z"
    n = len(nova_fake.writes)
    assert store.set_stopped("incident 42 | alice | 2026-12-04T12:00:00Z") is False
    assert len(nova_fake.writes) == n
    assert store.set_stopped(None) is True and store.stopped() is None
    assert store.set_stopped(None) is False
    assert store.set_stopped("again | bob | later") is True  # the control aggregate is reused, not created twice
    assert [w for w in nova_fake.writes if w[0] == "create_aggregate"] == [("create_aggregate", rr.CONTROL_AGGREGATE)]
    control = next(a for a in nova_fake.aggregates() if a["name"] == rr.CONTROL_AGGREGATE)
    assert "osfleet_remed_stopped" in control["metadata"]


def test_the_kill_switch_words_are_capped(nova_fake):
    store = rr.Store(nova_fake.api)
    assert store.set_stopped("w" * 300) is True
    assert store.stopped() == "w" * 255


@pytest.mark.parametrize("words", ["", None])
def test_lifting_a_switch_that_was_never_set_changes_nothing(nova_fake, words):
    assert rr.Store(nova_fake.api).set_stopped(words) is False
