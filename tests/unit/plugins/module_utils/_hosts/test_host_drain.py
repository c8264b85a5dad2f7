# -*- coding: utf-8 -*-
"""The drain engine against a Nova in memory served over stubbed HTTP (the real access layer and the SDK under it):
parallelism, group limits, verification, failure policies, resume."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hosts import drain as hd
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova import (
    FakeClock,
    FakeNova,
    add_compute_services,
)

SOURCE = "compute-01"


@pytest.fixture
def nova(nova_cloud):
    """The FakeNova (to set up and to look at), with ``api``: the access layer's Nova driving it over HTTP."""
    fake = FakeNova()
    fake.api = nova_cloud(fake).nova
    return fake


@pytest.fixture
def clock():
    return FakeClock()


def servers(nova, count, **kw):
    return [nova.add_server("s%02d" % i, **kw)["id"] for i in range(1, count + 1)]


def drain(nova, clock, actions=None, on_change=None, groups=None, deadline=None, **options):
    """Drain SOURCE: every server with its auto action (or the one in ``actions``)."""
    options.setdefault("poll_interval", 2.0)
    items = []
    for server in nova.api.servers_on_host(SOURCE):
        action = (actions or {}).get(server.id) or hd.auto_action(server)
        items.append(hd.item_from_server(server, action, options.get("on_failure", "fail")))
    items.sort(key=lambda i: i.id)
    engine = hd.HostDrain(nova.api, items, hd.DrainOptions(**options),
                          groups=nova.api.server_group_members() if groups is None else groups,
                          on_change=on_change, clock=clock, sleep=clock.sleep)
    engine.run(deadline=deadline)
    return engine, {i.id: i for i in items}


def test_every_server_moved_and_verified(nova, clock):
    ids = servers(nova, 5)
    _engine, items = drain(nova, clock, max_parallel=2)
    assert nova.on(SOURCE) == []
    for sid in ids:
        item = items[sid]
        assert item.status == "moved", item
        assert item.new_host == nova.host_of(sid) != SOURCE
        assert item.detail == "live-migrated to %s" % item.new_host
        assert nova.migrations(sid)[0]["status"] == "completed"
        assert item.migration_id == str(nova.api.migrations(sid)[0].id)
        assert item.seconds is not None and item.seconds > 0
        assert nova.raw(sid)["status"] == "ACTIVE" and nova.raw(sid)["OS-EXT-STS:task_state"] is None
    assert list(nova.actions) == [("live", sid) for sid in ids]  # each server moved once


@pytest.mark.parametrize("max_parallel", [1, 3, 8])
def test_max_parallel_is_never_exceeded(nova, clock, max_parallel):
    servers(nova, 8)
    _engine, items = drain(nova, clock, max_parallel=max_parallel)
    assert {i.status for i in items.values()} == {"moved"}
    assert nova.peak == max_parallel  # used to the full, never beyond


@pytest.mark.parametrize("limit", [1, 2])
def test_max_impacted_members_per_server_group(nova, clock, limit):
    for i in range(4):
        nova.add_server("db-%d" % i, groups=["g-db"])
    for i in range(3):
        nova.add_server("web-%d" % i, groups=["g-web"])
    nova.add_server("both", groups=["g-db", "g-web"])
    nova.add_server("loner")
    _engine, items = drain(nova, clock, max_parallel=10, max_impacted_members=limit)
    assert {i.status for i in items.values()} == {"moved"}
    assert nova.group_peak == {"g-db": limit, "g-web": limit}
    assert nova.peak <= 2 * limit + 1


def test_stopped_servers_are_cold_migrated_and_confirmed_keeping_their_power_state(nova, clock):
    nova.add_server("off", status="SHUTOFF")
    nova.add_server("off-live", status="SHUTOFF")
    nova.add_server("on-cold")
    _engine, items = drain(nova, clock, actions={"off-live": "live_migrate", "on-cold": "migrate"})
    assert items["off"].action == "migrate"
    assert items["off-live"].action == "live_migrate"
    for sid, power in (("off", "SHUTOFF"), ("off-live", "SHUTOFF"), ("on-cold", "ACTIVE")):
        assert items[sid].status == "moved", items[sid]
        assert items[sid].detail.startswith("migrated to ")
        assert nova.raw(sid)["status"] == power
        assert nova.host_of(sid) != SOURCE
        assert nova.migrations(sid)[0]["status"] == "confirmed"
        assert ("cold", sid) in nova.actions and ("live", sid) not in nova.actions
    assert {w[1] for w in nova.writes if w[0] == "confirm_resize"} == {"off", "off-live", "on-cold"}


