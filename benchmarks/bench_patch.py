#!/usr/bin/env python3
"""Benchmark: a rolling patch run with osfleet.day2.rolling_patch vs the plain sequential loop operators script.

    bench_patch.py [--runs 1] [--label lab-4-hosts] [--out docs/bench]

Both patch the lab's four package hosts (compute-01..04, `labctl hosts up`) from osfleet-lab-agent 1.0 to 2.0,
update the BMC firmware of the two Redfish hosts (compute-01/02) from 7.10 to 7.20, and reboot every host
through its BMC (a forced restart: the lab's IPMI BMCs have no OS for an ACPI soft-off), one host at a time:

* rolling_patch as a user runs it: ``ansible-playbook -i .lab/inventory/hosts.yml osfleet.day2.rolling_patch``
  (batch 1: a canary, then one host per batch), with its pre-checks, maintenance windows (owners told, the
  verified parallel drain), post-checks, the settle check, the audit log and the baselines;
* the loop operators script, host after host: ``openstack compute service set --disable``, ``openstack server
  list --all-projects --host``, ``openstack server migrate --live-migration --wait`` for each running server
  (``openstack server migrate --wait`` and ``openstack server resize confirm`` for a stopped one), ``apt-get
  update`` and ``apt-get install -y`` inside the host, a Redfish ``SimpleUpdate`` POST and its task polled
  every second (curl's equivalent, with requests) on the Redfish hosts, the reset (Redfish
  ``ComputerSystem.Reset`` ForceRestart, or ``ipmitool chassis power reset``), ``openstack compute service set
  --enable``. No pre-check, no post-check, no record.

Each run starts from new package hosts at 1.0 and the BMCs' own firmware (labctl hosts reset/up, labctl clear),
the order alternating. The per-host time is split into drain, patch (firmware and packages), reboot and checks
(rolling_patch: the post-checks, the window's completion and the settle check; the loop: the enable), read from
the audit log's step entries for rolling_patch and timed around each command for the loop; "before" is the
pre-state read and pre-checks (rolling_patch only). After each run: every host at 2.0, every Redfish BMC at
7.20, every server that existed before still there and none in ERROR. Results go to
docs/bench/patch-<label>.json; benchmarks/report.py renders them.

The floor ("best possible on this machine") is, per host, the faster tool's median drain, patch and reboot (the
parts neither can skip), times the hosts.
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
from datetime import datetime, timezone
from pathlib import Path

import openstack
import requests
import yaml

from benchlib import collection_state, log

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LAB = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
BIN = Path(sys.executable).parent
CLOUD = "lab-admin"
HOSTS = ("compute-01", "compute-02", "compute-03", "compute-04")
PACKAGE, TARGET = "osfleet-lab-agent", "2.0"
IMAGE = "http://firmware.lab.test/LabServer-R640e/bmc-7.20.bin"
ENTER = LAB / "hosts" / "bin" / "enter"
ROLLING = "osfleet.day2.rolling_patch"
LOOP = "sequential loop (openstack CLI, apt-get, curl, ipmitool)"
MV = "2.80"


def labctl(*args):
    subprocess.run(["python3", str(REPO / "lab" / "labctl"), *args], check=True,
                   timeout=600, stdout=subprocess.DEVNULL)


def conn():
    os.environ["OS_CLIENT_CONFIG_FILE"] = str(LAB / "clouds.yaml")
    return openstack.connect(cloud=CLOUD, compute_api_version=MV)


def servers(c):
    return {s.id: s.status for s in c.compute.servers(all_projects=True)}


def dpkg_version(host):
    return subprocess.run([str(ENTER), host, "dpkg-query", "-W", "-f", "${Version}", PACKAGE], capture_output=True,
                          text=True, timeout=60, check=True).stdout.strip()


def bmcs():
    return yaml.safe_load((LAB / "bmcs.yml").read_text())


def redfish_base(address):
    # redfish+http://127.0.0.1:18101/redfish/v1/Systems/<uuid>
    url = address.split("+", 1)[1]
    root, _, system = url.partition("/redfish/v1/")
    return root, "/redfish/v1/" + system


def bmc_version(bmc):
    root, _system = redfish_base(bmc["address"])
    doc = requests.get(root + "/redfish/v1/UpdateService/FirmwareInventory/BMC",
                       auth=(bmc["username"], bmc["password"]), timeout=30).json()
    return doc.get("Version")


def fresh_lab(c):
    labctl("hosts", "reset")
    labctl("hosts", "up")
    for host in HOSTS[:2]:
        labctl("clear", host)
    for agg in list(c.compute.aggregates()):
        name = agg.name or ""
        if name.startswith(("osfleet-patch-bench-", "osfleet-patch-lock-", "osfleet-patch-base-",
                            "osfleet-maint-patch-bench-")):
            for h in agg.hosts or []:
                c.compute.remove_host_from_aggregate(agg, h)
            c.compute.delete_aggregate(agg)
    for host in HOSTS:
        svc = next(s for s in c.compute.services(binary="nova-compute") if s.host == host)
        if svc.status != "enabled":
            c.compute.enable_service(svc)


def stamp(text):
    return datetime.strptime(text.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=timezone.utc).timestamp()


def run_rolling(run):
    audit = Path(tempfile.mkdtemp(prefix="bench-patch-")) / "audit.jsonl"
    variables = dict(osfleet_patch_run=run, osfleet_patch_group="lab_package_hosts",
                     osfleet_patch_hosts=",".join(HOSTS), osfleet_cloud=CLOUD,
                     osfleet_clouds_yaml=str(LAB / "clouds.yaml"), osfleet_audit_log=str(audit),
                     osfleet_bmc_map=str(LAB / "bmcs.yml"), osfleet_patch_packages="%s=%s" % (PACKAGE, TARGET),
                     osfleet_patch_firmware=IMAGE, osfleet_patch_reboot="always",
                     osfleet_patch_reboot_action="force_restart", osfleet_audit_actor="bench@lab")
    cmd = [str(BIN / "ansible-playbook"), "-i", str(LAB / "inventory" / "hosts.yml"), ROLLING, "-e",
           json.dumps(variables)]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".cache" / "collections"), ANSIBLE_FORCE_COLOR="0")
    started = time.monotonic()
    t_start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600, check=False)
    wall = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit("rolling_patch failed (rc %d):\n%s" % (proc.returncode, proc.stdout[-4000:]))
    entries = [json.loads(line) for line in audit.read_text().splitlines()]
    phases = {}
    order = []
    for e in entries:
        if e["action"] != "patching.host":
            continue
        host, when = e["target"], stamp(e["time"])
        marks = phases.setdefault(host, {})
        after = e.get("after") or {}
        key = (e.get("details") or {}).get("step") or after.get("status")
        marks.setdefault(key, when)
        if host not in order:
            order.append(host)
    per_host = {}
    previous_end = t_start
    for host in order:
        m = phases[host]
        per_host[host] = {"before": m["drain"] - previous_end, "drain": m["apply"] - m["drain"],
                          "patch": m["reboot"] - m["apply"], "reboot": m["return"] - m["reboot"],
                          "checks": m["done"] - m["return"]}
        previous_end = m["done"]
    return {"wall": wall, "per_host": per_host, "order": order, "command": " ".join(cmd[:4]) + " -e <vars>"}


def openstack_cli(*args):
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=str(LAB / "clouds.yaml"), OS_CLOUD=CLOUD,
               OS_COMPUTE_API_VERSION=MV)
    out = subprocess.run([str(BIN / "openstack"), *args], capture_output=True, text=True, env=env, timeout=900)
    if out.returncode != 0:
        raise SystemExit("openstack %s failed: %s" % (" ".join(args), out.stderr[-2000:]))
    return out.stdout


def loop_firmware(bmc):
    root, _system = redfish_base(bmc["address"])
    auth = (bmc["username"], bmc["password"])
    resp = requests.post(root + "/redfish/v1/UpdateService/Actions/UpdateService.SimpleUpdate",
                         json={"ImageURI": IMAGE}, auth=auth, timeout=30)
    resp.raise_for_status()
    task = resp.headers.get("Location")
    while task:
        doc = requests.get(root + task if task.startswith("/") else task, auth=auth, timeout=30).json()
        if doc.get("TaskState") in ("Completed", "Exception", "Killed", "Cancelled"):
            if doc.get("TaskState") != "Completed":
                raise SystemExit("firmware task %s ended %s" % (task, doc.get("TaskState")))
            break
        time.sleep(1)


def loop_reset(bmc):
    if bmc["address"].startswith("ipmi://"):
        hostport = bmc["address"][len("ipmi://"):]
        host, _, port = hostport.partition(":")
        subprocess.run(["ipmitool", "-I", "lanplus", "-H", host, "-p", port or "623", "-U", bmc["username"],
                        "-P", bmc["password"], "chassis", "power", "reset"], check=True, timeout=120,
                       capture_output=True)
        return
    root, system = redfish_base(bmc["address"])
    requests.post(root + system + "/Actions/ComputerSystem.Reset", json={"ResetType": "ForceRestart"},
                  auth=(bmc["username"], bmc["password"]), timeout=30).raise_for_status()


def run_loop():
    maps = bmcs()
    per_host = {}
    moves = []
    started = time.monotonic()
    for host in HOSTS:
        t0 = time.monotonic()
        openstack_cli("compute", "service", "set", "--disable", "--disable-reason", "patching", host, "nova-compute")
        rows = [line.split() for line in openstack_cli("server", "list", "--all-projects", "--host", host, "-f",
                                                        "value", "-c", "ID", "-c", "Status").splitlines()]
        ids = [row[0] for row in rows]
        for sid, status in rows:
            m0 = time.monotonic()
            if status == "ACTIVE":
                openstack_cli("server", "migrate", "--live-migration", "--wait", sid)
            else:  # a stopped server cannot be live-migrated: cold, then confirm
                openstack_cli("server", "migrate", "--wait", sid)
                openstack_cli("server", "resize", "confirm", sid)
            moves.append(time.monotonic() - m0)
        t1 = time.monotonic()
        if maps[host]["address"].startswith("redfish"):
            loop_firmware(maps[host])
        subprocess.run([str(ENTER), host, "apt-get", "update", "-q"], check=True, capture_output=True, timeout=600)
        subprocess.run([str(ENTER), host, "apt-get", "install", "-y", "-q", "%s=%s" % (PACKAGE, TARGET)], check=True,
                       capture_output=True, timeout=600)
        t2 = time.monotonic()
        loop_reset(maps[host])
        t3 = time.monotonic()
        openstack_cli("compute", "service", "set", "--enable", host, "nova-compute")
        t4 = time.monotonic()
        per_host[host] = {"before": 0.0, "drain": t1 - t0, "patch": t2 - t1, "reboot": t3 - t2, "checks": t4 - t3,
                          "servers": len(ids)}
    return {"wall": time.monotonic() - started, "per_host": per_host, "order": list(HOSTS), "moves": moves,
            "command": "openstack compute service set --disable; openstack server migrate --live-migration --wait "
                       "(each); apt-get install; curl SimpleUpdate; ipmitool/Redfish reset; openstack compute "
                       "service set --enable"}


def check(c, before):
    bad = {h: dpkg_version(h) for h in HOSTS if dpkg_version(h) != TARGET}
    maps = bmcs()
    fw = {h: bmc_version(maps[h]) for h in HOSTS[:2]}
    after = servers(c)
    lost = sorted(set(before) - set(after))
    errors = sorted(s for s, st in after.items() if st == "ERROR")
    if bad or any(v != "7.20" for v in fw.values()) or lost or errors:
        raise SystemExit("after the run: packages %s, firmware %s, lost %s, in ERROR %s" % (bad, fw, lost, errors))
    return {"lost": len(lost), "errors": len(errors)}


def floor_of(out):
    """Per host, the faster tool's median drain, patch and reboot (what neither can skip), times the hosts."""
    medians = [out["results"][tool]["per_host_median"] for tool in (ROLLING, LOOP)]
    return len(HOSTS) * sum(min(m[k] for m in medians) for k in ("drain", "patch", "reboot"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--label", default="lab-4-hosts")
    ap.add_argument("--out", default=str(REPO / "docs" / "bench"))
    args = ap.parse_args()
    c = conn()
    results = {ROLLING: [], LOOP: []}
    checks = []
    load_before = os.getloadavg()
    for n in range(args.runs):
        for tool in ((ROLLING, LOOP) if n % 2 == 0 else (LOOP, ROLLING)):
            fresh_lab(c)
            before = servers(c)
            log("run %d: %s" % (n + 1, tool))
            out = run_rolling("bench-%d-%d" % (int(time.time()), n)) if tool == ROLLING else run_loop()
            out["check"] = check(c, before)
            checks.append(out["check"])
            log("  %.1f s" % out["wall"])
            results[tool].append(out)
    fresh_lab(c)

    def summary(runs):
        walls = [r["wall"] for r in runs]
        phases = {}
        for r in runs:
            for host, parts in r["per_host"].items():
                for k, v in parts.items():
                    if k != "servers":
                        phases.setdefault(k, []).append(v)
        return {"seconds": walls, "median": statistics.median(walls),
                "per_host_median": {k: statistics.median(v) for k, v in phases.items()}, "runs": runs}
    out = {"label": args.label, "when": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
           "hosts": list(HOSTS), "runs": args.runs, "collection": collection_state(),
           "results": {k: summary(v) for k, v in results.items()}, "loadavg_before": load_before,
           "loadavg_after": os.getloadavg()}
    out["floor_seconds"] = floor_of(out)
    out["ratio_median"] = out["results"][ROLLING]["median"] / out["results"][LOOP]["median"]
    path = Path(args.out) / ("patch-%s.json" % args.label)
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    log("wrote %s: rolling_patch %.1f s, loop %.1f s (%.2fx), floor %.1f s" % (
        path, out["results"][ROLLING]["median"], out["results"][LOOP]["median"], out["ratio_median"], floor))


if __name__ == "__main__":
    main()
