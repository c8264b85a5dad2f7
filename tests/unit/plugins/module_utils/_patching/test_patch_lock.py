# -*- coding: utf-8 -*-
"""The patch lock: take, renew, release; a second run refused naming the holder; a stale lock taken over
only when asked. Over the access layer's Nova with the FakeNova behind stubbed HTTP."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ConflictError, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._patching import lock as lk

HOUR = timedelta(hours=1)


class Clock:
    def __init__(self):
        self.at = datetime(2026, 12, 4, 12, 0, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.at


@pytest.fixture
def clock():
    return Clock()


def lock_of(fake, clock, **kw):
    return lk.RunLock(fake.api, clock=clock, **kw)


def lock_aggregates(fake):
    return [a for a in fake.aggregates() if a["name"].startswith(lk.AGGREGATE_PREFIX)]


def test_take_records_the_holder_in_its_own_aggregate(nova_fake, clock):
    info = lock_of(nova_fake, clock).take("p1", "alice@bastion", HOUR)
    assert (info.run, info.owner, info.expires_at) == ("p1", "alice@bastion", clock.at + HOUR)
    (agg,) = lock_aggregates(nova_fake)
    assert agg["name"] == "osfleet-patch-lock-fleet" and agg["metadata"] == {
        "osfleet_patch_lock_run": "p1", "osfleet_patch_lock_owner": "alice@bastion",
        "osfleet_patch_lock_taken_at": "2026-12-04T12:00:00Z", "osfleet_patch_lock_expires_at": "2026-12-04T13:00:00Z"}


def test_a_second_run_is_refused_naming_the_holder_and_its_expiry(nova_fake, clock):
    lock_of(nova_fake, clock).take("p1", "alice@bastion", HOUR)
    clock.at += timedelta(minutes=20)
    with pytest.raises(ConflictError) as err:
        lock_of(nova_fake, clock).take("p2", "bob@bastion", HOUR)
    assert err.value.message == ("the patch lock fleet is held by run p1 of alice@bastion, expires "
                                 "2026-12-04T13:00:00Z (in 40 min); wait for it or release it")
    assert err.value.details["run"] == "p1" and err.value.field == "lock"
    # the same run by another owner is another holder too
    with pytest.raises(ConflictError, match="held by run p1 of alice@bastion"):
        lock_of(nova_fake, clock).take("p1", "bob@bastion", HOUR)


def test_another_scope_is_another_lock(nova_fake, clock):
    lock_of(nova_fake, clock).take("p1", "alice", HOUR)
    assert lock_of(nova_fake, clock, scope="site-b").take("p2", "bob", HOUR).run == "p2"
    assert len(lock_aggregates(nova_fake)) == 2


def test_renew_extends_the_ttl_from_now_and_keeps_when_it_was_taken(nova_fake, clock):
    lock = lock_of(nova_fake, clock)
    lock.take("p1", "alice", HOUR)
    clock.at += timedelta(minutes=50)
    renewed = lock.renew("p1", "alice", HOUR)
    assert renewed.expires_at == clock.at + HOUR and renewed.taken_at == clock.at - timedelta(minutes=50)
    # taking a lock one already holds renews it
    clock.at += timedelta(minutes=30)
    assert lock.take("p1", "alice", HOUR).expires_at == clock.at + HOUR
    with pytest.raises(ConflictError, match="run p2 of bob cannot renew the patch lock fleet: it is held by run p1"):
        lock.renew("p2", "bob", HOUR)


def test_release_deletes_the_lock_and_another_run_takes_it(nova_fake, clock):
    lock = lock_of(nova_fake, clock)
    lock.take("p1", "alice", HOUR)
    with pytest.raises(ConflictError, match="run p2 of bob cannot release the patch lock fleet"):
        lock.release("p2", "bob")
    assert lock.release("p1", "alice") is True and lock_aggregates(nova_fake) == []
    assert lock.release("p1", "alice") is False
    assert lock.take("p2", "bob", HOUR).run == "p2"
    with pytest.raises(ConflictError, match="nobody holds it"):
        lock_of(nova_fake, clock, scope="other").renew("p1", "alice", HOUR)


def test_a_stale_lock_is_reported_and_taken_only_with_take_over(nova_fake, clock):
    lock_of(nova_fake, clock).take("p1", "alice", HOUR)
    clock.at += timedelta(hours=3)
    with pytest.raises(ConflictError) as err:
        lock_of(nova_fake, clock).take("p2", "bob", HOUR)
    assert err.value.field == "take_over"
    assert err.value.message == ("the patch lock fleet is stale: run p1 of alice, expired 2026-12-04T13:00:00Z "
                                 "(2.0 h ago); take it over with take_over=True once that run is known to be gone")
    taken = lock_of(nova_fake, clock).take("p2", "bob", HOUR, take_over=True)
    assert (taken.run, taken.owner, taken.taken_at) == ("p2", "bob", clock.at)
    # the run that lost it cannot renew or release it
    with pytest.raises(ConflictError, match="held by run p2 of bob"):
        lock_of(nova_fake, clock).renew("p1", "alice", HOUR)


def test_a_lock_without_an_owner_is_stale(nova_fake, clock):
    nova_fake.create_aggregate("osfleet-patch-lock-fleet")  # a taker died between create and write
    with pytest.raises(ConflictError, match="stale: nobody \\(no owner recorded\\), no expiry"):
        lock_of(nova_fake, clock).take("p1", "alice", HOUR)
    assert lock_of(nova_fake, clock).take("p1", "alice", HOUR, take_over=True).owner == "alice"


def test_a_lock_created_between_the_look_and_the_create_names_its_holder(nova_fake, clock):
    other = lock_of(nova_fake, clock)
    lock = lock_of(nova_fake, clock)
    looks = []
    real_holder = lock.holder

    def holder():
        # the first look sees no lock; then another run takes it before our create
        if not looks:
            looks.append(1)
            other.take("p9", "carol", HOUR)
            return None
        return real_holder()

    lock.holder = holder
    with pytest.raises(ConflictError, match="held by run p9 of carol"):
        lock.take("p1", "alice", HOUR)


def test_check_mode_takes_and_releases_nothing(nova_fake, clock):
    assert lock_of(nova_fake, clock, check_mode=True).take("p1", "alice", HOUR).expires_at == clock.at + HOUR
    assert lock_aggregates(nova_fake) == []
    lock_of(nova_fake, clock).take("p1", "alice", HOUR)
    assert lock_of(nova_fake, clock, check_mode=True).release("p1", "alice") is True
    assert len(lock_aggregates(nova_fake)) == 1


@pytest.mark.parametrize("args, field", [(("", "alice", HOUR), "run"), (("p1", "", HOUR), "owner"),
                                         (("p1", "alice", timedelta(seconds=5)), "lock_ttl"),
                                         (("p1", "alice", timedelta(days=2)), "lock_ttl")])
def test_bad_lock_arguments_are_refused_naming_the_field(nova_fake, clock, args, field):
    with pytest.raises(ValidationError) as err:
        lock_of(nova_fake, clock).take(*args)
    assert err.value.field == field
