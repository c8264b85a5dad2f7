# -*- coding: utf-8 -*-
"""The HardwareState model itself."""
from __future__ import annotations

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import Fan, PowerSupply, Temperature


def test_numbers_are_floats_whatever_the_protocol_gave():
    t = Temperature("CPU1 Temp", 52, 90, None)
    assert (t.reading_celsius, t.upper_critical, t.upper_fatal) == (52.0, 90.0, None)
    assert isinstance(t.reading_celsius, float)
    assert isinstance(Fan("Fan1", 7200).rpm, float)
    assert PowerSupply("PSU1", "ok", None).watts is None
