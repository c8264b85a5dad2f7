# -*- coding: utf-8 -*-
"""The failure budget of a whole run: counts and shares of the selected hosts, the canary, a resumed run."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._patching.budget import (
    CONTINUE,
    FailureBudget,
    decide,
    ordinal,
    parse_budget,
)


def test_the_third_failure_of_a_budget_of_two_stops_naming_both():
    budget = FailureBudget(parse_budget(2, selected=20))
    assert budget.record("c-1", ok=False, reason="yum exit 1").action == CONTINUE
    assert budget.record("c-2", ok=True).action == CONTINUE
    second = budget.record("c-3", ok=False)
    assert second.action == CONTINUE and "2 failures of budget 2, 0 more tolerated" in second.reason
    third = budget.record("c-4", ok=False, reason="BIOS update timed out")
    assert third.stop and third.failures == 3
    assert third.reason == "3rd failure, budget 2: c-4 failed (BIOS update timed out)"


def test_failures_count_over_the_whole_run_not_per_batch():
    """One failure in each of five batches of two: 50% of every batch, 5 over the run."""
    budget = FailureBudget(parse_budget("20%", selected=10))  # 2 over the run
    decisions = []
    for batch in range(5):
        decisions.append(budget.record("a-%d" % batch, ok=True))
        decisions.append(budget.record("b-%d" % batch, ok=False))
    stops = [d for d in decisions if d.stop]
    assert stops[0].reason.startswith("3rd failure, budget 2 (20% of 10 selected hosts)")
    assert decisions.index(stops[0]) == 5  # the third batch's failure, not the first


@pytest.mark.parametrize("spec, selected, allowed", [
    ("10%", 25, 2), ("10%", 30, 3), ("10%", 9, 0), ("100%", 7, 7), ("0", 5, 0), (0, 5, 0), (3, 2, 3),
    ("12.5%", 16, 2),
])
def test_a_share_of_the_selected_hosts_rounds_down(spec, selected, allowed):
    assert parse_budget(spec, selected).allowed == allowed


def test_a_budget_of_zero_stops_at_the_first_failure():
    decision = decide(parse_budget(0, 10), [], "c-1", ok=False)
    assert decision.stop and decision.reason.startswith("1st failure, budget 0")


def test_a_canary_failure_always_stops():
    decision = FailureBudget(parse_budget("50%", 10)).record("c-1", ok=False, canary=True, reason="no boot")
    assert decision.stop and decision.failures == 1
    assert decision.reason == "canary c-1 failed (no boot): a canary failure always stops the run"
    assert not FailureBudget(parse_budget(0, 10)).record("c-1", ok=True, canary=True).stop


def test_a_resumed_run_counts_the_failures_it_recorded():
    budget = parse_budget(1, 10)
    assert decide(budget, ["c-1"], "c-2", ok=False).reason.startswith("2nd failure, budget 1")
    assert FailureBudget(budget, ["c-1", "c-2"]).check().stop
    assert not FailureBudget(budget, ["c-1"]).check().stop
    # the same host reported twice (a retried result) is one failure
    again = FailureBudget(budget, ["c-1"])
    assert not again.record("c-1", ok=False).stop and again.failures == 1


@pytest.mark.parametrize("number, word", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                          (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (103, "103rd")])
def test_ordinals(number, word):
    assert ordinal(number) == word


@pytest.mark.parametrize("value", ["-1", "101%", True, None, "ten", "2.5"])
def test_a_bad_budget_is_refused_naming_max_failures(value):
    with pytest.raises(ValidationError) as err:
        parse_budget(value, 10)
    assert err.value.field == "max_failures"


def test_the_decision_as_data():
    decision = decide(parse_budget(1, 4), [], "c-1", ok=True)
    assert decision.to_dict() == {"action": CONTINUE, "reason": "0 failures of budget 1, 1 more tolerated",
                                  "failures": 0}
