# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""A run's parameters for a pack: defaults, run-wide and per-rule overrides, each checked against its default.

A typo in a parameter name must not silently keep the default (and an audit
that reports "pass" because ``max_dayz: 3`` was ignored); neither may a value
of another kind (``"thirty"`` for 30).
"""

from __future__ import annotations

from typing import Any, Dict, Mapping

from ansible_collections.osfleet.day2.plugins.module_utils._audit.evidence import show
from ansible_collections.osfleet.day2.plugins.module_utils._audit.refuse import Refuse


def _same_kind(default: Any, value: Any) -> bool:
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, (int, float)):
        return isinstance(value, (int, float))
    if isinstance(default, (list, tuple)):
        return isinstance(value, (list, tuple))
    return isinstance(value, type(default))


def _kind_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "a " + type(value).__name__


def resolve_params(pack: Any, overrides: Mapping[str, Any]) -> Dict[str, Dict[str, Any]]:
    """rule id -> effective parameters: defaults, then run-wide overrides, then that rule's overrides.

    ``overrides`` maps a parameter name to a value (for the pack and every
    rule that has it) or a rule id to such a mapping. A name nobody declares,
    a rule the pack lacks, or a value of another kind than the default is
    refused: a typo in a parameter must not silently keep the default.
    """
    refuse = Refuse("params.%s" % pack.name)
    if not isinstance(overrides, Mapping):
        refuse("", "parameters of a pack are a mapping")
    rule_ids = {r.id for r in pack.rules}
    known = dict(pack.params)
    for r in pack.rules:
        for name, default in r.params.items():
            known.setdefault(name, default)
    global_over: Dict[str, Any] = {}
    per_rule: Dict[str, Dict[str, Any]] = {}
    for key, value in overrides.items():
        if key in rule_ids:
            if not isinstance(value, Mapping):
                refuse(key, "the parameters of rule %s are a mapping" % key)
            per_rule[key] = dict(value)
        elif key in known:
            global_over[key] = value
        else:
            refuse(str(key), "no parameter or rule %r in pack %s (parameters: %s)" % (
                key, pack.name, ", ".join(sorted(known)) or "none"))
    out: Dict[str, Dict[str, Any]] = {}
    for r in pack.rules:
        defaults = dict(pack.params, **r.params)
        effective = dict(defaults)
        for name, value in global_over.items():
            if name in defaults:
                effective[name] = value
        for name, value in per_rule.get(r.id, {}).items():
            if name not in defaults:
                refuse("%s.%s" % (r.id, name), "rule %s has no parameter %r (it has: %s)" % (
                    r.id, name, ", ".join(sorted(defaults)) or "none"))
            effective[name] = value
        for name, value in effective.items():
            if not _same_kind(defaults[name], value):
                refuse("%s.%s" % (r.id, name) if name in per_rule.get(r.id, {}) else name,
                       "expected %s like the default %s, got %s" % (
                           _kind_name(defaults[name]), show(defaults[name]), show(value)))
        out[r.id] = effective
    return out
