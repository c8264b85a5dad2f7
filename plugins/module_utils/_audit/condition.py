# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Conditions of the rule language: value tests, and/or/not, list-item; compiled once, evaluated per target.

The language is data, like Cloud Custodian's filters, with what its users
were hurt by designed out: every key of a condition is checked when the pack
is loaded (a misspelt ``op``, an unknown operator or value type, a bad regex
or JMESPath, a key reading a fact the rule did not declare: refused, naming
the place), and the logic is three-valued (Kleene): a test that cannot be
answered is unknown, ``and``/``or``/``not`` keep it unknown unless the other
branches decide, and an unknown condition makes the result ``error``.

A compiled node's ``evaluate(data, ctx)`` returns ``(answer, reasons)``:
the answer (True, False or None) and the tests that decided it, in words.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Callable, Dict, List, NoReturn, Optional, Set, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._audit import keys as keys_mod
from ansible_collections.osfleet.day2.plugins.module_utils._audit import operators as ops
from ansible_collections.osfleet.day2.plugins.module_utils._audit import values
from ansible_collections.osfleet.day2.plugins.module_utils._audit.evidence import preview, show

Answer = Optional[bool]
Outcome = Tuple[Answer, List[str]]

TEST_KEYS = ("key", "op", "value", "value_type")
LIST_ITEM_KEYS = ("key", "attrs", "count", "count_op")
LOGIC = ("and", "or", "not", "list-item")
COUNT_OPS = ("eq", "ne", "lt", "le", "gt", "ge")


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


class Scope:
    """What compiling needs: how to refuse (naming the place), the parameters, the facts a key may read.

    ``declared`` is None inside ``list-item.attrs``, whose keys read the
    list's items rather than the target.
    """

    def __init__(self, fail: Callable[[str, str], NoReturn], params: Dict[str, Any],
                 declared: Optional[Set[str]]) -> None:
        self.fail = fail
        self.params = params
        self.declared = declared

    def relative(self) -> "Scope":
        return Scope(self.fail, self.params, None)


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


# ---- compiling ---------------------------------------------------------------------


def compile_condition(spec: Any, where: str, scope: Scope) -> Any:
    """A compiled node for ``spec``; refuses (scope.fail) anything the language does not have."""
    if not isinstance(spec, dict) or not spec:
        scope.fail(where, "a condition is a mapping: a value test {key, op, value}, or and/or/not/list-item")
    logic = [k for k in spec if k in LOGIC]
    if logic:
        if len(spec) != 1:
            extra = sorted(str(k) for k in spec if k != logic[0])
            scope.fail(where, "%s cannot be combined with other keys in one mapping (found %s); "
                       "put each test in its own list item" % (logic[0], ", ".join(extra)))
        word = logic[0]
        body = spec[word]
        if word in ("and", "or"):
            if not isinstance(body, list) or not body:
                scope.fail("%s.%s" % (where, word), "%s takes a non-empty list of conditions" % word)
            nodes = [compile_condition(c, "%s.%s[%d]" % (where, word, i), scope) for i, c in enumerate(body)]
            return AllOf(nodes) if word == "and" else AnyOf(nodes)
        if word == "not":
            return Not(compile_condition(body, where + ".not", scope))
        return _compile_list_item(body, where + ".list-item", scope)
    unknown = sorted(str(k) for k in spec if k not in TEST_KEYS)
    if unknown:
        scope.fail("%s.%s" % (where, unknown[0]), "unknown key %r in a value test (known: %s; or one of %s)" % (
            unknown[0], ", ".join(TEST_KEYS), ", ".join(LOGIC)))
    return _compile_test(spec, where, scope)


def _compile_key(spec: Dict[str, Any], where: str, scope: Scope) -> Tuple[str, keys_mod.Getter, Tuple[str, ...]]:
    if "key" not in spec:
        scope.fail(where + ".key", "a value test needs a key (a JMESPath expression over the target's facts)")
    key = spec["key"]
    try:
        get = keys_mod.compile_key(key)
    except keys_mod.BadKey as exc:
        scope.fail(where + ".key", "invalid JMESPath key %r: %s" % (key, exc))
    check_declared(key, where + ".key", scope)
    paths = tuple(sorted(keys_mod.fact_paths(key))) if scope.declared is not None else ()
    return key, get, paths


def check_declared(key: str, where: str, scope: Scope) -> None:
    if scope.declared is None:
        return
    read = keys_mod.roots(keys_mod.fact_paths(key))
    missing = sorted(read - scope.declared)
    if missing:
        scope.fail(where, "key %r reads %r, which is not among the rule's facts (%s): a typo, or add it to "
                   "facts/optional_facts" % (key, missing[0], ", ".join(sorted(scope.declared)) or "none"))


def _compile_test(spec: Dict[str, Any], where: str, scope: Scope) -> ValueTest:
    key, get, paths = _compile_key(spec, where, scope)
    op = spec.get("op", "eq")
    if op not in ops.OPERATORS:
        scope.fail(where + ".op", "unknown operator %r (one of %s)" % (op, ", ".join(ops.names())))
    vtype_name = spec.get("value_type")
    if vtype_name is not None and vtype_name not in values.TYPES:
        scope.fail(where + ".value_type", "unknown value type %r (one of %s)" % (vtype_name, ", ".join(values.names())))
    vtype = values.get(vtype_name)
    if op in ops.UNARY:
        if "value" in spec:
            scope.fail(where + ".value", "operator %s takes no value" % op)
        return ValueTest(key, get, op, vtype, None, None, None, paths)
    if "value" not in spec:
        scope.fail(where + ".value", "operator %s needs a value" % op)
    raw = spec["value"]
    if isinstance(raw, dict):
        return _compile_param_value(key, get, op, vtype, raw, where + ".value", scope, paths)
    expected = prepare_expected(raw, op, vtype, where + ".value", scope.fail)
    return ValueTest(key, get, op, vtype, expected, values.json_safe(raw), None, paths)


