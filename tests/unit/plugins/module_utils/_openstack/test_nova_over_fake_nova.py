# -*- coding: utf-8 -*-
"""The real Nova facade driving the in-memory FakeNova over HTTP (fake_nova_http): moves seen through
to the end as the drain sees them, metadata, aggregates, services and Nova's refusals."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import CloudError, NotFoundError
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova import FakeNova
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils.fake_nova_http import serve
from ansible_collections.osfleet.day2.tests.unit.plugins.module_utils._openstack.stub_cloud import microversion


@pytest.fixture
def fake():
    return FakeNova(hosts=("compute-01", "compute-02", "compute-04"), looks=3)


@pytest.fixture
def nova(stub, cloud, fake):
    serve(stub, fake)
    return cloud.nova


def until_idle(nova, server_id, limit=20):
    """Look at the server (each look moves the fake on) until no task runs; the looks it took."""
    for looks in range(1, limit):
        server = nova.get_server(server_id)
        if not server.task_state:
            return server, looks
    raise AssertionError("%s never settled" % server_id)


def test_a_live_migration_seen_through_to_completed(stub, nova, fake):
    fake.add_server("s1", host="compute-01", groups=("g1",))
    assert [s.id for s in nova.servers_on_host("compute-01")] == ["s1"]
    nova.live_migrate("s1")
    moving = nova.get_server("s1")
    assert (moving.status, moving.task_state, moving.compute_host) == ("MIGRATING", "migrating", "compute-01")
    server, looks = until_idle(nova, "s1")
    assert (server.status, server.compute_host) == ("ACTIVE", "compute-02") and looks == 2
    (migration,) = nova.migrations("s1")
    assert (migration.status, migration.source_compute, migration.dest_compute, migration.migration_type) == (
        "completed", "compute-01", "compute-02", "live-migration")
    assert nova.servers_on_host("compute-01") == [] and nova.server_group_members() == {"s1": ["g1"]}
    assert fake.writes == [("live", "s1", None)]
    assert all(microversion(r) in ("2.80", "2.30") for r in stub.calls("compute"))


def test_a_live_migration_to_a_host_and_one_that_errors(nova, fake):
    fake.add_server("s1", host="compute-01")
    fake.add_server("s2", host="compute-01")
    fake.behaviour["s2"] = "error"
    nova.live_migrate("s1", "compute-04")
    nova.live_migrate("s2")
    assert until_idle(nova, "s1")[0].compute_host == "compute-04"
    server, _looks = until_idle(nova, "s2")
    assert server.compute_host == "compute-01" and nova.migrations("s2")[0].status == "error"


def test_a_cold_migration_is_confirmed_once(nova, fake):
    fake.add_server("s1", host="compute-01", status="SHUTOFF")
    nova.cold_migrate("s1")
    server, _looks = until_idle(nova, "s1")
    assert (server.status, server.compute_host) == ("VERIFY_RESIZE", "compute-02")
    assert nova.migrations("s1")[0].status == "finished"
    nova.confirm_resize("s1")
    # Nova confirms in the background: a second confirm finds no finished migration
    with pytest.raises(CloudError) as err:
        nova.confirm_resize("s1")
    assert err.value.status_code == 400 and "Instance has not been resized" in err.value.message
    assert err.value.request_id.startswith("req-fake-nova-")
    for _look in range(5):
        if nova.get_server("s1").status == "SHUTOFF":
            break
    assert nova.get_server("s1").status == "SHUTOFF" and nova.migrations("s1")[0].status == "confirmed"
    assert [w for w in fake.writes if w[0] == "confirm_resize"] == [("confirm_resize", "s1")] * 2


def test_stop_and_start(nova, fake):
    fake.add_server("s1")
    nova.stop("s1")
    assert until_idle(nova, "s1")[0].status == "SHUTOFF"
    nova.start("s1")
    assert nova.get_server("s1").status == "ACTIVE"


def test_novas_refusal_reads_as_nova_wrote_it(nova, fake):
    fake.add_server("s1")
    fake.behaviour["s1"] = "refuse"
    with pytest.raises(CloudError) as err:
        nova.live_migrate("s1")
    assert err.value.status_code == 409
    assert err.value.message.startswith("live-migrate server (s1) failed (HTTP 409): Cannot 'os-migrateLive' "
                                        "instance s1 while it is in vm_state active")


def test_a_server_gone_is_none_and_acting_on_it_is_not_found(nova, fake):
    assert nova.get_server("gone") is None
    with pytest.raises(NotFoundError):
        nova.stop("gone")


def test_metadata_set_and_deleted_and_a_key_already_gone(nova, fake):
    fake.add_server("s1", metadata={"owner": "shop"})
    nova.set_metadata("s1", {"osfleet_notice": "2026-12-04T10:00:00Z", "osfleet_answer": "ok"})
    assert fake.raw("s1")["metadata"] == {"owner": "shop", "osfleet_notice": "2026-12-04T10:00:00Z",
                                          "osfleet_answer": "ok"}
    nova.delete_metadata("s1", ["osfleet_notice", "never-set"])
    assert fake.raw("s1")["metadata"] == {"owner": "shop", "osfleet_answer": "ok"}
    with pytest.raises(CloudError) as err:
        nova.set_metadata("s1", {"k": "x" * 300})
    assert err.value.status_code == 400


def test_aggregates_created_filled_and_their_metadata_kept(nova, fake):
    agg = nova.create_aggregate("osfleet-maint-w1")
    assert (agg.name, agg.hosts) == ("osfleet-maint-w1", [])
    assert nova.add_aggregate_host(agg.id, "compute-01").hosts == ["compute-01"]
    with pytest.raises(CloudError) as err:
        nova.add_aggregate_host(agg.id, "compute-01")
    assert err.value.status_code == 409 and "already in the aggregate" in err.value.message
    nova.set_aggregate_metadata(agg.id, {"osfleet_state": "scheduled", "osfleet_reason": "CHG-1"})
    after = nova.set_aggregate_metadata(agg.id, {"osfleet_state": "started", "osfleet_reason": None})
    assert after.metadata == {"osfleet_state": "started"}
    assert [(a.name, a.hosts, a.metadata) for a in nova.aggregates()] == [
        ("osfleet-maint-w1", ["compute-01"], {"osfleet_state": "started"})]
    assert nova.remove_aggregate_host(agg.id, "compute-01").hosts == []
    with pytest.raises(NotFoundError):
        nova.add_aggregate_host("999", "compute-01")


def test_services_disabled_forced_down_and_enabled_again(nova, fake):
    (svc,) = nova.compute_services("compute-01")
    assert (svc.id, svc.status, svc.state) == ("svc-compute-01", "enabled", "up")
    disabled = nova.disable_service(svc, "osfleet-maintenance:w1 CHG-1")
    assert (disabled.status, disabled.disabled_reason) == ("disabled", "osfleet-maintenance:w1 CHG-1")
    assert nova.set_forced_down(disabled, True).is_forced_down is True
    assert nova.set_forced_down(disabled, False).is_forced_down is False
    enabled = nova.enable_service(disabled)
    assert (enabled.status, enabled.disabled_reason) == ("enabled", None)
    assert [w[0] for w in fake.writes] == ["update_service"] * 4
    assert len(nova.compute_services()) == 3
