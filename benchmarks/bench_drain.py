#!/usr/bin/env python3
"""Benchmark: draining a host with osfleet.day2.host_drain vs the sequential loop operators script.

    bench_drain.py [--servers 50] [--runs 3] [--max-parallel 10] [--host compute-01] [--keep] [--out docs/bench]

Seeds --servers servers of its own (flavor c1.nano, image cirros-lab, no network, admin project, names
``bench-drain-...``, metadata ``osfleet_bench=drain``) onto --host (POST /servers with ``host`` at
microversion 2.74, min_count/max_count, in the host's availability zone so that the scheduler only
moves them inside that zone, for both tools), then --runs times each, alternating which goes first:

* host_drain as a user runs it:
  ``ansible localhost -m osfleet.day2.host_drain -a '{"cloud": "lab-admin", "host": H, "max_parallel": N}'``
  (.venv-bench's ansible-core, the collection through .cache/collections like the other benchmarks);
* the loop operators script: ``openstack compute service set --disable H nova-compute``, ``openstack
  server list --all-projects --host H``, then ``openstack server migrate --live-migration --wait <id>``
  for each server, one after the other (python-openstackclient from .venv-bench).

Servers on the host that this benchmark did not create are left alone by both: host_drain gets them in
``keep`` and the loop skips them (read again right before each run, since other users' servers come and go;
checked after it).
Between runs the host's compute service is enabled again and the bench servers are live-migrated back
onto the host (a small thread pool, openstacksdk), each ACTIVE with no task state. After each run: every
bench server still exists, none is in ERROR, none is left on the host. HTTP requests are counted in every
process of both tools by benchmarks/sitecustomize. Wall times, medians, the ratio, the load average and
the commands go to docs/bench/drain-<label>.json; benchmarks/report.py renders them.

The host's compute service is enabled again after every run and when the script exits, whatever happens;
the bench servers are deleted at the end unless --keep (a later run reuses kept servers).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import openstack

from benchlib import collection_state, log

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LAB = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
CLOUDS = LAB / "clouds.yaml"
BIN = Path(sys.executable).parent
CLOUD = "lab-admin"
PREFIX = "bench-drain-"
META = ("osfleet_bench", "drain")
FLAVOR, IMAGE = "c1.nano", "cirros-lab"
MV = "2.80"            # reads and actions; seeding needs >= 2.74 (``host`` in POST /servers)
DRAIN = "host_drain"
LOOP = "openstack server migrate loop"

_local = threading.local()


def connect():
    return openstack.connect(cloud=CLOUD, config_files=[str(CLOUDS)])


def conn():
    """One openstacksdk connection per thread."""
    if getattr(_local, "conn", None) is None:
        _local.conn = connect()
    return _local.conn


def api(method: str, path: str, body=None, ok=(200, 202, 204), microversion=MV):
    r = conn().compute.request(path, method, json=body, microversion=microversion, raise_exc=False,
                               headers={"Accept": "application/json"})
    if r.status_code not in ok:
        raise RuntimeError("%s %s: HTTP %s %s" % (method, path, r.status_code, r.text[:300]))
    return r


def bench_servers():
    """Our servers (name prefix and metadata), every project."""
    r = api("GET", "/servers/detail?all_tenants=1&name=%%5E%s&limit=1000" % PREFIX)
    return [s for s in r.json()["servers"]
            if s["name"].startswith(PREFIX) and (s.get("metadata") or {}).get(META[0]) == META[1]]


def host_of(s):
    return s.get("OS-EXT-SRV-ATTR:host")


def servers_on(host):
    r = api("GET", "/servers/detail?all_tenants=1&host=%s&limit=1000" % host)
    return r.json()["servers"]


def compute_service(host):
    r = api("GET", "/os-services?binary=nova-compute&host=%s" % host)
    [svc] = r.json()["services"]
    return svc


def set_service(host, enabled: bool, reason=None):
    svc = compute_service(host)
    if (svc["status"] == "enabled") == enabled:
        return False
    body = {"status": "enabled" if enabled else "disabled"}
    if not enabled and reason:
        body["disabled_reason"] = reason
    api("PUT", "/os-services/%s" % svc["id"], body)
    return True


def loadavg():
    return [round(x, 2) for x in os.getloadavg()]


# -- seeding ---------------------------------------------------------------------------------------
def seed(host: str, zone: str, total: int, timeout: float = 900) -> list:
    """Bring our servers on ``host`` to ``total``, ACTIVE; servers in ERROR are deleted and made again."""
    flavor = conn().compute.find_flavor(FLAVOR, ignore_missing=False)
    image = conn().image.find_image(IMAGE, ignore_missing=False)
    for attempt in range(4):
        have = bench_servers()
        broken = [s for s in have if s["status"] == "ERROR"]
        for s in broken:
            api("DELETE", "/servers/%s" % s["id"], ok=(204, 404))
        have = [s for s in have if s["status"] != "ERROR"]
        missing = total - len(have)
        if broken:
            log("deleted %d bench servers in ERROR" % len(broken))
            wait_gone([s["id"] for s in broken])
        if missing > 0:
            log("seeding %d servers onto %s (%s)" % (missing, host, zone))
        batch = 0
        while missing > 0:
            n = min(25, missing)
            name = "%s%s%d" % (PREFIX, time.strftime("%H%M%S"), batch)
            api("POST", "/servers", {"server": {
                "name": name, "flavorRef": flavor.id, "imageRef": image.id, "networks": "none",
                "availability_zone": zone, "host": host, "min_count": n, "max_count": n,
                "metadata": {META[0]: META[1]}}}, microversion="2.74")
            missing -= n
            batch += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            have = bench_servers()
            if all(s["status"] in ("ACTIVE", "ERROR") and not s.get("OS-EXT-STS:task_state") for s in have):
                break
            time.sleep(3)
        if len(have) > total:  # kept from an earlier, larger run: delete the extra ones
            extra = sorted(have, key=lambda s: s["name"])[total:]
            for s in extra:
                api("DELETE", "/servers/%s" % s["id"], ok=(204, 404))
            wait_gone([s["id"] for s in extra])
            have = bench_servers()
        if len(have) == total and all(s["status"] == "ACTIVE" for s in have):
            log("%d bench servers ACTIVE" % total)
            return sorted(s["id"] for s in have)
        log("seed attempt %d: %s" % (attempt + 1, summary(have)))
    raise SystemExit("could not seed %d ACTIVE servers onto %s" % (total, host))


def summary(servers):
    counts = {}
    for s in servers:
        key = "%s@%s" % (s["status"], host_of(s))
        counts[key] = counts.get(key, 0) + 1
    return ", ".join("%s ×%d" % kv for kv in sorted(counts.items()))


def wait_gone(ids, timeout=600):
    deadline = time.monotonic() + timeout
    left = set(ids)
    while left and time.monotonic() < deadline:
        left = {i for i in left if api("GET", "/servers/%s" % i, ok=(200, 404)).status_code == 200}
        if left:
            time.sleep(2)
    return not left


# -- gathering back onto the host ---------------------------------------------------------------------------
def gather_one(server_id: str, host: str, timeout: float = 600) -> str:
    """Live-migrate one server to ``host`` and wait until it is ACTIVE there with no task state."""
    deadline = time.monotonic() + timeout
    tries = 0
    while time.monotonic() < deadline:
        s = api("GET", "/servers/%s" % server_id).json()["server"]
        state = s.get("OS-EXT-STS:task_state")
        if state or s["status"] != "ACTIVE":
            if s["status"] == "ERROR":
                raise RuntimeError("server %s went to ERROR while gathering" % server_id)
            time.sleep(1)
            continue
        if host_of(s) == host:
            return host
        if tries >= 3:
            raise RuntimeError("server %s: live migration to %s failed %d times" % (server_id, host, tries))
        tries += 1
        r = api("POST", "/servers/%s/action" % server_id,
                {"os-migrateLive": {"host": host, "block_migration": "auto"}}, ok=(202, 409))
        time.sleep(1)
        if r.status_code == 409:
            tries -= 1  # a task still under way: look again
    raise RuntimeError("server %s did not reach %s in %d s" % (server_id, host, timeout))


def gather(ids, host: str, threads: int = 5) -> float:
    start = time.monotonic()
    set_service(host, True)
    away = [s["id"] for s in bench_servers() if host_of(s) != host]
    if away:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda i: gather_one(i, host), away))
    seconds = time.monotonic() - start
    log("gathered %d servers back onto %s in %.0f s" % (len(away), host, seconds))
    return seconds


# -- the two contenders -------------------------------------------------------------------------------------
class Runner:
    def __init__(self, host, max_parallel, ours, work: Path):
        self.host, self.max_parallel, self.ours, self.work = host, max_parallel, set(ours), work
        self.env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(CLOUDS),
                        ANSIBLE_COLLECTIONS_PATH=str(REPO / ".cache" / "collections"),
                        ANSIBLE_LOCAL_TEMP=str(REPO / ".cache" / "ansible-tmp"),
                        OSFLEET_AUDIT_LOG=str(work / "audit.jsonl"),
                        PYTHONPATH=os.pathsep.join([str(HERE / "sitecustomize"), os.environ.get("PYTHONPATH", "")]))
        self.osc = [str(BIN / "openstack"), "--os-cloud", CLOUD]
        self.keep_servers([])

    def keep_servers(self, keep):
        """The servers on the host that are not ours, for host_drain's ``keep``."""
        self.keep = sorted(keep)
        args = {"cloud": CLOUD, "host": self.host, "max_parallel": self.max_parallel}
        if self.keep:
            args["keep"] = self.keep
        self.drain_argv = [str(BIN / "ansible"), "localhost", "-m", "osfleet.day2.host_drain", "-a",
                           json.dumps(args)]

    def _run(self, argv, counter: Path, check=True):
        env = dict(self.env, OSFLEET_COUNT_REQUESTS=str(counter))
        proc = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
        if check and proc.returncode != 0:
            raise RuntimeError("%s failed (%d):\n%s%s" % (" ".join(argv[:6]), proc.returncode,
                                                           proc.stdout[-3000:], proc.stderr[-3000:]))
        return proc

    def host_drain(self, counter: Path, check_mode=False):
        argv = self.drain_argv + (["--check"] if check_mode else [])
        proc = self._run(argv, counter)
        out = proc.stdout
        result = json.loads(out[out.index("{", out.index("=>")):])
        if not check_mode and not result.get("empty"):
            raise RuntimeError("host_drain left the host not empty: %s" % result.get("summary"))
        return {"summary": result.get("summary"), "moved_seconds": sorted(
            s["seconds"] for s in result.get("servers", []) if s.get("seconds") is not None)}

    def loop(self, counter: Path):
        """What operators script: disable, list the host's servers, migrate them one at a time with --wait."""
        self._run(self.osc + ["compute", "service", "set", "--disable", self.host, "nova-compute"], counter)
        listing = self._run(self.osc + ["server", "list", "--all-projects", "--host", self.host, "-f", "value",
                                        "-c", "ID"], counter).stdout.split()
        ids = [sid for sid in listing if sid in self.ours]  # servers not ours are left alone
        failed = []
        for sid in ids:
            proc = self._run(self.osc + ["server", "migrate", "--live-migration", "--wait", sid], counter,
                             check=False)
            if proc.returncode != 0:
                failed.append("%s: %s" % (sid, (proc.stderr or proc.stdout).strip()[-300:]))
        if failed:
            raise RuntimeError("the loop could not migrate %d server(s): %s" % (len(failed), "; ".join(failed)))
        return {"migrated": len(ids)}

    def commands(self):
        return {DRAIN: " ".join(shlex.quote(a) for a in ["ansible"] + self.drain_argv[1:]),
                LOOP: ("openstack --os-cloud %s compute service set --disable %s nova-compute; "
                       "for id in $(openstack --os-cloud %s server list --all-projects --host %s -f value -c ID); "
                       "do openstack --os-cloud %s server migrate --live-migration --wait $id; done"
                       % (CLOUD, self.host, CLOUD, self.host, CLOUD))}


