"""OpenStack services of the lab (owned by the OpenStack part of the lab)."""
from __future__ import annotations


def install() -> None:
    raise NotImplementedError("openstack.install")


def up() -> None:
    raise NotImplementedError("openstack.up")


def down() -> None:
    pass


def status() -> list:
    return []


def reset() -> None:
    pass


def fault(host: str, kind: str) -> None:
    raise NotImplementedError("openstack.fault")


def clear(host: str) -> None:
    pass


def compute_stop(host: str) -> None:
    raise NotImplementedError("openstack.compute_stop")


def compute_start(host: str) -> None:
    raise NotImplementedError("openstack.compute_start")


def seed_servers(count: int) -> None:
    raise NotImplementedError("openstack.seed_servers")
