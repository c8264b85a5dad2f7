# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""ISO 8601 times: the one parser, strict for what a user gives, lenient for what a device says.

A time the user gives (a window's ``start_at``, ``hardware_info``'s ``log_since``) that cannot
be read is a mistake to report, naming the option: :func:`parse_time`. Silently reading it as
"no limit" once made ``log_since: "not a date"`` keep every log entry. A time a BMC gives
(a log entry's ``Created``) that cannot be read is the device's quirk, not the user's: the entry
is kept and its time is unknown, :func:`parse_time_or_none`.

Both take a naive time as UTC and return an aware datetime in UTC. ``Z`` is read on every
Python the modules run on (``datetime.fromisoformat`` learnt it only in 3.11).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from ansible_collections.osfleet.day2.plugins.module_utils._common.errors import ValidationError

EXAMPLE = "2026-12-01T22:00:00Z"


def _read(value: Any) -> Optional[datetime]:
    """An aware UTC datetime, or None if ``value`` is not an ISO 8601 time."""
    if isinstance(value, datetime):
        when = value
    else:
        text = str(value).strip()
        if text[-1:] in ("Z", "z"):
            text = text[:-1] + "+00:00"
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def parse_time(value: Any, field: str) -> Optional[datetime]:
    """A user's ISO 8601 time (or datetime) as an aware UTC datetime to the second; None for None or "".

    ValidationError names ``field``: "<field>: <value> is not an ISO 8601 time such as 2026-12-01T22:00:00Z".
    Whole seconds, because the times are stored and compared as ``YYYY-MM-DDTHH:MM:SSZ`` text.
    """
    if value is None or value == "":
        return None
    when = _read(value)
    if when is None:
        raise ValidationError("%s: %r is not an ISO 8601 time such as %s" % (field, value, EXAMPLE), field=field)
    return when.replace(microsecond=0)


def parse_time_or_none(value: Any) -> Optional[datetime]:
    """A device's ISO 8601 time as an aware UTC datetime (sub-seconds kept); None if absent or unreadable."""
    if value is None or value == "":
        return None
    return _read(value)


def format_time(when: Optional[datetime]) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (UTC; a naive time is taken as UTC), or "" for None: what
    :func:`parse_time` reads back."""
    if not when:
        return ""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
