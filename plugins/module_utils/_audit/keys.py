# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Keys of the rule language: JMESPath expressions, compiled once, and what facts they read.

A plain dotted key (``service.state``) is read by walking dictionaries, a
hundred times faster than a JMESPath search and with the same answer; any
other key is a JMESPath expression compiled when the pack is loaded. The
loader also asks which top-level facts a key reads, so that a key naming a
fact the rule did not declare (a typo) is refused instead of reading null
everywhere.
"""

from __future__ import annotations

import re
import traceback
from typing import Any, Callable, Dict, Optional, Set

try:
    import jmespath
    from jmespath.exceptions import JMESPathError

    HAS_JMESPATH = True
    JMESPATH_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised by the import sanity test
    HAS_JMESPATH = False
    JMESPATH_IMPORT_ERROR = traceback.format_exc()

    class JMESPathError(Exception):  # type: ignore[no-redef]
        """Stands in when jmespath is missing, so ``except JMESPathError`` still parses."""

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import DependencyError

SIMPLE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$")
#: AST nodes whose first child is evaluated against the data the key is applied to; the rest against its result
_LEFT_ONLY = ("index_expression", "projection", "value_projection", "filter_projection", "flatten", "pipe")

Getter = Callable[[Any], Any]


class BadKey(ValueError):
    """The key is not a valid JMESPath expression (the message is jmespath's)."""


def _walk(parts: tuple) -> Getter:
    def get(data: Any) -> Any:
        for part in parts:
            if not isinstance(data, dict):
                return None
            data = data.get(part)
        return data
    return get


def compile_key(expression: str) -> Getter:
    """A function data -> value for the key; raises BadKey for an invalid expression."""
    if not isinstance(expression, str) or not expression.strip():
        raise BadKey("a key is a non-empty JMESPath expression")
    if SIMPLE_KEY.match(expression):
        return _walk(tuple(expression.split(".")))
    compiled = _parse(expression)
    return compiled.search


def _parse(expression: str) -> Any:
    if not HAS_JMESPATH:
        raise DependencyError("the jmespath Python library is needed for the key %r" % expression,
                              details={"import_error": JMESPATH_IMPORT_ERROR})
    try:
        return jmespath.compile(expression)
    except JMESPathError as exc:
        raise BadKey(str(exc).replace("\n", " ")) from None


def fact_paths(expression: str) -> Set[str]:
    """The dotted fact paths a key reads from the data it is applied to (``a.b[0].c`` -> ``{"a.b"}``)."""
    if SIMPLE_KEY.match(expression):
        return {expression}
    return _paths(_parse(expression).parsed)


def _chain(node: Dict[str, Any]) -> Optional[str]:
    if node["type"] == "field":
        return node["value"]
    if node["type"] == "subexpression":
        left, right = (_chain(c) for c in node["children"])
        if left is not None and right is not None:
            return left + "." + right
    return None


def _paths(node: Dict[str, Any]) -> Set[str]:
    kind = node["type"]
    chain = _chain(node)
    if chain is not None:
        return {chain}
    if kind == "subexpression" or kind in _LEFT_ONLY:
        return _paths(node["children"][0])
    if kind == "expref":  # &expr: evaluated against the items of a list, not the data
        return set()
    out: Set[str] = set()
    for child in node.get("children") or []:
        out |= _paths(child)
    return out


def roots(paths: Set[str]) -> Set[str]:
    return {p.split(".", 1)[0] for p in paths}


def lookup(data: Any, path: str) -> tuple:
    """(found, value) for a dotted path, telling an absent key from a null value."""
    return lookup_parts(data, path.split("."))


def lookup_parts(data: Any, parts: Any) -> tuple:
    for part in parts:
        if not isinstance(data, dict) or part not in data:
            return False, None
        data = data[part]
    return True, data


def overlaps(path: str, other: str) -> bool:
    """True when one dotted path is the other or lies inside it (``bmc`` and ``bmc.network.http``)."""
    return path == other or path.startswith(other + ".") or other.startswith(path + ".")
