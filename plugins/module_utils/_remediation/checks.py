# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The audit behind every decision: confirm a signal, verify a fix, see which other hosts fail the same.

A remediation never trusts the signal that woke it, nor the alert going quiet: it re-runs the audit
rules (the compute_hosts pack, parameters as the operator's audit uses them) over what it gathers
now. A rule that cannot be evaluated (``error``) is not a pass: missing data never returns a host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._audit import engine, facts
from ansible_collections.osfleet.day2.plugins.module_utils._audit import gather as audit_gather
from ansible_collections.osfleet.day2.plugins.module_utils._audit.policy import Pack

#: what the compute_hosts pack reads (the resource listings of other packs are not needed here)
HOST_SOURCES = ("fleet", "aggregates", "placement", "network_agents", "maintenance_windows", "quarantine",
                "hardware", "bmc_settings")
SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")


@dataclass
class HostAudit:
    """One audit of the fleet's hosts: per host, rule -> status, and the host targets (their facts)."""

    statuses: Dict[str, Dict[str, str]]
    results: Dict[str, Dict[str, Dict[str, Any]]]
    targets: Dict[str, Dict[str, Any]]
    gather_errors: Dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def failing(self, host: str, rules: Optional[Sequence[str]] = None, min_severity: str = "info") -> List[str]:
        floor = SEVERITY_ORDER.index(min_severity)
        return sorted(r for r, res in self.results.get(host, {}).items()
                      if res["status"] == "fail" and (rules is None or r in rules)
                      and SEVERITY_ORDER.index(res.get("severity", "info")) >= floor)

    def passing(self, host: str, rules: Sequence[str]) -> Dict[str, str]:
        """rule -> status for each of ``rules`` that does not pass on ``host`` (empty: all pass)."""
        mine = self.statuses.get(host, {})
        return {r: mine.get(r, "not evaluated") for r in rules if mine.get(r) != "pass"}

    def hosts_failing(self, rules: Sequence[str]) -> List[str]:
        return sorted(h for h, mine in self.statuses.items() if any(mine.get(r) == "fail" for r in rules))

    def evidence(self, host: str, rules: Sequence[str]) -> Dict[str, Any]:
        """What the audit saw for ``rules`` on ``host`` (status and message): the audit-log entry's proof."""
        return {r: {k: v for k, v in self.results.get(host, {}).get(r, {}).items() if k in ("status", "message")}
                for r in rules}


@dataclass
class Auditor:
    """Runs the host rules over the cloud (``cloud``: the access layer) and the BMCs of ``bmcs``."""

    cloud: Any
    packs: Sequence[Pack]
    bmcs: Optional[Dict[str, Any]] = None
    params: Mapping[str, Any] = field(default_factory=dict)
    options: audit_gather.GatherOptions = field(default_factory=audit_gather.GatherOptions)
    gather: Callable[..., Any] = audit_gather.gather

    def run(self, hosts: Optional[Sequence[str]] = None) -> HostAudit:
        """The audit now; ``hosts`` limits the BMCs read (the cloud's view is always the whole fleet)."""
        bmcs = self.bmcs
        if bmcs and hosts is not None:
            bmcs = {h: e for h, e in bmcs.items() if h in hosts}
        opts = audit_gather.GatherOptions(**{**self.options.__dict__, "sources": HOST_SOURCES})
        gathered = self.gather(self.cloud, bmcs or None, opts)
        targets = facts.build_targets(gathered)
        document = engine.evaluate(self.packs, {"host": targets.get("host", [])}, (), self.params)
        statuses: Dict[str, Dict[str, str]] = {}
        results: Dict[str, Dict[str, Dict[str, Any]]] = {}
        for res in document["results"]:
            if res.get("kind") != "host":
                continue
            statuses.setdefault(res["target"], {})[res["rule"]] = res["status"]
            results.setdefault(res["target"], {})[res["rule"]] = res
        by_host = {t["id"]: t for t in targets.get("host", [])}
        return HostAudit(statuses, results, by_host, dict(gathered.errors),
                         float(gathered.extra.get("elapsed") or 0.0))
