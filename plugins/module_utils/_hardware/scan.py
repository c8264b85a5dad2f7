# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Read many BMCs at once: a bounded thread pool, one deadline per BMC, one result per host.

A fleet scan must never fail because one BMC is down, refuses the
password or hangs: each host gets a ``status`` (ok, unreachable,
auth_failed, error) and the scan goes on. Results can be rendered as JSON
and as a Prometheus textfile (node_exporter's textfile collector); the module
writes them with ``Day2Module.write_output``, so a reader never sees half a file.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Dict, Iterable, List, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc import open_bmc
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcError
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import HEALTH_ORDER
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.bmc_map import parse_bmc_map
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import Day2Error, ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import format_time, parse_time_or_none

DEFAULT_GATHER = ("power", "sensors")
#: an IPMI command cannot be interrupted: a BMC's result is given up this long after its deadline
OVERRUN_GRACE = 10.0


@dataclass(frozen=True)
class ScanTarget:
    host: str
    address: str
    username: Optional[str]
    password: Optional[str]
    bmc_type: Optional[str] = None
    validate_certs: Optional[bool] = None


def targets_from_map(data: Any, source: str) -> List[ScanTarget]:
    """ScanTargets from a bmcs.yml-shaped mapping (host -> address, username, password[, type])."""
    parsed = parse_bmc_map(data, source, with_credentials=True)
    if not parsed:
        raise ValidationError("%s lists no BMCs" % source, field="bmcs")
    return [ScanTarget(host, b["address"], b.get("username"), b.get("password"), b.get("type"), b.get("verify"))
            for host, b in sorted(parsed.items())]


def scan_one(target: ScanTarget, gather: Iterable[str], timeout: float, validate_certs: bool = True,
             ca_path: Optional[str] = None, opener: Callable[..., Any] = open_bmc) -> Dict[str, Any]:
    """One host's result; never raises for a BMC problem."""
    start = time.monotonic()
    out: Dict[str, Any] = {"address": target.address, "status": "ok", "error": None, "state": None}
    verify = validate_certs if target.validate_certs is None else bool(target.validate_certs)
    try:
        with opener(target.address, target.username, target.password, bmc_type=target.bmc_type,
                    validate_certs=verify, ca_path=ca_path, timeout=timeout) as bmc:
            out["protocol"] = bmc.protocol
            out["state"] = bmc.read_state(gather=list(gather)).to_dict()
    except BmcError as exc:
        out.update(status=exc.scan_status, error=exc.message, error_type=type(exc).__name__)
    except Day2Error as exc:
        out.update(status="error", error=exc.message, error_type=type(exc).__name__)
    except Exception as exc:  # pylint: disable=broad-except
        # one BMC answering something no backend expected must not end the scan of the others
        out.update(status="error", error="%s: %s: %s" % (target.address, type(exc).__name__, exc),
                   error_type=type(exc).__name__)
    out["elapsed"] = round(time.monotonic() - start, 3)
    # when the reading ended, so a consumer can say how old a figure is (fleet_info's utilization)
    out["read_at"] = format_time(datetime.now(timezone.utc))
    return out


def scan(targets: List[ScanTarget], workers: int = 16, timeout: float = 30.0, gather: Iterable[str] = DEFAULT_GATHER,
         validate_certs: bool = True, ca_path: Optional[str] = None,
         opener: Callable[..., Any] = open_bmc) -> Dict[str, Dict[str, Any]]:
    """Host -> result for every target, read ``workers`` at a time."""
    if workers < 1:
        raise ValidationError("workers must be at least 1", field="workers")
    gather = list(gather)
    results: Dict[str, Dict[str, Any]] = {}
    pool = ThreadPoolExecutor(max_workers=min(workers, max(1, len(targets))), thread_name_prefix="bmc-scan")
    try:
        futures = {pool.submit(scan_one, t, gather, timeout, validate_certs, ca_path, opener): t for t in targets}
        # every BMC has its own deadline; the queue means the last ones start late
        waves = -(-len(targets) // max(1, workers))
        done, pending = wait(futures, timeout=waves * (timeout + OVERRUN_GRACE))
        for fut in done:
            results[futures[fut].host] = fut.result()
        for fut in pending:
            t = futures[fut]
            fut.cancel()
            results[t.host] = {"address": t.address, "status": "error", "state": None, "error_type": "BmcTimeout",
                               "error": "%s: no result within the deadline (%gs)" % (t.address, timeout),
                               "elapsed": None}
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return dict(sorted(results.items()))


def summary(results: Dict[str, Dict[str, Any]]) -> Dict[str, int]:
    out: Dict[str, int] = {"total": len(results)}
    for r in results.values():
        out[r["status"]] = out.get(r["status"], 0) + 1
    return out


# ---- Prometheus textfile ----------------------------------------------------------

_METRICS = (
    ("osfleet_bmc_up", "1 if the BMC answered and accepted the credentials, else 0"),
    ("osfleet_bmc_scan_seconds", "Seconds the scan of this BMC took"),
    ("osfleet_power_on", "1 if the server is powered on"),
    ("osfleet_health", "Health rollup: 0 ok, 1 warning, 2 critical"),
    ("osfleet_temperature_celsius", "Temperature sensor reading"),
    ("osfleet_fan_rpm", "Fan speed in RPM, where the BMC reports RPM"),
    ("osfleet_fan_percent", "Fan speed in percent, where the BMC reports percent"),
    ("osfleet_psu_ok", "1 if the power supply reports ok"),
    ("osfleet_power_watts", "Power drawn by the server"),
    # the BMC's own judgement of each component (the alert rules read these; thresholds differ per model)
    ("osfleet_temperature_health", "Temperature sensor status: 0 ok, 1 warning, 2 critical"),
    ("osfleet_temperature_upper_critical_celsius", "Upper critical threshold of the sensor, where the BMC gives one"),
    ("osfleet_fan_health", "Fan status: 0 ok, 1 warning, 2 critical"),
    ("osfleet_psu_health", "Power supply status: 0 ok, 1 warning, 2 critical"),
    # only when the log was read (gather: log)
    ("osfleet_sel_entries", "Entries of the BMC's event log read, by severity"),
    ("osfleet_sel_last_critical_timestamp_seconds", "Time of the newest critical event log entry (Unix seconds)"),
)


def _label(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _num(value) -> str:
    """A sample value as Prometheus text: 7200.0 -> 7200, 24.5 -> 24.5."""
    return "%.15g" % value


def _labels(**kv: Any) -> str:
    return "{%s}" % ",".join('%s="%s"' % (k, _label(v)) for k, v in kv.items())


def prometheus_text(results: Dict[str, Dict[str, Any]], with_log: bool = False) -> str:
    """The results as a textfile; ``with_log`` when the scan gathered the log (an empty log is then 0
    critical entries, not an unknown)."""
    samples: Dict[str, List[str]] = {name: [] for name, _help in _METRICS}
    for host, r in results.items():
        up = 1 if r["status"] == "ok" else 0
        samples["osfleet_bmc_up"].append("%s %d" % (_labels(host=host, status=r["status"]), up))
        if r.get("elapsed") is not None:
            samples["osfleet_bmc_scan_seconds"].append("%s %s" % (_labels(host=host), r["elapsed"]))
        s = r.get("state") or {}
        if s.get("power_state") in ("on", "off"):
            samples["osfleet_power_on"].append("%s %d" % (_labels(host=host), s["power_state"] == "on"))
        if s.get("health") in HEALTH_ORDER:
            samples["osfleet_health"].append("%s %d" % (_labels(host=host), HEALTH_ORDER[s["health"]]))
        for t in s.get("temperatures") or []:
            if t.get("reading_celsius") is not None:
                samples["osfleet_temperature_celsius"].append(
                    "%s %s" % (_labels(host=host, sensor=t["name"]), _num(t["reading_celsius"])))
            if t.get("upper_critical") is not None:
                samples["osfleet_temperature_upper_critical_celsius"].append(
                    "%s %s" % (_labels(host=host, sensor=t["name"]), _num(t["upper_critical"])))
            if t.get("status") in HEALTH_ORDER:
                samples["osfleet_temperature_health"].append(
                    "%s %d" % (_labels(host=host, sensor=t["name"]), HEALTH_ORDER[t["status"]]))
        for f in s.get("fans") or []:
            if f.get("status") in HEALTH_ORDER:
                samples["osfleet_fan_health"].append(
                    "%s %d" % (_labels(host=host, fan=f["name"]), HEALTH_ORDER[f["status"]]))
            if f.get("rpm") is not None:
                samples["osfleet_fan_rpm"].append("%s %s" % (_labels(host=host, fan=f["name"]), _num(f["rpm"])))
            if f.get("percent") is not None:
                samples["osfleet_fan_percent"].append("%s %s" % (_labels(host=host, fan=f["name"]),
                                                                 _num(f["percent"])))
        for p in s.get("power_supplies") or []:
            if p.get("status") == "absent":
                continue  # an empty slot is no power supply that fails
            samples["osfleet_psu_ok"].append("%s %d" % (_labels(host=host, psu=p["name"]), p["status"] == "ok"))
            if p.get("status") in HEALTH_ORDER:
                samples["osfleet_psu_health"].append(
                    "%s %d" % (_labels(host=host, psu=p["name"]), HEALTH_ORDER[p["status"]]))
        if s.get("power_draw_watts") is not None:
            samples["osfleet_power_watts"].append("%s %s" % (_labels(host=host), _num(s["power_draw_watts"])))
        if with_log and r["status"] == "ok":
            _log_samples(samples, host, s.get("log") or [])
    lines = []
    for name, help_text in _METRICS:
        if samples[name]:
            lines += ["# HELP %s %s" % (name, help_text), "# TYPE %s gauge" % name]
            lines += [name + sample for sample in samples[name]]
    return "\n".join(lines) + "\n"


def _log_samples(samples: Dict[str, List[str]], host: str, entries: List[Dict[str, Any]]) -> None:
    """Entries by severity (all three, 0 included: an alert on an increase needs the 0 first) and the newest
    critical entry's time; an entry whose time the BMC gives unreadably counts but has no time."""
    counts = {name: 0 for name in HEALTH_ORDER}
    newest = None
    for e in entries:
        severity = e.get("severity")
        if severity not in counts:
            continue
        counts[severity] += 1
        when = parse_time_or_none(e.get("time")) if severity == "critical" else None
        if when is not None:
            stamp = when.timestamp()
            newest = stamp if newest is None else max(newest, stamp)
    for severity, count in counts.items():
        samples["osfleet_sel_entries"].append("%s %d" % (_labels(host=host, severity=severity), count))
    if newest is not None:
        samples["osfleet_sel_last_critical_timestamp_seconds"].append("%s %s" % (_labels(host=host), _num(newest)))


def results_json(results: Dict[str, Dict[str, Any]]) -> str:
    return json.dumps({"results": results, "summary": summary(results)}, indent=1, sort_keys=True) + "\n"
