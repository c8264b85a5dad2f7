# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The failure budget of a whole patch run, and the decision after each host.

Ansible's ``max_fail_percentage`` counts per batch: with ``serial: 2`` and 10% one failed host in every
batch is 50% of each and stops the play, while ``serial: 20`` lets a failed host per batch through every
batch, 10 over a 200-host run. Here the budget is a count or a share of the hosts *selected* for the run
(eligible or not, as the operator counted them), and every failure of the run counts against it, whatever
wave it was in, also across a resumed run (the run state keeps the failed hosts). A share rounds down: 10%
of 25 hosts tolerates 2 failures, never 3; ``0`` stops at the first. A canary's failure always stops: the
canary is there to say the patch is bad.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List

from ansible_collections.osfleet.day2.plugins.module_utils._patching.sizes import parse_size

CONTINUE = "continue"
STOP = "stop"


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    if 10 <= number % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return "%d%s" % (number, suffix)


@dataclass(frozen=True)
class Budget:
    """``allowed`` failures over the whole run; ``spec`` as the operator wrote it."""

    allowed: int
    spec: str
    selected: int

    @property
    def words(self) -> str:
        if self.spec.endswith("%"):
            return "budget %d (%s of %d selected hosts)" % (self.allowed, self.spec, self.selected)
        return "budget %d" % self.allowed


def parse_budget(value: Any, selected: int) -> Budget:
    """``max_failures`` (a count or a percentage of the ``selected`` hosts) as a Budget."""
    size = parse_size(value, "max_failures", allow_zero=True)
    return Budget(allowed=size.of(selected, round_up=False), spec=size.spec, selected=selected)


@dataclass(frozen=True)
class Decision:
    action: str
    reason: str
    failures: int

    @property
    def stop(self) -> bool:
        return self.action == STOP

    def to_dict(self) -> Dict[str, Any]:
        return {"action": self.action, "reason": self.reason, "failures": self.failures}


class FailureBudget:
    """Counts the run's failures against its budget; ``failed`` are the hosts that failed before (on resume)."""

    def __init__(self, budget: Budget, failed: Iterable[str] = ()) -> None:
        self.budget = budget
        self.failed: List[str] = list(failed)

    @property
    def failures(self) -> int:
        return len(self.failed)

    def check(self) -> Decision:
        """Where the run stands before any new result: a resumed run that is already over budget stops."""
        if self.failures > self.budget.allowed:
            return Decision(STOP, "%d failures (%s), %s" % (self.failures, ", ".join(self.failed),
                                                            self.budget.words), self.failures)
        return Decision(CONTINUE, self._standing(), self.failures)

    def record(self, host: str, ok: bool, canary: bool = False, reason: str = "") -> Decision:
        """The decision after ``host``'s result (``ok``; ``reason`` why it failed)."""
        if ok:
            return Decision(CONTINUE, self._standing(), self.failures)
        if host not in self.failed:
            self.failed.append(host)
        why = " (%s)" % reason if reason else ""
        if canary:
            return Decision(STOP, "canary %s failed%s: a canary failure always stops the run" % (host, why),
                            self.failures)
        if self.failures > self.budget.allowed:
            return Decision(STOP, "%s failure, %s: %s failed%s" % (ordinal(self.failures), self.budget.words,
                                                                   host, why), self.failures)
        return Decision(CONTINUE, "%s failed%s; %s" % (host, why, self._standing()), self.failures)

    def _standing(self) -> str:
        left = self.budget.allowed - self.failures
        return "%d failure%s of %s, %d more tolerated" % (
            self.failures, "" if self.failures == 1 else "s", self.budget.words, max(0, left))


def decide(budget: Budget, failed: Iterable[str], host: str, ok: bool, canary: bool = False,
           reason: str = "") -> Decision:
    """One decision without keeping a FailureBudget: ``failed`` are the failures before this result."""
    return FailureBudget(budget, failed).record(host, ok, canary=canary, reason=reason)
