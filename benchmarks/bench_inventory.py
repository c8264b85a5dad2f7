#!/usr/bin/env python3
"""Benchmark: osfleet.day2.fleet against openstack.cloud.openstack, same run.

    bench_inventory.py --label 100-servers [--runs 5] [--out docs/bench]

Runs `ansible-inventory --list` with each plugin over the lab's admin cloud,
alternating, `--runs` times each; reports median wall time, the ratio, the
number of HTTP requests each made and what each returned (hosts, VMs).
Both read every server of every project; ours also returns the compute hosts
with capacity. No cache for either.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LAB = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
os.environ["OS_CLIENT_CONFIG_FILE"] = str(LAB / "clouds.yaml")  # the lab's clouds, for this process too

# osfleet.day2.fleet with its defaults (what a user gets without tuning), and with server_slices
SLICED = "osfleet.day2.fleet server_slices=4"
# the fleet as it was before network and storage nodes (node_kinds: [compute]): the cost of the new listings
COMPUTE_ONLY = "osfleet.day2.fleet node_kinds=compute"
OSFLEET_SLICES = 4
CONFIGS = {
    "osfleet.day2.fleet": ("bench.fleet.yml", {
        "plugin": "osfleet.day2.fleet", "clouds": ["lab-admin"], "vms": True}),
    COMPUTE_ONLY: ("bench-compute.fleet.yml", {
        "plugin": "osfleet.day2.fleet", "clouds": ["lab-admin"], "vms": True, "node_kinds": ["compute"]}),
    SLICED: ("bench-sliced.fleet.yml", {
        "plugin": "osfleet.day2.fleet", "clouds": ["lab-admin"], "vms": True, "server_slices": OSFLEET_SLICES}),
    "openstack.cloud.openstack": ("bench.openstack.yml", {
        "plugin": "openstack.cloud.openstack", "only_clouds": ["lab-admin"], "all_projects": True,
        "expand_hostvars": False, "fail_on_errors": True}),
}


def run_once(bindir: Path, config: Path, counter: Path, clouds_yaml: Path = LAB / "clouds.yaml"):
    # An inventory source that cannot be parsed must fail the run, not give an empty inventory.
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds_yaml), OSFLEET_COUNT_REQUESTS=str(counter),
               ANSIBLE_COLLECTIONS_PATH=str(REPO / ".cache" / "collections"), ANSIBLE_INVENTORY_UNPARSED_FAILED="1",
               PYTHONPATH=os.pathsep.join([str(HERE / "sitecustomize"), os.environ.get("PYTHONPATH", "")]))
    start = time.perf_counter()
    proc = subprocess.run([str(bindir / "ansible-inventory"), "-i", str(config), "--list"], capture_output=True,
                          text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s" % (config.name, proc.stderr[-2000:]))
    data = json.loads(proc.stdout)
    hosts = data.get("_meta", {}).get("hostvars", {})
    if not hosts:
        raise SystemExit("%s returned an empty inventory:\n%s" % (config.name, proc.stderr[-2000:]))
    lines = counter.read_text().splitlines()
    requests = json.loads(lines[-1])
    return elapsed, len(hosts), requests


def lab_state() -> dict:
    """What the numbers depend on: servers by status, Nova's API workers, machine load."""
    import openstack
    conn = openstack.connect(cloud="lab-admin")
    by_status = {}
    for status in ("ACTIVE", "BUILD", "ERROR", "SHUTOFF"):
        by_status[status] = len(conn.compute.get("/servers", params={"all_tenants": 1, "status": status,
                                                                       "limit": 1000}).json()["servers"])
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=False).stdout
    workers = sum(1 for line in ps.splitlines() if line.startswith("gunicorn: worker [nova-api]"))
    return {"servers_by_status": by_status, "nova_api_workers": workers, "cpus": os.cpu_count(),
            "loadavg": [round(x, 2) for x in os.getloadavg()]}


def nova_floor(runs: int) -> dict:
    """Nova's own time for the server listing each plugin asks for, timed in-process with no plugin
    around it: openstack.cloud's (one servers/detail page at the SDK's microversion 2.100) and
    osfleet's (2.72, one page by default, or in slices)."""
    import openstack
    from concurrent.futures import ThreadPoolExecutor
    sys.path.insert(0, str(REPO / ".cache" / "collections"))  # make collection-link
    from ansible_collections.osfleet.day2.plugins.module_utils._openstack import listing as api_list
    from ansible_collections.osfleet.day2.plugins.module_utils._openstack import nova as fleet
    conn = openstack.connect(cloud="lab-admin")
    compute = conn.compute
    slices = OSFLEET_SLICES

    def one_page(mv):
        return api_list.list_json(compute, "/servers/detail", "servers", "list servers", mv,
                                  params={"all_tenants": 1}, page_size=1000)

    def sliced():
        def run(fn, args):
            with ThreadPoolExecutor(max_workers=slices) as pool:
                return list(pool.map(fn, args))
        return api_list.list_json_sliced(compute, "/servers", "/servers/detail", "servers", "list servers",
                                         fleet.SERVER_MICROVERSION, {"all_tenants": 1}, 1000, slices, run)

    cases = {"servers/detail 2.100, one page (what openstack.cloud asks)": lambda: one_page("2.100"),
             "servers/detail %s, one page (what osfleet asks by default)" % fleet.SERVER_MICROVERSION:
                 lambda: one_page(fleet.SERVER_MICROVERSION),
             "servers/detail %s, %d slices (osfleet with server_slices: %d)" % (fleet.SERVER_MICROVERSION, slices,
                                                                                 slices): sliced}
    out = {name: [] for name in cases}
    for _ in range(runs):
        for name, fn in cases.items():
            start = time.perf_counter()
            n = len(fn())
            out[name].append(round(time.perf_counter() - start, 3))
    return {name: {"seconds": secs, "median": statistics.median(secs), "servers": n} for name, secs in out.items()}


