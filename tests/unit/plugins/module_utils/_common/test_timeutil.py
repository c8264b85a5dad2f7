# -*- coding: utf-8 -*-
"""The one ISO 8601 parser: strict for a user's times, lenient for a device's."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._common.timeutil import (
    format_time,
    parse_time,
    parse_time_or_none,
)

UTC = timezone.utc


@pytest.mark.parametrize("text, expected", [
    ("2026-12-01T22:00:00Z", datetime(2026, 12, 1, 22, 0, tzinfo=UTC)),
    ("2026-12-01T22:00:00", datetime(2026, 12, 1, 22, 0, tzinfo=UTC)),  # naive is UTC
    ("2026-12-01T23:30:00+01:30", datetime(2026, 12, 1, 22, 0, tzinfo=UTC)),
    (" 2026-12-01T22:00:00.750Z ", datetime(2026, 12, 1, 22, 0, tzinfo=UTC)),  # to the second
    ("2026-12-01", datetime(2026, 12, 1, tzinfo=UTC)),
    (datetime(2026, 12, 1, 23, 0, 0, 999, tzinfo=timezone(timedelta(hours=1))), datetime(2026, 12, 1, 22, tzinfo=UTC)),
    (datetime(2026, 12, 1, 22, 0), datetime(2026, 12, 1, 22, tzinfo=UTC)),
    (None, None),
    ("", None),
])
def test_strict(text, expected):
    got = parse_time(text, "start_at")
    assert got == expected
    assert got is None or (got.tzinfo == UTC and got.microsecond == 0)


@pytest.mark.parametrize("bad", ["not a date", "2026-13-01T00:00:00Z", "tomorrow", 12.5, "Z"])
def test_strict_names_the_field_in_the_maintenance_wording(bad):
    with pytest.raises(ValidationError) as err:
        parse_time(bad, "log_since")
    assert err.value.field == "log_since"
    assert err.value.message == "log_since: %r is not an ISO 8601 time such as 2026-12-01T22:00:00Z" % bad


def test_lenient_keeps_what_it_can_read_and_says_none_otherwise():
    assert parse_time_or_none("2026-11-21T22:39:33.250+00:00") == datetime(2026, 11, 21, 22, 39, 33, 250000,
                                                                           tzinfo=UTC)
    assert parse_time_or_none("2026-11-21T22:39:33") == datetime(2026, 11, 21, 22, 39, 33, tzinfo=UTC)
    for unreadable in (None, "", "n/a", "0000-00-00T00:00:00"):
        assert parse_time_or_none(unreadable) is None


def test_format_reads_back():
    when = parse_time("2026-12-01T23:00:00+01:00", "x")
    assert format_time(when) == "2026-12-01T22:00:00Z"
    assert parse_time(format_time(when), "x") == when
    assert format_time(datetime(2026, 12, 1, 22, 0)) == "2026-12-01T22:00:00Z"  # naive is UTC
    assert format_time(None) == ""


def test_compatible_with_the_maintenance_model_parser():
    """The lead switches _maintenance/model.py's parse_time(value, field_name) to this one."""
    from ansible_collections.osfleet.day2.plugins.module_utils._maintenance import model
    cases = ["2026-12-01T22:00:00Z", "2026-12-01T22:00:00", "2026-12-01T23:30:00.5+01:30", None, "",
             datetime(2026, 12, 1, 22, 0, 0, 123)]
    for value in cases:
        assert parse_time(value, "start_at") == model.parse_time(value, "start_at")
    for bad in ("not a date", "2026-02-30T00:00:00Z"):
        with pytest.raises(ValidationError) as ours:
            parse_time(bad, "end_at")
        with pytest.raises(ValidationError) as theirs:
            model.parse_time(bad, "end_at")
        assert (ours.value.message, ours.value.field) == (theirs.value.message, theirs.value.field)
