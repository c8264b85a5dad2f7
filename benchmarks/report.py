#!/usr/bin/env python3
"""Write docs/benchmarks.md from the JSON results in docs/bench/."""
from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "docs" / "bench"

HEADER = """# Benchmarks

Measured on the project's lab (real OpenStack services on 127.0.0.1, see docs/lab.md) on a
2-core / 24 GiB machine. Each benchmark runs the tool users would use instead in the same
run, alternating, and reports medians. Regenerate with `make bench` (this file is written by
`benchmarks/report.py` from `docs/bench/*.json`). No benchmark is a test: nothing fails on a
number.
"""


def inventory_section(results):
    lines = ["## Inventory: `osfleet.day2.fleet` vs `openstack.cloud.openstack`", "",
             "`ansible-inventory --list` over the lab's admin cloud, every server of every project, no cache;",
             "HTTP requests counted in-process by `benchmarks/sitecustomize` (same hook for both).",
             "openstack.cloud returns servers only; osfleet.day2.fleet also returns the compute hosts with",
             "service state, capacity and allocation ratios.", "",
             "| lab | runs | osfleet.day2.fleet median | requests | inventory hosts "
             "| openstack.cloud median | requests | inventory hosts | openstack.cloud / osfleet |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        o, t = r["results"]["osfleet.day2.fleet"], r["results"]["openstack.cloud.openstack"]
        lines.append("| %s | %d | %.2f s | %d | %d | %.2f s | %d | %d | **%.1f×** |" % (
            r["label"], r["runs"], o["median"], o["requests"], o["hosts"], t["median"], t["requests"], t["hosts"],
            r["ratio_median"]))
    lines += ["", "Command: `make bench-inventory` (runs `benchmarks/bench_inventory.py --label N-servers "
              "--ensure-servers N --runs 5` for N in 100 and 1000).", ""]
    for r in results:
        o, t = r["results"]["osfleet.day2.fleet"], r["results"]["openstack.cloud.openstack"]
        lines.append("- %s (%s): osfleet runs %s s; openstack.cloud runs %s s." % (
            r["label"], r["when"], ", ".join("%.2f" % s for s in o["seconds"]),
            ", ".join("%.2f" % s for s in t["seconds"])))
        lines.append("  Requests by path, osfleet: %s; openstack.cloud: %s." % (
            _paths(o["by_path"]), _paths(t["by_path"])))
    return "\n".join(lines) + "\n"


def hardware_section(results):
    lines = ["## Hardware: `hardware_scan` vs `community.general.redfish_info` vs raw sushy", "",
             "Reading power, identity and sensors (thermal, power) from every Redfish BMC of the lab:",
             "`hardware_scan` in one task; `redfish_info` one task per host (the way it is used) at forks 5",
             "and 20; the floor is a plain thread pool of sushy reads in one Python process. Redfish BMCs",
             "are reached through a local TLS proxy for all three (redfish_info speaks HTTPS only).", "",
             "| BMCs | runs | hardware_scan | redfish_info forks 5 | redfish_info forks 20 | sushy floor "
             "| forks 5 / scan | forks 20 / scan | scan / floor |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        res, ratio = r["results"], r["ratio_median"]
        lines.append("| %s (%s Redfish) | %d | %.2f s | %.2f s | %.2f s | %.2f s | **%.1f×** | %.1f× | %.1f× |" % (
            r["bmcs"]["total"], r["bmcs"]["redfish"], r["runs"],
            res["hardware_scan (redfish hosts, 1 task)"]["median"], res["redfish_info forks=5"]["median"],
            res["redfish_info forks=20"]["median"], res["sushy thread pool (floor, in-process)"]["median"],
            ratio["redfish_info_forks5 / hardware_scan"], ratio["redfish_info_forks20 / hardware_scan"],
            ratio["hardware_scan / floor"]))
    lines += ["", "Command: `make bench-hardware` (`benchmarks/bench_hardware.py --label <N>-bmcs --runs 5` after "
              "`lab/labctl seed --bmcs` up to 200).", ""]
    for r in results:
        lines.append("- %s (%s): %s" % (r["label"], r["when"], r.get("notes", "")))
        every = r["results"].get("hardware_scan (all hosts incl. IPMI, 1 task)")
        if every:
            lines.append("  hardware_scan over every BMC of the map (IPMI included, which redfish_info cannot "
                         "read): median %.2f s." % every["median"])
    return "\n".join(lines) + "\n"


def _notes(name):
    """Hand-written reading notes kept beside the results (docs/bench/<name>-notes.md)."""
    path = BENCH / ("%s-notes.md" % name)
    return "\n" + path.read_text() if path.exists() else ""


def _paths(by_path):
    top = sorted(by_path.items(), key=lambda kv: -kv[1])[:6]
    return ", ".join("`%s` ×%d" % kv for kv in top)


def main():
    inventory = sorted((json.loads(p.read_text()) for p in BENCH.glob("inventory-*.json")),
                       key=lambda r: int(r["label"].split("-")[0]) if r["label"][0].isdigit() else 0)
    parts = [HEADER]
    if inventory:
        parts.append(inventory_section(inventory) + _notes("inventory"))
    hardware = sorted((json.loads(p.read_text()) for p in BENCH.glob("hardware-*.json")),
                      key=lambda r: int(r["bmcs"]["total"]))
    if hardware:
        parts.append(hardware_section(hardware) + _notes("hardware"))
    (REPO / "docs" / "benchmarks.md").write_text("\n".join(parts))
    print("[bench] wrote docs/benchmarks.md")


if __name__ == "__main__":
    main()
