# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""A size given as a count (``2``, ``"2"``) or a percentage (``"25%"``) of some total.

One parser for ``batch``, ``max_per_zone`` and ``max_failures``, so the three read alike and a bad value is
refused naming its option. How a percentage rounds is the caller's choice: a batch rounds up (``25%`` of
6 hosts is 2, never 0), a failure budget rounds down (``10%`` of 25 hosts tolerates 2 failures, not 3).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(%?)\s*$")


@dataclass(frozen=True)
class Size:
    """``count`` hosts, or ``percent`` of a total (then ``count`` is None)."""

    spec: str
    count: Optional[int] = None
    percent: Optional[float] = None

    def of(self, total: int, round_up: bool) -> int:
        if self.count is not None:
            return self.count
        exact = (self.percent or 0.0) * total / 100.0
        # a float product such as 10% of 30 = 3.0000000000000004 must not round up to 4
        exact = round(exact, 9)
        return int(math.ceil(exact)) if round_up else int(math.floor(exact))


def parse_size(value: Any, field: str, allow_zero: bool = False) -> Size:
    """``value`` as a Size; ValidationError naming ``field`` for anything else (a bool, a negative number,
    ``0`` unless ``allow_zero``, a percentage outside 0-100, ``"two"``)."""
    if isinstance(value, bool) or value is None:
        raise ValidationError("%s: %r is not a count (2) or a percentage (\"25%%\")" % (field, value), field=field)
    text = str(value)
    match = _SIZE_RE.match(text)
    if not match:
        raise ValidationError("%s: %r is not a count (2) or a percentage (\"25%%\")" % (field, value), field=field)
    number, percent = match.group(1), match.group(2)
    lowest = 0 if allow_zero else 1
    if percent:
        share = float(number)
        if share > 100 or share < lowest or (not allow_zero and share <= 0):
            raise ValidationError("%s: %s is not a percentage between %s and 100%%" % (
                field, text.strip(), "0" if allow_zero else "more than 0"), field=field)
        return Size(spec=text.strip(), percent=share)
    if "." in number:
        raise ValidationError("%s: %r is not a whole number of hosts" % (field, value), field=field)
    count = int(number)
    if count < lowest:
        raise ValidationError("%s: must be at least %d, not %d" % (field, lowest, count), field=field)
    return Size(spec=str(count), count=count)