def test_a_cold_migration_is_confirmed_once_and_waited_for(nova, clock):
    nova.add_server("s1", status="SHUTOFF")
    nova.confirm_looks = 4  # Nova takes a while to finish the confirmation; a second confirm would get HTTP 400
    _engine, items = drain(nova, clock)
    assert items["s1"].status == "moved", items["s1"]
    assert [w for w in nova.writes if w[0] == "confirm_resize"] == [("confirm_resize", "s1")]
    assert nova.raw("s1")["status"] == "SHUTOFF" and nova.migrations("s1")[0]["status"] == "confirmed"


def test_a_resumed_run_finds_a_confirmation_under_way_and_waits_for_it(nova, clock):
    nova.add_server("s1", status="SHUTOFF")
    nova.confirm_looks = 4
    nova.cold_migrate("s1")  # a killed earlier run migrated it and sent the confirmation
    while nova.raw("s1")["status"] != "VERIFY_RESIZE":
        nova.server("s1")
    nova.confirm_resize("s1")
    item = hd.item_from_server(nova.api.get_server("s1"), "migrate")
    item.source_host = SOURCE  # where the window's record says it was
    item.status, item.started = "in_progress", clock()  # what a window makes of its record's in_progress
    hd.HostDrain(nova.api, [item], hd.DrainOptions(), clock=clock, sleep=clock.sleep).run()
    assert item.status == "moved", item
    assert nova.migrations("s1")[0]["status"] == "confirmed"


def test_a_confirmation_that_never_finishes_times_out(nova, clock):
    nova.add_server("s1", status="SHUTOFF")
    nova.behaviour["s1"] = "confirm_stuck"
    nova.max_looks = 500
    _engine, items = drain(nova, clock, migration_timeout=60, poll_interval=2, on_failure="skip")
    assert items["s1"].status == "skipped"
    assert "after 60 s" in items["s1"].detail


def test_a_move_counts_only_when_its_migration_record_is_completed(nova, clock):
    nova.add_server("s1")
    nova.lag["s1"] = 4  # landed, but Nova still says post-migrating for four more looks
    seen = []

    def on_change(item):
        seen.append((item.status, nova.migrations(item.id)[0]["status"]))

    _engine, items = drain(nova, clock, on_change=on_change)
    assert items["s1"].status == "moved"
    assert seen == [("in_progress", "running"), ("moved", "completed")]


def test_failure_fail_stops_starting_new_moves_and_accounts_for_every_server(nova, clock):
    ids = servers(nova, 6)
    nova.behaviour["s03"] = "error"  # the migration ends in error; the server stays on its source
    engine, items = drain(nova, clock, max_parallel=2)
    status = {sid: items[sid].status for sid in ids}
    assert status == {"s01": "moved", "s02": "moved", "s03": "failed", "s04": "moved",
                      "s05": "pending", "s06": "pending"}
    # s04 was already in flight when s03 failed: it is finished, not abandoned; s05 and s06 never started
    assert ("live", "s05") not in nova.actions and ("live", "s06") not in nova.actions
    assert nova.host_of("s03") == SOURCE and nova.raw("s03")["status"] == "ACTIVE"
    assert "s03" in engine.stopped_starting and "error" in engine.stopped_starting
    assert items["s03"].detail.startswith("migration ") and "error; the server is still on compute-01" in \
        items["s03"].detail
    assert items["s03"].migration_id == str(nova.migrations("s03")[0]["id"])
    assert hd.summarize(list(items.values())) == {"moved": 3, "failed": 1, "pending": 2}


def test_failure_skip_leaves_the_server_and_carries_on(nova, clock):
    ids = servers(nova, 4)
    nova.behaviour["s02"] = "error"
    _engine, items = drain(nova, clock, on_failure="skip", max_parallel=1)
    assert {sid: items[sid].status for sid in ids} == {"s01": "moved", "s02": "skipped", "s03": "moved",
                                                       "s04": "moved"}
    assert "on_failure=skip" in items["s02"].detail
    assert nova.on(SOURCE) == ["s02"] and nova.raw("s02")["status"] == "ACTIVE"


def test_failure_stop_stops_the_server_in_place_and_carries_on(nova, clock):
    ids = servers(nova, 4)
    nova.behaviour["s02"] = "error"
    _engine, items = drain(nova, clock, on_failure="stop", max_parallel=1)
    assert {sid: items[sid].status for sid in ids} == {"s01": "moved", "s02": "stopped", "s03": "moved",
                                                       "s04": "moved"}
    assert items["s02"].detail.startswith("could not move (migration ")
    assert nova.on(SOURCE) == ["s02"] and nova.raw("s02")["status"] == "SHUTOFF"


