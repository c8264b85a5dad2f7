# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""The shipped alert rules with their ``for:`` durations shortened, for a lab.

``extensions/prometheus/rules/osfleet.rules.yml`` holds real-world ``for:``
durations (minutes: a fan reading 0 for one scrape is not worth a page). A
lab needs a fault to fire within a minute, so instead of a second rules file
to keep in step, this rewrites only the ``for:`` lines of the one file: every
duration scaled by ``scale`` and capped at ``maximum``. The expressions, the
labels and the comments stay as shipped, so the rule tests of the shipped
file hold for the copy, and a copy can be made again after every upgrade.
Text in, text out: no YAML library, the file's layout is kept.

    python -m ansible_collections.osfleet.day2.plugins.module_utils._alerts.rules --for-max 10s \\
        extensions/prometheus/rules/osfleet.rules.yml > osfleet.lab.rules.yml
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import List, Optional

_FOR_LINE = re.compile(r"^(?P<lead>\s*for:\s*)(?P<value>[0-9a-z]+)(?P<tail>\s*(#.*)?)$")
_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


def parse_duration(text: str) -> float:
    """A Prometheus duration (``1h30m``, ``10s``, ``0m``) in seconds."""
    if not text or _PART.sub("", text) != "":
        raise ValueError("not a Prometheus duration: %r" % text)
    return sum(int(n) * _UNITS[unit] for n, unit in _PART.findall(text))


def format_duration(seconds: float) -> str:
    """Seconds as a Prometheus duration, the largest units first (``90`` -> ``1m30s``); whole seconds."""
    left = int(round(seconds))
    if left <= 0:
        return "0s"
    out = ""
    for unit in ("d", "h", "m", "s"):
        size = _UNITS[unit]
        if left >= size:
            out += "%d%s" % (left // size, unit)
            left %= size
    return out


def render(text: str, scale: float = 1.0, maximum: Optional[float] = None) -> str:
    """``text`` (a rules file) with each ``for:`` multiplied by ``scale``, then capped at ``maximum`` seconds."""
    if scale < 0:
        raise ValueError("scale must not be negative")
    lines: List[str] = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        match = _FOR_LINE.match(body)
        if match:
            shipped = parse_duration(match.group("value"))
            seconds = shipped * scale
            if maximum is not None:
                seconds = min(seconds, maximum)
            if seconds != shipped:  # a duration kept is kept as written
                body = match.group("lead") + format_duration(seconds) + match.group("tail")
            line = body + line[len(line.rstrip("\r\n")):]
        lines.append(line)
    return "".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="osfleet-rules", description="the shipped rules with shorter for:")
    parser.add_argument("rules", help="the rules file (extensions/prometheus/rules/osfleet.rules.yml)")
    parser.add_argument("--for-scale", type=float, default=1.0, help="multiply every for: by this")
    parser.add_argument("--for-max", type=parse_duration, default=None, help="then cap it at this (e.g. 10s)")
    args = parser.parse_args(argv)
    with open(args.rules, encoding="utf-8") as fh:
        sys.stdout.write(render(fh.read(), args.for_scale, args.for_max))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
