# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Compiled conditions: the nodes a rule's condition becomes, evaluated per target with three-valued answers.

A node's ``evaluate(data, ctx)`` returns ``(answer, reasons)``: True, False
or None (unknown), and the tests that decided it, in words. ``and``/``or``/
``not`` follow Kleene's logic: unknown stays unknown unless the other branches
decide, so ``not`` of something nobody could read never becomes a pass.
condition.py compiles a pack's YAML into these nodes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._audit import keys as keys_mod
from ansible_collections.osfleet.day2.plugins.module_utils._audit import operators as ops
from ansible_collections.osfleet.day2.plugins.module_utils._audit import values
from ansible_collections.osfleet.day2.plugins.module_utils._audit.evidence import preview, show

Answer = Optional[bool]
Outcome = Tuple[Answer, List[str]]


class Unknown(Exception):
    """A value the test needs cannot be had for this target (the message says which and why)."""


class Context:
    """One evaluation: the time ages are measured at, and the evidence collected (None: not collected)."""

    __slots__ = ("now", "evidence", "missing")

    def __init__(self, now: datetime, evidence: Optional[List[Dict[str, Any]]] = None,
                 missing: Optional[Dict[str, str]] = None) -> None:
        self.now = now
        self.evidence = evidence
        #: fact path -> why it is missing: tests reading one are unknown (not a test of null)
        self.missing = missing

    def why_missing(self, paths: Tuple[str, ...]) -> Optional[str]:
        if not self.missing:
            return None
        for path in paths:
            for fact, why in self.missing.items():
                if keys_mod.overlaps(path, fact):
                    return why
        return None


class ValueTest:
    """``{key, op, value, value_type}``: one fact compared with one value."""

    __slots__ = ("key", "get", "op", "run", "vtype", "expected", "shown", "lookup", "unary", "paths", "wanted", "sized")

    def __init__(self, key: str, get: keys_mod.Getter, op: str, vtype: Optional[values.ValueType],
                 expected: Any, shown: Any, lookup: Optional[Callable[[Any], Tuple[Any, Any]]],
                 paths: Tuple[str, ...] = ()) -> None:
        self.paths = paths
        self.key = key
        self.get = get
        self.op = op
        self.run = ops.OPERATORS[op]
        self.vtype = vtype
        self.expected = expected
        self.shown = shown
        self.lookup = lookup
        self.unary = op in ops.UNARY
        self.sized = vtype is not None and vtype.name == "size"
        #: "eq 'up'": the expected side of the message, written once (None: looked up per target)
        self.wanted = op if self.unary else (None if lookup is not None else "%s %s" % (op, show(shown)))

    def evaluate(self, data: Any, ctx: Context) -> Outcome:
        raw = self.get(data)
        expected, shown = self.expected, self.shown
        computed = None
        why = ""
        try:
            if ctx.missing:
                missing = ctx.why_missing(self.paths)
                if missing:
                    raise Unknown(missing)
            if self.lookup is not None:
                expected, shown = self.lookup(data)
            actual = raw
            vtype = self.vtype
            if vtype is not None and not self.unary:
                if raw is None:
                    if self.sized or self.op not in ("eq", "ne", "in", "not-in"):
                        raise values.Unreadable("the value is null")
                else:
                    actual = vtype.read_actual(raw, ctx.now)
                    if vtype.name in values.COMPUTED_TYPES:
                        computed = actual
            answer = self.run(actual, expected)
            if answer is not None:
                answer = bool(answer)
        except (Unknown, ops.Unanswerable, values.Unreadable, TypeError) as exc:
            answer, why = None, str(exc)
        if ctx.evidence is not None:
            # a list a size test counts is shown by its size, not copied into every result
            entry = {"key": self.key, "value": "(list)" if self.sized and isinstance(raw, list) else preview(raw),
                     "op": self.op, "outcome": answer}
            if not self.unary:
                entry["expected"] = shown
            if self.vtype is not None:
                entry["value_type"] = self.vtype.name
                if computed is not None:
                    entry["computed"] = values.json_safe(computed)
            if why:
                entry["unknown"] = why
            ctx.evidence.append(entry)
        return answer, [self.describe(raw, shown, computed, answer, why)]

    def describe(self, raw: Any, shown: Any, computed: Any, answer: Answer, why: str) -> str:
        if self.sized and computed is not None:
            text = "%s has %s item(s)" % (self.key, show(computed))
            computed = None
        else:
            text = "%s = %s" % (self.key, show(raw))
        if computed is not None:
            text += " (%s %s)" % (self.vtype.name if self.vtype else "", show(values.json_safe(computed)))
        wanted = self.wanted or "%s %s" % (self.op, show(shown))
        if answer is None:
            return "%s: cannot tell whether %s (%s)" % (text, wanted, why)
        return "%s, wanted %s" % (text, wanted) if not answer else "%s, %s: ok" % (text, wanted)


