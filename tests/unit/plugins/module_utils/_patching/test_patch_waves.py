# -*- coding: utf-8 -*-
"""The waves of a patch run: the canary, batches by count or share spread over the zones, validation."""
from __future__ import annotations

import random

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._patching.sizes import parse_size
from ansible_collections.osfleet.day2.plugins.module_utils._patching.waves import (
    BATCH,
    CANARY,
    Target,
    natural_key,
    plan_waves,
)


def fleet(**zones):
    """fleet(az1=4, az2=2): hosts c-<zone>-<n>, model m1."""
    return [Target("c-%s-%d" % (zone, n), zone, "m1") for zone, count in sorted(zones.items())
            for n in range(1, count + 1)]


def zone_of(plan, host):
    return plan.targets[host].zone


def batches(plan):
    return [w.hosts for w in plan.waves[1:]]


def test_the_canary_is_the_first_host_of_the_zone_with_the_most_hosts():
    plan = plan_waves(fleet(az1=2, az2=3, az3=1), batch=2)
    assert plan.waves[0].kind == CANARY and plan.canaries == ("c-az2-1",)
    assert all(w.kind == BATCH for w in plan.waves[1:])
    assert [w.number for w in plan.waves] == list(range(len(plan.waves)))


def test_the_plan_depends_on_the_selection_not_its_order():
    hosts = fleet(az1=5, az2=4, az3=3)
    first = plan_waves(hosts, batch="25%", max_per_zone=2)
    for seed in range(5):
        shuffled = list(hosts)
        random.Random(seed).shuffle(shuffled)
        assert plan_waves(shuffled, batch="25%", max_per_zone=2).waves == first.waves


def test_hosts_sort_by_name_with_numbers_as_numbers():
    assert sorted(["c-10", "c-2", "c-1"], key=natural_key) == ["c-1", "c-2", "c-10"]
    plan = plan_waves([Target("c-10", "a"), Target("c-2", "a"), Target("c-9", "a")], batch=1)
    assert plan.canaries == ("c-2",) and batches(plan) == [("c-9",), ("c-10",)]


def test_the_caller_names_the_canary():
    plan = plan_waves(fleet(az1=3, az2=3), batch=2, canary_hosts=["c-az2-3"])
    assert plan.canaries == ("c-az2-3",)
    assert "c-az2-3" not in {h for b in batches(plan) for h in b}


def test_several_canaries_come_from_different_zones_and_named_ones_come_first():
    plan = plan_waves(fleet(az1=3, az2=2, az3=2), batch=2, canary=3)
    assert plan.canaries == ("c-az1-1", "c-az2-1", "c-az3-1")
    named = plan_waves(fleet(az1=3, az2=2), batch=2, canary=2, canary_hosts=["c-az2-2"])
    assert named.canaries == ("c-az2-2", "c-az1-1")


def test_batch_by_count_never_takes_more_than_its_size_from_a_zone_and_interleaves_zones():
    plan = plan_waves(fleet(az1=6, az2=6), batch=4)
    for batch in batches(plan):
        assert len(batch) <= 4
        zones = [zone_of(plan, h) for h in batch]
        assert abs(zones.count("az1") - zones.count("az2")) <= 1, batch
    # the canary took c-az1-1: az2 has more hosts still to do, so it leads the first batch
    assert batches(plan)[0] == ("c-az2-1", "c-az1-2", "c-az2-2", "c-az1-3")


def test_batch_by_percentage_rounds_up_over_the_eligible_hosts():
    plan = plan_waves(fleet(az1=4, az2=4) + [Target("x-1", "az1", eligible=False, reason="held")], batch="25%")
    assert plan.batch_size == 2  # 25% of 8 eligible, not of 9 selected
    assert plan_waves(fleet(az1=3, az2=3), batch="10%").batch_size == 1  # 0.6 -> 1, never 0
    assert plan_waves(fleet(az1=10, az2=10), batch="33%").batch_size == 7


def test_max_per_zone_caps_each_zone_in_each_batch():
    plan = plan_waves(fleet(az1=8, az2=2), batch=5, max_per_zone=2)
    for batch in batches(plan):
        zones = [zone_of(plan, h) for h in batch]
        assert zones.count("az1") <= 2 and zones.count("az2") <= 1
    # az2 gives one host a batch (never both of its two), az1 two (its cap); once az2 is done, az1 alone
    assert [len(b) for b in batches(plan)] == [3, 3, 2, 1]


