#!/usr/bin/env python3
"""Benchmark: hardware_scan (one task) vs community.general.redfish_info (a task per host) vs a thread pool.

    bench_hardware.py --label 200-bmcs [--runs 5] [--slow-runs 3] [--out docs/bench] [--bmcs PATH]

Reads the lab's BMC map (OSFLEET_BMC_LAB_DIR, else OSFLEET_LAB_DIR, else .lab). community.general's
redfish_info only speaks HTTPS and the lab's Redfish BMCs plain HTTP, so every Redfish BMC gets a local TLS
proxy (self-signed, validate_certs off; one child process for all of them, so that no contender shares a GIL
with it) and every contender goes through it:

* osfleet.day2.hardware_scan in ONE task over the Redfish BMCs (gather power, identity, sensors), and
  again over every BMC of the map (IPMI included; redfish_info cannot read IPMI);
* community.general.redfish_info, one task per Redfish host (Systems/GetSystemInventory,
  Chassis/GetChassisThermals and GetChassisPower: two tasks), with --forks 5 and --forks 20;
* the floor: a plain ThreadPoolExecutor of sushy reads of the same documents as hardware_scan (service
  root, log in, system, chassis, thermal, power, log out), in this process, with the same TLS set-up as
  hardware_scan (one SSLContext for the process);
* the same thread pool with sushy's TLS defaults, where requests builds a new SSLContext and loads the CA
  bundle for every connection (and sushy closes the connection after every request).

Both playbook runs use .venv-bench's ansible-playbook (same ansible-core) and the toolchain's python
as the module interpreter (it has sushy and pyghmi). Each contender runs once as a warm-up (redfish_info on
4 hosts only: it warms the same code and files in seconds instead of minutes), then --runs times,
alternating the order; redfish_info, which takes minutes at 200 BMCs, runs in the first --slow-runs of
them. The proxy counts TLS connections, which is the number of HTTP requests (every client closes after
each). Medians, ratios and the load average before and after go to docs/bench/hardware-<label>.json.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LAB = Path(os.environ.get("OSFLEET_BMC_LAB_DIR") or os.environ.get("OSFLEET_LAB_DIR") or REPO / ".lab")
BENCH_BIN = REPO / ".venv-bench" / "bin"
MODULE_PY = REPO / ".venv" / "bin" / "python"
COLLECTIONS = REPO / ".cache" / "collections"
FLOOR = "sushy thread pool (floor, in-process)"
FLOOR_SUSHY_TLS_DEFAULTS = "sushy thread pool, sushy TLS defaults (in-process)"


# ---- TLS proxy ----------------------------------------------------------------------------------

class TlsProxy:
    """TLS on 127.0.0.1:<random> -> plain TCP backend, one listener per Redfish BMC.

    It runs in a child process of its own (``--serve-proxy``) so that its TLS handshakes never share a
    GIL with a contender: the in-process floor would otherwise pay for them and the playbooks not."""

    def __init__(self, cert: Path, key: Path, backend_ports):
        self.proc = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--serve-proxy", str(cert), str(key)]
            + [str(p) for p in backend_ports], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit("the TLS proxy did not start")
        self.ports = {int(k): v for k, v in json.loads(line).items()}

    def connections(self) -> int:
        """TLS connections accepted since the last call."""
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def stop(self):
        self.proc.stdin.close()
        self.proc.wait(10)


def serve_proxy(cert: str, key: str, backend_ports) -> int:
    """The proxy process: print {backend port: proxy port} as one JSON line, serve until stdin closes."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    accepted = [0]

    def handler(backend_port):
        async def handle(reader, writer):
            accepted[0] += 1
            try:
                up_r, up_w = await asyncio.open_connection("127.0.0.1", backend_port)
            except OSError:
                writer.close()
                return

            async def pipe(r, w):
                try:
                    while data := await r.read(65536):
                        w.write(data)
                        await w.drain()
                except (OSError, ConnectionError):
                    pass
                finally:
                    w.close()
            await asyncio.gather(pipe(reader, up_w), pipe(up_r, writer))
        return handle

    async def main():
        ports = {}
        for port in backend_ports:
            server = await asyncio.start_server(handler(port), "127.0.0.1", 0, ssl=ctx, backlog=512)
            ports[port] = server.sockets[0].getsockname()[1]
        print(json.dumps(ports), flush=True)
        loop = asyncio.get_running_loop()
        while (await loop.run_in_executor(None, sys.stdin.readline)).strip() == "count":  # EOF: done
            print(accepted[0], flush=True)
            accepted[0] = 0
    asyncio.run(main())
    return 0


def self_signed(work: Path):
    cert, key = work / "proxy.crt", work / "proxy.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
                    "-days", "1", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


