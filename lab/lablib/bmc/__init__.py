"""Emulated BMCs of the lab: Redfish (sushy-tools) and IPMI (ipmi_sim)."""
from __future__ import annotations


def install() -> None:
    raise NotImplementedError("bmc.install")


def up() -> None:
    raise NotImplementedError("bmc.up")


def down() -> None:
    pass


def status() -> list:
    return []


def reset() -> None:
    pass


def fault(host: str, kind: str) -> None:
    raise NotImplementedError("bmc.fault")


def clear(host: str) -> None:
    pass


def seed_bmcs(count: int) -> None:
    raise NotImplementedError("bmc.seed_bmcs")
