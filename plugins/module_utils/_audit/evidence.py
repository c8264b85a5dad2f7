# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""What a result shows of the facts it looked at: values as they were, cut to a readable size.

Evidence is for people and for the next run's diff, not a copy of the fact
store: a SEL with 3,000 entries is shown as its first entries and a count.
"""

from __future__ import annotations

from typing import Any

MAX_ITEMS = 10
MAX_TEXT = 400
MAX_DEPTH = 5


def preview(value: Any, depth: int = 0) -> Any:
    """``value`` with long lists and strings shortened (the cut is marked, never silent)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "... (%d characters)" % len(value)
    if depth >= MAX_DEPTH:
        return "..."
    if isinstance(value, dict):
        return {str(k): preview(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [preview(v, depth + 1) for v in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            items.append("... (%d more)" % (len(value) - MAX_ITEMS))
        return items
    return str(value)


def show(value: Any) -> str:
    """A short text of a value for a one-line message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 80 else value[:77] + "...")
    if isinstance(value, (list, tuple)):
        if len(value) > 5:
            return "[%s, ... %d items]" % (", ".join(show(v) for v in value[:5]), len(value))
        return "[%s]" % ", ".join(show(v) for v in value)
    if isinstance(value, dict):
        return "{%d keys}" % len(value) if len(value) > 4 else "{%s}" % ", ".join(
            "%s: %s" % (k, show(v)) for k, v in value.items())
    if isinstance(value, float):
        return "%g" % round(value, 3)
    return str(value)
