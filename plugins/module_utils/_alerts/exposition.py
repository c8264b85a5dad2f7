# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Prometheus text exposition format (0.0.4), written by hand: no client library to install.

A :class:`Family` is one metric name with its HELP, TYPE and samples; the
writer escapes label values, writes every family's lines together (a name
split over two places is refused by Prometheus' parser) and refuses a
second sample with the same name and labels (Prometheus would drop the
whole scrape), so a bug shows in the unit tests, not as a silent gap.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
TYPES = ("gauge", "counter", "summary", "untyped")
_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
#: the sample name suffixes a family of that type may have
_GOOD_LABELS: set = set()  # label names already checked (a fleet repeats a handful thousands of times)
_SUFFIXES = {"gauge": ("",), "counter": ("",), "untyped": ("",), "summary": ("_sum", "_count", "")}


def escape_label(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def format_value(value: float) -> str:
    """7200.0 -> 7200, 0.25 -> 0.25, NaN and infinities as Prometheus writes them."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return "%.15g" % value


@dataclass
class Family:
    name: str
    type: str
    help: str
    samples: List[Tuple[str, Tuple[Tuple[str, str], ...], float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError("bad metric name %r" % self.name)
        if self.type not in TYPES:
            raise ValueError("bad metric type %r for %s" % (self.type, self.name))
        if self.type == "counter" and not self.name.endswith("_total"):
            raise ValueError("counter %s must end in _total" % self.name)

    def add(self, value: float, suffix: str = "", **labels: Optional[object]) -> "Family":
        """One sample; a label given as None (a zone not known) is left out."""
        if suffix not in _SUFFIXES[self.type]:
            raise ValueError("%s is a %s: no %r samples" % (self.name, self.type, suffix))
        items = tuple(sorted((k, str(v)) for k, v in labels.items() if v is not None))
        for key, _v in items:
            if key not in _GOOD_LABELS:
                if not _LABEL.match(key) or key.startswith("__"):
                    raise ValueError("bad label name %r on %s" % (key, self.name))
                _GOOD_LABELS.add(key)
        self.samples.append((suffix, items, value))
        return self


def render(families: Iterable[Family]) -> str:
    """The families as one exposition; empty families are left out (no HELP without a sample)."""
    lines: List[str] = []
    seen_names: Dict[str, bool] = {}
    for fam in families:
        if not fam.samples:
            continue
        if fam.name in seen_names:
            raise ValueError("metric %s written twice" % fam.name)
        seen_names[fam.name] = True
        lines.append("# HELP %s %s" % (fam.name, escape_help(fam.help)))
        lines.append("# TYPE %s %s" % (fam.name, fam.type))
        seen = set()
        for suffix, labels, value in fam.samples:
            key = (suffix, labels)
            if key in seen:
                raise ValueError("duplicate series %s%s%s" % (fam.name, suffix, dict(labels)))
            seen.add(key)
            text = ",".join('%s="%s"' % (k, escape_label(v)) for k, v in labels)
            lines.append("%s%s%s %s" % (fam.name, suffix, "{%s}" % text if text else "", format_value(value)))
    return "\n".join(lines) + "\n" if lines else ""
