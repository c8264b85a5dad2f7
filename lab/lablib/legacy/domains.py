"""The legacy-01 VMs (OpenStack does not know them) as libvirt XML. Stdlib only.

Disk N of VM <vm> has serial ``legacy-01-<vm>-disk<N>`` (N from 0) and the
size Cinder's fake backend lists as manageable (lablib.openstack.seeddata
LEGACY_VMS, read from there when present so the two parts cannot drift).
There is no guest agent: each VM's address is recorded in its domain
metadata (namespace below) and in .lab/legacy/addresses.json.
"""
from __future__ import annotations

import uuid
from pathlib import Path
from xml.sax.saxutils import escape

from .. import paths

NETWORK = "legacy-lab"
BRIDGE = "virbr-legacy"
SUBNET = "192.168.150"
XMLNS = "https://osfleet.example/xmlns/legacy/1.0"

try:
    from ..openstack.seeddata import LEGACY_VMS as _DISKS
except Exception:  # the OpenStack part is absent or broken: same table
    _DISKS = {"legacy-web-01": [10, 20], "legacy-db-01": [10, 50, 50], "legacy-app-01": [10]}

# name -> vcpus, memory MiB, OS hint
_SHAPES = {"legacy-web-01": (2, 2048, "rhel7"), "legacy-db-01": (4, 8192, "rhel7"),
           "legacy-app-01": (2, 4096, "ubuntu18.04")}


def vms() -> list:
    """[{name, vcpus, memory_mib, os, disks: [{serial, size_gb, file, target}], nics: [...]}]"""
    out = []
    for i, (name, sizes) in enumerate(_DISKS.items(), start=1):
        vcpus, mem, os_hint = _SHAPES.get(name, (2, 2048, "linux"))
        out.append({
            "name": name, "vcpus": vcpus, "memory_mib": mem, "os": os_hint,
            "disks": [{"serial": f"{paths.LEGACY_HOST}-{name}-disk{n}", "size_gb": size,
                       "target": "vd" + "abcdefgh"[n], "file": f"{name}-disk{n}.img"}
                      for n, size in enumerate(sizes)],
            "nics": [{"mac": f"52:54:00:4c:01:{i:02x}", "network": NETWORK,
                      "ip": f"{SUBNET}.{10 + i}", "prefix": 24}],
        })
    return out


def domain_uuid(vm: dict) -> str:
    """Stable UUID: re-defining a VM updates it instead of clashing."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{vm['name']}.{paths.LEGACY_HOST}.osfleet.lab"))


def network_xml() -> str:
    return f"""<network>
  <name>{NETWORK}</name>
  <forward mode='nat'/>
  <bridge name='{BRIDGE}'/>
  <mac address='52:54:00:4c:00:01'/>
  <ip address='{SUBNET}.1' netmask='255.255.255.0'/>
</network>
"""


def domain_xml(vm: dict, image_dir: Path) -> str:
    disks = "".join(f"""
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='{escape(str(image_dir / d["file"]))}'/>
      <target dev='{d["target"]}' bus='virtio'/>
      <serial>{escape(d["serial"])}</serial>
    </disk>""" for d in vm["disks"])
    nics = "".join(f"""
    <interface type='network'>
      <mac address='{n["mac"]}'/>
      <source network='{n["network"]}'/>
      <model type='virtio'/>
    </interface>""" for n in vm["nics"])
    addrs = "".join(f'<osfleet:address mac="{n["mac"]}" ip="{n["ip"]}" prefix="{n["prefix"]}"/>'
                    for n in vm["nics"])
    return f"""<domain type='qemu'>
  <name>{vm["name"]}</name>
  <uuid>{domain_uuid(vm)}</uuid>
  <title>{vm["name"]} (legacy workload on {paths.LEGACY_HOST})</title>
  <metadata>
    <osfleet:legacy xmlns:osfleet="{XMLNS}" os="{vm["os"]}">{addrs}</osfleet:legacy>
  </metadata>
  <memory unit='MiB'>{vm["memory_mib"]}</memory>
  <vcpu>{vm["vcpus"]}</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>{disks}{nics}
    <console type='pty'/>
  </devices>
</domain>
"""
