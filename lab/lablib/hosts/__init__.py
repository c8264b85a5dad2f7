"""The lab's package hosts: compute-01..compute-04 as Ansible-reachable hosts with their own dpkg database.

Not part of ``labctl up`` (the OpenStack lab is not needed): ``labctl hosts up|down|status``.

    <lab>/hosts/<host>/root   the host's root (root.py): own /etc, /var/lib/dpkg, apt state, /opt, /usr/local;
                              the machine's /usr read-only, entered per command by <lab>/hosts/bin/enter
    <lab>/hosts/repo          the lab's .deb packages at 1.0 and 2.0 (debs.py), a flat apt repository
    <lab>/inventory/hosts.yml the four hosts: connection local, the interpreter <lab>/hosts/bin/python-<host>
                              (python3 inside the host), pipelining, remote_tmp <lab>/hosts/tmp (seen inside too)

No daemon and no port: a host is "up" when its root is there and marked up; ``down`` unmarks it (enter then
refuses it) and keeps the root, ``reset`` removes everything. A new host starts with every lab package at 1.0.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from .. import paths, procs
from ..procs import LabError
from . import debs, root

HOSTS_DIR = paths.LAB_DIR / "hosts"
REPO_DIR = HOSTS_DIR / "repo"
TMP_DIR = HOSTS_DIR / "tmp"
BIN_DIR = HOSTS_DIR / "bin"
ENTER = BIN_DIR / "enter"
INVENTORY = paths.INVENTORY_DIR / "hosts.yml"
HOSTS = tuple(paths.COMPUTES)
#: Debian packages this part needs: program -> package (installed through apt when the program is missing)
APT_PROGRAMS = {"dpkg-deb": "dpkg", "unshare": "util-linux", "chroot": "coreutils"}


def kernel_of(host: str) -> str:
    """The fake kernel release of ``host`` (``uname -r`` inside it): Debian 12's, one ABI per host."""
    return "6.1.0-%d-amd64" % (25 + HOSTS.index(host))


def host_root(host: str) -> Path:
    return HOSTS_DIR / host / "root"


def install() -> None:
    if os.geteuid() != 0:
        raise LabError("hosts", "the package hosts need root (mount and UTS namespaces, chroot)")
    missing = sorted({pkg for exe, pkg in APT_PROGRAMS.items() if not shutil.which(exe)})
    if not _system_python_has_apt():   # ansible.builtin.apt and package_facts use it inside a host
        missing.append("python3-apt")
    if not missing:
        return
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    argv = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    try:
        procs.run(argv, "hosts: apt-get install", env=env, timeout=900)
    except LabError:
        procs.run(["apt-get", "update", "-q"], "hosts: apt-get update", timeout=600)
        procs.run(argv, "hosts: apt-get install", env=env, timeout=900)


def _system_python_has_apt() -> bool:
    """python3-apt for the machine's python3 (a host's interpreter), whatever Python runs labctl."""
    try:
        return subprocess.run(["/usr/bin/python3", "-c", "import apt, apt_pkg"], capture_output=True).returncode == 0
    except OSError:
        return False


def enter(host: str, argv: list, what: str) -> str:
    return procs.run([str(ENTER), host, *argv], what, env={"DEBIAN_FRONTEND": "noninteractive"}, timeout=300)


def up() -> None:
    paths.ensure_dirs()
    install()
    TMP_DIR.mkdir(parents=True, exist_ok=True)
    TMP_DIR.chmod(0o700)
    debs.build(REPO_DIR)
    root.write_enter(ENTER, HOSTS_DIR)
    for host in HOSTS:
        (BIN_DIR / f"python-{host}").write_text(
            f"#!/bin/sh\n# python3 inside lab package host {host} (its ansible_python_interpreter)\n"
            f"exec {ENTER} {host} /usr/bin/python3 \"$@\"\n")
        (BIN_DIR / f"python-{host}").chmod(0o755)
    for host in HOSTS:
        r = host_root(host)
        marker = HOSTS_DIR / host / "up"
        if root.current(r) and (HOSTS_DIR / host / "provisioned").exists():
            marker.touch()
            continue
        marker.unlink(missing_ok=True)
        (HOSTS_DIR / host / "provisioned").unlink(missing_ok=True)
        root.build(r, host, kernel_of(host), TMP_DIR)
        marker.touch()
        start = [f"{p}={debs.START_VERSION}" for p in debs.PACKAGES]
        enter(host, ["apt-get", "update", "-q"], f"hosts: {host}: apt-get update")
        enter(host, ["apt-get", "install", "-y", "-q", *start], f"hosts: {host}: apt-get install")
        (HOSTS_DIR / host / "provisioned").touch()
    write_inventory()


def write_inventory() -> Path:
    paths.INVENTORY_DIR.mkdir(parents=True, exist_ok=True)
    lines = ["# The lab's package hosts: written by lab/labctl hosts up (lab/lablib/hosts). Each host is a root",
             "# with its own dpkg database, entered per command; ansible.builtin.apt, package_facts and command",
             "# run inside it. Modules only (raw and script run on the machine itself).",
             "all:", "  children:", "    lab_package_hosts:", "      vars:",
             "        ansible_connection: local",
             "        ansible_pipelining: true",
             f"        ansible_remote_tmp: {TMP_DIR}",
             "      hosts:"]
    for host in HOSTS:
        lines += [f"        {host}:", f"          ansible_python_interpreter: {BIN_DIR / ('python-' + host)}"]
    text = "\n".join(lines) + "\n"
    if not INVENTORY.exists() or INVENTORY.read_text() != text:
        INVENTORY.write_text(text)
    return INVENTORY


def down() -> None:
    for host in HOSTS:
        (HOSTS_DIR / host / "up").unlink(missing_ok=True)


def reset() -> None:
    down()
    shutil.rmtree(HOSTS_DIR, ignore_errors=True)
    INVENTORY.unlink(missing_ok=True)


def installed(host: str) -> dict:
    """Package -> version of the lab packages installed on ``host`` (its dpkg status, read from outside)."""
    out: dict = {}
    try:
        text = (host_root(host) / "var/lib/dpkg/status").read_text()
    except OSError:
        return out
    for stanza in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in stanza.splitlines() if ": " in line and not line[0].isspace())
        if fields.get("Package") in debs.PACKAGES and fields.get("Status", "").endswith(" installed"):
            out[fields["Package"]] = fields.get("Version", "?")
    return out


def status() -> list:
    rows = []
    for host in HOSTS:
        r = host_root(host)
        versions = ", ".join(f"{p} {v}" for p, v in sorted(installed(host).items())) or "no lab package"
        if not root.current(r):
            rows.append((f"hosts: {host}", False, "no root (labctl hosts up)"))
        elif not (HOSTS_DIR / host / "up").exists():
            rows.append((f"hosts: {host}", False, f"down; {versions}"))
        else:
            rows.append((f"hosts: {host}", True, f"{r}; kernel {kernel_of(host)}; {versions}"))
    return rows
