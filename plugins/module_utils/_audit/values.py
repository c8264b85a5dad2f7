# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""Value types of the rule language: how a fact and the value it is compared with are read.

A fact that cannot be read as the type the rule asks for (a version string
that has no digits, a time that is not ISO 8601) is *unknown*, not false:
the rule's result is then ``error``. Guessing would make a compliance report
say "pass" or "fail" about something nobody looked at.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime, timedelta
from typing import Any, Callable, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import parse_time_or_none

VALUE_TYPES = ("string", "normalize", "integer", "float", "boolean", "version", "date",
               "age_days", "age_hours", "days_until", "cidr", "size")
#: value types whose computed value is worth showing next to the raw fact in the evidence
COMPUTED_TYPES = ("age_days", "age_hours", "days_until", "size")

_VERSION_TOKEN = re.compile(r"\d+|[A-Za-z]+")
_TRUE = ("true", "yes", "on", "1")
_FALSE = ("false", "no", "off", "0")


class Unreadable(ValueError):
    """The value cannot be read as the requested type; the message says why."""


def parse_time(value: Any) -> datetime:
    """An ISO 8601 time (or a datetime/date) as an aware datetime; naive times are UTC (the one parser,
    ``_common.timeutil``; a fact that is no time is :class:`Unreadable`, never a pass or a fail)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    when = parse_time_or_none(value) if isinstance(value, (datetime, str)) else None
    if when is None:
        raise Unreadable("%r is not an ISO 8601 time" % (value,))
    return when


def version_key(value: Any) -> Tuple[Tuple[int, Any], ...]:
    """A sortable key of a loose version: ``7.10`` > ``7.9``, ``1.0`` == ``1.0.0``, ``1.0rc1`` < ``1.0``.

    Digits compare as numbers, letters below digits (so a suffix such as rc or
    beta sorts before the release), trailing zeros do not count. Vendor strings
    like ``U46 v2.72 (02/22/2024)`` compare on all their tokens: compare like
    with like (one vendor's BMC with that vendor's baseline).
    """
    if isinstance(value, bool) or value is None:
        raise Unreadable("%r is not a version" % (value,))
    tokens = _VERSION_TOKEN.findall(str(value))
    if not any(t.isdigit() for t in tokens):
        raise Unreadable("%r is not a version (no digits)" % (value,))
    key = [(1, int(t)) if t.isdigit() else (0, t.lower()) for t in tokens]
    while key and key[-1] == (1, 0):
        key.pop()
    return tuple(key)


class Version:
    """A version that compares by ``version_key`` and still prints as written."""

    __slots__ = ("text", "key")

    def __init__(self, value: Any) -> None:
        self.text = str(value)
        self.key = version_key(value)

    def _other(self, other: Any) -> Tuple[Tuple[int, Any], ...]:
        return other.key if isinstance(other, Version) else version_key(other)

    def __eq__(self, other: Any) -> bool:
        try:
            return self.key == self._other(other)
        except Unreadable:
            return False

    def __hash__(self) -> int:
        return hash(self.key)

    def _cmp(self, other: Any) -> int:
        # a letter token and a digit token at the same place compare by the (kind, value) pairs
        mine, theirs = list(self.key), list(self._other(other))
        width = max(len(mine), len(theirs))
        mine += [(1, 0)] * (width - len(mine))
        theirs += [(1, 0)] * (width - len(theirs))
        return (mine > theirs) - (mine < theirs)

    def __lt__(self, other: Any) -> bool:
        return self._cmp(other) < 0

    def __le__(self, other: Any) -> bool:
        return self._cmp(other) <= 0

    def __gt__(self, other: Any) -> bool:
        return self._cmp(other) > 0

    def __ge__(self, other: Any) -> bool:
        return self._cmp(other) >= 0

    def __repr__(self) -> str:
        return "Version(%r)" % self.text


class Networks:
    """One or more CIDRs; ``address in Networks(...)`` is membership, not equality."""

    __slots__ = ("nets",)

    def __init__(self, values: Any) -> None:
        values = values if isinstance(values, (list, tuple)) else [values]
        self.nets = [to_network(v) for v in values]

    def __contains__(self, item: Any) -> bool:
        if item is None:
            return False
        return any(item.version == net.version and _net_in(item, net) for net in self.nets)

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Networks) and self.nets == other.nets or (
            len(self.nets) == 1 and self.nets[0] == other)

    def __hash__(self) -> int:
        return hash(tuple(self.nets))

    def __repr__(self) -> str:
        return "Networks(%s)" % ", ".join(str(n) for n in self.nets)


def _net_in(item: Any, net: Any) -> bool:
    if isinstance(item, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return item.subnet_of(net)
    return item in net


def to_network(value: Any) -> Any:
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        raise Unreadable("%r is not an IP network (CIDR)" % (value,)) from None


def to_address(value: Any) -> Any:
    """An IP address, or a network when the fact is written as a CIDR."""
    text = str(value).strip() if value is not None else ""
    try:
        return ipaddress.ip_network(text, strict=False) if "/" in text else ipaddress.ip_address(text)
    except ValueError:
        raise Unreadable("%r is not an IP address" % (value,)) from None


def to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Unreadable("%r is not a boolean" % (value,))


def to_integer(value: Any) -> int:
    if isinstance(value, bool):
        raise Unreadable("%r is not an integer" % (value,))
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise Unreadable("%r is not an integer" % (value,)) from None
    if number != int(number):
        raise Unreadable("%r is not an integer" % (value,))
    return int(number)


def to_float(value: Any) -> float:
    if isinstance(value, bool):
        raise Unreadable("%r is not a number" % (value,))
    try:
        return float(value)
    except (TypeError, ValueError):
        raise Unreadable("%r is not a number" % (value,)) from None


def to_size(value: Any) -> int:
    if isinstance(value, (list, tuple, dict, str)):
        return len(value)
    raise Unreadable("%r has no size (not a list, mapping or string)" % (value,))


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400.0


class ValueType:
    """How one value type reads the fact (``actual``) and the rule's value (``expected``).

    ``actual`` gets the evaluation time, for the age types. ``expected`` is
    applied once, when the rule is compiled (or, for a value taken from a
    parameter looked up per target, when it is resolved).
    """

    def __init__(self, name: str, actual: Callable[[Any, datetime], Any], expected: Callable[[Any], Any]) -> None:
        self.name = name
        self.actual = actual
        self.expected = expected

    def read_actual(self, value: Any, now: datetime) -> Any:
        if value is None:
            raise Unreadable("the value is null")
        return self.actual(value, now)

    def read_expected(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)) and self.name != "cidr":
            return [self.expected(v) for v in value]
        return self.expected(value)


def _both(fn: Callable[[Any], Any]) -> Tuple[Callable[[Any, datetime], Any], Callable[[Any], Any]]:
    return (lambda value, _now: fn(value)), fn


TYPES: Dict[str, ValueType] = {
    "string": ValueType("string", *_both(str)),
    "normalize": ValueType("normalize", *_both(lambda v: str(v).strip().lower())),
    "integer": ValueType("integer", *_both(to_integer)),
    "float": ValueType("float", *_both(to_float)),
    "boolean": ValueType("boolean", *_both(to_boolean)),
    "version": ValueType("version", *_both(Version)),
    "date": ValueType("date", *_both(parse_time)),
    "age_days": ValueType("age_days", lambda v, now: _days(now - parse_time(v)), to_float),
    "age_hours": ValueType("age_hours", lambda v, now: _days(now - parse_time(v)) * 24.0, to_float),
    "days_until": ValueType("days_until", lambda v, now: _days(parse_time(v) - now), to_float),
    "cidr": ValueType("cidr", lambda v, _now: to_address(v), Networks),
    "size": ValueType("size", lambda v, _now: to_size(v), to_integer),
}


def json_safe(value: Any) -> Any:
    """What the evidence shows of a computed value (versions as written, networks as CIDRs)."""
    if isinstance(value, Version):
        return value.text
    if isinstance(value, Networks):
        return [str(n) for n in value.nets]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address, ipaddress.IPv4Network,
                          ipaddress.IPv6Network)):
        return str(value)
    if isinstance(value, list):
        return [json_safe(v) for v in value]
    return value


def names() -> List[str]:
    return list(VALUE_TYPES)


def get(name: Optional[str]) -> Optional[ValueType]:
    return TYPES[name] if name else None
