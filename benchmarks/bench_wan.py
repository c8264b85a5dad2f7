#!/usr/bin/env python3
"""Benchmark: the fleet at WAN distance - three sites, each the lab behind proxies that add a delay.

    bench_wan.py [--delay-ms 40] [--runs 3] [--label 3-sites-40ms] [--out docs/bench]

Three sites, wan-1, wan-2 and wan-3, each the lab's one OpenStack reached through its own delaying TCP
proxies (benchmarks/wan_proxy.py, in a thread of this process, --delay-ms each way, a new connection
one round trip more for its handshake): site k's service i listens on 127.0.0.1:18700+10k+i (i in the
order of lab/lablib/paths.py PORTS: keystone, placement, glance, nova, neutron, cinder, ironic). For
the catalog to send each site's clients through its proxies, the lab's Keystone gets regions wan-1..3
with a public endpoint for each of the lab's RegionOne public endpoints, the same URL with host:port
swapped for the site's proxy; a temporary clouds.yaml has clouds wan-1..3, each the lab's lab-admin
with auth_url through its site's Keystone proxy and region_name wan-k. The regions and their endpoints
are removed when the script ends, whatever happens, and at the start if a crashed run left them.
While it runs the lab's catalog has three more regions: do not run it beside tests that read every
region of the lab's catalog.

Measured in the same runs, alternating the order, --runs times each (medians):

* inventory: ``ansible-inventory --list`` with osfleet.day2.fleet over clouds [wan-1, wan-2, wan-3]
  and with openstack.cloud.openstack over only_clouds [wan-1, wan-2, wan-3] (all_projects; the
  configurations of bench_inventory.py with the clouds swapped), at --delay-ms and at 0 ms (the same
  proxies, no delay: what the distance costs);
* control_plane_info: its core (``read_sites`` of plugins/module_utils/_sites/control_plane.py, what the
  module calls, with the module's defaults: 5 probes, 30 s) in a child process, timed from before the
  call to after it (imports and process start left out; they are the same for every case): the three
  sites at once (the module's design), one site, and the three sites one after the other (the same
  core called site after site), at --delay-ms; and the three at once at 0 ms. Each site is given with
  its region (``{cloud: wan-k, region_name: wan-k}``): a cloud without one is read in every region
  of its catalog, which here is the lab's four.

HTTP requests are counted in every measured process by benchmarks/sitecustomize (by path and by
host:port: a request that went to the lab directly instead of through a proxy fails the warm-up);
the proxies count connections and exchanges (request/answer turns). The best possible at the delay
is the same case's 0 ms median plus MIN_CHAIN round trips - the steps no client can overlap (see
below) - and "one after the other" is the 0 ms median plus a round trip per exchange and per
connection, what the case would cost if nothing overlapped. Results to docs/bench/wan-<label>.json;
benchmarks/report.py renders them.
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "lab"))

from benchlib import collection_state, log  # noqa: E402
import bench_inventory  # noqa: E402  (sets OS_CLIENT_CONFIG_FILE to the lab's clouds.yaml for this process)
from lablib.paths import HOST as LAB_HOST, PORTS  # noqa: E402
from wan_proxy import WanProxy  # noqa: E402

LAB = bench_inventory.LAB
LAB_CLOUDS = LAB / "clouds.yaml"
ADMIN = "lab-admin"
LAB_REGION = "RegionOne"
SITES = ("wan-1", "wan-2", "wan-3")
PORT_BASE = 18700
SERVICES = list(PORTS)                      # keystone, placement, glance, nova, neutron, cinder, ironic
BY_LAB_PORT = {port: index for index, port in enumerate(PORTS.values())}
REGION_NOTE = "osfleet benchmarks/bench_wan.py (removed when it ends)"
#: the module's defaults
CP_PROBES, CP_TIMEOUT = 5, 30.0
#: round trips no client can overlap, sites and services in parallel: Keystone's connection and its
#: version document, the token, the service's connection and its version document, the listing
MIN_CHAIN = 6

FLEET, OSC = "osfleet.day2.fleet", "openstack.cloud.openstack"
CP3, CP1, CPSEQ = "control_plane_info 3 sites", "control_plane_info 1 site", "control_plane_info 3 sites sequential"
ZERO = " at 0 ms"


def proxy_port(site: int, lab_port: int) -> int:
    """Site k (1-based) reaches the lab's port through 18700 + 10k + the service's index."""
    return PORT_BASE + 10 * site + BY_LAB_PORT[lab_port]


def through_proxy(url: str, site: int) -> str:
    """The same URL (path, query) with host:port swapped for the site's proxy of that lab port."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc="127.0.0.1:%d" % proxy_port(site, parts.port)))