# ---- contenders -------------------------------------------------------------------------------------

def play(path: Path, forks: int, inventory: str) -> float:
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_HOST_KEY_CHECKING="False",
               ANSIBLE_LOCAL_TEMP=str(REPO / ".cache" / "ansible-tmp"), ANSIBLE_PYTHON_INTERPRETER=str(MODULE_PY))
    start = time.perf_counter()
    proc = subprocess.run([str(BENCH_BIN / "ansible-playbook"), "-i", inventory, "--forks", str(forks), str(path)],
                          capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit("%s failed:\n%s\n%s" % (path.name, proc.stdout[-3000:], proc.stderr[-2000:]))
    return elapsed


def scan_play(work: Path, name: str, bmcs: dict, out_json: Path) -> Path:
    path = work / ("%s.yml" % name)
    path.write_text(json.dumps([{
        "hosts": "localhost", "gather_facts": False, "connection": "local",
        "tasks": [{"osfleet.day2.hardware_scan": {
            "bmcs": bmcs, "gather": ["power", "identity", "sensors"], "workers": 32, "timeout": 30,
            "json_path": str(out_json)}}]}]))
    return path


def redfish_info_play(work: Path, hosts: dict, name: str = "redfish_hosts") -> tuple:
    inv = work / ("%s.yml" % name)
    inv.write_text(json.dumps({"all": {"hosts": {h: {"baseuri": "127.0.0.1:%d" % b["proxy_port"],
                                                     "bmc_user": b["username"], "bmc_password": b["password"]}
                                                 for h, b in hosts.items()}}}))
    path = work / "redfish_info.yml"
    common = {"baseuri": "{{ baseuri }}", "username": "{{ bmc_user }}", "password": "{{ bmc_password }}",
              "validate_certs": False, "timeout": 30}
    path.write_text(json.dumps([{
        "hosts": "all", "gather_facts": False, "connection": "local",
        # a command must belong to every category of its task: one task per category
        "tasks": [{"community.general.redfish_info": dict(common, category=cat, command=cmds)}
                  for cat, cmds in (("Systems", ["GetSystemInventory"]),
                                    ("Chassis", ["GetChassisThermals", "GetChassisPower"]))]}]))
    return path, inv


def floor(hosts: dict, workers: int = 32, shared_tls: bool = True) -> float:
    """sushy reads of what hardware_scan reads; ``shared_tls``: through one SSLContext, as hardware_scan does."""
    import sushy
    import urllib3
    from sushy import connector as sushy_connector
    urllib3.disable_warnings()
    adapter = None
    if shared_tls:
        sys.path.insert(0, str(COLLECTIONS))
        from ansible_collections.osfleet.day2.plugins.module_utils._hardware.redfish.tls import (
            SharedContextAdapter,
            tls_context,
        )
        adapter = SharedContextAdapter(tls_context(False))

    def one(b):
        url = "https://127.0.0.1:%d" % b["proxy_port"]
        conn = sushy_connector.Connector(url, verify=False, server_side_retries=10, server_side_retries_delay=3,
                                         default_request_timeout=60)  # what sushy.Sushy would build
        if adapter is not None:
            conn._session.mount("https://", adapter)
        root = sushy.Sushy(url, username=b["username"], password=b["password"], verify=False, connector=conn)
        try:
            system = root.get_system(urlparse(b["address"]).path)
            chassis = system.json["Links"]["Chassis"][0]["@odata.id"]
            doc = root._conn.get(chassis).json()
            root._conn.get(doc["Thermal"]["@odata.id"]).json()
            root._conn.get(doc["Power"]["@odata.id"]).json()
            return system.power_state
        finally:
            root._auth.close()
            root._auth = None
            conn.close()
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, hosts.values()))
    return time.perf_counter() - start


# ---- main ------------------------------------------------------------------------------------------