def test_error_server_is_not_attempted_and_fails_with_its_status(nova, clock):
    nova.add_server("bad", status="ERROR")
    nova.add_server("good")
    _engine, items = drain(nova, clock, max_parallel=1)
    assert items["bad"].status == "failed"
    assert items["bad"].detail == "cannot live migrate a server in status ERROR"
    assert ("live", "bad") not in nova.actions
    # fail: nothing after it starts ("bad" sorts first)
    assert items["good"].status == "pending" and nova.actions == []


def test_error_server_with_on_failure_stop_whose_stop_is_refused_fails(nova, clock):
    nova.add_server("bad", status="ERROR")
    _engine, items = drain(nova, clock, on_failure="stop")
    assert items["bad"].status == "failed"
    assert "the stop failed too" in items["bad"].detail and "409" in items["bad"].detail


def test_nova_refusing_the_action_is_a_failure_naming_novas_reason(nova, clock):
    nova.add_server("s1")
    nova.behaviour["s1"] = "refuse"
    _engine, items = drain(nova, clock, on_failure="skip")
    assert items["s1"].status == "skipped"
    assert "Nova refused to live migrate" in items["s1"].detail and "HTTP 409" in items["s1"].detail


def test_a_refused_move_that_nova_is_already_making_is_watched_not_failed(nova, clock):
    """A killed run's request still in flight: our second request loses the race inside Nova (HTTP 500)."""
    nova.add_server("s1")
    nova.add_server("s2")
    nova.behaviour["s1"] = "race"
    _engine, items = drain(nova, clock)
    assert items["s1"].status == "moved" and items["s2"].status == "moved"
    assert items["s1"].new_host == nova.host_of("s1") != SOURCE
    assert len(nova.migrations("s1")) == 1 and nova.migrations("s1")[0]["status"] == "completed"


def test_a_move_that_never_ends_times_out(nova, clock):
    nova.add_server("s1")
    nova.add_server("s2")
    nova.behaviour["s1"] = "stuck"
    _engine, items = drain(nova, clock, migration_timeout=30, poll_interval=2, on_failure="skip")
    assert items["s1"].status == "skipped"
    assert "still migrating after 30 s" in items["s1"].detail
    assert 30 < items["s1"].seconds <= 34
    assert items["s2"].status == "moved"


@pytest.mark.parametrize("lag, on_host", [(10 ** 6, False), (0, True)])
def test_a_migration_record_that_never_finishes_times_out_instead_of_hanging(nova, clock, lag, on_host):
    nova.add_server("s1")
    nova.max_looks = 500
    if on_host:  # the record stays "running" though Nova cleared the task state: the server never left
        nova.behaviour["s1"] = "limbo"
    else:  # the server landed, the record stays "post-migrating"
        nova.lag["s1"] = lag
    _engine, items = drain(nova, clock, migration_timeout=60, poll_interval=2)
    assert items["s1"].status == "failed"
    assert "after 60 s" in items["s1"].detail and items["s1"].seconds <= 64
    assert ("post-migrating" if not on_host else "running") in items["s1"].detail


def test_a_resumed_run_watches_a_migration_already_under_way_instead_of_issuing_it_again(nova, clock):
    ids = servers(nova, 3)
    nova.live_migrate("s01")   # a killed earlier run started these two
    nova.cold_migrate("s02")
    nova.raw("s02")["OS-EXT-STS:task_state"] = "resize_migrating"
    nova.actions.clear()
    _engine, items = drain(nova, clock, max_parallel=1)
    assert {sid: items[sid].status for sid in ids} == {"s01": "moved", "s02": "moved", "s03": "moved"}
    assert nova.actions == [("live", "s03")]
    assert items["s01"].detail == "live-migrated to %s" % nova.host_of("s01")
    assert items["s02"].detail == "migrated to %s" % nova.host_of("s02")
    assert nova.raw("s02")["status"] == "ACTIVE" and nova.migrations("s02")[0]["status"] == "confirmed"


def test_a_resumed_run_waits_for_a_stop_already_under_way(nova, clock):
    nova.add_server("s1")
    nova.stop("s1")  # a killed earlier run asked for it (answer: shutdown)
    nova.actions.clear()
    _engine, items = drain(nova, clock, actions={"s1": "shutdown"})
    assert items["s1"].status == "shut_down" and nova.raw("s1")["status"] == "SHUTOFF"
    assert nova.actions == []