def proxy_maps():
    return {proxy_port(k, port): (LAB_HOST, port) for k in range(1, len(SITES) + 1) for port in PORTS.values()}


# ---- the sites in the lab's catalog -------------------------------------------------------------------------
def admin():
    import openstack
    return openstack.connect(cloud=ADMIN)


def _ok(resp, what):
    if resp.status_code >= 400:
        raise SystemExit("keystone: %s: HTTP %s %s" % (what, resp.status_code, resp.text[:300]))
    return resp


def remove_sites(conn) -> int:
    """Delete the wan-k regions and their endpoints (a crashed run's too); how many endpoints went."""
    idn = conn.identity
    gone = 0
    for ep in _ok(idn.get("/endpoints", raise_exc=False), "list endpoints").json()["endpoints"]:
        if ep.get("region_id") in SITES:
            _ok(idn.delete("/endpoints/%s" % ep["id"], raise_exc=False), "delete endpoint %s" % ep["id"])
            gone += 1
    for region in SITES:
        if idn.get("/regions/%s" % region, raise_exc=False).status_code == 200:
            _ok(idn.delete("/regions/%s" % region, raise_exc=False), "delete region %s" % region)
    return gone


def add_sites(conn) -> dict:
    """Regions wan-1..3, each with a public endpoint per RegionOne public endpoint of a lab port."""
    idn = conn.identity
    listed = _ok(idn.get("/endpoints", params={"interface": "public"}, raise_exc=False), "list endpoints")
    lab_eps = [ep for ep in listed.json()["endpoints"]
               if ep.get("region_id") == LAB_REGION and ep.get("interface") == "public"]
    copied = [ep for ep in lab_eps if urlsplit(ep["url"]).port in BY_LAB_PORT]
    skipped = sorted(ep["url"] for ep in lab_eps if ep not in copied)
    if not any(urlsplit(ep["url"]).port == PORTS["keystone"] for ep in copied):
        raise SystemExit("the lab's catalog has no public %s identity endpoint on port %d"
                         % (LAB_REGION, PORTS["keystone"]))
    made = {}
    for k, region in enumerate(SITES, 1):
        _ok(idn.post("/regions", json={"region": {"id": region, "description": REGION_NOTE}}, raise_exc=False),
            "create region %s" % region)
        for ep in copied:
            url = through_proxy(ep["url"], k)
            _ok(idn.post("/endpoints", json={"endpoint": {"service_id": ep["service_id"], "interface": "public",
                                                          "url": url, "region_id": region}}, raise_exc=False),
                "create endpoint %s" % url)
            made.setdefault(region, []).append(url)
    return {"endpoints": made, "skipped_lab_endpoints": skipped}


def write_clouds(path: Path) -> None:
    """clouds wan-1..3: lab-admin with auth_url through the site's Keystone proxy and region_name wan-k."""
    import yaml
    base = yaml.safe_load(LAB_CLOUDS.read_text())["clouds"][ADMIN]
    clouds = {}
    for k, region in enumerate(SITES, 1):
        cloud = json.loads(json.dumps(base))
        cloud["auth"]["auth_url"] = through_proxy(base["auth"]["auth_url"], k)
        cloud["region_name"] = region
        clouds[region] = cloud
    path.write_text(json.dumps({"clouds": clouds}, indent=2) + "\n")  # JSON is YAML