def main() -> int:
    if sys.argv[1:2] == ["--serve-proxy"]:
        return serve_proxy(sys.argv[2], sys.argv[3], [int(p) for p in sys.argv[4:]])
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--slow-runs", type=int, default=3,
                    help="runs of redfish_info (minutes each at 200 BMCs), within the first of --runs")
    ap.add_argument("--out", default=str(REPO / "docs" / "bench"))
    ap.add_argument("--bmcs", default=str(LAB / "bmcs.yml"))
    ap.add_argument("--note", default="", help="a remark kept with the results (e.g. what else ran)")
    args = ap.parse_args()
    bmcs = yaml.safe_load(Path(args.bmcs).read_text())
    work = Path(tempfile.mkdtemp(prefix="bench-hardware-"))
    backends = [urlparse(b["address"]).port for b in bmcs.values() if b.get("type", "redfish") == "redfish"]
    proxy = TlsProxy(*self_signed(work), backends)
    redfish = {}
    scan_all = {}
    for host, b in bmcs.items():
        entry = {k: b[k] for k in ("address", "username", "password")}
        if b.get("type", "redfish") == "redfish":
            url = urlparse(b["address"])
            b = dict(b, proxy_port=proxy.ports[url.port])
            redfish[host] = b
            entry["address"] = "redfish+https://127.0.0.1:%d%s" % (b["proxy_port"], url.path)
            entry["verify"] = False
        scan_all[host] = entry
    scan_redfish = {h: e for h, e in scan_all.items() if h in redfish}
    rf_play, rf_inv = redfish_info_play(work, redfish)
    _warm_play, warm_inv = redfish_info_play(work, dict(list(redfish.items())[:4]), name="redfish_info_warm")
    scan, every, rf5, rf20 = ("hardware_scan (redfish hosts, 1 task)", "hardware_scan (all hosts incl. IPMI, 1 task)",
                              "redfish_info forks=5", "redfish_info forks=20")
    floor_shared, floor_defaults = FLOOR, FLOOR_SUSHY_TLS_DEFAULTS
    contenders = {
        scan: lambda: play(scan_play(work, "scan_redfish", scan_redfish, work / "scan_redfish.json"), 5,
                           "localhost,"),
        rf5: lambda: play(rf_play, 5, str(rf_inv)),
        rf20: lambda: play(rf_play, 20, str(rf_inv)),
        floor_shared: lambda: floor(redfish, shared_tls=True),
        floor_defaults: lambda: floor(redfish, shared_tls=False),
        every: lambda: play(scan_play(work, "scan_all", scan_all, work / "scan_all.json"), 5, "localhost,"),
    }
    warm_ups = dict(contenders, **{rf5: lambda: play(rf_play, 5, str(warm_inv)),
                                   rf20: lambda: play(rf_play, 20, str(warm_inv))})
    slow = {rf5, rf20}
    results = {name: {"seconds": [], "connections": []} for name in contenders}
    load_before = os.getloadavg()
    started = time.monotonic()
    try:
        for name, fn in warm_ups.items():  # not counted
            fn()
        proxy.connections()
        for i in range(args.runs):
            order = list(contenders) if i % 2 == 0 else list(reversed(contenders))
            for name in order:
                if name in slow and i >= args.slow_runs:
                    continue
                elapsed = contenders[name]()
                results[name]["seconds"].append(round(elapsed, 3))
                results[name]["connections"].append(proxy.connections())
                print("[bench] run %d %-50s %7.2fs %6d TLS connections  load %.1f" % (
                    i + 1, name, elapsed, results[name]["connections"][-1], os.getloadavg()[0]), flush=True)
    finally:
        proxy.stop()
    load_after = os.getloadavg()
    for r in results.values():
        r["median"] = round(statistics.median(r["seconds"]), 3)
        r["runs"] = len(r["seconds"])
        r["connections_per_bmc"] = round(r.pop("connections")[-1] / len(redfish), 2)
    results[every]["connections_per_bmc"] = None  # IPMI hosts do not go through the proxy
    statuses = json.loads((work / "scan_all.json").read_text())["summary"]
    ours = results[scan]["median"]
    summary = {
        "label": args.label, "runs": args.runs, "slow_runs": min(args.slow_runs, args.runs),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]), "results": results,
        "bmcs": {"total": len(bmcs), "redfish": len(redfish), "ipmi": len(bmcs) - len(redfish)},
        "last_scan_summary": statuses,
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after],
                         "cores": os.cpu_count()},
        "wall_seconds": round(time.monotonic() - started),
        "ratio_median": {
            "redfish_info_forks5 / hardware_scan": round(results[rf5]["median"] / ours, 2),
            "redfish_info_forks20 / hardware_scan": round(results[rf20]["median"] / ours, 2),
            "hardware_scan / floor": round(ours / results[floor_shared]["median"], 2),
            "hardware_scan / floor_sushy_tls_defaults": round(ours / results[floor_defaults]["median"], 2),
        },
        "notes": "Redfish BMCs reached through a local TLS proxy in a process of its own (redfish_info is "
                 "HTTPS-only); ansible-playbook from .venv-bench for both; module interpreter .venv/bin/python."
                 + (" " + args.note if args.note else ""),
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / ("hardware-%s.json" % args.label)).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    for name, r in results.items():
        print("[bench] %s: %-50s median %7.2fs of %d runs" % (args.label, name, r["median"], r["runs"]))
    print("[bench] ratios: %s" % summary["ratio_median"])
    print("[bench] load average before %s, after %s" % (summary["load_average"]["before"],
                                                         summary["load_average"]["after"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
