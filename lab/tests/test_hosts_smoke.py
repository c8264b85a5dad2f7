"""Smoke test of the lab's package hosts (``lab/labctl hosts up``): compute-01..04 as roots with their own dpkg
database, reached by Ansible through ``<lab>/inventory/hosts.yml``.

Needs no other part of the lab (no port, no OpenStack); brings the hosts up itself. Run as root with the
toolchain venv (ansible-playbook):

    OSFLEET_LAB_DIR=/tmp/hostslab .venv/bin/python -m pytest lab/tests/test_hosts_smoke.py
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LABCTL = REPO / "lab" / "labctl"
PLAYBOOK = REPO / "lab" / "tests" / "playbooks" / "hosts_upgrade_downgrade.yml"
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"

sys.path.insert(0, str(REPO / "lab"))

from lablib import hosts  # noqa: E402

if os.geteuid() != 0:
    pytest.skip("the package hosts need root (namespaces, chroot)", allow_module_level=True)


def labctl(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(LABCTL), *args], capture_output=True, text=True, timeout=600)


def enter(host: str, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(hosts.ENTER), host, *argv], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module", autouse=True)
def hosts_up():
    res = labctl("hosts", "up")
    assert res.returncode == 0, res.stdout + res.stderr
    yield
    labctl("hosts", "up")   # the last test took them down


def test_up_again_is_quick_and_all_up():
    t = time.monotonic()
    res = labctl("hosts", "up")
    assert res.returncode == 0, res.stderr
    assert time.monotonic() - t < 5
    res = labctl("hosts", "status")
    assert res.returncode == 0, res.stdout
    assert res.stdout.count("up   hosts: compute-") == 4


def test_each_host_is_its_own_system():
    for host in hosts.HOSTS:
        res = enter(host, "sh", "-c", "hostname; uname -r; dpkg-query -W -f '${Version}' osfleet-lab-firmware-tools")
        assert res.returncode == 0, res.stderr
        assert res.stdout.splitlines() == [host, hosts.kernel_of(host), "1.0"]
    # the machine's own database and /etc know nothing of it, and nothing stays mounted
    assert "osfleet-lab-agent" not in Path("/var/lib/dpkg/status").read_text()
    assert not Path("/etc/osfleet-lab").exists()
    assert str(hosts.HOSTS_DIR) not in Path("/proc/mounts").read_text()


def test_playbook_upgrades_and_downgrades_compute_01():
    # a run that stopped half-way may have left 2.0: the playbook starts from 1.0
    res = enter("compute-01", "apt-get", "install", "-y", "-q", "--allow-downgrades", "osfleet-lab-agent=1.0")
    assert res.returncode == 0, res.stdout + res.stderr
    res = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(hosts.INVENTORY), str(PLAYBOOK)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-4000:] + res.stderr[-2000:]
    assert "compute-01                 : ok=11   changed=2 " in res.stdout
    log = (hosts.host_root("compute-01") / "var/log/osfleet-lab/maintscripts.log").read_text()
    assert "osfleet-lab-agent 2.0 postinst configure 1.0" in log       # upgrade from 1.0
    assert "osfleet-lab-agent 1.0 postinst configure 2.0" in log       # downgrade from 2.0
    assert hosts.installed("compute-01")["osfleet-lab-agent"] == "1.0"
    assert hosts.installed("compute-02") == {"osfleet-lab-agent": "1.0", "osfleet-lab-firmware-tools": "1.0"}


def test_down_makes_hosts_unreachable_and_keeps_them():
    assert labctl("hosts", "down").returncode == 0
    res = labctl("hosts", "status")
    assert res.returncode == 1 and res.stdout.count("DOWN hosts: compute-") == 4
    res = enter("compute-01", "true")
    assert res.returncode == 255 and "is down" in res.stderr
    assert labctl("hosts", "up").returncode == 0
    assert enter("compute-01", "true").returncode == 0
