# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Operators of the rule language's value tests, with three-valued answers.

Each operator answers True, False or None (unknown). Unknown is kept apart
from False so that ``not`` of something nobody could read stays unknown: the
rule's result is then ``error``, never a pass by double negation. Only
ordering (lt, le, gt, ge), subset and size-like questions about a null fact
are unknown; "does null match this pattern" is plainly no.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any, Callable, Dict, Optional

Answer = Optional[bool]

#: operators that take no ``value``
UNARY = ("absent", "present", "empty", "not-empty")
#: operators whose ``value`` is a list
LIST_VALUE = ("in", "not-in", "intersect", "subset")
#: operators whose ``value`` is a pattern (compiled when the rule is loaded)
PATTERN = ("regex", "glob")
ORDERING = ("lt", "le", "gt", "ge")


class Unanswerable(ValueError):
    """The operator cannot answer for these values (the message says why)."""


def _order(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Answer]:
    def run(actual: Any, expected: Any) -> Answer:
        if actual is None or expected is None:
            raise Unanswerable("cannot order a null value")
        try:
            return bool(fn(actual, expected))
        except TypeError:
            raise Unanswerable("cannot compare %s with %s (set value_type)" % (
                type(actual).__name__, type(expected).__name__)) from None
    return run


def _is_empty(actual: Any) -> bool:
    if actual is None:
        return True
    if isinstance(actual, (list, tuple, dict, str)):
        return len(actual) == 0
    return False


def _contains(actual: Any, expected: Any) -> Answer:
    if actual is None:
        return False
    if isinstance(actual, (list, tuple, dict)):
        return expected in actual
    if isinstance(actual, str):
        return str(expected) in actual
    raise Unanswerable("%s has no members" % type(actual).__name__)


def _scalar_text(actual: Any) -> Optional[str]:
    if actual is None:
        return None
    if isinstance(actual, (list, tuple, dict)):
        raise Unanswerable("cannot match a %s against a pattern (select one value in the key)" % type(actual).__name__)
    if isinstance(actual, bool):
        return "true" if actual else "false"
    return str(actual)


def _regex(actual: Any, expected: Any) -> Answer:
    text = _scalar_text(actual)
    return False if text is None else expected.search(text) is not None


def _glob(actual: Any, expected: Any) -> Answer:
    text = _scalar_text(actual)
    return False if text is None else fnmatch.fnmatchcase(text, expected)


def _members(actual: Any) -> list:
    if actual is None:
        return []
    if isinstance(actual, (list, tuple, set)):
        return list(actual)
    return [actual]


def _subset(actual: Any, expected: Any) -> Answer:
    if actual is None:
        raise Unanswerable("cannot tell whether null is a subset")
    return all(a in expected for a in _members(actual))


OPERATORS: Dict[str, Callable[[Any, Any], Answer]] = {
    "eq": lambda a, e: (a is e) if a is None or e is None else a == e,
    "ne": lambda a, e: (a is not e) if a is None or e is None else a != e,
    "lt": _order(lambda a, e: a < e),
    "le": _order(lambda a, e: a <= e),
    "gt": _order(lambda a, e: a > e),
    "ge": _order(lambda a, e: a >= e),
    "in": lambda a, e: a in e,
    "not-in": lambda a, e: a not in e,
    "contains": _contains,
    "not-contains": lambda a, e: None if _contains(a, e) is None else not _contains(a, e),
    "regex": _regex,
    "glob": _glob,
    "absent": lambda a, _e: a is None,
    "present": lambda a, _e: a is not None,
    "empty": lambda a, _e: _is_empty(a),
    "not-empty": lambda a, _e: not _is_empty(a),
    "intersect": lambda a, e: any(m in e for m in _members(a)),
    "subset": _subset,
}


def compile_pattern(op: str, value: Any) -> Any:
    """A regex or glob value, checked when the rule is loaded (re.error propagates to the loader)."""
    if not isinstance(value, str):
        raise TypeError("a %s value is a string" % op)
    return re.compile(value) if op == "regex" else value


def names() -> list:
    return list(OPERATORS)