class AllOf:
    __slots__ = ("nodes",)

    def __init__(self, nodes: List[Any]) -> None:
        self.nodes = nodes

    def evaluate(self, data: Any, ctx: Context) -> Outcome:
        # every branch is evaluated (no short cut) so the evidence is complete
        outcomes = [n.evaluate(data, ctx) for n in self.nodes]
        if any(a is False for a, _reasons in outcomes):
            return False, [r for a, rs in outcomes if a is False for r in rs]
        if any(a is None for a, _reasons in outcomes):
            return None, [r for a, rs in outcomes if a is None for r in rs]
        return True, [r for _answer, rs in outcomes for r in rs]


class AnyOf:
    __slots__ = ("nodes",)

    def __init__(self, nodes: List[Any]) -> None:
        self.nodes = nodes

    def evaluate(self, data: Any, ctx: Context) -> Outcome:
        outcomes = [n.evaluate(data, ctx) for n in self.nodes]
        if any(a is True for a, _reasons in outcomes):
            return True, [r for a, rs in outcomes if a is True for r in rs]
        if any(a is None for a, _reasons in outcomes):
            return None, [r for a, rs in outcomes if a is None for r in rs]
        return False, [r for _answer, rs in outcomes for r in rs]


class Not:
    __slots__ = ("node",)

    def __init__(self, node: Any) -> None:
        self.node = node

    def evaluate(self, data: Any, ctx: Context) -> Outcome:
        answer, reasons = self.node.evaluate(data, ctx)
        return (None if answer is None else not answer), ["not (%s)" % "; ".join(reasons)]


class ListItem:
    """``{list-item: {key, attrs, count, count_op}}``: how many items of a list match ``attrs``.

    Without ``count`` the test is "at least one item matches". Items whose
    match is unknown make the count a range; the answer is definite only
    when every count in the range gives the same answer.
    """

    __slots__ = ("key", "get", "attrs", "count", "count_op", "paths")

    def __init__(self, key: str, get: keys_mod.Getter, attrs: Any, count: int, count_op: str,
                 paths: Tuple[str, ...] = ()) -> None:
        self.paths = paths
        self.key = key
        self.get = get
        self.attrs = attrs
        self.count = count
        self.count_op = count_op

    def evaluate(self, data: Any, ctx: Context) -> Outcome:
        items = self.get(data)
        inner = Context(ctx.now)
        matched: List[Any] = []
        unknown = 0
        why = ctx.why_missing(self.paths) or ""
        if why:
            answer = None
        elif not isinstance(items, list):
            answer = None
            why = "%s is %s, not a list" % (self.key, show(items))
        else:
            for item in items:
                answer, reasons = self.attrs.evaluate(item, inner)
                if answer:
                    matched.append(item)
                elif answer is None:
                    unknown += 1
                    why = why or "; ".join(reasons)
            test = ops.OPERATORS[self.count_op]
            answers = {test(n, self.count) for n in range(len(matched), len(matched) + unknown + 1)}
            answer = answers.pop() if len(answers) == 1 else None
        if ctx.evidence is not None:
            entry = {"key": self.key, "list-item": True, "items": len(items) if isinstance(items, list) else None,
                     "matched": len(matched), "count_op": self.count_op, "count": self.count,
                     "outcome": answer, "matching": preview(matched[:5])}
            if unknown:
                entry["unknown_items"] = unknown
            if why and answer is None:
                entry["unknown"] = why
            ctx.evidence.append(entry)
        text = "%s: %d matching item(s)" % (self.key, len(matched))
        if matched:
            labels = [_item_label(m) for m in matched[:3]]
            text += " (%s%s)" % (", ".join(labels), ", ..." if len(matched) > 3 else "")
        if unknown:
            text += " and %d unknown" % unknown
        if answer is None:
            return None, ["%s: cannot tell whether the count is %s %d (%s)" % (text, self.count_op, self.count, why)]
        wanted = "count %s %d" % (self.count_op, self.count)
        return answer, ["%s, wanted %s" % (text, wanted) if not answer else "%s, %s: ok" % (text, wanted)]


def _item_label(item: Any) -> str:
    """How a matching list item is named in a message: its name, user name, message or id."""
    if isinstance(item, dict):
        for key in ("name", "username", "message", "binary", "id"):
            if item.get(key):
                return show(item[key])
    return show(item)


def tests_of(node: Any) -> List[Any]:
    """Every value test and list-item of a compiled condition (not those inside list-item attrs)."""
    if isinstance(node, (AllOf, AnyOf)):
        return [t for n in node.nodes for t in tests_of(n)]
    if isinstance(node, Not):
        return tests_of(node.node)
    return [node]