# ---- one measurement ----------------------------------------------------------------------------------------
def bypassed(by_host: dict) -> int:
    """Requests that went to a lab port directly, past the proxies."""
    lab = {"%s:%d" % (LAB_HOST, p) for p in PORTS.values()} | {"localhost:%d" % p for p in PORTS.values()}
    return sum(n for host, n in by_host.items() if host in lab)


def counted_env(counter: Path, clouds: Path) -> dict:
    return dict(os.environ, OS_CLIENT_CONFIG_FILE=str(clouds), OSFLEET_COUNT_REQUESTS=str(counter),
                PYTHONPATH=os.pathsep.join([str(HERE / "sitecustomize"), str(REPO / ".cache" / "collections"),
                                            os.environ.get("PYTHONPATH", "")]))


def run_inventory(config: Path, counter: Path, clouds: Path) -> dict:
    counter.unlink(missing_ok=True)
    elapsed, hosts, req = bench_inventory.run_once(Path(sys.executable).parent, config, counter, clouds)
    return {"seconds": elapsed, "hosts": hosts, "requests": req["requests"], "by_path": req["by_path"],
            "by_host": req.get("by_host", {})}


def run_control_plane(mode: str, sites, counter: Path, clouds: Path) -> dict:
    counter.unlink(missing_ok=True)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--control-plane-child", mode,
                           "--clouds-yaml", str(clouds), "--sites", ",".join(sites)],
                          capture_output=True, text=True, env=counted_env(counter, clouds), check=False)
    if proc.returncode != 0:
        raise SystemExit("control_plane_info %s failed:\n%s" % (mode, proc.stderr[-2000:]))
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    bad = [s for s in out["sites"] if not s["ok"] or s["down"]]
    if bad:
        raise SystemExit("control_plane_info %s: sites not read whole: %s" % (mode, json.dumps(bad)))
    req = json.loads(counter.read_text().splitlines()[-1])
    return dict(out, requests=req["requests"], by_path=req["by_path"], by_host=req.get("by_host", {}))


def control_plane_child(mode: str, clouds_yaml: str, sites) -> int:
    """In a child process: the module's core over the sites, at once or one after the other; one JSON line."""
    os.environ["OS_CLIENT_CONFIG_FILE"] = clouds_yaml
    sys.path.insert(0, str(REPO / ".cache" / "collections"))  # make collection-link
    from ansible_collections.osfleet.day2.plugins.module_utils._openstack.connection import CloudOptions
    from ansible_collections.osfleet.day2.plugins.module_utils._sites.control_plane import (
        connector, read_sites, site_specs)
    from ansible_collections.osfleet.day2.plugins.module_utils._sites.site import ProbeOptions
    own = CloudOptions()
    items = [{"cloud": s, "region_name": s} for s in sites]

    def read(chosen):
        options = ProbeOptions(interface="public", probes=CP_PROBES, timeout=CP_TIMEOUT)
        return read_sites(site_specs(chosen, own), connector(own, True, CP_TIMEOUT), options)["sites"]

    start = time.perf_counter()
    if mode == "concurrent":
        found = read(items)
    else:
        found = [site for item in items for site in read([item])]
    elapsed = time.perf_counter() - start
    print(json.dumps({"seconds": elapsed, "sites": [
        {"cloud": s["cloud"], "region": s["region"], "ok": s["ok"], "error": s["error"],
         "elapsed_seconds": s["elapsed_seconds"], "services": len(s["services"]),
         "down": sorted(x["type"] for x in s["services"] if x["health"] == "down"),
         "degraded": sorted(x["type"] for x in s["services"] if x["health"] == "degraded")} for s in found]}))
    return 0