def test_a_server_already_gone_from_the_host_counts_as_moved_without_an_action(nova, clock):
    nova.add_server("s1")
    server = nova.api.servers_on_host(SOURCE)[0]
    item = hd.item_from_server(server, "live_migrate")
    nova.raw("s1")["OS-EXT-SRV-ATTR:host"] = "compute-02"  # moved by someone else meanwhile
    hd.HostDrain(nova.api, [item], hd.DrainOptions(), clock=clock, sleep=clock.sleep).run()
    assert item.status == "moved" and item.new_host == "compute-02" and nova.actions == []


def test_a_server_deleted_during_its_move_is_gone(nova, clock):
    nova.add_server("s1")
    nova.add_server("s2")

    def on_change(item):
        if item.id == "s1" and item.status == "in_progress":
            nova.delete("s1")

    _engine, items = drain(nova, clock, on_change=on_change)
    assert items["s1"].status == "gone" and items["s2"].status == "moved"


def test_a_server_deleted_between_the_look_and_the_action_is_gone_not_a_crash(nova, clock):
    nova.add_server("s1")
    nova.add_server("s2")
    real = nova.live_migrate

    def live_migrate(sid, host=None):
        if sid == "s1":
            nova.delete("s1")
        return real(sid, host)

    nova.live_migrate = live_migrate
    _engine, items = drain(nova, clock)
    assert items["s1"].status == "gone"
    assert items["s2"].status == "moved"


def test_keep_shutdown_and_shutdown_move(nova, clock):
    for sid in ("kept", "down", "down-move", "already-off"):
        nova.add_server(sid, status="SHUTOFF" if sid == "already-off" else "ACTIVE")
    _engine, items = drain(nova, clock, actions={"kept": "keep", "down": "shutdown", "down-move": "shutdown_move",
                                                 "already-off": "shutdown"})
    assert items["kept"].status == "kept" and nova.raw("kept")["status"] == "ACTIVE"
    assert items["down"].status == "shut_down" and nova.raw("down")["status"] == "SHUTOFF"
    # already off: left as it is, and not "shut down" (a window would start it again at the end)
    assert items["already-off"].status == "kept" and items["already-off"].detail == "already stopped: left as it is"
    assert items["down-move"].status == "moved"
    assert nova.raw("down-move")["status"] == "SHUTOFF" and nova.host_of("down-move") != SOURCE
    assert sorted(nova.on(SOURCE)) == ["already-off", "down", "kept"]
    assert ("live", "kept") not in nova.actions and ("stop", "already-off") not in nova.actions


def test_run_returns_at_the_deadline_with_moves_still_under_way(nova, clock):
    servers(nova, 4)
    nova.looks = 50
    _engine, items = drain(nova, clock, max_parallel=2, deadline=clock() + 10)
    assert clock() >= 1010
    assert hd.summarize(list(items.values())) == {"in_progress": 2, "pending": 2}


@pytest.mark.parametrize("options, field", [
    (dict(max_parallel=0), "max_parallel"),
    (dict(max_parallel=101), "max_parallel"),
    (dict(max_impacted_members=0), "max_impacted_members"),
    (dict(on_failure="ignore"), "on_failure"),
    (dict(migration_timeout=0), "migration_timeout"),
])
def test_options_are_validated_naming_the_field(options, field):
    with pytest.raises(ValidationError) as err:
        hd.DrainOptions(**options).validate()
    assert err.value.field == field


def test_unknown_action_names_the_field(nova):
    with pytest.raises(ValidationError) as err:
        nova.add_server("s1")
        hd.item_from_server(nova.api.get_server("s1"), "evacuate")
    assert err.value.field == "action"


# -- drain_host: the service, keep, check mode, second run ------------------------------------------------------

@pytest.fixture
def cloud(fake_conn, nova_cloud):
    add_compute_services(fake_conn.compute, "compute-04")
    nova = FakeNova(hosts=("compute-01", "compute-02", "compute-03", "compute-04"), services=fake_conn.compute)
    nova.api = nova_cloud(nova).nova
    audit = []
    return fake_conn, nova, audit


def run_drain(cloud, clock, **kw):
    _conn, nova, audit = cloud
    kw.setdefault("disabled_reason", "CHG-1 firmware")
    return hd.drain_host(nova.api, SOURCE, hd.DrainOptions(max_parallel=2), audit=lambda *a: audit.append(a),
                         clock=clock, sleep=clock.sleep, **kw)