def test_a_batch_never_takes_every_host_of_a_zone():
    plan = plan_waves(fleet(az1=1, az2=3, az3=9), batch=10, canary_hosts=["c-az3-1"])
    for batch in batches(plan):
        zones = [zone_of(plan, h) for h in batch]
        assert zones.count("az2") <= 2 and zones.count("az3") <= 8
    assert batches(plan)[0].count("c-az1-1") == 1  # a zone of one host is patched, alone of its zone


def test_ineligible_hosts_are_skipped_with_their_reason_and_in_no_wave():
    hosts = fleet(az1=3) + [Target("c-az1-9", "az1", eligible=False, reason="under remediation"),
                            Target("c-az1-8", "az1", eligible=False)]
    plan = plan_waves(hosts, batch=1)
    assert plan.skipped == (("c-az1-8", "not eligible"), ("c-az1-9", "under remediation"))
    assert plan.wave_of("c-az1-9") is None and plan.selected == 5
    assert plan.to_dict()["skipped"][1] == {"host": "c-az1-9", "reason": "under remediation"}


@pytest.mark.parametrize("seed", range(12))
def test_every_eligible_host_is_in_exactly_one_wave_within_every_limit(seed):
    rnd = random.Random(seed)
    hosts = [Target("h-%d" % n, "az%d" % rnd.randint(1, 4), eligible=rnd.random() > 0.1) for n in range(40)]
    if not any(h.eligible for h in hosts):
        hosts[0] = Target("h-0", "az1")
    size = rnd.choice([1, 2, 3, 5, "20%", "50%"])
    cap = rnd.choice([None, 1, 2, "50%"])
    plan = plan_waves(hosts, batch=size, max_per_zone=cap, canary=1 + seed % 2)
    placed = [h for w in plan.waves for h in w.hosts]
    assert sorted(placed) == sorted(h.host for h in hosts if h.eligible) and len(placed) == len(set(placed))
    total = {}
    for host in hosts:
        total[host.zone] = total.get(host.zone, 0) + 1
    for batch in batches(plan):
        assert 1 <= len(batch) <= plan.batch_size
        for zone in total:
            count = sum(1 for h in batch if zone_of(plan, h) == zone)
            if total[zone] > 1:
                assert count < total[zone]
            if cap is not None:
                assert count <= max(1, parse_size(cap, "max_per_zone").of(total[zone], round_up=True))


@pytest.mark.parametrize("kwargs, field, words", [
    (dict(batch=0), "batch", "at least 1"),
    (dict(batch="0"), "batch", "at least 1"),
    (dict(batch="0%"), "batch", "percentage"),
    (dict(batch="150%"), "batch", "percentage"),
    (dict(batch="two"), "batch", "not a count"),
    (dict(batch=True), "batch", "not a count"),
    (dict(batch="1.5"), "batch", "whole number"),
    (dict(batch=1, max_per_zone=0), "max_per_zone", "at least 1"),
    (dict(batch=1, canary=5), "canary", "only 4 selected hosts are eligible"),
    (dict(batch=1, canary=0), "canary", "at least 1"),
    (dict(batch=1, canary_hosts=["nope-1"]), "canary_hosts", "nope-1 is not one of the selected hosts"),
    (dict(batch=1, canary_hosts=["x-1"]), "canary_hosts", "x-1 is not eligible (held)"),
    (dict(batch=1, canary=1, canary_hosts=["c-az1-1", "c-az1-2"]), "canary", "2 canary hosts named"),
])
def test_bad_settings_are_refused_naming_the_field(kwargs, field, words):
    hosts = fleet(az1=2, az2=2) + [Target("x-1", "az1", eligible=False, reason="held")]
    with pytest.raises(ValidationError) as err:
        plan_waves(hosts, **kwargs)
    assert err.value.field == field and words in err.value.message


def test_a_selection_without_an_eligible_host_or_with_a_host_twice_is_refused():
    with pytest.raises(ValidationError, match="none of the 1 selected hosts is eligible.*x: held") as err:
        plan_waves([Target("x", eligible=False, reason="held")], batch=1)
    assert err.value.field == "hosts"
    with pytest.raises(ValidationError, match="c-1 selected twice"):
        plan_waves([Target("c-1", "a"), Target("c-1", "b")], batch=1)
