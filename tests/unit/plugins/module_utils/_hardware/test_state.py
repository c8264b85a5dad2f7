# -*- coding: utf-8 -*-
"""The HardwareState model itself."""
from __future__ import annotations

import pytest

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError
from ansible_collections.osfleet.day2.plugins.module_utils._hardware.state import (
    Fan,
    LogEntry,
    PowerSupply,
    Temperature,
    filter_since,
)

LOG = [LogEntry("1", "2026-11-19T23:59:59Z", "ok", "old"), LogEntry("2", "2026-11-20T00:00:00+00:00", "ok", "at"),
       LogEntry("3", "2026-11-21T08:00:00", "critical", "new"), LogEntry("4", None, "ok", "no time"),
       LogEntry("5", "garbled", "ok", "bad time")]


def test_numbers_are_floats_whatever_the_protocol_gave():
    t = Temperature("CPU1 Temp", 52, 90, None)
    assert (t.reading_celsius, t.upper_critical, t.upper_fatal) == (52.0, 90.0, None)
    assert isinstance(t.reading_celsius, float)
    assert isinstance(Fan("Fan1", 7200).rpm, float)
    assert PowerSupply("PSU1", "ok", None).watts is None


def test_log_since_keeps_entries_at_or_after_it_and_those_without_a_readable_time():
    assert [e.id for e in filter_since(LOG, "2026-11-20T00:00:00Z")] == ["2", "3", "4", "5"]
    assert [e.id for e in filter_since(LOG, "2026-11-20T01:00:00+01:00")] == ["2", "3", "4", "5"]
    assert [e.id for e in filter_since(LOG, None)] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize("since", ["not a date", "2026-11-32", "yesterday"])
def test_a_log_since_that_is_no_time_is_an_error_not_no_limit(since):
    with pytest.raises(ValidationError) as err:
        filter_since(LOG, since)
    assert err.value.field == "log_since"
