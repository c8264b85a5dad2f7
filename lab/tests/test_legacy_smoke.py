"""Smoke test of the lab's legacy hypervisor legacy-01 (session libvirtd with VMs
OpenStack does not know).

Runs against a lab brought up by ``lab/labctl up`` and skips when it is not up.
Needs libvirt-python (installed into the BMC virtualenv by the lab):

    .lab/venv-bmc/bin/python -m pytest lab/tests/test_legacy_smoke.py
"""
from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LAB_DIR = Path(os.environ.get("OSFLEET_LAB_DIR", REPO / ".lab"))
CONNECTION = LAB_DIR / "legacy" / "connection"
ADDRESSES = LAB_DIR / "legacy" / "addresses.json"
HOST = "legacy-01"
VMS = {"legacy-web-01": 2, "legacy-db-01": 3, "legacy-app-01": 1}   # name -> disks
XMLNS = "https://osfleet.example/xmlns/legacy/1.0"

if not CONNECTION.exists():
    pytest.skip(f"{CONNECTION} missing: the legacy hypervisor is not up (run lab/labctl up)",
                allow_module_level=True)
URI = CONNECTION.read_text().strip()
_sock = URI.split("socket=", 1)[-1]
if "socket=" in URI and not Path(_sock).exists():
    pytest.skip(f"legacy libvirtd is not running (no {_sock}); run lab/labctl up",
                allow_module_level=True)
libvirt = pytest.importorskip("libvirt", reason="libvirt-python not installed: use .lab/venv-bmc/bin/python")


@pytest.fixture(scope="module")
def conn():
    c = libvirt.open(URI)
    yield c
    c.close()


def test_hypervisors_yml_names_the_uri():
    text = (LAB_DIR / "hypervisors.yml").read_text()
    assert f"{HOST}:" in text and URI in text


def test_vms_listed(conn):
    names = {d.name() for d in conn.listAllDomains()}
    assert set(VMS) <= names, names


@pytest.mark.parametrize("name", sorted(VMS))
def test_vm_has_cpus_memory_disks_nics(conn, name):
    dom = conn.lookupByName(name)
    state, max_mem_kib, _mem, vcpus, _cpu = dom.info()
    assert vcpus >= 1 and max_mem_kib >= 1024 * 1024
    root = ET.fromstring(dom.XMLDesc(0))
    disks = root.findall("./devices/disk[@device='disk']")
    serials = [d.findtext("serial") for d in disks]
    assert serials == [f"{HOST}-{name}-disk{n}" for n in range(VMS[name])]
    for d in disks:
        assert d.find("source").get("file")
    nics = root.findall("./devices/interface")
    assert nics and all(n.find("mac").get("address").startswith("52:54:00:") for n in nics)
    assert all(n.find("source").get("network") == "legacy-lab" for n in nics)
    # addresses: domain metadata and addresses.json agree (no guest agent)
    meta = ET.fromstring(dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT, XMLNS))
    meta_addrs = {a.get("mac"): a.get("ip") for a in meta.iter() if a.get("ip")}
    recorded = {a["mac"]: a["ip"] for a in json.loads(ADDRESSES.read_text())[name]}
    assert meta_addrs == recorded
    assert set(recorded) == {n.find("mac").get("address") for n in nics}