def count_requests(counter: Path):
    total, by_path = 0, {}
    if counter.exists():
        for line in counter.read_text().splitlines():
            rec = json.loads(line)
            total += rec["requests"]
            for k, v in rec["by_path"].items():
                by_path[k] = by_path.get(k, 0) + v
    return total, by_path


def nova_pace(ids, host: str, since: float):
    """Nova's own pace in a run: its live-migration records of our servers off ``host`` created since ``since``.

    The source host runs max_concurrent_live_migrations at once (1 by default), so the gaps between two
    completions are what one move costs Nova plus whatever the tool waits before starting the next one.
    """
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(since - 1))
    r = api("GET", "/os-migrations?migration_type=live-migration&changes-since=%s&limit=1000" % stamp)
    ours = set(ids)
    found = [m for m in r.json()["migrations"] if m["instance_uuid"] in ours and m["source_compute"] == host
             and _epoch(m["created_at"]) >= since - 1]  # not the moves back of the gather before the run
    done = sorted(_epoch(m["updated_at"]) for m in found if m["status"] == "completed")
    gaps = [b - a for a, b in zip(done, done[1:])]
    statuses = {}
    for m in found:
        statuses[m["status"]] = statuses.get(m["status"], 0) + 1
    return {"records": len(found), "statuses": statuses,
            "median_gap_s": round(statistics.median(gaps), 1) if gaps else None,
            "first_to_last_completion_s": round(done[-1] - done[0]) if done else None}