# ---- the runs -----------------------------------------------------------------------------------------------
def cases(delay_ms: float, work: Path):
    """name -> (delay in ms, run(counter, clouds) -> measurement)."""
    configs = {}
    for plugin, key, content in ((FLEET, "clouds", bench_inventory.CONFIGS[FLEET][1]),
                                 (OSC, "only_clouds", bench_inventory.CONFIGS[OSC][1])):
        path = work / ("wan.%s.yml" % ("fleet" if plugin == FLEET else "openstack"))
        path.write_text(json.dumps(dict(content, **{key: list(SITES)})))
        configs[plugin] = path

    def inventory(plugin):
        return lambda counter, clouds: run_inventory(configs[plugin], counter, clouds)

    def control_plane(mode, sites):
        return lambda counter, clouds: run_control_plane(mode, sites, counter, clouds)

    return {
        FLEET: (delay_ms, inventory(FLEET)),
        OSC: (delay_ms, inventory(OSC)),
        CP3: (delay_ms, control_plane("concurrent", SITES)),
        CP1: (delay_ms, control_plane("concurrent", SITES[:1])),
        CPSEQ: (delay_ms, control_plane("sequential", SITES)),
        FLEET + ZERO: (0.0, inventory(FLEET)),
        OSC + ZERO: (0.0, inventory(OSC)),
        CP3 + ZERO: (0.0, control_plane("concurrent", SITES)),
    }


def proxy_totals(proxy: WanProxy) -> dict:
    stats = proxy.stats().values()
    return {"connections": sum(s["connections"] for s in stats), "exchanges": sum(s["exchanges"] for s in stats),
            "most_exchanges_one_connection": max(s["most_exchanges"] for s in stats),
            "bytes_down": sum(s["bytes_down"] for s in stats)}


def measure(proxy: WanProxy, name: str, case, work: Path, clouds: Path) -> dict:
    delay, run = case
    proxy.delay_ms = delay
    proxy.reset_stats()
    got = run(work / ("%s.jsonl" % name.replace(" ", "_")), clouds)
    got["proxy"] = proxy_totals(proxy)
    got["bypassed"] = bypassed(got["by_host"])
    return got


