# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""One audit run after gathering: evaluate, compare with the previous report, make the four reports (text).

What the compliance_audit module does between gathering and writing files,
as plain Python: the module only reads the previous ``compliance.json``,
writes what this returns, and turns the gate into its exit status.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ansible_collections.osfleet.day2.plugins.module_utils._audit import diff as audit_diff
from ansible_collections.osfleet.day2.plugins.module_utils._audit import engine, facts, packs, policy, waivers
from ansible_collections.osfleet.day2.plugins.module_utils._audit.report import html, json_doc, junit, prometheus
from ansible_collections.osfleet.day2.plugins.module_utils._audit.source import load_yaml

#: the report files of a run, in the order they are written (compliance.json last: the next run's "previous")
REPORT_FILES = ("compliance.junit.xml", "compliance.html", "compliance.prom", "compliance.json")


def load_pack_sources(names_or_paths: Sequence[str], sources: Sequence[Mapping[str, str]]) -> List[policy.Pack]:
    """Packs from texts the controller read (``[{source, text}]``), else by shipped name or path here."""
    if sources:
        return [policy.load_pack(load_yaml(s["text"], s["source"]), s["source"],
                                 file_sha256=hashlib.sha256(s["text"].encode("utf-8")).hexdigest())
                for s in sources]
    return packs.load_packs(names_or_paths)


def load_waiver_sources(items: Sequence[Any], sources: Sequence[Mapping[str, str]]) -> List[waivers.Waiver]:
    """Waivers from the texts the controller read (``[{source, text}]``, for the paths among ``items``), else
    from the paths here; the mappings among ``items`` are waivers given inline (``waivers[N]`` in messages)."""
    out: List[waivers.Waiver] = []
    for s in sources:
        out.extend(waivers.load_waivers(load_yaml(s["text"], s["source"]), s["source"]))
    inline = []
    for item in items:
        if isinstance(item, Mapping):
            inline.append(dict(item))
        elif not sources:
            out.extend(waivers.load_waivers_file(str(item)))
    if inline:
        out.extend(waivers.load_waivers(inline, "waivers"))
    return out


@dataclass
class RunOutcome:
    document: Dict[str, Any]
    diff: Dict[str, Any]
    gate: Dict[str, Any]
    reports: Dict[str, str] = field(default_factory=dict)
    #: kind -> targets the document was evaluated over (what the unused-capacity actions plan from)
    targets: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)

    def summary(self) -> Dict[str, Any]:
        """What the module returns about the results (the documents are in the files)."""
        failing: Dict[str, int] = {}
        for r in self.document["results"]:
            if r["status"] == "fail":
                failing[r["severity"]] = failing.get(r["severity"], 0) + 1
        return {"by_status": self.document["summary"].get("by_status", {}),
                "by_severity": self.document["summary"].get("by_severity", {}),
                "failing_by_severity": failing, "targets": self.document["targets"],
                "changes": self.diff["counts"]}


def evaluate_run(gathered: facts.Gathered, pack_list: Sequence[policy.Pack], waiver_list: Sequence[waivers.Waiver],
                 params: Optional[Mapping[str, Any]], previous: Optional[Dict[str, Any]], fail_on: str,
                 run: Optional[engine.RunInfo] = None) -> RunOutcome:
    """Targets from what was gathered, the results document, the diff with ``previous`` and the reports."""
    targets = facts.build_targets(gathered)
    document = engine.evaluate(pack_list, targets, waiver_list, params or {}, run=run)
    document["run"]["gather_errors"] = dict(sorted(gathered.errors.items()))
    document["run"]["gather_seconds"] = gathered.extra.get("timings", {})
    diff = audit_diff.diff_runs(previous, document)
    gate = audit_diff.gate(diff, fail_on)
    reports = {
        "compliance.json": json_doc.to_json(document, diff),
        "compliance.junit.xml": junit.to_junit(document),
        "compliance.html": html.to_html(document, diff=diff),
        "compliance.prom": prometheus.to_prometheus(document, diff),
    }
    return RunOutcome(document, diff, gate, reports, targets)
