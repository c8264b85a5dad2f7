# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Compiling conditions: a pack's value tests, and/or/not and list-item into nodes.py's nodes, once per run.

The language is data, like Cloud Custodian's filters, with what its users
were hurt by designed out: every key of a condition is checked when the pack
is loaded (a misspelt ``op``, an unknown operator or value type, a bad regex
or JMESPath, a key reading a fact the rule did not declare: refused, naming
the place), and the logic is three-valued (Kleene): a test that cannot be
answered is unknown, ``and``/``or``/``not`` keep it unknown unless the other
branches decide, and an unknown condition makes the result ``error``.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, NoReturn, Optional, Set, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._audit import keys as keys_mod
from ansible_collections.osfleet.day2.plugins.module_utils._audit import operators as ops
from ansible_collections.osfleet.day2.plugins.module_utils._audit import values
from ansible_collections.osfleet.day2.plugins.module_utils._audit.evidence import show
from ansible_collections.osfleet.day2.plugins.module_utils._audit.nodes import AllOf, AnyOf, ListItem, Not, Unknown, ValueTest

TEST_KEYS = ("key", "op", "value", "value_type")
LIST_ITEM_KEYS = ("key", "attrs", "count", "count_op")
LOGIC = ("and", "or", "not", "list-item")
COUNT_OPS = ("eq", "ne", "lt", "le", "gt", "ge")


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
