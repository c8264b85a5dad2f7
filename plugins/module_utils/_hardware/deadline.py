# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""One deadline per BMC call, and the back-off that respects it.

A task's ``timeout`` bounds the whole call: connecting, every request, every
retry and every wait for a power state. Each step asks the deadline how long
it may take instead of using a fixed timeout of its own, so retries cannot
add up past it.
"""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Callable, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._hardware.errors import BmcTimeout

#: first back-off delay and its cap when the BMC gives no Retry-After
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 8.0


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


def retry_after(value: Optional[str], now: Optional[float] = None) -> Optional[float]:
    """Seconds a ``Retry-After`` header asks for (delta-seconds or HTTP date); None if absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def backoff(attempt: int) -> float:
    """Delay before retry number ``attempt`` (1-based) when the server did not say."""
    return min(BACKOFF_MAX, BACKOFF_FIRST * (2 ** (attempt - 1)))
