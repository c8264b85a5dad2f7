# -*- coding: utf-8 -*-
"""The window record and the owners' answers: validation, the aggregate round trip, resolve_action."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model as mm
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.marks import maintenance_window

T0 = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)


def window(**kw):
    base = dict(name="chg-4711", hosts=("compute-07",), start_at=T0 + timedelta(hours=10),
                end_at=T0 + timedelta(hours=14), reply_deadline=T0, reason="CHG-4711 BIOS")
    base.update(kw)
    return mm.Window(**base)


def notice(answer=None, policy=None, **md):
    metadata = dict(md)
    if answer is not None:
        metadata[mm.S_ANSWER] = answer
    if policy is not None:
        metadata[mm.S_POLICY] = policy
    return mm.ServerNotice(id="s1", name="web-1", project_id="tenant-a", status="ACTIVE", task_state=None,
                           host="compute-07", metadata=metadata)


# -- validation ----------------------------------------------------------------------------------

@pytest.mark.parametrize("changes, field, words", [
    (dict(name=""), "name", "1-60 letters"),
    (dict(name="-leading-dash"), "name", "starting with a letter or digit"),
    (dict(name="has space"), "name", "1-60"),
    (dict(name="x" * 61), "name", "1-60"),
    (dict(hosts=()), "hosts", "at least one host"),
    (dict(hosts=("c1", "c2", "c1")), "hosts", "c1 listed twice"),
    (dict(state="done"), "state", "must be one of"),
    (dict(kind="forever"), "kind", "temporary, removal"),
    (dict(default_action="own_action"), "default_action", "must be one of"),
    (dict(default_action="keep", kind="removal"), "default_action", "removed for good"),
    (dict(default_action="shutdown", kind="removal"), "default_action", "removed for good"),
    (dict(on_failure="retry"), "on_failure", "fail, stop, skip"),
    (dict(max_parallel=0), "max_parallel", "between 1 and 100"),
    (dict(max_parallel=101), "max_parallel", "between 1 and 100"),
    (dict(max_impacted_members=0), "max_impacted_members", "at least 1"),
    (dict(end_at=T0 + timedelta(hours=10)), "end_at", "must be after start_at"),
    (dict(reason="r" * 201), "reason", "under 200"),
])
def test_validation_names_the_field(changes, field, words):
    with pytest.raises(ValidationError) as err:
        window(**changes).validate()
    assert err.value.field == field
    assert words in err.value.message


def test_a_good_window_validates():
    window().validate()
    window(kind="removal", default_action="migrate", name="a", reply_deadline=None, start_at=None).validate()


@pytest.mark.parametrize("text, expected", [
    ("2026-12-04T22:00:00Z", datetime(2026, 12, 4, 22, tzinfo=timezone.utc)),
    ("2026-12-04T23:00:00+01:00", datetime(2026, 12, 4, 22, tzinfo=timezone.utc)),
    ("2026-12-04T22:00:00", datetime(2026, 12, 4, 22, tzinfo=timezone.utc)),  # naive means UTC
    ("2026-12-04T22:00:00.123456Z", datetime(2026, 12, 4, 22, tzinfo=timezone.utc)),
    (None, None),
    ("", None),
])
def test_parse_time(text, expected):
    assert mm.parse_time(text, "start_at") == expected


def test_parse_time_error_names_the_field():
    with pytest.raises(ValidationError) as err:
        mm.parse_time("next friday", "reply_deadline")
    assert err.value.field == "reply_deadline"
    assert "ISO 8601" in err.value.message


# -- the aggregate record -----------------------------------------------------------------------

def test_to_metadata_and_from_aggregate_round_trip():
    w = window(hosts=("compute-08", "compute-07"), kind="removal", default_action="migrate", max_parallel=7,
               max_impacted_members=2, on_failure="skip", state=mm.DRAINING, failed_reason="",
               updated_at="2026-12-04T12:00:00Z")
    md = w.to_metadata()
    assert all(isinstance(v, str) and len(v) <= 255 for v in md.values())
    assert all(k.startswith("osfleet_maint_") for k in md)
    back = mm.Window.from_aggregate({"id": 42, "name": "osfleet-maint-chg-4711", "hosts": list(w.hosts),
                                     "metadata": md})
    assert back == replace(w, hosts=("compute-07", "compute-08"), aggregate_id="42")
    assert back.settings() == dict(w.settings(), hosts=["compute-07", "compute-08"])


def test_from_aggregate_without_metadata_takes_the_name_from_the_aggregate_and_defaults():
    w = mm.Window.from_aggregate({"id": 3, "name": "osfleet-maint-rack7", "hosts": ["c2", "c1"], "metadata": {}})
    assert (w.name, w.hosts, w.state, w.kind, w.default_action, w.max_parallel, w.max_impacted_members,
            w.on_failure, w.reply_deadline) == ("rack7", ("c1", "c2"), "scheduled", "temporary", "live_migrate",
                                                4, 1, "fail", None)


def test_a_failed_reason_longer_than_nova_keeps_is_cut_to_255():
    md = window(state=mm.FAILED, failed_reason="x" * 400).to_metadata()
    assert len(md[mm.W_FAILED]) == 255


def test_settings_leave_out_the_state():
    a = window()
    b = a.with_state(mm.FAILED, "s1 could not move")
    assert b.state == "failed" and b.failed_reason == "s1 could not move" and b.updated_at
    assert a.settings() == b.settings()
    assert "state" not in a.settings() and "aggregate_id" not in a.settings()


def test_service_reason_is_read_back_as_the_window_name():
    reason = mm.service_reason("chg-4711", "CHG-4711 BIOS")
    assert reason == "osfleet-maintenance:chg-4711 CHG-4711 BIOS"
    assert maintenance_window(reason) == "chg-4711"
    assert mm.service_reason("w", "") == "osfleet-maintenance:w"
    assert len(mm.service_reason("w", "r" * 300)) == 255


def test_window_names_lists_only_our_aggregates():
    aggs = [{"name": "osfleet-maint-b"}, {"name": "az-gpu"}, {"name": "osfleet-maint-a"}]
    assert mm.window_names(aggs) == ["a", "b"]


# -- resolve_action: answer > policy > default after the deadline ------------------------------------

BEFORE, AFTER = T0 - timedelta(minutes=1), T0 + timedelta(minutes=1)


@pytest.mark.parametrize("kind, answer, policy, at, action, why", [
    ("temporary", "migrate", None, BEFORE, "migrate", "owner's answer"),
    ("temporary", "keep", "live_migrate", BEFORE, "keep", "owner's answer"),
    ("temporary", None, "shutdown", BEFORE, "shutdown", "owner's policy"),
    ("temporary", None, "own_action", AFTER, "own_action", "owner's policy"),
    ("temporary", " Live_Migrate ", None, BEFORE, "live_migrate", "owner's answer"),
    ("temporary", None, None, BEFORE, "pending", "no answer; waiting for the reply deadline 2026-12-04T12:00:00Z"),
    ("temporary", None, None, AFTER, "live_migrate", "no answer; window default"),
    ("temporary", None, None, T0, "live_migrate", "no answer; window default"),  # the deadline itself has passed
    ("removal", "keep", None, BEFORE, "pending", "answer keep is not possible: the host is removed for good"),
    ("removal", "keep", None, AFTER, "live_migrate", "answer keep is not possible"),
    ("removal", None, "keep", AFTER, "live_migrate", "policy keep is not possible"),
    ("removal", "shutdown", None, BEFORE, "shutdown", "owner's answer"),
    ("temporary", "yes please", None, AFTER, "live_migrate",
     "answer 'yes please' is not one of migrate, live_migrate, keep, shutdown, own_action; window default"),
    ("temporary", None, "evacuate", BEFORE, "pending", "policy 'evacuate' is not one of"),
])
def test_resolve_action(kind, answer, policy, at, action, why):
    got, reason = mm.resolve_action(window(kind=kind), notice(answer, policy), at)
    assert got == action
    assert why in reason


def test_without_a_reply_deadline_owners_are_not_waited_for():
    assert mm.resolve_action(window(reply_deadline=None), notice(), BEFORE) == (
        "live_migrate", "no answer; window default")


def test_the_default_action_is_the_windows():
    assert mm.resolve_action(window(default_action="shutdown"), notice(), AFTER)[0] == "shutdown"


# -- the notice ---------------------------------------------------------------------------------------

def test_notice_metadata_tells_the_owner_times_kind_action_and_status():
    md = mm.notice_metadata(window(kind="removal", default_action="migrate"), notice(), "migrate", mm.PENDING,
                            "d" * 300)
    assert md == {
        "osfleet_maint_window": "chg-4711",
        "osfleet_maint_start_at": "2026-12-04T22:00:00Z", "osfleet_maint_end_at": "2026-12-05T02:00:00Z",
        "osfleet_maint_kind": "removal", "osfleet_maint_reply_by": "2026-12-04T12:00:00Z",
        "osfleet_maint_action": "migrate", "osfleet_maint_status": "pending", "osfleet_maint_detail": "d" * 255}
    assert mm.S_ANSWER not in md and mm.S_POLICY not in md  # the owner's keys are never written by the window


def test_notice_never_names_the_host():
    # Nova hides host names from owners; the window's own record (admin only) keeps them
    md = mm.notice_metadata(window(), notice(), "live_migrate", mm.MOVED)
    assert "compute-07" not in json.dumps(md)