def _epoch(stamp: str) -> float:
    import calendar
    return calendar.timegm(time.strptime(stamp.split(".")[0], "%Y-%m-%dT%H:%M:%S"))


def check_after(ids, host, others):
    """Every bench server exists, none in ERROR, none left on the host; the others (kept) not moved."""
    found = {s["id"]: s for s in bench_servers()}
    lost = [i for i in ids if i not in found and api("GET", "/servers/%s" % i, ok=(200, 404)).status_code == 404]
    error = [i for i, s in found.items() if s["status"] == "ERROR"]
    left = [i for i, s in found.items() if host_of(s) == host]
    hosts = {}
    for s in found.values():
        hosts[host_of(s)] = hosts.get(host_of(s), 0) + 1
    on_host = {s["id"] for s in servers_on(host)}
    others_moved = [i for i in others if i not in on_host and host_of(api("GET", "/servers/%s" % i, ok=(
        200, 404)).json().get("server", {})) not in (None, host)]  # deleted by their owner is not moved
    return {"servers": len(found), "lost": len(lost), "error": len(error), "left_on_host": len(left),
            "not_active": sum(1 for s in found.values() if s["status"] != "ACTIVE"), "hosts": hosts,
            "others_kept": len(others), "others_moved": len(others_moved)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--servers", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3, help="runs of each tool (default 3), alternating")
    ap.add_argument("--max-parallel", type=int, default=10, help="host_drain's max_parallel (default 10)")
    ap.add_argument("--host", default="compute-01", help="the host drained (default compute-01)")
    ap.add_argument("--label", help="default <servers>-servers")
    ap.add_argument("--keep", action="store_true", help="keep the bench servers at the end (on the host)")
    ap.add_argument("--out", default=str(REPO / "docs" / "bench"))
    args = ap.parse_args()
    label = args.label or "%d-servers" % args.servers
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that the finally below runs

    svc = compute_service(args.host)
    if svc["status"] != "enabled" or svc["state"] != "up":
        raise SystemExit("%s's nova-compute is %s/%s: someone else is using it, not starting"
                         % (args.host, svc["status"], svc["state"]))
    zone = svc["zone"]
    others = sorted(s["id"] for s in servers_on(args.host) if not s["name"].startswith(PREFIX))
    work = Path(tempfile.mkdtemp(prefix="bench-drain-"))
    results = {DRAIN: {"seconds": [], "requests": [], "checks": [], "module": []},
               LOOP: {"seconds": [], "requests": [], "checks": []}}
    loads = []
    started = time.monotonic()
    load_before = loadavg()
    ids = []
    try:
        ids = seed(args.host, zone, args.servers)
        seed_seconds = time.monotonic() - started
        runner = Runner(args.host, args.max_parallel, ids, work)
        log("%d servers on %s (plus %d not ours, left alone); %d runs each, host_drain max_parallel=%d"
            % (len(ids), args.host, len(others), args.runs, args.max_parallel))
        # warm-up, not timed: imports, byte-compiled caches, tokens; changes nothing
        runner.host_drain(work / "warm.jsonl", check_mode=True)
        runner._run(runner.osc + ["server", "list", "--all-projects", "--host", args.host, "-f", "value"],
                    work / "warm.jsonl")
        gather_seconds = []
        for i in range(args.runs):
            order = [DRAIN, LOOP] if i % 2 == 0 else [LOOP, DRAIN]
            for name in order:
                if not all(host_of(s) == args.host and s["status"] == "ACTIVE" for s in bench_servers()):
                    gather_seconds.append(gather(ids, args.host))
                set_service(args.host, True)
                others = sorted(s["id"] for s in servers_on(args.host) if s["id"] not in ids)
                runner.keep_servers(others)
                counter = work / ("%s-%d.jsonl" % (name.split()[0], i))
                load = loadavg()
                since = time.time()
                start = time.perf_counter()
                try:
                    extra = runner.host_drain(counter) if name == DRAIN else runner.loop(counter)
                finally:
                    elapsed = time.perf_counter() - start
                    set_service(args.host, True)
                checks = check_after(ids, args.host, others)
                requests, by_path = count_requests(counter)
                r = results[name]
                r["seconds"].append(round(elapsed, 2))
                r["requests"].append(requests)
                r["by_path"] = by_path
                r["checks"].append(checks)
                r.setdefault("nova_pace", []).append(nova_pace(ids, args.host, since))
                if name == DRAIN:
                    r["module"].append(extra)
                loads.append({"run": i + 1, "tool": name, "before": load, "after": loadavg()})
                log("run %d %-30s %7.1f s  %5d HTTP requests  load %.1f  %s" % (
                    i + 1, name, elapsed, requests, loads[-1]["after"][0],
                    "lost %(lost)d, ERROR %(error)d, left on host %(left_on_host)d, hosts %(hosts)s" % checks
                    + "; Nova: a completion every %s s" % r["nova_pace"][-1]["median_gap_s"]))
                if checks["lost"] or checks["error"] or checks["left_on_host"] or checks["others_moved"]:
                    raise SystemExit("run %d of %s: %s" % (i + 1, name, checks))
        for r in results.values():
            r["median"] = round(statistics.median(r["seconds"]), 2)
        nova_conf = "\n".join(p.read_text() for p in sorted((LAB / "etc" / "nova").glob("*.conf")))
        summary_ = {
            "label": label, "runs": args.runs, "servers": args.servers, "host": args.host, "zone": zone,
            "max_parallel": args.max_parallel, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]), "commands": runner.commands(),
            "results": results, "ratio_median": round(results[LOOP]["median"] / results[DRAIN]["median"], 2),
            "others_on_host_kept": len(others), "collection": collection_state(), "seed_seconds": round(seed_seconds),
            "gather_seconds": [round(x) for x in gather_seconds],
            "load_average": {"before": load_before, "after": loadavg(), "cores": os.cpu_count(), "runs": loads},
            "wall_seconds": round(time.monotonic() - started),
            "nova": {"max_concurrent_live_migrations": _conf(nova_conf, "max_concurrent_live_migrations",
                                                             "1 (Nova's default)"),
                     "osapi_compute_workers": _conf(nova_conf, "osapi_compute_workers", "Nova's default")},
        }
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        path = out / ("drain-%s.json" % label)
        path.write_text(json.dumps(summary_, indent=2, sort_keys=True) + "\n")
        log("%s: host_drain median %.1f s, loop median %.1f s, loop / host_drain = %.1fx -> %s" % (
            label, results[DRAIN]["median"], results[LOOP]["median"], summary_["ratio_median"], path))
        return 0
    finally:
        try:
            set_service(args.host, True)
        finally:
            if ids and not args.keep:
                log("deleting the %d bench servers" % len(ids))
                for s in bench_servers():
                    api("DELETE", "/servers/%s" % s["id"], ok=(204, 404))
                wait_gone([s for s in ids])
            elif ids:
                log("kept the bench servers (--keep); gathering them back onto %s" % args.host)
                try:
                    gather(ids, args.host)
                except RuntimeError as exc:
                    log("could not gather them all: %s" % exc)


def _conf(text, key, default):
    for line in text.splitlines():
        if line.split("=")[0].strip() == key:
            return line.split("=", 1)[1].strip()
    return default


if __name__ == "__main__":
    sys.exit(main())