def summarize(results: dict, delay_ms: float) -> dict:
    rtt = 2 * delay_ms / 1000.0
    med = {name: r["median"] for name, r in results.items()}
    out = {"ratios": {
        "openstack.cloud / osfleet at the delay": round(med[OSC] / med[FLEET], 2),
        "openstack.cloud / osfleet at 0 ms": round(med[OSC + ZERO] / med[FLEET + ZERO], 2),
        "control_plane_info sequential / concurrent": round(med[CPSEQ] / med[CP3], 2),
        "control_plane_info 3 sites / 1 site": round(med[CP3] / med[CP1], 2),
    }, "distance": {}, "best_possible": {}}
    for name in (FLEET, OSC, CP3):
        r, zero = results[name], results[name + ZERO]
        p = r["proxy"]
        best = zero["median"] + MIN_CHAIN * rtt
        serial = zero["median"] + (p["exchanges"] + p["connections"]) * rtt
        out["distance"][name] = {"seconds": round(r["median"] - zero["median"], 3),
                                 "ratio": round(r["median"] / zero["median"], 2)}
        out["best_possible"][name] = {"seconds": round(best, 3), "ratio": round(r["median"] / best, 2),
                                      "one_after_the_other_seconds": round(serial, 3),
                                      "longest_connection_floor_seconds": round(
                                          zero["median"] + (p["most_exchanges_one_connection"] + 1) * rtt, 3)}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--delay-ms", type=float, default=40.0, help="one-way delay of every proxy (default 40)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--label", help="default 3-sites-<delay>ms")
    ap.add_argument("--out", default=str(REPO / "docs" / "bench"))
    ap.add_argument("--control-plane-child", choices=("concurrent", "sequential"), help=argparse.SUPPRESS)
    ap.add_argument("--clouds-yaml", help=argparse.SUPPRESS)
    ap.add_argument("--sites", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.control_plane_child:
        return control_plane_child(args.control_plane_child, args.clouds_yaml, args.sites.split(","))
    label = args.label or "3-sites-%gms" % args.delay_ms
    signal.signal(signal.SIGTERM, lambda *_a: sys.exit(143))  # so that the finally below removes the regions
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="bench-wan-"))
    clouds = work / "clouds.yaml"
    write_clouds(clouds)
    state_before = bench_inventory.lab_state()
    log("lab: %s" % json.dumps(state_before))
    conn = admin()
    left = remove_sites(conn)
    if left:
        log("removed %d endpoints a crashed run left in regions %s" % (left, ", ".join(SITES)))
    proxy = WanProxy(proxy_maps(), delay_ms=args.delay_ms).start()
    load = {"before": [round(x, 2) for x in os.getloadavg()], "cores": os.cpu_count()}
    try:
        catalog = add_sites(conn)
        log("regions %s added, %d endpoints each through the proxies (%s skipped: %s)" % (
            ", ".join(SITES), len(catalog["endpoints"][SITES[0]]), len(catalog["skipped_lab_endpoints"]),
            ", ".join(catalog["skipped_lab_endpoints"]) or "none"))
        todo = cases(args.delay_ms, work)
        for name, case in todo.items():  # warm-up, not counted; and the check that nothing goes past the proxies
            got = measure(proxy, name, case, work, clouds)
            if got["bypassed"]:
                raise SystemExit("%s: %d requests went to the lab directly, not through the proxies: %s"
                                 % (name, got["bypassed"], json.dumps(got["by_host"])))
            log("warm-up %-45s %6.2fs" % (name, got["seconds"]))
        results = {name: {"delay_ms": case[0], "seconds": []} for name, case in todo.items()}
        for i in range(args.runs):
            order = list(todo) if i % 2 == 0 else list(reversed(todo))
            for name in order:
                got = measure(proxy, name, todo[name], work, clouds)
                r = results[name]
                r["seconds"].append(round(got.pop("seconds"), 3))
                r.update(got)  # requests, paths, hosts, proxy counts, sites: the last run's
                log("run %d %-45s %6.2fs  %4d HTTP requests  %4d connections  %4d exchanges" % (
                    i + 1, name, r["seconds"][-1], r["requests"], r["proxy"]["connections"],
                    r["proxy"]["exchanges"]))
    finally:
        proxy.stop()
        remove_sites(conn)
        log("regions %s and their endpoints removed" % ", ".join(SITES))
    for r in results.values():
        r["median"] = statistics.median(r["seconds"])
    load["after"] = [round(x, 2) for x in os.getloadavg()]
    summary = {
        "label": label, "runs": args.runs, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]), "delay_ms": args.delay_ms,
        "rtt_ms": 2 * args.delay_ms, "handshake_round_trip": True, "sites": list(SITES), "min_chain": MIN_CHAIN,
        "control_plane_options": {"probes": CP_PROBES, "timeout": CP_TIMEOUT}, "catalog": catalog,
        "results": results, "lab_before": state_before, "lab_after": bench_inventory.lab_state(),
        "load_average": load, "wall_seconds": round(time.monotonic() - began), "collection": collection_state(),
    }
    summary.update(summarize(results, args.delay_ms))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / ("wan-%s.json" % label)).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    for name, ratio in summary["ratios"].items():
        log("%s: %.2fx" % (name, ratio))
    for name, b in summary["best_possible"].items():
        log("%s: median %.2fs at %g ms; 0 ms %.2fs; best possible %.2fs (%.1fx that)" % (
            name, results[name]["median"], args.delay_ms, results[name + ZERO]["median"], b["seconds"], b["ratio"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
