# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""One deadline per BMC call.

A task's ``timeout`` bounds the whole call: connecting, every request, every
retry and every wait for a power state. Each step asks the deadline how long
it may take instead of using a fixed timeout of its own, so retries cannot
add up past it. (The waits between HTTP retries are urllib3's, made
deadline-aware by ``redfish.client.DeadlineRetry``.)
"""

from __future__ import annotations

import time
from typing import Callable

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcTimeout


class Deadline:
    """A point in monotonic time, with the BMC it concerns for the error message."""

    def __init__(self, seconds: float, address: str = "", clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.seconds = float(seconds)
        self.address = address
        self._clock = clock
        self._sleep = sleep
        self.at = clock() + self.seconds

    def remaining(self) -> float:
        return max(0.0, self.at - self._clock())

    @property
    def expired(self) -> bool:
        return self._clock() >= self.at

    def check(self, doing: str) -> None:
        """Raise BmcTimeout if the deadline has passed."""
        if self.expired:
            raise BmcTimeout("%s: deadline of %gs passed while %s" % (self.address, self.seconds, doing),
                             resource=self.address)

    def bound(self, timeout: float) -> float:
        """``timeout`` cut to what is left (at least a sliver, so a call fails rather than blocks)."""
        return max(0.05, min(float(timeout), self.remaining()))

    def sleep(self, seconds: float, doing: str) -> None:
        """Sleep ``seconds`` unless that would pass the deadline: then raise BmcTimeout at once."""
        if seconds >= self.remaining():
            raise BmcTimeout("%s: deadline of %gs would pass while %s (wait %.1fs, %.1fs left)"
                             % (self.address, self.seconds, doing, seconds, self.remaining()),
                             resource=self.address)
        self._sleep(seconds)
