# -*- coding: utf-8 -*-
from __future__ import annotations

import email.utils

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.deadline import Deadline, backoff, retry_after
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


def test_retry_after_seconds_and_http_date():
    assert retry_after("7") == 7.0
    assert retry_after(None) is None
    assert retry_after("soon") is None
    date = email.utils.formatdate(1000.0 + 30, usegmt=True)
    assert retry_after(date, now=1000.0) == pytest.approx(30, abs=1)


def test_backoff_doubles_and_is_capped():
    assert [backoff(i) for i in (1, 2, 3, 4, 5, 6, 7)] == [0.5, 1, 2, 4, 8, 8, 8]


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
