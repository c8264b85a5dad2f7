#!/usr/bin/env python3
"""Write docs/benchmarks.md from the JSON results in docs/bench/."""
from __future__ import annotations

import json
import statistics
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
             "service state, capacity and allocation ratios, and (since node_kinds) the network and storage nodes.", "",
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
        sliced = r["results"].get("osfleet.day2.fleet server_slices=4")
        if sliced:
            lines.append("  osfleet with `server_slices: 4` (same runs, alternated): median %.2f s (%s), %d requests, "
                         "%.1f× openstack.cloud." % (sliced["median"], ", ".join("%.2f" % s for s in sliced["seconds"]),
                                                     sliced["requests"], t["median"] / sliced["median"]))
        compute = r["results"].get("osfleet.day2.fleet node_kinds=compute")
        if compute:
            lines.append("  osfleet with `node_kinds: [compute]` (the fleet before network and storage nodes; same "
                         "runs, alternated): median %.2f s (%s), %d requests, %d inventory hosts; the network and "
                         "storage listings cost %+.2f s and %+d requests." % (
                             compute["median"], ", ".join("%.2f" % s for s in compute["seconds"]), compute["requests"],
                             compute["hosts"], o["median"] - compute["median"], o["requests"] - compute["requests"]))
        state = r.get("lab_before")
        if state:
            lines.append("  Lab: servers %s; nova-api workers %s; %s CPUs; load average %s at the start, %s at "
                         "the end." % (", ".join("%s %d" % kv for kv in state["servers_by_status"].items() if kv[1]),
                                       state["nova_api_workers"], state["cpus"],
                                       "/".join("%.1f" % x for x in state["loadavg"]),
                                       "/".join("%.1f" % x for x in r["lab_after"]["loadavg"])))
        if r.get("osfleet_cache_hit"):
            c = r["osfleet_cache_hit"]
            lines.append("  osfleet from a warm inventory cache (ansible-inventory's own cost for the same output): "
                         "median %.2f s, %d HTTP requests." % (c["median"], c["requests"]))
        for name, f in sorted((r.get("nova_floor") or {}).items()):
            lines.append("  Nova alone, in-process: %s: median %.2f s (%s)." % (
                name, f["median"], ", ".join("%.2f" % s for s in f["seconds"])))
        if r.get("best_possible"):
            b = r["best_possible"]
            lines.append("  **Best possible on this machine: %.2f s, %.1f× openstack.cloud's median** (Nova's one-page "
                         "time at osfleet's microversion divided over every core, plus the warm-cache run)."
                         % (b["seconds"], b["ratio"]))
    return "\n".join(lines) + "\n"


HW_SCAN = "hardware_scan (redfish hosts, 1 task)"
HW_EVERY = "hardware_scan (all hosts incl. IPMI, 1 task)"
HW_FLOOR = "sushy thread pool (floor, in-process)"
HW_FLOOR_DEFAULTS = "sushy thread pool, sushy TLS defaults (in-process)"
HW_ORDER = (HW_SCAN, "redfish_info forks=5", "redfish_info forks=20", HW_FLOOR, HW_FLOOR_DEFAULTS, HW_EVERY)


def _hw_floors(res):
    """(like-for-like floor, floor with sushy's TLS defaults); runs before the split measured only the latter."""
    if HW_FLOOR_DEFAULTS in res:
        return res[HW_FLOOR], res[HW_FLOOR_DEFAULTS]
    return None, res[HW_FLOOR]


def _s(r):
    return "%.2f s" % r["median"] if r else "—"


