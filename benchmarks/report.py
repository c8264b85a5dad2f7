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


def _paths(by_path):
    top = sorted(by_path.items(), key=lambda kv: -kv[1])[:6]
    return ", ".join("`%s` ×%d" % kv for kv in top)


def main():
    inventory = sorted((json.loads(p.read_text()) for p in BENCH.glob("inventory-*.json")),
                       key=lambda r: int(r["label"].split("-")[0]) if r["label"][0].isdigit() else 0)
    parts = [HEADER]
    if inventory:
        parts.append(inventory_section(inventory))
    (REPO / "docs" / "benchmarks.md").write_text("\n".join(parts))
    print("[bench] wrote docs/benchmarks.md")


if __name__ == "__main__":
    main()
