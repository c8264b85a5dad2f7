#!/usr/bin/env python3
"""Benchmark: alert triage over a synthetic fleet (no lab needed).

    bench_triage.py [--hosts 1000] [--alerts 10000] [--servers-per-host 10] [--runs 5]

Builds a fleet_info-like snapshot of ``--hosts`` compute hosts (each with a BMC address, a hypervisor IP and
``--servers-per-host`` servers in 50 projects; 2 % in a maintenance window, 1 % held, one server in 200
quarantined), and ``--alerts`` alerts spread over the hosts in the label forms real sources use (``host=``,
``instance=<host>:9100``, ``instance=<hypervisor IP>:9100``, ``instance=<BMC address>``, ``server_id=``), 5 % of
the hosts with a nova-compute-down storm, 1 % of the alerts about hosts the fleet does not have. Times,
separately, median of ``--runs``: building the index, parsing the payload, triage with no state, triage of the
same payload again with the first run's state (every alert a duplicate), and the state's JSON size.

Run from the repository root after ``make collection-link``:
    PYTHONPATH=.cache/collections .venv/bin/python benchmarks/bench_triage.py
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import datetime, timedelta, timezone

from ansible_collections.osfleet.day2.plugins.module_utils._alerts.correlate import FleetIndex
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.payload import fingerprint, format_am_time, parse_any
from ansible_collections.osfleet.day2.plugins.module_utils._alerts.triage import triage
from ansible_collections.osfleet.day2.plugins.module_utils._remediation.runbook import load_runbooks

NOW = datetime(2026, 12, 2, 15, 0, tzinfo=timezone.utc)
NAMES = ["OsfleetHostOvertemperature", "OsfleetFanFailed", "OsfleetPsuFailed", "OsfleetSelCritical",
         "NodeFilesystemAlmostFull", "NodeLoadHigh", "InstanceUnreachable", "OsfleetBmcUnreachable"]


def fleet(n_hosts: int, per_host: int) -> dict:
    hosts, servers = {}, {}
    for h in range(n_hosts):
        name = "compute-%04d" % h
        reason = None
        if h % 50 == 1:
            reason = "osfleet-maintenance:w-%d patch" % (h // 50)
        elif h % 100 == 2:
            reason = "osfleet-remediation:held fan_failed needs hands"
        hosts[name] = {"name": name, "zone": "az%d" % (h % 3), "servers": [],
                       "service": {"status": "disabled" if reason else "enabled", "state": "up",
                                   "disabled_reason": reason},
                       "hypervisor": {"hostname": name + ".cloud.example.org",
                                      "host_ip": "10.20.%d.%d" % (h // 250, h % 250 + 1)},
                       "bmc": {"address": "redfish+https://10.10.%d.%d/redfish/v1/Systems/1" % (h // 250, h % 250 + 1)}}
        for s in range(per_host):
            i = h * per_host + s
            sid = "%08x-0000-4000-8000-%012x" % (i, i)
            servers[sid] = {"id": sid, "name": "vm-%06d" % i, "project_id": "p%02d" % (i % 50),
                            "project_name": "project-%02d" % (i % 50), "status": "ACTIVE", "host": name,
                            "quarantine": "case-%d" % i if i % 200 == 7 else None,
                            "addresses": [{"addr": "172.%d.%d.%d" % (16 + i // 65536, (i // 256) % 256, i % 256)}]}
            hosts[name]["servers"].append(sid)
    return {"hosts": hosts, "servers": servers}


def alerts(snapshot: dict, n_alerts: int, seed: int = 7) -> dict:
    rnd = random.Random(seed)
    names = sorted(snapshot["hosts"])
    out = []
    storm_hosts = set(names[::20])
    for host in sorted(storm_hosts):
        out.append({"alertname": "OsfleetNovaComputeDown", "host": host, "severity": "critical", "component": "nova"})
    while len(out) < n_alerts:
        host = rnd.choice(names)
        entry = snapshot["hosts"][host]
        form = rnd.randrange(6)
        labels = {"alertname": rnd.choice(NAMES), "severity": rnd.choice(["warning", "critical"]),
                  "n": str(len(out))}
        if rnd.random() < 0.01:
            labels["instance"] = "ghost-%d:9100" % rnd.randrange(1000)
        elif form == 0:
            labels["host"] = host
        elif form == 1:
            labels["instance"] = host + ":9100"
        elif form == 2:
            labels["instance"] = entry["hypervisor"]["host_ip"] + ":9100"
        elif form == 3:
            labels["instance"] = entry["bmc"]["address"].split("/")[2]
        else:
            labels["server_id"] = rnd.choice(entry["servers"])
            labels["alertname"] = "InstanceUnreachable"
        out.append(labels)
    start = format_am_time(NOW - timedelta(minutes=10))
    return {"version": "4", "groupKey": "{}:{}", "truncatedAlerts": 0, "status": "firing", "receiver": "eda",
            "groupLabels": {}, "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
            "alerts": [{"status": "firing", "labels": a, "annotations": {}, "startsAt": start,
                        "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "", "fingerprint": fingerprint(a)}
                       for a in out]}


def timed(fn, runs):
    times, value = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--alerts", type=int, default=10000)
    ap.add_argument("--servers-per-host", type=int, default=10)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    snapshot = fleet(args.hosts, args.servers_per_host)
    payload = alerts(snapshot, args.alerts)
    books = load_runbooks()
    t_index, index = timed(lambda: FleetIndex.build(snapshot), args.runs)
    t_parse, parsed = timed(lambda: parse_any(payload), args.runs)
    t_triage, result = timed(lambda: triage(parsed.alerts, index, books, now=NOW), args.runs)
    state = json.loads(json.dumps(result.state))
    t_again, again = timed(lambda: triage(parsed.alerts, index, books, state=state, now=NOW + timedelta(minutes=1)),
                           args.runs)
    size = len(json.dumps(result.state))
    report = {"hosts": args.hosts, "servers": len(snapshot["servers"]), "alerts": len(parsed.alerts),
              "index_s": round(t_index, 3), "parse_s": round(t_parse, 3), "triage_s": round(t_triage, 3),
              "triage_again_s": round(t_again, 3), "incidents": len(result.incidents),
              "actionable": len(result.actionable), "suppressed_alerts": len(result.suppressed),
              "uncorrelated": len([i for i in result.incidents if not i.resource["correlated"]]),
              "duplicates_again": again.duplicates, "incidents_again": len(again.incidents), "state_bytes": size}
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
