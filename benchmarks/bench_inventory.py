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

CONFIGS = {
    "osfleet.day2.fleet": ("bench.fleet.yml", {
        "plugin": "osfleet.day2.fleet", "clouds": ["lab-admin"], "vms": True}),
    "openstack.cloud.openstack": ("bench.openstack.yml", {
        "plugin": "openstack.cloud.openstack", "only_clouds": ["lab-admin"], "all_projects": True,
        "expand_hostvars": False, "fail_on_errors": True}),
}


def run_once(bindir: Path, config: Path, counter: Path):
    # An inventory source that cannot be parsed must fail the run, not give an empty inventory.
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(LAB / "clouds.yaml"), OSFLEET_COUNT_REQUESTS=str(counter),
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


def server_count() -> int:
    import openstack
    conn = openstack.connect(cloud="lab-admin", config_files=[str(LAB / "clouds.yaml")])
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
    ap.add_argument("--ensure-servers", type=int, default=0,
                    help="seed the lab (lab/labctl seed) until it holds at least this many servers")
    args = ap.parse_args()
    if args.ensure_servers:
        ensure_servers(args.ensure_servers)
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
            print("[bench] run %d %-28s %6.2fs  %5d inventory hosts  %4d HTTP requests"
                  % (i + 1, plugin, elapsed, hosts, req["requests"]), flush=True)
    ours, theirs = results["osfleet.day2.fleet"], results["openstack.cloud.openstack"]
    for r in results.values():
        r["median"] = statistics.median(r["seconds"])
    summary = {
        "label": args.label, "runs": args.runs, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]), "results": results,
        "ratio_median": round(theirs["median"] / ours["median"], 2),
    }
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
