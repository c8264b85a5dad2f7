# -*- coding: utf-8 -*-
"""`ansible-playbook osfleet.day2.rolling_patch` end to end on the lab, as an operator runs it: the lab's package
hosts (`labctl hosts up`: compute-01 and compute-02 with their own dpkg database and the lab's apt repository)
are the inventory, the lab's real Nova the cloud. Checked through openstacksdk, dpkg inside each host and the
audit log, not through the playbook's own words.

1. A run over compute-01 and compute-02, batch 1: the canary then the other host, each drained through its own
   maintenance window, osfleet-lab-agent 1.0 -> 2.0; both windows complete, both hosts enabled, the run complete
   and its lock released, the versions before and after in the audit log. Run again: it is complete, nothing
   changes.
2. A target version the repository does not have, max_failures 0: the canary fails, the run stops, the canary
   stays out of the pool and is held with the reason, the other host is left exactly as it was.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ansible_collections.osfleet.day2.tests.integration.lab_tools import LAB_DIR, labctl

PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
HOSTS = ("compute-01", "compute-02")
ENTER = LAB_DIR / "hosts" / "bin" / "enter"
PACKAGE = "osfleet-lab-agent"

if os.geteuid() != 0:
    pytest.skip("the lab's package hosts need root (namespaces, chroot)", allow_module_level=True)


@pytest.fixture(scope="module")
def package_hosts(lab):
    yield LAB_DIR / "inventory" / "hosts.yml"
    labctl("hosts", "reset")
    labctl("hosts", "up")


def version(host):
    out = subprocess.run([str(ENTER), host, "dpkg-query", "-W", "-f", "${Version}", PACKAGE], capture_output=True,
                         text=True, timeout=60, check=True)
    return out.stdout.strip()


def service(admin, host):
    return next(s for s in admin.compute.services(binary="nova-compute") if s.host == host)


def metadata(admin, name):
    agg = admin.compute.find_aggregate(name)
    return dict(agg.metadata or {}) if agg is not None else None


def entries(log):
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.fixture
def patch(package_hosts, admin_conn, run_module, tmp_path):
    """patch(run, **vars) -> CompletedProcess of the playbook; at teardown the hosts are given back as they were."""
    labctl("hosts", "reset")  # new package hosts for each test: every package at 1.0
    labctl("hosts", "up")
    log = tmp_path / "audit.jsonl"
    runs = []

    def _run(run, **extra):
        runs.append(run)
        variables = dict(osfleet_patch_run=run, osfleet_patch_group="lab_package_hosts",
                         osfleet_patch_hosts=",".join(HOSTS), osfleet_cloud="lab-admin",
                         osfleet_clouds_yaml=str(LAB_DIR / "clouds.yaml"), osfleet_audit_log=str(log),
                         osfleet_audit_actor="it@lab", **extra)
        cmd = [str(PLAYBOOK), "-i", str(package_hosts), "osfleet.day2.rolling_patch", "-e", json.dumps(variables)]
        started = time.monotonic()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=1200, check=False,
                              env=dict(os.environ, ANSIBLE_FORCE_COLOR="0"))
        print("rolling_patch %s: rc %d in %.1f s" % (run, proc.returncode, time.monotonic() - started))
        (tmp_path / ("%s-%d.log" % (run, len(runs)))).write_text(proc.stdout + proc.stderr)
        return proc
    _run.log = log
    yield _run
    for run in runs:
        for host in HOSTS:  # a window left open is cancelled: its notices leave the servers' metadata
            window = metadata(admin_conn, "osfleet-maint-patch-%s-%s" % (run, host))
            if window is not None and window.get("osfleet_maint_state") not in ("complete", "cancelled"):
                run_module("maintenance_window", name="patch-%s-%s" % (run, host), state="cancelled")
    for agg in list(admin_conn.compute.aggregates()):
        name = agg.name or ""
        if any(name.startswith(p) for p in ["osfleet-patch-lock-", "osfleet-remed-"] +
               ["osfleet-patch-%s" % r for r in runs] + ["osfleet-maint-patch-%s-" % r for r in runs]):
            for h in agg.hosts or []:
                admin_conn.compute.remove_host_from_aggregate(agg, h)
            admin_conn.compute.delete_aggregate(agg)
    for host in HOSTS:
        svc = service(admin_conn, host)
        if svc.status != "enabled":
            admin_conn.compute.enable_service(svc)


def test_a_canary_then_a_batch_each_drained_patched_checked_and_returned(patch, admin_conn):
    assert [version(h) for h in HOSTS] == ["1.0", "1.0"]
    out = patch("it-rolling", osfleet_patch_packages=PACKAGE + "=2.0", osfleet_patch_batch="1")
    assert out.returncode == 0, out.stdout[-6000:]
    assert [version(h) for h in HOSTS] == ["2.0", "2.0"]
    run = metadata(admin_conn, "osfleet-patch-it-rolling")
    assert run["osfleet_patch_state"] == "complete", run
    assert {h: run["osfleet_patch_h_" + h].split("|")[3] for h in HOSTS} == {h: "done" for h in HOSTS}
    assert sorted(run["osfleet_patch_h_" + h].split("|")[0] for h in HOSTS) == ["0", "1"]  # a canary, a batch
    assert metadata(admin_conn, "osfleet-patch-lock-fleet") is None, "the lock was not released"
    for host in HOSTS:
        window = metadata(admin_conn, "osfleet-maint-patch-it-rolling-" + host)
        assert window["osfleet_maint_state"] == "complete", window
        svc = service(admin_conn, host)
        assert (svc.status, svc.state) == ("enabled", "up"), (host, svc.status, svc.disabled_reason)
    log = entries(patch.log)
    before = [e for e in log if e["action"] == "patching.host" and (e.get("details") or {}).get("step") ==
              "apply_packages"]
    after = [e for e in log if e["action"] == "patching.host" and (e.get("after") or {}).get("status") == "done"]
    assert sorted(e["target"] for e in before) == list(HOSTS)
    assert all(e["details"]["versions"] == {"packages": {PACKAGE: "1.0"}} for e in before), before
    assert all(e["details"]["versions"] == {"packages": {PACKAGE: "2.0"}} for e in after), after
    # the windows drained through the maintenance machinery: every server left each host while it was patched
    assert [e for e in log if e["action"] == "maintenance.state" and e["after"] == "ready"], "no window got ready"
    again = patch("it-rolling", osfleet_patch_packages=PACKAGE + "=2.0", osfleet_patch_batch="1")
    assert again.returncode == 0 and "is complete" in again.stdout, again.stdout[-3000:]
    assert len(entries(patch.log)) == len(log), "a complete run was run again"


def test_a_failed_canary_stops_the_run_holds_the_canary_and_leaves_the_other_host_alone(patch, admin_conn):
    out = patch("it-rolling-bad", osfleet_patch_packages=PACKAGE + "=9.9", osfleet_patch_batch="1",
                osfleet_patch_max_failures="0")
    assert out.returncode != 0, out.stdout[-6000:]
    run = metadata(admin_conn, "osfleet-patch-it-rolling-bad")
    assert run["osfleet_patch_state"] == "stopped" and "canary" in run["osfleet_patch_stop_reason"], run
    states = {h: run["osfleet_patch_h_" + h].split("|") for h in HOSTS}
    canary = next(h for h, s in states.items() if s[0] == "0")
    other = next(h for h in HOSTS if h != canary)
    assert states[canary][3].startswith("failed:") and "Upgrade the packages" in states[canary][3], states
    assert states[other][3] == "pending", states
    held = metadata(admin_conn, "osfleet-remed-" + canary)
    assert held["osfleet_remed_state"] == "held" and "patch run it-rolling-bad" in held["osfleet_remed_reason"], held
    svc = service(admin_conn, canary)
    assert svc.status == "disabled" and "patch-it-rolling-bad-" + canary in (svc.disabled_reason or ""), \
        "the failed canary must stay out of the pool"
    assert service(admin_conn, other).status == "enabled" and version(other) == "1.0"
    assert metadata(admin_conn, "osfleet-maint-patch-it-rolling-bad-" + other) is None, "the other host was touched"
    assert metadata(admin_conn, "osfleet-patch-lock-fleet") is None, "a stopped run keeps no lock"
