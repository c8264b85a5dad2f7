# -*- coding: utf-8 -*-
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcTimeout


class Clock:
    def __init__(self):
        self.now = 100.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, s):
        self.slept.append(s)
        self.now += s


def test_deadline_bounds_timeouts_and_refuses_a_sleep_past_it():
    clock = Clock()
    d = Deadline(10, "redfish://b", clock=clock, sleep=clock.sleep)
    assert d.bound(15) == 10
    d.sleep(4, "waiting")
    assert d.remaining() == 6
    assert d.bound(15) == 6
    with pytest.raises(BmcTimeout) as err:
        d.sleep(7, "waiting to retry after HTTP 503")
    assert "redfish://b" in err.value.message and "503" in err.value.message
    assert clock.slept == [4]  # gave up at once instead of sleeping past the deadline
    clock.now += 6
    with pytest.raises(BmcTimeout):
        d.check("reading sensors")
