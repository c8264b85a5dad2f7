# -*- coding: utf-8 -*-
"""A strict reader of Prometheus text exposition (0.0.4), for the tests: every rule Prometheus' own parser
enforces that a writer can break, and a few it forgives (a sample before its TYPE, a family split in two).

``parse(text)`` returns {(sample name, ((label, value), ...)): value} and the family types, or raises
AssertionError naming the line. ``promtool check metrics`` runs too where the tests find promtool.
"""
from __future__ import annotations

import math
import re
import shutil
import subprocess
from typing import Dict, Tuple

_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
_SAMPLE = re.compile(r"^(?P<name>%s)(?:\{(?P<labels>.*)\})? (?P<value>\S+)(?: (?P<ts>-?\d+))?$" % _NAME)
_LABEL = re.compile(r'\s*(?P<key>[a-zA-Z_][a-zA-Z0-9_]*)="(?P<value>(?:[^"\\\n]|\\[\\"n])*)"\s*(,|$)')
_SUFFIXES = {"summary": ("_sum", "_count", ""), "histogram": ("_sum", "_count", "_bucket")}

Series = Tuple[str, Tuple[Tuple[str, str], ...]]


def _labels(text: str, where: str) -> Tuple[Tuple[str, str], ...]:
    out = []
    pos = 0
    while pos < len(text):
        m = _LABEL.match(text, pos)
        assert m and m.end() > pos, "%s: bad labels %r" % (where, text)
        value = m.group("value").replace("\\n", "\n").replace('\\"', '"').replace("\\\\", "\\")
        out.append((m.group("key"), value))
        pos = m.end()
    keys = [k for k, _v in out]
    assert len(keys) == len(set(keys)), "%s: a label twice" % where
    return tuple(sorted(out))


def _value(text: str, where: str) -> float:
    if text in ("NaN", "+Inf", "-Inf"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    try:
        return float(text)
    except ValueError:
        raise AssertionError("%s: bad value %r" % (where, text)) from None


def parse(text: str) -> Tuple[Dict[Series, float], Dict[str, str]]:
    assert text.endswith("\n"), "the exposition must end with a newline"
    samples: Dict[Series, float] = {}
    types: Dict[str, str] = {}
    helps: Dict[str, str] = {}
    done = set()  # families whose lines are over
    current = None
    for n, line in enumerate(text.splitlines(), 1):
        where = "line %d %r" % (n, line)
        if not line:
            raise AssertionError("%s: empty line" % where)
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                name = parts[2]
                assert re.match("^%s$" % _NAME, name), where
                if name != current:
                    assert name not in done, "%s: family %s split in two" % (where, name)
                    if current:
                        done.add(current)
                    current = name
                if parts[1] == "HELP":
                    assert name not in helps, "%s: second HELP" % where
                    helps[name] = parts[3] if len(parts) > 3 else ""
                else:
                    assert name not in types, "%s: second TYPE" % where
                    assert not any(s[0].startswith(name) and _family(s[0], types) == name for s in samples), \
                        "%s: TYPE after samples" % where
                    assert len(parts) == 4 and parts[3] in ("counter", "gauge", "summary", "histogram",
                                                            "untyped"), where
                    types[name] = parts[3]
            continue
        m = _SAMPLE.match(line)
        assert m, "%s: not a sample" % where
        name = m.group("name")
        family = _family(name, types)
        assert family in types, "%s: sample without a TYPE" % where
        assert family == current, "%s: sample outside its family's lines" % where
        if types[family] == "counter":
            assert name.endswith("_total"), "%s: a counter's name ends in _total" % where
        labels = _labels(m.group("labels") or "", where)
        value = _value(m.group("value"), where)
        if types[family] == "counter" or name.endswith("_count"):
            assert value >= 0 and not math.isnan(value), "%s: a counter below 0" % where
        key = (name, labels)
        assert key not in samples, "%s: duplicate series" % where
        samples[key] = value
    return samples, types


def _family(name: str, types: Dict[str, str]) -> str:
    if name in types:
        return name
    for family, kind in types.items():
        for suffix in _SUFFIXES.get(kind, ()):
            if suffix and name == family + suffix:
                return family
    return name


def value(samples: Dict[Series, float], name: str, **labels: str) -> float:
    """The one sample of ``name`` whose labels include ``labels``."""
    found = [v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= set(ls)]
    assert len(found) == 1, "%s%s: %d samples" % (name, labels, len(found))
    return found[0]


def names(samples: Dict[Series, float]) -> set:
    return {n for n, _ls in samples}


def promtool_check(text: str) -> None:
    """``promtool check metrics`` where promtool is installed (lint: names, HELP, units)."""
    exe = shutil.which("promtool")
    if exe is None:
        return
    done = subprocess.run([exe, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
