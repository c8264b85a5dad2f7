# -*- coding: utf-8 -*-
"""`ansible-playbook osfleet.day2.rolling_patch` and `osfleet.day2.rollback` end to end on the lab, as an operator
runs them: the lab's package hosts (`labctl hosts up`: compute-01..04, each with its own dpkg database and the
lab's apt repository) are the inventory, the lab's real Nova the cloud, the lab's BMCs (.lab/bmcs.yml: Redfish on
compute-01/02, IPMI on compute-03/04) the hardware. Checked through openstacksdk, dpkg inside each host, the BMCs
and the audit log, not through the playbook's own words.

1. All four hosts, a package target (osfleet-lab-agent 1.0 -> 2.0) and a firmware target (BMC 7.10 -> 7.20, on the
   Redfish hosts), a reboot through the BMC each, audit rules before and after, a probe server booted on each
   after its patch; the controller is killed while the second host is under way and
   the run is started again: it finishes, no host is patched twice (one dpkg upgrade, one firmware update each),
   every server is still there and ACTIVE, the audit log holds each host's before and after, the baseline moved to
   the verified versions. Then `rollback` returns compute-01 to 1.0 and BMC 7.10 (the previous baseline).
2. The `update_fails` fault on the third host's BMC, max_failures 0: the run stops there, that host is held and
   stays out of the pool, the fourth is untouched.
3. An `overtemp` fault and the audit rule HW-14 as a pre-check: the host is refused before its drain, left in the
   pool as it was, not held.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from ansible_collections.osfleet.day2.tests.integration.lab_tools import LAB_DIR, labctl

PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
HOSTS = ("compute-01", "compute-02", "compute-03", "compute-04")
REDFISH = ("compute-01", "compute-02")
IMAGE = "http://firmware.lab.test/LabServer-R640e/bmc-7.20.bin"
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


def upgrades(host):
    """How many times dpkg upgraded the package inside the host (its own /var/log/dpkg.log)."""
    out = subprocess.run([str(ENTER), host, "sh", "-c", "cat /var/log/dpkg.log 2>/dev/null || true"],
                         capture_output=True, text=True, timeout=60, check=True)
    return len([line for line in out.stdout.splitlines() if " upgrade %s:" % PACKAGE in line])


def bmc_firmware(run_module, host):
    bmc = yaml.safe_load((LAB_DIR / "bmcs.yml").read_text())[host]
    out = run_module("hardware_info", gather=["firmware"], address=bmc["address"], username=bmc["username"],
                     password=bmc["password"])
    return {f["id"]: f["version"] for f in out["hardware"]["firmware"] if not f["previous"]}


def servers(admin):
    return {s.id: (s.name, s.status) for s in admin.compute.servers(all_projects=True)}


@pytest.fixture
def patch(package_hosts, admin_conn, run_module, tmp_path):
    """patch(run, playbook=..., **vars) -> CompletedProcess; at teardown the hosts and BMCs are given back."""
    labctl("hosts", "reset")  # new package hosts for each test: every package at 1.0
    labctl("hosts", "up")
    for host in REDFISH:
        labctl("clear", host)  # the lab's own firmware, no kept image, no fault
    log = tmp_path / "audit.jsonl"
    runs = []

    def _command(run, playbook, extra):
        runs.append(run)
        variables = dict(osfleet_patch_run=run, osfleet_patch_group="lab_package_hosts",
                         osfleet_patch_hosts=",".join(HOSTS), osfleet_cloud="lab-admin",
                         osfleet_clouds_yaml=str(LAB_DIR / "clouds.yaml"), osfleet_audit_log=str(log),
                         osfleet_bmc_map=str(LAB_DIR / "bmcs.yml"), osfleet_audit_actor="it@lab")
        variables.update(extra)
        return [str(PLAYBOOK), "-i", str(package_hosts), "osfleet.day2." + playbook, "-e", json.dumps(variables)]

    def _run(run, playbook="rolling_patch", **extra):
        started = time.monotonic()
        proc = subprocess.run(_command(run, playbook, extra), capture_output=True, text=True, timeout=1800,
                              check=False, env=dict(os.environ, ANSIBLE_FORCE_COLOR="0"))
        print("%s %s: rc %d in %.1f s" % (playbook, run, proc.returncode, time.monotonic() - started))
        (tmp_path / ("%s-%d.log" % (run, len(runs)))).write_text(proc.stdout + proc.stderr)
        return proc

    def _kill_when(run, until, **extra):
        """Start the run and kill the controller (the whole process group) once ``until(audit entries)``."""
        proc = subprocess.Popen(_command(run, "rolling_patch", extra), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True,
                                env=dict(os.environ, ANSIBLE_FORCE_COLOR="0"))
        deadline = time.monotonic() + 900
        try:
            while time.monotonic() < deadline and proc.poll() is None and not until(entries(log)):
                time.sleep(0.5)
            assert proc.poll() is None, "the run ended before it could be killed"
            assert until(entries(log)), "the run never reached the point to kill it at"
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)

    _run.log = log
    _run.kill_when = _kill_when
    yield _run
    for run in runs:
        for host in HOSTS:  # a window left open is cancelled: its notices leave the servers' metadata
            for kind in ("patch", "rollback"):
                window = metadata(admin_conn, "osfleet-maint-%s-%s-%s" % (kind, run, host))
                if window is not None and window.get("osfleet_maint_state") not in ("complete", "cancelled"):
                    run_module("maintenance_window", name="%s-%s-%s" % (kind, run, host), state="cancelled")
    for agg in list(admin_conn.compute.aggregates()):
        name = agg.name or ""
        if any(name.startswith(p) for p in ["osfleet-patch-lock-", "osfleet-remed-", "osfleet-patch-base-"] +
               ["osfleet-patch-%s" % r for r in runs] + ["osfleet-maint-patch-%s-" % r for r in runs] +
               ["osfleet-maint-rollback-%s-" % r for r in runs]):
            for h in agg.hosts or []:
                admin_conn.compute.remove_host_from_aggregate(agg, h)
            admin_conn.compute.delete_aggregate(agg)
    for host in HOSTS:
        svc = service(admin_conn, host)
        if svc.status != "enabled":
            admin_conn.compute.enable_service(svc)
    for host in REDFISH:
        labctl("clear", host)


def test_four_hosts_canary_first_a_killed_controller_resumed_then_a_rollback(patch, admin_conn, run_module):
    assert [version(h) for h in HOSTS] == ["1.0"] * 4
    before = servers(admin_conn)
    targets = dict(osfleet_patch_packages=PACKAGE + "=2.0", osfleet_patch_firmware=IMAGE, osfleet_patch_reboot="always",
                   osfleet_patch_probe_flavor="c1.nano", osfleet_patch_probe_image="cirros-lab",
                   osfleet_patch_rules="NOVA-16,HW-13,HW-14",
                   osfleet_patch_reboot_action="force_restart")  # the lab's IPMI BMCs have no OS for an ACPI soft-off

    def second_host_draining(log):  # killed while the second host's window drains it
        return len({e["target"] for e in log if e["action"] == "patching.host" and
                    (e.get("details") or {}).get("step") == "drain"}) >= 2
    patch.kill_when("it-rolling", second_host_draining, **targets)
    run = metadata(admin_conn, "osfleet-patch-it-rolling")
    assert run["osfleet_patch_state"] == "running", run
    assert metadata(admin_conn, "osfleet-patch-lock-fleet") is not None, "the killed run's lock is gone"
    again = patch("it-rolling", **targets)  # the same owner resumes its own run (its lock renewed)
    assert again.returncode == 0, again.stdout[-6000:]
    assert "resumed" in again.stdout
    run = metadata(admin_conn, "osfleet-patch-it-rolling")
    assert run["osfleet_patch_state"] == "complete", run
    assert {h: run["osfleet_patch_h_" + h].split("|")[3] for h in HOSTS} == {h: "done" for h in HOSTS}
    assert sorted(run["osfleet_patch_h_" + h].split("|")[0] for h in HOSTS) == ["0", "1", "2", "3"]  # canary first
    assert metadata(admin_conn, "osfleet-patch-lock-fleet") is None, "the lock was not released"
    assert [version(h) for h in HOSTS] == ["2.0"] * 4
    # never patched twice: one dpkg upgrade per host, one firmware update per Redfish host
    assert {h: upgrades(h) for h in HOSTS} == {h: 1 for h in HOSTS}
    log = entries(patch.log)
    updates = [e["target"] for e in log if e["action"] == "hardware_firmware.update"]
    assert len(updates) == 2, updates
    for host in REDFISH:
        assert bmc_firmware(run_module, host)["BMC"] == "7.20"
    for host in HOSTS:
        window = metadata(admin_conn, "osfleet-maint-patch-it-rolling-" + host)
        assert window["osfleet_maint_state"] == "complete", window
        svc = service(admin_conn, host)
        assert (svc.status, svc.state) == ("enabled", "up"), (host, svc.status, svc.disabled_reason)
    # a probe server booted on each host after its patch, became ACTIVE there and was deleted
    probes = {s.name: s.compute_host for s in admin_conn.compute.servers(
        all_projects=True, deleted=True, name="^osfleet-probe-it-rolling-")}
    assert probes == {"osfleet-probe-it-rolling-" + h: h for h in HOSTS}, probes
    after = servers(admin_conn)
    assert {k: v[1] for k, v in after.items()} == {k: v[1] for k, v in before.items()}, "a server lost or changed"
    assert not [n for n, _st in after.values() if n.startswith("osfleet-probe-")], "a probe server was left"
    assert "ERROR" not in {v[1] for v in after.values()}
    pre = {e["target"]: e["details"]["versions"] for e in log if e["action"] == "patching.host" and
           (e.get("details") or {}).get("step") == "apply"}
    post = {e["target"]: e["details"]["versions"] for e in log if e["action"] == "patching.host" and
            (e.get("after") or {}).get("status") == "done"}
    assert sorted(pre) == sorted(post) == list(HOSTS)
    assert all(pre[h]["packages"] == {PACKAGE: "1.0"} and post[h]["packages"] == {PACKAGE: "2.0"} for h in HOSTS)
    assert all(pre[h]["firmware"]["BMC"] == "7.10" and post[h]["firmware"]["BMC"] == "7.20" for h in REDFISH)
    assert all(pre[h]["kernel"] and pre[h]["kernel"] == post[h]["kernel"] for h in HOSTS)
    baselines = [e for e in log if e["action"] == "patching.baseline"]
    assert baselines and baselines[-1]["details"]["versions"]["packages"] == {PACKAGE: "2.0"}, baselines

    # the rollback: compute-01 back to the baseline before (1.0, BMC 7.10), drained and checked the same way
    back = patch("it-rolling-back", playbook="rollback", osfleet_patch_hosts="compute-01")
    assert back.returncode == 0, back.stdout[-6000:]
    assert version("compute-01") == "1.0" and bmc_firmware(run_module, "compute-01")["BMC"] == "7.10"
    assert [version(h) for h in HOSTS[1:]] == ["2.0"] * 3, "the rollback touched another host"
    svc = service(admin_conn, "compute-01")
    assert (svc.status, svc.state) == ("enabled", "up"), (svc.status, svc.disabled_reason)
    assert metadata(admin_conn, "osfleet-maint-rollback-it-rolling-back-compute-01")["osfleet_maint_state"] == "complete"
    assert {k: v[1] for k, v in servers(admin_conn).items()} == {k: v[1] for k, v in before.items()}
    rolled = [e for e in entries(patch.log) if e["action"] == "hardware_firmware.rollback"]
    assert [e["target"] for e in rolled] and rolled[-1]["after"]["version"] == "7.10", rolled


def test_update_fails_on_the_third_host_stops_the_run_there_held_and_the_fourth_untouched(
        patch, admin_conn, run_module):
    # waves: the canary compute-03 (IPMI: packages only), then compute-01, compute-02 (the faulty BMC), compute-04
    labctl("fault", "compute-02", "update_fails")
    out = patch("it-rolling-bad", osfleet_patch_packages=PACKAGE + "=2.0", osfleet_patch_firmware=IMAGE,
                osfleet_patch_canary_hosts="compute-03", osfleet_patch_max_failures="0")
    assert out.returncode != 0, out.stdout[-6000:]
    run = metadata(admin_conn, "osfleet-patch-it-rolling-bad")
    states = {h: run["osfleet_patch_h_" + h].split("|") for h in HOSTS}
    assert [states[h][0] for h in ("compute-03", "compute-01", "compute-02", "compute-04")] == ["0", "1", "2", "3"]
    assert run["osfleet_patch_state"] == "stopped", run
    assert states["compute-03"][3] == states["compute-01"][3] == "done", states
    assert states["compute-02"][3].startswith("failed:") and "Update the firmware" in states["compute-02"][3], states
    assert states["compute-04"][3] == "pending", states
    held = metadata(admin_conn, "osfleet-remed-compute-02")
    assert held["osfleet_remed_state"] == "held" and "patch run it-rolling-bad" in held["osfleet_remed_reason"], held
    svc = service(admin_conn, "compute-02")
    assert svc.status == "disabled" and "patch-it-rolling-bad-compute-02" in (svc.disabled_reason or ""), \
        "the failed host must stay out of the pool"
    assert bmc_firmware(run_module, "compute-02")["BMC"] == "7.10", "a failed update changed the firmware"
    assert service(admin_conn, "compute-04").status == "enabled" and version("compute-04") == "1.0"
    assert metadata(admin_conn, "osfleet-maint-patch-it-rolling-bad-compute-04") is None, "the fourth host was touched"
    assert metadata(admin_conn, "osfleet-patch-lock-fleet") is None, "a stopped run keeps no lock"


def test_a_host_failing_the_audit_rules_is_refused_before_its_drain_and_left_as_it_was(patch, admin_conn):
    labctl("fault", "compute-04", "overtemp")
    try:
        out = patch("it-rolling-rules", osfleet_patch_hosts="compute-04", osfleet_patch_packages=PACKAGE + "=2.0",
                    osfleet_patch_rules="NOVA-16,HW-14")
    finally:
        labctl("clear", "compute-04")
    assert out.returncode != 0, out.stdout[-6000:]
    run = metadata(admin_conn, "osfleet-patch-it-rolling-rules")
    state = run["osfleet_patch_h_compute-04"].split("|")[3]
    assert state.startswith("failed:") and "HW-14" in state, state
    svc = service(admin_conn, "compute-04")
    assert svc.status == "enabled", "a host refused before its drain stays in the pool"
    assert version("compute-04") == "1.0"
    assert metadata(admin_conn, "osfleet-maint-patch-it-rolling-rules-compute-04") is None, "no window is opened"
    assert metadata(admin_conn, "osfleet-remed-compute-04") is None, "a host left as it was is not held"