def test_drain_host_check_mode_plans_and_changes_nothing(cloud, clock):
    conn, nova, audit = cloud
    nova.add_server("web-1")
    nova.add_server("db-1", status="SHUTOFF")
    nova.add_server("pet", name="pet")
    result = run_drain(cloud, clock, keep=["pet"], check_mode=True)
    assert {i.id: i.action for i in result.items} == {"web-1": "live_migrate", "db-1": "migrate", "pet": "keep"}
    assert result.service_steps == [{"action": "disable", "reason": "CHG-1 firmware"}]
    assert result.remaining == 2 and not result.empty
    assert conn.compute.calls == [] and nova.writes == [] and audit == []


def test_drain_host_disables_moves_and_a_second_run_changes_nothing(cloud, clock):
    conn, nova, audit = cloud
    nova.add_server("web-1")
    nova.add_server("db-1", status="SHUTOFF")
    nova.add_server("pet-id", name="pet")
    result = run_drain(cloud, clock, keep=["pet"])
    assert conn.compute.calls == [("disable", "svc-1", "CHG-1 firmware")]
    assert result.empty and result.remaining == 0
    assert result.to_dict()["summary"] == {"moved": 2, "kept": 1}
    assert nova.on(SOURCE) == ["pet-id"]
    assert ("host_drain.disable_service", "nova-compute@compute-01") == audit[0][:2]
    assert [a[0] for a in audit[1:]] == ["host_drain.server.moved"] * 2  # keeping a server is no change
    writes, entries = len(nova.writes), len(audit)
    again = run_drain(cloud, clock, keep=["pet"])
    assert again.service_steps == [] and again.empty
    assert [i.status for i in again.items] == ["kept"]
    assert len(nova.writes) == writes and len(conn.compute.calls) == 1
    assert len(audit) == entries  # nothing changed, nothing written to the audit log


def test_drain_host_reports_what_is_left_when_a_server_cannot_move(cloud, clock):
    _conn, nova, _audit = cloud
    nova.add_server("s1")
    nova.add_server("s2")
    nova.behaviour["s1"] = "error"
    result = run_drain(cloud, clock)
    assert result.remaining == 1 and not result.empty
    out = result.to_dict()
    assert out["summary"] == {"failed": 1, "moved": 1}
    assert [s["status"] for s in out["servers"] if s["id"] == "s1"] == ["failed"]
    assert set(out["servers"][0]) == {"id", "name", "project_id", "source_host", "action", "server_status",
                                      "on_failure", "status", "detail", "new_host", "migration_id", "seconds"}


def test_drain_host_action_is_validated(cloud, clock):
    with pytest.raises(ValidationError) as err:
        run_drain(cloud, clock, action="shutdown")
    assert err.value.field == "action"


def test_a_move_does_not_count_while_its_migration_record_cannot_be_read(nova, clock):
    from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError

    [sid] = servers(nova, 1)
    real = nova.migrations
    failures = {"left": 4}

    def flaky(server_id):
        if failures["left"] > 0 and nova.host_of(server_id) != SOURCE:
            failures["left"] -= 1
            raise CloudError("list migrations failed (HTTP 503)", status_code=503)
        return real(server_id)

    nova.migrations = flaky
    _engine, items = drain(nova, clock)
    assert failures["left"] == 0  # it looked again until the record could be read
    assert items[sid].status == "moved" and items[sid].migration_id is not None


def test_migration_records_that_stay_unreadable_fail_the_move_at_the_timeout(nova, clock):
    from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError

    [sid] = servers(nova, 1)

    def broken(server_id):
        raise CloudError("list migrations failed (HTTP 503)", status_code=503)

    nova.migrations = broken
    _engine, items = drain(nova, clock, migration_timeout=60)
    assert items[sid].status == "failed", items[sid]
    assert "after 60 s" in items[sid].detail


def test_drain_host_keeps_a_quarantined_server(nova, clock):
    nova.add_server("web")
    nova.add_server("evidence", metadata={"osfleet_quarantine_case": "CASE-9"})
    result = hd.drain_host(nova.api, SOURCE, hd.DrainOptions(), clock=clock, sleep=clock.sleep)
    items = {i.id: i for i in result.items}
    assert items["evidence"].status == "kept" and "quarantine" in items["evidence"].detail
    assert items["web"].status == "moved"
    assert nova.on(SOURCE) == ["evidence"] and result.empty  # evidence counts as kept, not as left behind
