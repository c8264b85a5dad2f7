"""The legacy hypervisor legacy-01: libvirt with VMs OpenStack does not know."""
from __future__ import annotations


def install() -> None:
    raise NotImplementedError("legacy.install")


def up() -> None:
    raise NotImplementedError("legacy.up")


def down() -> None:
    pass


def status() -> list:
    return []


def reset() -> None:
    pass