def prepare_expected(raw: Any, op: str, vtype: Optional[values.ValueType], where: str,
                     fail: Callable[[str, str], NoReturn]) -> Any:
    """The value a test compares with, read and checked once (at load, or when a parameter is resolved)."""
    if op in ops.LIST_VALUE and not isinstance(raw, list):
        if not (vtype is not None and vtype.name == "cidr" and op in ("in", "not-in") and isinstance(raw, str)):
            fail(where, "operator %s needs a list value, got %s" % (op, show(raw)))
    if op in ops.PATTERN:
        try:
            return ops.compile_pattern(op, raw)
        except TypeError as exc:
            fail(where, str(exc))
        except re.error as exc:
            fail(where, "invalid regex %r: %s" % (raw, exc))
    if isinstance(raw, dict):
        fail(where, "a value is a scalar or a list; a mapping must be {param: NAME} or {param: NAME, by: KEY}")
    if vtype is None:
        return raw
    if vtype.name == "cidr" and op not in ("in", "not-in", "eq", "ne"):
        fail(where, "value_type cidr works with in, not-in, eq and ne, not %s" % op)
    try:
        return vtype.read_expected(raw)
    except values.Unreadable as exc:
        fail(where, "value %s for value_type %s: %s" % (show(raw), vtype.name, exc))


def _compile_param_value(key: str, get: keys_mod.Getter, op: str, vtype: Optional[values.ValueType],
                         raw: Dict[str, Any], where: str, scope: Scope, paths: Tuple[str, ...]) -> ValueTest:
    unknown = sorted(str(k) for k in raw if k not in ("param", "by"))
    if unknown or "param" not in raw:
        scope.fail(where, "a mapping value must be {param: NAME} or {param: NAME, by: KEY}%s" % (
            " (unknown key %r)" % unknown[0] if unknown else ""))
    name = raw["param"]
    if name not in scope.params:
        scope.fail(where + ".param", "unknown parameter %r (declared: %s)" % (
            name, ", ".join(sorted(scope.params)) or "none"))
    value = scope.params[name]
    if "by" not in raw:
        expected = prepare_expected(value, op, vtype, "params.%s" % name, scope.fail)
        return ValueTest(key, get, op, vtype, expected, values.json_safe(value), None, paths)
    by_key = raw["by"]
    try:
        by_get = keys_mod.compile_key(by_key)
    except keys_mod.BadKey as exc:
        scope.fail(where + ".by", "invalid JMESPath key %r: %s" % (by_key, exc))
    check_declared(by_key, where + ".by", scope)
    if not isinstance(value, dict):
        scope.fail(where + ".by", "parameter %r is looked up by %s, so it must be a mapping (got %s)" % (
            name, by_key, show(value)))
    table = {str(k): prepare_expected(v, op, vtype, "params.%s.%s" % (name, k), scope.fail) for k, v in value.items()}

    def lookup(data: Any) -> Tuple[Any, Any]:
        which = by_get(data)
        if which is not None and str(which) in table:
            return table[str(which)], values.json_safe(value[_orig_key(value, str(which))])
        if "*" in table:
            return table["*"], values.json_safe(value["*"])
        raise Unknown("no entry for %s in parameter %s (add one, or a '*' default)" % (show(which), name))

    return ValueTest(key, get, op, vtype, None, None, lookup, paths + tuple(sorted(keys_mod.fact_paths(by_key))))


def _orig_key(mapping: Dict[Any, Any], text: str) -> Any:
    for k in mapping:
        if str(k) == text:
            return k
    return text


def _compile_list_item(body: Any, where: str, scope: Scope) -> ListItem:
    if not isinstance(body, dict):
        scope.fail(where, "list-item takes a mapping {key, attrs, count, count_op}")
    unknown = sorted(str(k) for k in body if k not in LIST_ITEM_KEYS)
    if unknown:
        scope.fail("%s.%s" % (where, unknown[0]), "unknown key %r in list-item (known: %s)" % (
            unknown[0], ", ".join(LIST_ITEM_KEYS)))
    key, get, paths = _compile_key(body, where, scope)
    if "attrs" not in body:
        scope.fail(where + ".attrs", "list-item needs attrs: the condition each item is tested with")
    attrs = compile_condition(body["attrs"], where + ".attrs", scope.relative())
    count = body.get("count", 1)
    count_op = body.get("count_op", "eq" if "count" in body else "ge")
    if isinstance(count, dict):
        count = _param_count(count, where + ".count", scope)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        scope.fail(where + ".count", "count is a whole number >= 0, got %s" % show(count))
    if count_op not in COUNT_OPS:
        scope.fail(where + ".count_op", "unknown count_op %r (one of %s)" % (count_op, ", ".join(COUNT_OPS)))
    return ListItem(key, get, attrs, count, count_op, paths)


def _param_count(raw: Dict[str, Any], where: str, scope: Scope) -> Any:
    if set(raw) != {"param"}:
        scope.fail(where, "a count is a number or {param: NAME}")
    if raw["param"] not in scope.params:
        scope.fail(where + ".param", "unknown parameter %r (declared: %s)" % (
            raw["param"], ", ".join(sorted(scope.params)) or "none"))
    return scope.params[raw["param"]]


def tests_of(node: Any) -> List[Any]:
    """Every value test and list-item of a compiled condition (not those inside list-item attrs)."""
    if isinstance(node, (AllOf, AnyOf)):
        return [t for n in node.nodes for t in tests_of(n)]
    if isinstance(node, Not):
        return tests_of(node.node)
    return [node]