def cache_hits(bindir: Path, work: Path, runs: int) -> dict:
    """osfleet.day2.fleet answered from its inventory cache: ansible-inventory's own cost for the same
    hosts and variables, with no API call."""
    name, content = CONFIGS["osfleet.day2.fleet"]
    config = work / ("cached." + name)
    config.write_text(json.dumps(dict(content, cache=True, cache_plugin="ansible.builtin.jsonfile",
                                      cache_connection=str(work / "cache"), cache_timeout=3600)))
    run_once(bindir, config, work / "cache-fill.jsonl")
    seconds, requests = [], None
    for _ in range(runs):
        elapsed, _hosts, req = run_once(bindir, config, work / "cache-hit.jsonl")
        seconds.append(round(elapsed, 3))
        requests = req["requests"]
    return {"seconds": seconds, "median": statistics.median(seconds), "requests": requests}


def server_count() -> int:
    import openstack
    conn = openstack.connect(cloud="lab-admin")
    return sum(1 for _ in conn.compute.servers(details=False, all_projects=True))


def ensure_servers(total: int) -> None:
    have = server_count()
    if have < total:
        print("[bench] lab has %d servers; seeding %d more" % (have, total - have), flush=True)
        subprocess.run(["python3", str(REPO / "lab" / "labctl"), "seed",
                        "--servers", str(total - have)], check=True)
    print("[bench] lab holds %d servers" % server_count(), flush=True)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=str(REPO / "docs" / "bench"))
    ap.add_argument("--floor-runs", type=int, default=3,
                    help="runs of the in-process Nova listing timings (0: skip)")
    ap.add_argument("--ensure-servers", type=int, default=0,
                    help="seed the lab (lab/labctl seed) until it holds at least this many servers")
    args = ap.parse_args()
    if args.ensure_servers:
        ensure_servers(args.ensure_servers)
    state_before = lab_state()
    print("[bench] lab: %s" % json.dumps(state_before), flush=True)
    bindir = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="bench-inventory-"))
    configs = {}
    for plugin, (fname, content) in CONFIGS.items():
        path = work / fname
        path.write_text(json.dumps(content))  # JSON is YAML
        configs[plugin] = path
    results = {p: {"seconds": [], "hosts": None, "requests": None, "by_path": None} for p in configs}
    for plugin, path in configs.items():  # warm-up, not counted (imports, token caches)
        run_once(bindir, path, work / "warm.jsonl")
    for i in range(args.runs):
        order = list(configs) if i % 2 == 0 else list(reversed(configs))
        for plugin in order:
            elapsed, hosts, req = run_once(bindir, configs[plugin], work / ("%s.jsonl" % plugin))
            r = results[plugin]
            r["seconds"].append(round(elapsed, 3))
            r["hosts"], r["requests"], r["by_path"] = hosts, req["requests"], req["by_path"]
            print("[bench] run %d %-36s %6.2fs  %5d inventory hosts  %4d HTTP requests"
                  % (i + 1, plugin, elapsed, hosts, req["requests"]), flush=True)
    cached = cache_hits(bindir, work, 3)
    print("[bench] osfleet.day2.fleet from a warm cache: median %.2fs, %d HTTP requests"
          % (cached["median"], cached["requests"]), flush=True)
    floor = nova_floor(args.floor_runs) if args.floor_runs else {}
    for name, f in floor.items():
        print("[bench] nova floor %-55s median %.2fs %s" % (name, f["median"], f["seconds"]), flush=True)
    ours, theirs = results["osfleet.day2.fleet"], results["openstack.cloud.openstack"]
    for r in results.values():
        r["median"] = statistics.median(r["seconds"])
    summary = {
        "label": args.label, "runs": args.runs, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]), "results": results,
        "ratio_median": round(theirs["median"] / ours["median"], 2),
        "lab_before": state_before, "lab_after": lab_state(), "nova_floor": floor, "osfleet_cache_hit": cached,
    }
    one_page = [f for name, f in floor.items() if "what osfleet asks" in name]
    if one_page:
        # The fastest any plugin could be here: Nova's work for the listing spread perfectly over every
        # core with nothing else running, plus what ansible-inventory costs with the data already in hand.
        best = one_page[0]["median"] / (state_before["cpus"] or 1) + cached["median"]
        summary["best_possible"] = {"seconds": round(best, 2), "ratio": round(theirs["median"] / best, 2)}
        print("[bench] best possible on this machine: %.2fs, openstack.cloud / best = %.1fx"
              % (best, theirs["median"] / best), flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / ("inventory-%s.json" % args.label)).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    print("[bench] %s: osfleet.day2.fleet median %.2fs (%d requests, %d hosts); openstack.cloud median %.2fs "
          "(%d requests, %d hosts); openstack.cloud / osfleet = %.1fx"
          % (args.label, ours["median"], ours["requests"], ours["hosts"], theirs["median"], theirs["requests"],
             theirs["hosts"], summary["ratio_median"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
