# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""What each node is using, not what was allocated on it: CPU and memory in use and power drawn.

From the best source the operator has, per figure and per node:

1. a **Prometheus** server (``prometheus_url``): node_exporter's ``node_cpu_seconds_total`` and
   ``node_memory_*``, and ``osfleet_power_watts`` (the hardware scan's textfile, or our exporter), one
   fleet-wide instant query per figure and one for the samples' age - never a query per node;
2. the **BMC** (what the hardware scan read, ``hardware_scan`` results): power drawn (``power_draw_watts``:
   Redfish ``PowerControl`` / ``EnvironmentMetrics``, IPMI DCMI where the BMC offers it) and, with ``utilization``
   in its ``gather``, Redfish ``ProcessorMetrics.BandwidthPercent`` as ``cpu_percent`` and
   ``MemoryMetrics.BandwidthPercent`` as ``memory_bandwidth_percent`` - a figure of its own, because memory
   bandwidth is not memory in use (which only the operating system knows: a BMC never gives
   ``memory_percent``); IPMI offers no CPU or memory figure;
3. otherwise nothing: Nova's hypervisor figures are allocations (and gone since compute API 2.88), Placement's
   usage is allocation too; Nova's one measured figure, the load average in a hypervisor's ``uptime``, costs a
   request per hypervisor (``GET /os-hypervisors/{id}``), which a fleet-wide read does not make. A figure no
   source has is left out, and the result says which sources were asked.

Each figure says its value, its source and its age in seconds (now minus the newest sample's time), so a
stale node_exporter shows as stale rather than as a quiet node. A series is placed on a node by its ``host``
label, else the host part of ``instance`` (``compute-01:9100`` or ``compute-01.example.org:9100``), compared by
the name's first label when the fleet uses short names; a series that names no node of the fleet is counted
in ``unmatched``, never guessed onto one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import parse_time_or_none
from ansible_collections.osfleet.day2.plugins.module_utils._fleet.prometheus import Prometheus, PrometheusError

#: figure -> (the value's query, the query of the age of its newest sample); ``{window}`` is the rate window
QUERIES: Dict[str, Tuple[str, str]] = {
    "cpu_percent": ('100 * (1 - avg by (instance, host) (rate(node_cpu_seconds_total{mode="idle"}[%(window)s])))',
                    'time() - max by (instance, host) (timestamp(node_cpu_seconds_total{mode="idle"}))'),
    "memory_percent": ("100 * (1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)",
                       "time() - timestamp(node_memory_MemAvailable_bytes)"),
    "power_watts": ("max by (instance, host) (osfleet_power_watts)",
                    "time() - max by (instance, host) (timestamp(osfleet_power_watts))"),
}
#: the hardware scan's state field -> figure, what it measures
BMC_FIGURES: Tuple[Tuple[str, str, str], ...] = (
    ("power_draw_watts", "power_watts", "PowerControl / EnvironmentMetrics / DCMI"),
    ("cpu_bandwidth_percent", "cpu_percent", "ProcessorMetrics.BandwidthPercent"),
    ("memory_bandwidth_percent", "memory_bandwidth_percent", "MemoryMetrics.BandwidthPercent"),
)
FIGURES = tuple(QUERIES) + ("memory_bandwidth_percent",)


@dataclass
class Utilization:
    """Per node: figure -> {value, source, age_seconds}; plus what was asked and what could not be placed."""

    nodes: Dict[str, Dict[str, Dict[str, Any]]] = field(default_factory=dict)
    sources: List[str] = field(default_factory=list)
    unmatched: Dict[str, List[str]] = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)
    queries: int = 0

    def set(self, node: str, figure: str, value: float, source: str, age: Optional[float],
            measure: Optional[str] = None) -> None:
        have = self.nodes.setdefault(node, {})
        if figure not in have:  # the first source asked is the best one
            have[figure] = {"value": round(value, 2), "source": source,
                            "age_seconds": None if age is None else round(max(age, 0.0), 1)}
            if measure:
                have[figure]["measure"] = measure

    def to_dict(self) -> Dict[str, Any]:
        return {"nodes": self.nodes, "sources": self.sources, "unmatched": self.unmatched,
                "warnings": self.warnings, "queries": self.queries}


class NodeNames:
    """Places a series' labels on a node of the fleet, by full name or by the first label of the name."""

    def __init__(self, names: Iterable[str]) -> None:
        self.full = {n.lower(): n for n in names if n}
        short: Dict[str, List[str]] = {}
        for n in self.full.values():
            short.setdefault(n.split(".", 1)[0].lower(), []).append(n)
        self.short = {k: v[0] for k, v in short.items() if len(v) == 1}  # an ambiguous short name places nothing

    def place(self, labels: Mapping[str, str]) -> Optional[str]:
        for raw in (labels.get("host"), _host_of_instance(labels.get("instance"))):
            if not raw:
                continue
            name = raw.lower()
            if name in self.full:
                return self.full[name]
            if ":" in name or name.replace(".", "").isdigit():
                continue  # an address names no node by its first label
            if name.split(".", 1)[0] in self.short:
                return self.short[name.split(".", 1)[0]]
        return None


def _host_of_instance(instance: Optional[str]) -> Optional[str]:
    if not instance:
        return None
    text = str(instance)
    if text.startswith("["):  # [2001:db8::1]:9100
        return text[1:text.index("]")] if "]" in text else text
    return text.rsplit(":", 1)[0] if text.count(":") == 1 else text


def _number(sample: Mapping[str, Any]) -> Optional[float]:
    try:
        value = float((sample.get("value") or [None, None])[1])
    except (TypeError, ValueError, IndexError):
        return None
    return value if math.isfinite(value) else None


def _series_key(labels: Mapping[str, str]) -> Tuple[str, str]:
    return (labels.get("instance") or "", labels.get("host") or "")


def from_prometheus(client: Prometheus, names: NodeNames, out: Utilization, window: str = "2m") -> None:
    """Two instant queries per figure (value, age), fleet-wide; a failed query is a warning for that figure."""
    out.sources.append("prometheus")
    for figure, (value_q, age_q) in QUERIES.items():
        try:
            values = client.query(value_q % {"window": window})
            ages = {_series_key(s.get("metric") or {}): _number(s) for s in client.query(age_q)}
        except PrometheusError as exc:
            out.warnings.append("%s: %s" % (figure, exc))
            continue
        finally:
            out.queries = client.queries
        for sample in values:
            labels = sample.get("metric") or {}
            value = _number(sample)
            if value is None:
                continue
            node = names.place(labels)
            if node is None:
                out.unmatched.setdefault(figure, []).append(labels.get("host") or labels.get("instance") or "?")
                continue
            out.set(node, figure, value, "prometheus", ages.get(_series_key(labels)))
    for figure in out.unmatched:
        out.unmatched[figure] = sorted(set(out.unmatched[figure]))


def from_hardware(results: Mapping[str, Any], names: NodeNames, out: Utilization,
                  scanned_at: Optional[float] = None) -> None:
    """Power, CPU and memory bandwidth as the hardware scan read them from each BMC (``state``).

    The age is now minus the result's ``read_at`` (the scan's own time), else minus ``scanned_at``; a result
    that is not ``ok`` gives nothing (an unreachable BMC's last figures are not today's).
    """
    out.sources.append("bmc")
    now = time.time()
    for host, result in sorted((results or {}).items()):
        result = result or {}
        state = result.get("state") or {}
        node = names.place({"host": host})
        if node is None or result.get("status") != "ok" or not isinstance(state, dict):
            continue
        read_at = parse_time_or_none(result.get("read_at"))
        when = read_at.timestamp() if read_at is not None else scanned_at
        age = None if when is None else now - when
        for key, figure, measure in BMC_FIGURES:
            value = state.get(key)
            if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
                out.set(node, figure, float(value), "bmc", age, measure)


def utilization(node_names: Iterable[str], prometheus: Optional[Prometheus] = None,
                hardware: Optional[Mapping[str, Any]] = None, hardware_scanned_at: Optional[float] = None,
                window: str = "2m") -> Utilization:
    """Every node's figures from the sources given, best first (Prometheus, then the BMC)."""
    names = NodeNames(node_names)
    out = Utilization()
    if prometheus is not None:
        from_prometheus(prometheus, names, out, window=window)
    if hardware:
        from_hardware(hardware, names, out, hardware_scanned_at)
    return out
