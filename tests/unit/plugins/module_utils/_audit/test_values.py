# -*- coding: utf-8 -*-
"""Value types of the rule language: how facts and rule values are read, and what cannot be read."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._audit import values
from ansible_collections.osfleet.day2.plugins.module_utils._audit.values import Unreadable, Version

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("low, high", [
    ("7.9", "7.10"),            # numbers, not strings
    ("2.01", "7.10"),
    ("1.0.3", "2.19.1"),
    ("2.19", "2.19.1"),
    ("1.0rc1", "1.0"),          # a pre-release sorts before the release
    ("1.0.beta", "1.0.0"),
    ("U46 v2.70", "U46 v2.72"),  # vendor strings compare token by token
    ("8.2.0", "9.0"),
])
def test_version_order(low, high):
    assert Version(low) < Version(high)
    assert Version(high) > Version(low)
    assert Version(low) <= Version(high) and Version(high) >= Version(low)
    assert Version(low) != Version(high)


@pytest.mark.parametrize("a, b", [("1.0", "1.0.0"), ("7.10", "7.10"), ("1", "1.0.0.0"), ("V2.3", "v2.3")])
def test_version_equal(a, b):
    assert Version(a) == Version(b)
    assert hash(Version(a)) == hash(Version(b))


@pytest.mark.parametrize("bad", ["", "abc", None, True])
def test_version_unreadable(bad):
    with pytest.raises(Unreadable):
        Version(bad)


def test_version_never_equal_to_unreadable():
    assert Version("1.0").__eq__(None) is False  # equality with null must be a plain no, not an exception
    assert Version("1.0") not in [None, "x"]


@pytest.mark.parametrize("text, expected", [
    ("2026-11-22T10:00:00Z", datetime(2026, 11, 22, 10, tzinfo=timezone.utc)),
    ("2026-11-22T10:00:00+02:00", datetime(2026, 11, 22, 8, tzinfo=timezone.utc)),
    ("2026-11-22T10:00:00.000000", datetime(2026, 11, 22, 10, tzinfo=timezone.utc)),  # Cinder: naive is UTC
    ("2026-11-22", datetime(2026, 11, 22, tzinfo=timezone.utc)),
])
def test_parse_time(text, expected):
    assert values.parse_time(text) == expected


def test_parse_time_of_date_and_datetime():
    assert values.parse_time(date(2026, 1, 2)) == datetime(2026, 1, 2, tzinfo=timezone.utc)
    assert values.parse_time(datetime(2026, 1, 2, 3)).tzinfo is not None


@pytest.mark.parametrize("bad", ["yesterday", "", 12, None])
def test_parse_time_unreadable(bad):
    with pytest.raises(Unreadable):
        values.parse_time(bad)


def test_age_types_measure_from_now():
    ten_days_ago = (NOW - timedelta(days=10, hours=12)).isoformat()
    assert values.TYPES["age_days"].read_actual(ten_days_ago, NOW) == pytest.approx(10.5)
    assert values.TYPES["age_hours"].read_actual(ten_days_ago, NOW) == pytest.approx(252)
    in_30 = (NOW + timedelta(days=30)).isoformat()
    assert values.TYPES["days_until"].read_actual(in_30, NOW) == pytest.approx(30)
    assert values.TYPES["days_until"].read_actual(ten_days_ago, NOW) < 0  # expired: negative


def test_cidr_membership():
    nets = values.TYPES["cidr"].read_expected(["10.0.0.0/8", "2001:db8::/32"])
    assert values.to_address("10.1.2.3") in nets
    assert values.to_address("2001:db8::5") in nets
    assert values.to_address("192.0.2.1") not in nets
    assert values.to_address("10.1.0.0/16") in nets  # a network inside one of them
    assert values.TYPES["cidr"].read_expected("10.0.0.0/8") == values.to_address("10.0.0.0/8")
    with pytest.raises(Unreadable):
        values.to_address("not-an-ip")
    with pytest.raises(Unreadable):
        values.TYPES["cidr"].read_expected("10.0.0.0/99")


@pytest.mark.parametrize("raw, expected", [(True, True), ("true", True), ("Yes", True), ("on", True), (1, True),
                                           (False, False), ("false", False), ("NO", False), ("0", False), (0, False)])
def test_boolean(raw, expected):
    assert values.to_boolean(raw) is expected


@pytest.mark.parametrize("bad", ["maybe", 2, None])
def test_boolean_unreadable(bad):
    with pytest.raises(Unreadable):
        values.to_boolean(bad)


def test_integer_float_size():
    assert values.to_integer("42") == 42 and values.to_integer(4.0) == 4
    for bad in ("4.5", "x", True):
        with pytest.raises(Unreadable):
            values.to_integer(bad)
    assert values.to_float("2.5") == 2.5
    with pytest.raises(Unreadable):
        values.to_float(False)
    assert values.to_size([1, 2, 3]) == 3 and values.to_size("abc") == 3 and values.to_size({}) == 0
    with pytest.raises(Unreadable):
        values.to_size(7)


def test_string_and_normalize():
    assert values.TYPES["string"].read_actual(7, NOW) == "7"
    assert values.TYPES["normalize"].read_actual("  LastState ", NOW) == "laststate"
    assert values.TYPES["normalize"].read_expected(["A", "b "]) == ["a", "b"]


def test_null_is_unreadable_for_every_type():
    for vtype in values.TYPES.values():
        with pytest.raises(Unreadable):
            vtype.read_actual(None, NOW)


def test_json_safe_shows_values_as_written():
    assert values.json_safe(Version("7.10")) == "7.10"
    assert values.json_safe(values.Networks(["10.0.0.0/8"])) == ["10.0.0.0/8"]
    assert values.json_safe(2.123456) == 2.123
    assert values.json_safe([Version("1")]) == ["1"]
