# -*- coding: utf-8 -*-
"""Conditions: every operator, value types in tests, three-valued and/or/not, list-item, parameters, evidence."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import condition as cond
from ansible_collections.osfleet.day2.plugins.module_utils._audit import nodes
from ansible_collections.osfleet.day2.plugins.module_utils._audit.refuse import Refuse
from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)
DATA = {
    "s": "LastState", "n": 5, "f": 2.5, "b": True, "none": None, "list": ["a", "b"], "empty": [], "d": {"k": 1},
    "ver": "7.10", "ip": "10.1.2.3", "net": "10.1.0.0/16", "when": (NOW - timedelta(days=10)).isoformat(),
    "soon": (NOW + timedelta(days=5)).isoformat(), "bad_time": "last tuesday", "num_text": "12",
    "items": [{"name": "PSU1", "status": "ok"}, {"name": "PSU2", "status": "critical"}, {"name": "PSU3", "status": None}],
    "nested": {"deep": {"x": "y"}},
}


def compile_(spec, params=None, declared=None):
    declared = set(DATA) | {"id", "name", "kind"} if declared is None else declared
    return cond.compile_condition(spec, "condition", cond.Scope(Refuse("t.yml", "R-1"), params or {}, declared))


def answer(spec, data=None, params=None):
    ctx = nodes.Context(NOW, [])
    result, _reasons = compile_(spec, params).evaluate(DATA if data is None else data, ctx)
    return result


@pytest.mark.parametrize("spec, expected", [
    ({"key": "s", "op": "eq", "value": "LastState"}, True),
    ({"key": "s", "value": "LastState"}, True),  # op defaults to eq
    ({"key": "s", "op": "ne", "value": "AlwaysOn"}, True),
    ({"key": "n", "op": "lt", "value": 6}, True),
    ({"key": "n", "op": "le", "value": 5}, True),
    ({"key": "n", "op": "gt", "value": 5}, False),
    ({"key": "n", "op": "ge", "value": 5}, True),
    ({"key": "s", "op": "in", "value": ["LastState", "AlwaysOn"]}, True),
    ({"key": "s", "op": "not-in", "value": ["AlwaysOff"]}, True),
    ({"key": "list", "op": "contains", "value": "a"}, True),
    ({"key": "s", "op": "contains", "value": "State"}, True),  # substring of a string
    ({"key": "d", "op": "contains", "value": "k"}, True),  # key of a mapping
    ({"key": "list", "op": "not-contains", "value": "z"}, True),
    ({"key": "s", "op": "regex", "value": "^Last"}, True),
    ({"key": "s", "op": "regex", "value": "^last"}, False),  # case-sensitive unless (?i)
    ({"key": "s", "op": "regex", "value": "(?i)^last"}, True),
    ({"key": "s", "op": "glob", "value": "Last*"}, True),
    ({"key": "s", "op": "glob", "value": "last*"}, False),
    ({"key": "none", "op": "absent"}, True),
    ({"key": "nested.missing", "op": "absent"}, True),
    ({"key": "s", "op": "present"}, True),
    ({"key": "empty", "op": "empty"}, True),
    ({"key": "none", "op": "empty"}, True),
    ({"key": "list", "op": "not-empty"}, True),
    ({"key": "list", "op": "intersect", "value": ["b", "c"]}, True),
    ({"key": "list", "op": "intersect", "value": ["c"]}, False),
    ({"key": "list", "op": "subset", "value": ["a", "b", "c"]}, True),
    ({"key": "list", "op": "subset", "value": ["a"]}, False),
    ({"key": "b", "op": "eq", "value": True}, True),
])
def test_operators(spec, expected):
    assert answer(spec) is expected


@pytest.mark.parametrize("spec, expected", [
    ({"key": "ver", "value_type": "version", "op": "ge", "value": "7.9"}, True),
    ({"key": "ver", "value_type": "version", "op": "lt", "value": "7.9"}, False),
    ({"key": "ver", "value_type": "version", "op": "in", "value": ["7.10.0", "8"]}, True),
    ({"key": "when", "value_type": "age_days", "op": "gt", "value": 9.5}, True),
    ({"key": "when", "value_type": "age_hours", "op": "le", "value": 240}, True),
    ({"key": "soon", "value_type": "days_until", "op": "ge", "value": 30}, False),
    ({"key": "when", "value_type": "date", "op": "lt", "value": "2026-11-20"}, True),
    ({"key": "ip", "value_type": "cidr", "op": "in", "value": "10.0.0.0/8"}, True),
    ({"key": "ip", "value_type": "cidr", "op": "in", "value": ["192.0.2.0/24", "10.1.2.0/24"]}, True),
    ({"key": "ip", "value_type": "cidr", "op": "not-in", "value": ["192.0.2.0/24"]}, True),
    ({"key": "net", "value_type": "cidr", "op": "eq", "value": "10.1.0.0/16"}, True),
    ({"key": "list", "value_type": "size", "op": "eq", "value": 2}, True),
    ({"key": "num_text", "value_type": "integer", "op": "gt", "value": 10}, True),
    ({"key": "num_text", "value_type": "float", "op": "lt", "value": 12.5}, True),
    ({"key": "s", "value_type": "normalize", "op": "eq", "value": "laststate"}, True),
    ({"key": "n", "value_type": "string", "op": "eq", "value": "5"}, True),
    ({"key": "b", "value_type": "boolean", "op": "eq", "value": "yes"}, True),
])
def test_value_types_in_tests(spec, expected):
    assert answer(spec) is expected


@pytest.mark.parametrize("spec", [
    {"key": "none", "op": "lt", "value": 3},  # ordering a null
    {"key": "s", "op": "lt", "value": 3},  # a string against a number, no value_type
    {"key": "bad_time", "value_type": "age_days", "op": "gt", "value": 1},  # an unreadable time
    {"key": "none", "value_type": "age_days", "op": "gt", "value": 1},
    {"key": "none", "value_type": "size", "op": "eq", "value": 0},  # the size of nothing is not 0
    {"key": "s", "value_type": "version", "op": "ge", "value": "1.0"},  # 'LastState' has no digits
    {"key": "list", "op": "regex", "value": "a"},  # a list is not one text
    {"key": "none", "op": "subset", "value": ["a"]},
])
def test_what_cannot_be_read_is_unknown(spec):
    assert answer(spec) is None


def test_null_matches_no_pattern_and_equals_only_null():
    assert answer({"key": "none", "op": "regex", "value": "x"}) is False
    assert answer({"key": "none", "op": "glob", "value": "*"}) is False
    assert answer({"key": "none", "op": "eq", "value": None}) is True
    assert answer({"key": "none", "op": "ne", "value": True}) is True
    assert answer({"key": "none", "op": "contains", "value": "a"}) is False
    assert answer({"key": "none", "value_type": "version", "op": "eq", "value": "1"}) is False


T, F, U = {"key": "b", "op": "eq", "value": True}, {"key": "b", "op": "eq", "value": False}, \
    {"key": "none", "op": "gt", "value": 1}


@pytest.mark.parametrize("spec, expected", [
    ({"and": [T, T]}, True), ({"and": [T, F]}, False), ({"and": [T, U]}, None), ({"and": [F, U]}, False),
    ({"or": [F, F]}, False), ({"or": [F, T]}, True), ({"or": [F, U]}, None), ({"or": [T, U]}, True),
    ({"not": T}, False), ({"not": F}, True), ({"not": U}, None),  # not of unknown stays unknown: never a pass
    ({"not": {"and": [T, {"or": [F, U]}]}}, None),
])
def test_three_valued_logic(spec, expected):
    assert answer(spec) is expected


def test_list_item_counts_matching_items():
    failing = {"list-item": {"key": "items", "attrs": {"key": "status", "op": "eq", "value": "critical"}}}
    assert answer(failing) is True  # no count: at least one
    assert answer({"list-item": dict(failing["list-item"], count=0)}) is False
    assert answer({"list-item": dict(failing["list-item"], count=1, count_op="eq")}) is True
    assert answer({"list-item": dict(failing["list-item"], count=2, count_op="lt")}) is True


def test_list_item_with_unknown_items_is_definite_only_when_every_count_agrees():
    # PSU3's status is null: "status gt x" cannot be told for it
    spec = {"list-item": {"key": "items", "attrs": {"and": [{"key": "name", "op": "glob", "value": "PSU*"},
                                                            {"key": "status", "op": "gt", "value": "a"}]},
                          "count": 0}}
    assert answer(spec) is False  # PSU1 'ok' > 'a' matches for sure: the count cannot be 0
    spec["list-item"]["count"] = 5
    spec["list-item"]["count_op"] = "le"
    assert answer(spec) is True  # 2 or 3 matches: le 5 either way
    spec["list-item"]["count"] = 2
    spec["list-item"]["count_op"] = "eq"
    assert answer(spec) is None  # 2 or 3: cannot tell


def test_list_item_of_a_non_list_is_unknown():
    assert answer({"list-item": {"key": "s", "attrs": {"key": "x", "op": "present"}}}) is None
    assert answer({"list-item": {"key": "nested.missing", "attrs": {"key": "x", "op": "present"}}}) is None


def test_jmespath_keys_and_functions():
    assert answer({"key": "length(items[?status == 'critical'])", "op": "eq", "value": 1}) is True
    assert answer({"key": "nested.deep.x", "op": "eq", "value": "y"}) is True
    assert answer({"key": "items[0].name", "op": "eq", "value": "PSU1"}) is True
    assert answer({"key": "abs(n) == `5`", "op": "eq", "value": True}) is True


def test_parameters_and_lookups_by_a_fact():
    params = {"limit": 4, "baseline": {"LabServer": "7.10", "*": "1.0"}, "names": ["a"]}
    assert answer({"key": "n", "op": "gt", "value": {"param": "limit"}}, params=params) is True
    assert answer({"key": "s", "op": "in", "value": {"param": "names"}}, params=params) is False
    spec = {"key": "ver", "value_type": "version", "op": "ge", "value": {"param": "baseline", "by": "model"}}
    node = compile_(spec, params, declared=set(DATA) | {"model"})
    ctx = nodes.Context(NOW, [])
    assert node.evaluate(dict(DATA, model="LabServer"), ctx)[0] is True
    assert node.evaluate(dict(DATA, model="Other", ver="0.9"), ctx)[0] is False  # falls back to '*'
    no_default = compile_(spec, {"baseline": {"LabServer": "7.10"}}, declared=set(DATA) | {"model"})
    result, reasons = no_default.evaluate(dict(DATA, model="Other"), nodes.Context(NOW, []))
    assert result is None
    assert "no entry for 'Other' in parameter baseline" in reasons[0]


def test_evidence_records_every_test_even_after_a_decisive_one():
    ctx = nodes.Context(NOW, [])
    spec = {"and": [F, {"key": "when", "value_type": "age_days", "op": "gt", "value": 1}]}
    result, reasons = compile_(spec).evaluate(DATA, ctx)
    assert result is False
    assert [e["key"] for e in ctx.evidence] == ["b", "when"]
    assert ctx.evidence[1]["computed"] == pytest.approx(10.0)
    assert ctx.evidence[1]["value_type"] == "age_days"
    assert reasons == ["b = true, wanted eq false"]  # only what decided it


def test_list_item_evidence_names_the_matching_items():
    ctx = nodes.Context(NOW, [])
    spec = {"list-item": {"key": "items", "attrs": {"key": "status", "op": "eq", "value": "critical"}, "count": 0}}
    result, reasons = compile_(spec).evaluate(DATA, ctx)
    assert result is False
    assert "PSU2" in reasons[0]
    assert ctx.evidence[0]["matched"] == 1 and ctx.evidence[0]["matching"][0]["name"] == "PSU2"


@pytest.mark.parametrize("spec, where, words", [
    ({"key": "s", "op": "equals", "value": 1}, "condition.op", "unknown operator 'equals'"),
    ({"key": "s", "opp": "eq", "value": 1}, "condition.opp", "unknown key 'opp'"),
    ({"key": "s", "value_type": "semver", "value": "1"}, "condition.value_type", "unknown value type 'semver'"),
    ({"key": "s", "op": "regex", "value": "(unclosed"}, "condition.value", "invalid regex"),
    ({"key": "s[", "value": 1}, "condition.key", "invalid JMESPath key"),
    ({"key": "typo.state", "value": 1}, "condition.key", "reads 'typo', which is not among the rule's facts"),
    ({"op": "eq", "value": 1}, "condition.key", "needs a key"),
    ({"key": "s", "op": "eq"}, "condition.value", "needs a value"),
    ({"key": "s", "op": "absent", "value": 1}, "condition.value", "takes no value"),
    ({"key": "s", "op": "in", "value": "x"}, "condition.value", "needs a list value"),
    ({"key": "s", "value": {"parm": "x"}}, "condition.value", "must be {param: NAME}"),
    ({"key": "s", "value": {"param": "nope"}}, "condition.value.param", "unknown parameter 'nope'"),
    ({"key": "ver", "value_type": "version", "op": "ge", "value": "abc"}, "condition.value", "no digits"),
    ({"key": "ip", "value_type": "cidr", "op": "gt", "value": "10.0.0.0/8"}, "condition.value", "value_type cidr"),
    ({"and": []}, "condition.and", "non-empty list"),
    ({"and": [{"key": "s", "value": 1}], "or": []}, "condition", "cannot be combined"),
    ({"key": "s", "value": 1, "not": {"key": "s", "value": 1}}, "condition", "cannot be combined"),
    ({"or": [{"key": "s", "value": 1}, {"key": "s", "op": "nope", "value": 1}]}, "condition.or[1].op", "unknown operator"),
    ({"not": {"key": "s", "op": "glob", "value": 3}}, "condition.not.value", "a glob value is a string"),
    ({"list-item": {"key": "items", "attr": {}}}, "condition.list-item.attr", "unknown key 'attr'"),
    ({"list-item": {"key": "items"}}, "condition.list-item.attrs", "needs attrs"),
    ({"list-item": {"key": "items", "attrs": {"key": "x", "op": "present"}, "count": -1}},
     "condition.list-item.count", "whole number"),
    ({"list-item": {"key": "items", "attrs": {"key": "x", "op": "present"}, "count_op": "about"}},
     "condition.list-item.count_op", "unknown count_op"),
    ({"list-item": {"key": "items", "attrs": {"key": "x", "op": "bogus"}}}, "condition.list-item.attrs.op",
     "unknown operator"),
    ([], "condition", "a condition is a mapping"),
])
def test_refused_at_compile_time_naming_file_rule_and_key(spec, where, words):
    with pytest.raises(ValidationError) as err:
        compile_(spec, params={"x": 1})
    assert err.value.field == "rules[R-1].%s" % where
    assert err.value.details == {"file": "t.yml", "rule": "R-1", "key": where}
    assert err.value.message.startswith("t.yml: rule R-1: %s: " % where)
    assert words in err.value.message


def test_keys_inside_list_item_read_the_items_not_the_target():
    # 'status' is no fact of the target, but the items have it: allowed
    compile_({"list-item": {"key": "items", "attrs": {"key": "status", "op": "eq", "value": "ok"}}},
             declared={"items"})
