#!/usr/bin/env python3
"""Benchmark: hardware_scan (one task) vs community.general.redfish_info (a task per host) vs a thread pool.

    bench_hardware.py --label lab-4 [--runs 5] [--out docs/bench] [--bmcs PATH]

Reads the lab's BMC map (OSFLEET_BMC_LAB_DIR, else OSFLEET_LAB_DIR, else .lab). community.general's
redfish_info only speaks HTTPS and the lab's Redfish BMCs plain HTTP, so every Redfish BMC gets a local TLS
proxy (self-signed, validate_certs off) and all three contenders go through it:

* osfleet.day2.hardware_scan in ONE task over the Redfish BMCs (gather power, identity, sensors), and
  again over every BMC of the map (IPMI included; redfish_info cannot read IPMI);
* community.general.redfish_info, one task per Redfish host (Systems/GetSystemInventory,
  Chassis/GetChassisThermals and GetChassisPower: two tasks), with --forks 5 and --forks 20;
* the floor: a plain ThreadPoolExecutor of sushy reads (log in, system, chassis thermal and power,
  log out), in this process.

Both playbook runs use .venv-bench's ansible-playbook (same ansible-core) and the toolchain's python
as the module interpreter (it has sushy and pyghmi). Median of --runs after one warm-up each.
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
import threading
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


# ---- TLS proxy ----------------------------------------------------------------------------------

class TlsProxy:
    """TLS on 127.0.0.1:<random> -> plain TCP backend, one per Redfish BMC, in a background loop."""

    def __init__(self, cert: Path, key: Path):
        self.ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ctx.load_cert_chain(str(cert), str(key))
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def add(self, backend_port: int) -> int:
        async def handle(reader, writer):
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

        async def start():
            server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=self.ctx)
            return server.sockets[0].getsockname()[1]
        return asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)


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


def redfish_info_play(work: Path, hosts: dict) -> tuple:
    inv = work / "redfish_hosts.yml"
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


def floor(hosts: dict, workers: int = 32) -> float:
    import sushy
    import urllib3
    urllib3.disable_warnings()

    def one(b):
        root = sushy.Sushy("https://127.0.0.1:%d" % b["proxy_port"], username=b["username"],
                           password=b["password"], verify=False)
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
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, hosts.values()))
    return time.perf_counter() - start


# ---- main ------------------------------------------------------------------------------------------

def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--label", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=str(REPO / "docs" / "bench"))
    ap.add_argument("--bmcs", default=str(LAB / "bmcs.yml"))
    ap.add_argument("--note", default="", help="a remark kept with the results (e.g. what else ran)")
    args = ap.parse_args()
    bmcs = yaml.safe_load(Path(args.bmcs).read_text())
    work = Path(tempfile.mkdtemp(prefix="bench-hardware-"))
    proxy = TlsProxy(*self_signed(work))
    redfish = {}
    scan_all = {}
    for host, b in bmcs.items():
        entry = {k: b[k] for k in ("address", "username", "password")}
        if b.get("type", "redfish") == "redfish":
            url = urlparse(b["address"])
            b = dict(b, proxy_port=proxy.add(url.port))
            redfish[host] = b
            entry["address"] = "redfish+https://127.0.0.1:%d%s" % (b["proxy_port"], url.path)
            entry["verify"] = False
        scan_all[host] = entry
    scan_redfish = {h: e for h, e in scan_all.items() if h in redfish}
    rf_play, rf_inv = redfish_info_play(work, redfish)
    contenders = {
        "hardware_scan (redfish hosts, 1 task)": lambda: play(
            scan_play(work, "scan_redfish", scan_redfish, work / "scan_redfish.json"), 5, "localhost,"),
        "redfish_info forks=5": lambda: play(rf_play, 5, str(rf_inv)),
        "redfish_info forks=20": lambda: play(rf_play, 20, str(rf_inv)),
        "sushy thread pool (floor, in-process)": lambda: floor(redfish),
        "hardware_scan (all hosts incl. IPMI, 1 task)": lambda: play(
            scan_play(work, "scan_all", scan_all, work / "scan_all.json"), 5, "localhost,"),
    }
    results = {name: {"seconds": []} for name in contenders}
    for name, fn in contenders.items():  # warm-up, not counted
        fn()
    for i in range(args.runs):
        order = list(contenders) if i % 2 == 0 else list(reversed(contenders))
        for name in order:
            elapsed = contenders[name]()
            results[name]["seconds"].append(round(elapsed, 3))
            print("[bench] run %d %-46s %6.2fs" % (i + 1, name, elapsed), flush=True)
    for r in results.values():
        r["median"] = round(statistics.median(r["seconds"]), 3)
    statuses = json.loads((work / "scan_all.json").read_text())["summary"]
    ours = results["hardware_scan (redfish hosts, 1 task)"]["median"]
    summary = {
        "label": args.label, "runs": args.runs, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:]), "results": results,
        "bmcs": {"total": len(bmcs), "redfish": len(redfish), "ipmi": len(bmcs) - len(redfish)},
        "last_scan_summary": statuses,
        "ratio_median": {
            "redfish_info_forks5 / hardware_scan": round(results["redfish_info forks=5"]["median"] / ours, 2),
            "redfish_info_forks20 / hardware_scan": round(results["redfish_info forks=20"]["median"] / ours, 2),
            "hardware_scan / floor": round(ours / results["sushy thread pool (floor, in-process)"]["median"], 2),
        },
        "notes": "Redfish BMCs reached through a local TLS proxy (redfish_info is HTTPS-only); ansible-playbook "
                 "from .venv-bench for both; module interpreter .venv/bin/python."
                 + (" " + args.note if args.note else "")
                 + " Load average at the end: %.1f." % os.getloadavg()[0],
    }
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / ("hardware-%s.json" % args.label)).write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    for name, r in results.items():
        print("[bench] %s: %-46s median %.2fs" % (args.label, name, r["median"]))
    print("[bench] ratios: %s" % summary["ratio_median"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