def hardware_section(results):
    lines = ["## Hardware: `hardware_scan` vs `community.general.redfish_info` vs raw sushy", "",
             "Reading power, identity and sensors (thermal, power) from every Redfish BMC of the lab:",
             "`hardware_scan` in one task; `redfish_info` one task per host (the way it is used) at forks 5",
             "and 20; the floor is a plain thread pool (32 threads) of sushy reads of the same documents in one",
             "Python process, with the same TLS set-up as `hardware_scan` (one SSLContext per process). The",
             "column \"sushy, TLS defaults\" is that thread pool left to sushy/requests' defaults, which build a",
             "new SSLContext and load the CA bundle for every connection. Redfish BMCs are reached through a",
             "local TLS proxy (its own process) for all of them (redfish_info speaks HTTPS only).", "",
             "| BMCs | runs | hardware_scan | redfish_info forks 5 | redfish_info forks 20 | sushy floor "
             "| sushy, TLS defaults | forks 5 / scan | forks 20 / scan | scan / floor |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        res = r["results"]
        scan = res[HW_SCAN]["median"]
        floor, defaults = _hw_floors(res)
        runs = "%d" % r["runs"]
        if r.get("slow_runs", r["runs"]) < r["runs"]:
            runs += " (redfish_info %d)" % r["slow_runs"]
        lines.append("| %s (%s Redfish) | %s | %.2f s | %.2f s | %.2f s | %s | %s | **%.1f×** | %.1f× | %s |" % (
            r["bmcs"]["total"], r["bmcs"]["redfish"], runs, scan, res["redfish_info forks=5"]["median"],
            res["redfish_info forks=20"]["median"], _s(floor), _s(defaults),
            res["redfish_info forks=5"]["median"] / scan, res["redfish_info forks=20"]["median"] / scan,
            "**%.1f×**" % (scan / floor["median"]) if floor else "—"))
    lines += ["", "Command: `make bench-hardware` (`benchmarks/bench_hardware.py --label <N>-bmcs --runs 5` after "
              "`lab/labctl seed --bmcs` up to 200; redfish_info runs in the first 3 of the 5 runs, "
              "`--slow-runs`).", ""]
    for r in results:
        lines.append("- %s (%s): %s" % (r["label"], r["when"], r.get("notes", "")))
        load = r.get("load_average")
        if load:
            lines.append("  Load average (1, 5, 15 min) before %s, after %s on %d cores; the whole run took %d min."
                         % (", ".join("%.1f" % x for x in load["before"]),
                            ", ".join("%.1f" % x for x in load["after"]), load["cores"],
                            round(r["wall_seconds"] / 60)))
        res = r["results"]
        order = [n for n in HW_ORDER if n in res]
        conns = ["%s %g" % (n, res[n]["connections_per_bmc"]) for n in order
                 if res[n].get("connections_per_bmc") is not None]
        if conns:
            lines.append("  HTTP requests per BMC (TLS connections counted at the proxy): %s." % ", ".join(conns))
        lines.append("  Runs: %s." % "; ".join(
            "%s %s s" % (n, ", ".join("%.2f" % x for x in res[n]["seconds"])) for n in order))
        if HW_EVERY in res:
            lines.append("  hardware_scan over every BMC of the map (IPMI included, which redfish_info cannot "
                         "read): median %.2f s." % res[HW_EVERY]["median"])
    return "\n".join(lines) + "\n"


DR_DRAIN, DR_LOOP = "host_drain", "openstack server migrate loop"


def drain_section(results):
    lines = ["## Drain: `host_drain` vs a sequential `openstack server migrate --live-migration --wait` loop", "",
             "A lab host with its servers (c1.nano, no network, seeded onto it) emptied by `host_drain` (one",
             "`ansible localhost -m osfleet.day2.host_drain` task, `max_parallel` moves in flight, each verified) and",
             "by the loop operators script (`openstack compute service set --disable`, `server list --host`, then",
             "`openstack server migrate --live-migration --wait <id>` one server at a time), alternating, on the same",
             "lab. Servers on the host that the benchmark did not create are left alone by both (`keep`; the loop",
             "skips them). Between runs the servers are live-migrated back and the host enabled again. After every",
             "run: no server lost, none in ERROR, none left on the host. HTTP requests counted in every process of",
             "both tools by `benchmarks/sitecustomize`. \"Nova's pace\" is the median time between two completed",
             "moves in Nova's migration records: the source host runs `max_concurrent_live_migrations` at once.", "",
             "| servers | runs | max_parallel | host_drain median | requests | loop median | requests "
             "| loop / host_drain | lost / ERROR / left |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        d, o = r["results"][DR_DRAIN], r["results"][DR_LOOP]
        bad = [sum(c[k] for x in (d, o) for c in x["checks"]) for k in ("lost", "error", "left_on_host")]
        lines.append("| %d | %d | %d | %.1f s | %d | %.1f s | %d | **%.1f×** | %d / %d / %d |" % (
            r["servers"], r["runs"], r["max_parallel"], d["median"], statistics.median(d["requests"]),
            o["median"], statistics.median(o["requests"]), r["ratio_median"], *bad))
    lines += ["", "Command: `make bench-drain` (`benchmarks/%s`)." % results[-1]["command"], ""]
    for r in results:
        d, o = r["results"][DR_DRAIN], r["results"][DR_LOOP]
        lines.append("- %s (%s), host %s, Nova max_concurrent_live_migrations %s: host_drain runs %s s; "
                     "loop runs %s s." % (r["label"], r["when"], r["host"], r["nova"]["max_concurrent_live_migrations"],
                                          ", ".join("%.1f" % x for x in d["seconds"]),
                                          ", ".join("%.1f" % x for x in o["seconds"])))
        load = r["load_average"]
        lines.append("  Load average (1, 5, 15 min) before %s, after %s on %d cores; the whole run took %d min." % (
            ", ".join("%.1f" % x for x in load["before"]), ", ".join("%.1f" % x for x in load["after"]),
            load["cores"], round(r["wall_seconds"] / 60)))
        lines.append("  Runs in order (1-min load at the start; Nova's pace): %s." % "; ".join(
            "%d %s %.1f s (%.1f; %s s)" % (x["run"], x["tool"], r["results"][x["tool"]]["seconds"][x["run"] - 1],
                                           x["before"][0], r["results"][x["tool"]]["nova_pace"][x["run"] - 1][
                                               "median_gap_s"]) for x in load["runs"]))
        for name, x in ((DR_DRAIN, d), (DR_LOOP, o)):
            lines.append("  %s: `%s`; requests by path in its last run: %s." % (
                name, r["commands"][name], _paths(x["by_path"])))
    return "\n".join(lines) + "\n"


WAN_CASES = ("osfleet.day2.fleet", "openstack.cloud.openstack", "control_plane_info 3 sites",
             "control_plane_info 1 site", "control_plane_info 3 sites sequential")
WAN_ZERO = " at 0 ms"


def wan_section(results):
    chain = results[-1]["min_chain"]
    past = sum(x.get("bypassed", 0) for r in results for x in r["results"].values())
    lines = ["## Fleet at WAN distance", "",
             "Three sites, wan-1..3, each the lab's OpenStack reached through its own TCP proxies",
             "(`benchmarks/wan_proxy.py`) that hold every chunk the delay shown, each way, and a new connection's",
             "first chunk one round trip more (its handshake): keystone regions wan-1..3 in the lab's catalog",
             "send each site's clients through its proxies. `ansible-inventory --list` with osfleet.day2.fleet over",
             "clouds [wan-1, wan-2, wan-3] and with openstack.cloud.openstack over the same three (all_projects);",
             "control_plane_info's core (`read_sites`, the module's defaults: 5 probes per endpoint) over the three",
             "sites at once (its design), over one, and site after site. The same cases through the same proxies",
             "at 0 ms say what the distance costs. \"Best possible\" is the 0 ms median plus %d round trips:" % chain,
             "the steps no client can overlap (Keystone's connection and version document, the token, the",
             "service's connection and version document, the listing) with every site and service in parallel.",
             "HTTP requests counted in-process by `benchmarks/sitecustomize` (%s);" % (
                 "%d went to the lab directly, past the proxies" % past if past else "none went past the proxies"),
             "connections and exchanges (request/answer turns) counted by the proxies.", "",
             "| label | delay each way | runs | case | median | HTTP requests | connections | exchanges "
             "| at 0 ms | the distance costs | best possible | median / best |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        res = r["results"]
        for name in WAN_CASES:
            x = res[name]
            zero = res.get(name + WAN_ZERO)
            best = (r.get("best_possible") or {}).get(name)
            dist = (r.get("distance") or {}).get(name)
            lines.append("| %s | %g ms | %d | %s | %.2f s | %d | %d | %d | %s | %s | %s | %s |" % (
                r["label"], r["delay_ms"], r["runs"], name, x["median"], x["requests"], x["proxy"]["connections"],
                x["proxy"]["exchanges"], "%.2f s" % zero["median"] if zero else "—",
                "%+.2f s (%.1f×)" % (dist["seconds"], dist["ratio"]) if dist else "—",
                "%.2f s" % best["seconds"] if best else "—", "%.1f×" % best["ratio"] if best else "—"))
    lines += ["", "Command: `make bench-wan` (`benchmarks/bench_wan.py --delay-ms 40 --runs 3`).", ""]
    for r in results:
        res = r["results"]
        ratios = r["ratios"]
        lines.append("- %s (%s), %g ms each way (%g ms round trip):" % (
            r["label"], r["when"], r["delay_ms"], r["rtt_ms"]))
        lines.append("  **openstack.cloud / osfleet: %.1f× at the delay, %.1f× at 0 ms; control_plane_info site "
                     "after site / at once: %.1f×; three sites at once / one site: %.2f×.**" % (
                         ratios["openstack.cloud / osfleet at the delay"], ratios["openstack.cloud / osfleet at 0 ms"],
                         ratios["control_plane_info sequential / concurrent"],
                         ratios["control_plane_info 3 sites / 1 site"]))
        lines.append("  Runs: %s." % "; ".join(
            "%s %s s" % (name, ", ".join("%.2f" % v for v in x["seconds"])) for name, x in sorted(res.items())))
        for name in ("osfleet.day2.fleet", "openstack.cloud.openstack"):
            lines.append("  %s: %d inventory hosts; requests by path: %s." % (
                name, res[name]["hosts"], _paths(res[name]["by_path"])))
        for name, b in sorted((r.get("best_possible") or {}).items()):
            lines.append("  %s: if nothing overlapped (a round trip per exchange and per connection over the "
                         "0 ms median) %.2f s; its longest connection alone (%d exchanges) %.2f s." % (
                             name, b["one_after_the_other_seconds"],
                             res[name]["proxy"]["most_exchanges_one_connection"],
                             b["longest_connection_floor_seconds"]))
        sites = res["control_plane_info 3 sites"].get("sites") or []
        if sites:
            lines.append("  control_plane_info, the three sites at once: %s." % "; ".join(
                "%s %d services, %.2f s%s" % (s["cloud"], s["services"], s["elapsed_seconds"],
                                              ", degraded: %s" % ", ".join(s["degraded"]) if s["degraded"] else "")
                for s in sites))
        state = r.get("lab_before")
        if state:
            lines.append("  Lab: servers %s; nova-api workers %s; %s CPUs; load average %s at the start, %s at "
                         "the end; the whole run took %d min." % (
                             ", ".join("%s %d" % kv for kv in state["servers_by_status"].items() if kv[1]),
                             state["nova_api_workers"], state["cpus"], "/".join("%.1f" % x for x in state["loadavg"]),
                             "/".join("%.1f" % x for x in r["lab_after"]["loadavg"]), round(r["wall_seconds"] / 60)))
    return "\n".join(lines) + "\n"


PATCH_ROLLING = "osfleet.day2.rolling_patch"
PATCH_LOOP = "sequential loop (openstack CLI, apt-get, curl, ipmitool)"
PHASES = ("before", "drain", "patch", "reboot", "checks")


def patch_section(results):
    lines = ["## Rolling patching: `osfleet.day2.rolling_patch` vs a sequential disable → drain → patch → reboot → "
             "enable loop", "",
             "The lab's four package hosts, one at a time: osfleet-lab-agent 1.0 → 2.0, the BMC firmware of the two",
             "Redfish hosts 7.10 → 7.20, a forced restart through each BMC. Seconds per host (medians over hosts and",
             "runs): *before* is rolling_patch's pre-state read and pre-checks, *checks* its post-checks, window",
             "completion and settle check (the loop's: the enable alone).", "",
             "| lab | runs | tool | whole run (median) | %s |" % " | ".join(PHASES),
             "|---|---|---|---|" + "---|" * len(PHASES)]
    for r in results:
        for tool in (PATCH_ROLLING, PATCH_LOOP):
            t = r["results"][tool]
            lines.append("| %s | %d | %s | %.1f s | %s |" % (
                r["label"], r["runs"], tool, t["median"],
                " | ".join("%.1f" % t["per_host_median"].get(k, 0.0) for k in PHASES)))
    lines.append("")
    for r in results:
        floor = r["floor_seconds"]
        lines.append("- %s (%s): rolling_patch / loop **%.2f×**; runs: rolling_patch %s s, loop %s s. Floor, the "
                     "best possible here (per host the faster tool's drain, patch and reboot, the parts neither can "
                     "skip, times %d hosts): %.1f s; rolling_patch is %.2f× it, the loop %.2f×. Load average %s at "
                     "the start, %s at the end." % (
                         r["label"], r["when"], r["ratio_median"],
                         ", ".join("%.1f" % x for x in r["results"][PATCH_ROLLING]["seconds"]),
                         ", ".join("%.1f" % x for x in r["results"][PATCH_LOOP]["seconds"]), len(r["hosts"]), floor,
                         r["results"][PATCH_ROLLING]["median"] / floor, r["results"][PATCH_LOOP]["median"] / floor,
                         "/".join("%.1f" % x for x in r["loadavg_before"]),
                         "/".join("%.1f" % x for x in r["loadavg_after"])))
    lines += ["", "Command: `make bench-patch` (runs `benchmarks/bench_patch.py --runs 2`).", ""]
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
    drain = sorted((json.loads(p.read_text()) for p in BENCH.glob("drain-*.json")), key=lambda r: r["servers"])
    if drain:
        parts.append(drain_section(drain) + _notes("drain"))
    wan = sorted((json.loads(p.read_text()) for p in BENCH.glob("wan-*.json")), key=lambda r: r["delay_ms"])
    if wan:
        parts.append(wan_section(wan) + _notes("wan"))
    patch = sorted((json.loads(p.read_text()) for p in BENCH.glob("patch-*.json")), key=lambda r: r["label"])
    if patch:
        parts.append(patch_section(patch) + _notes("patch"))
    (REPO / "docs" / "benchmarks.md").write_text("\n".join(parts))
    print("[bench] wrote docs/benchmarks.md")


if __name__ == "__main__":
    main()
