# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Set the boot override (one-time or persistent), idempotently."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import BootOverride
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

SETTABLE = ("none", "pxe", "hdd", "cd", "bios", "usb")


def desired(target: str, persistent: bool, mode: Optional[str] = None) -> BootOverride:
    if target not in SETTABLE:
        raise ValidationError("boot target must be one of %s, not %r" % (", ".join(SETTABLE), target),
                              field="target")
    if mode not in (None, "uefi", "legacy"):
        raise ValidationError("mode must be uefi or legacy, not %r" % mode, field="mode")
    if target == "none":
        return BootOverride("none", "disabled", None)
    return BootOverride(target, "continuous" if persistent else "once", mode)


def needs_change(current: BootOverride, want: BootOverride) -> bool:
    """True unless the override already says what ``want`` says (mode only if asked for)."""
    if want.target == "none":
        return current.enabled != "disabled"
    if current.target != want.target or current.enabled != want.enabled:
        return True
    return want.mode is not None and current.mode != want.mode


def predict(current: BootOverride, want: BootOverride) -> BootOverride:
    """The override after the change (for check mode and diff)."""
    if not needs_change(current, want):
        return current
    if want.target == "none":
        return replace(current, enabled="disabled")
    return replace(want, mode=want.mode or current.mode)
