"""The legacy hypervisor legacy-01: libvirt with VMs OpenStack does not know.

A real ``libvirtd`` in session mode runs as the unprivileged user ``nobody``
with HOME / XDG dirs under .lab/legacy (no systemd, no KVM: the domains are
defined, type 'qemu', shut off). Its URI is

    qemu:///session?socket=<lab>/legacy/run/libvirt/libvirt-sock

written to .lab/legacy/connection and .lab/hypervisors.yml. root (the lab,
the tests, Ansible on this machine) may connect to that socket. The VMs are
(re)defined with ``virsh`` on every up(); definitions persist under
.lab/legacy/home across down/up; reset() wipes them.
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import time
from pathlib import Path

from .. import paths, procs
from ..procs import LabError
from . import domains

LEGACY_DIR = paths.LAB_DIR / "legacy"
HOME = LEGACY_DIR / "home"
RUNTIME = LEGACY_DIR / "run"
IMAGES = LEGACY_DIR / "images"
SOCKET = RUNTIME / "libvirt" / "libvirt-sock"
URI = f"qemu:///session?socket={SOCKET}"
CONNECTION_FILE = LEGACY_DIR / "connection"
ADDRESSES_JSON = LEGACY_DIR / "addresses.json"
HYPERVISORS_YML = paths.LAB_DIR / "hypervisors.yml"
USER = "nobody"
PROC = "legacy-libvirtd"
APT_PACKAGES = ("libvirt-daemon", "libvirt-daemon-driver-qemu", "libvirt-clients",
                "libvirt-dev", "pkg-config", "qemu-system-x86")
LIBVIRT_PYTHON = "libvirt-python==12.8.0"


def _venv_py() -> Path:
    return paths.LAB_DIR / "venv-bmc" / "bin" / "python"


def install() -> None:
    if not (shutil.which("libvirtd") and shutil.which("virsh")
            and shutil.which("qemu-system-x86_64") and Path("/usr/include/libvirt").exists()):
        if not any(Path("/var/lib/apt/lists").glob("*Packages*")):
            procs.run(["apt-get", "update"], "legacy: apt-get update", timeout=600)
        procs.run(["apt-get", "install", "-y", "--no-install-recommends", *APT_PACKAGES],
                  "legacy: apt-get install", env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=1200)
    # libvirt-python for the smoke test / Ansible, in the BMC venv (made by bmc.install)
    py = _venv_py()
    stamp = py.parent.parent / ".osfleet-libvirt-python"
    if stamp.exists() and stamp.read_text() == LIBVIRT_PYTHON:
        return
    if not py.exists():
        procs.run(["python3", "-m", "venv", str(py.parent.parent)], "legacy: create venv-bmc")
    procs.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
               LIBVIRT_PYTHON], "legacy: pip install libvirt-python", timeout=1200)
    stamp.write_text(LIBVIRT_PYTHON)


def _virsh(*args: str, what: str = "legacy: virsh") -> str:
    return procs.run(["virsh", "-q", "-c", URI, *args], what, timeout=60)


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    os.chown(root, uid, gid)
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            try:
                os.chown(os.path.join(dirpath, n), uid, gid, follow_symlinks=False)
            except FileNotFoundError:
                pass


def up() -> None:
    pw = pwd.getpwnam(USER)
    for d in (HOME, RUNTIME, IMAGES):
        d.mkdir(parents=True, exist_ok=True)
    RUNTIME.chmod(0o700)
    # sparse raw disk images (the domains are never started: no KVM)
    for vm in domains.vms():
        for disk in vm["disks"]:
            img = IMAGES / disk["file"]
            if not img.exists():
                with open(img, "wb") as fh:
                    fh.truncate(disk["size_gb"] * 1024 ** 3)
    _chown_tree(LEGACY_DIR, pw.pw_uid, pw.pw_gid)
    if not procs.running(PROC):
        SOCKET.unlink(missing_ok=True)  # stale socket of a libvirtd that is gone
    env_args = ["env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", f"HOME={HOME}",
                f"XDG_CONFIG_HOME={HOME}/.config", f"XDG_CACHE_HOME={HOME}/.cache",
                f"XDG_DATA_HOME={HOME}/.local/share", f"XDG_RUNTIME_DIR={RUNTIME}",
                "LIBVIRT_LOG_OUTPUTS=3:stderr"]
    procs.start(PROC, ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                       "--clear-groups", *env_args, "libvirtd"])
    deadline = time.monotonic() + 30
    while not SOCKET.exists():
        if not procs.running(PROC):
            raise LabError(PROC, "exited before creating its socket; log tail:\n"
                           + procs.tail(procs.logfile(PROC)))
        if time.monotonic() > deadline:
            raise LabError(PROC, f"no {SOCKET} after 30s; log tail:\n" + procs.tail(procs.logfile(PROC)))
        time.sleep(0.2)
    _define()
    _write_connection()


def _define() -> None:
    defs = LEGACY_DIR / "xml"
    defs.mkdir(exist_ok=True)
    (defs / "network.xml").write_text(domains.network_xml())
    if domains.NETWORK not in _virsh("net-list", "--all", "--name").split():
        _virsh("net-define", str(defs / "network.xml"), what="legacy: define network")
    addresses = {}
    existing = _virsh("list", "--all", "--name").split()
    for vm in domains.vms():
        f = defs / f"{vm['name']}.xml"
        f.write_text(domains.domain_xml(vm, IMAGES))
        if vm["name"] in existing and _virsh("domuuid", vm["name"]).strip() != domains.domain_uuid(vm):
            _virsh("undefine", vm["name"], what=f"legacy: undefine stale {vm['name']}")
        _virsh("define", str(f), what=f"legacy: define {vm['name']}")
        addresses[vm["name"]] = [{"mac": n["mac"], "ip": n["ip"], "prefix": n["prefix"],
                                  "network": n["network"]} for n in vm["nics"]]
    ADDRESSES_JSON.write_text(json.dumps(addresses, indent=2) + "\n")


def _write_connection() -> None:
    CONNECTION_FILE.write_text(URI + "\n")
    HYPERVISORS_YML.write_text(
        "# Lab hypervisors outside OpenStack, generated by lab/lablib/legacy (do not edit).\n"
        f"{paths.LEGACY_HOST}:\n"
        "  type: libvirt\n"
        f'  uri: "{URI}"\n'
        f'  addresses_file: "{ADDRESSES_JSON}"\n'
        f"  vms: [{', '.join(vm['name'] for vm in domains.vms())}]\n")


def down() -> None:
    procs.stop(PROC)
    SOCKET.unlink(missing_ok=True)


def status() -> list:
    if not procs.running(PROC):
        return [(f"legacy {paths.LEGACY_HOST}", False, "libvirtd (session) not running")]
    try:
        names = _virsh("list", "--all", "--name").split()
    except LabError as exc:
        return [(f"legacy {paths.LEGACY_HOST}", False, exc.detail.splitlines()[-1])]
    want = [vm["name"] for vm in domains.vms()]
    missing = [n for n in want if n not in names]
    return [(f"legacy {paths.LEGACY_HOST}", not missing,
             f"{URI} ({len(names)} domains" + (f"; missing {', '.join(missing)})" if missing else ")"))]


def reset() -> None:
    down()
    shutil.rmtree(LEGACY_DIR, ignore_errors=True)
    HYPERVISORS_YML.unlink(missing_ok=True)
